"""Lazy components sent back to their initial state (lts/lazy_returns.py): every
control operator, and a recursion's restart, over such a lazy side give the
product of the same side explored whole, state for state (a plain lazy side
stays stale: tests/lts/test_control.py)."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.deadlock import deadlock_goal
from procalg.lts import LTS, TAU, TICK
from procalg.lts import control as ctl
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.held import Holding
from procalg.lts.lazy import LazyComponent
from procalg.lts.lazy_returns import INIT, RESET, SETTLE, returning
from procalg.lts.network import close, component, parallel
from procalg.lts.product import explore_product, find_path
from tests.lts.test_control import _bisimilar, _lazy

LABELS = ["a", "b", TAU]


@st.composite
def _leaves(draw: st.DrawFn) -> LTS:
    """A leaf as the term rules explore one: states 0..n-1 moving by a, b and τ,
    and ✓ from some of them into one dead Ω state n."""
    n = draw(st.integers(1, 4))
    moves = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(LABELS),
                                    st.integers(0, n - 1)), max_size=6))
    ends = draw(st.lists(st.integers(0, n - 1), max_size=2))
    return LTS.build(n + 1, 0, ["a", "b"], moves + [(s, TICK, n) for s in ends])


def _exception(left, right):
    return ctl.exception(left, right, frozenset({"b"}))


OPERATORS = [ctl.sequence, ctl.external_choice, ctl.internal_choice, ctl.interrupt,
             ctl.timeout, _exception]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(OPERATORS), _leaves(), _leaves(), st.sampled_from([0, 1]))
def test_a_lazy_side_of_any_control_operator_gives_the_whole_sides_product(
        operator, p, q, side) -> None:
    whole_net = operator(component(p), component(q))
    whole = explore_product(close(whole_net))
    sides = [component(p), component(q)]
    sides[side] = component(returning(_lazy((p, q)[side])))
    net = operator(*sides)
    assert not net.loose
    # its initial moves read as a whole side's: each of the whole network's rules, with
    # the same guards and resets (the lazy side has rules for every declared label too)
    assert {(r.label, r.parts) for r in whole_net.rules} <= {(r.label, r.parts)
                                                             for r in net.rules}
    lazy = explore_product(close(net))
    assert (lazy.num_states, lazy.num_transitions) == (whole.num_states, whole.num_transitions)
    assert _bisimilar(lazy, whole)


@settings(max_examples=150, deadline=None)
@given(_leaves(), _leaves(), st.sampled_from([ctl.sequence, ctl.timeout]))
def test_a_recursion_restarting_over_a_lazy_leaf_gives_the_whole_leafs_product(
        p, q, operator) -> None:
    # L = (P ||| Q) ; L  (or P ||| Q [> L): the restart re-enters the lazy P at its state 0
    def body(first):
        return operator(parallel(component(first), component(q), set()), ctl.loop_mark("L"))

    whole_net = ctl.loop(body(p), "L", frozenset({len(body(p)) - 1}))
    lazy_net = ctl.loop(body(returning(_lazy(p))), "L", frozenset({len(body(p)) - 1}))
    assert ctl.loop(body(_lazy(p)), "L", frozenset({len(body(p)) - 1})) is None  # stale
    assert whole_net is not None and lazy_net is not None
    whole, lazy = explore_product(close(whole_net)), explore_product(close(lazy_net))
    assert (lazy.num_states, lazy.num_transitions) == (whole.num_states, whole.num_transitions)
    assert _bisimilar(lazy, whole)
    found, expected = find_path(close(lazy_net), deadlock_goal), find_path(close(whole_net),
                                                                           deadlock_goal)
    assert found.found == expected.found
    if found.found:
        assert len(found.path) == len(expected.path)


def test_each_expanded_state_makes_its_returns_to_state_zero() -> None:
    p = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, TICK, 2)])  # a -> SKIP
    lazy = returning(_lazy(p), [RESET, SETTLE, INIT + "a", INIT + TICK])
    lazy.expand(np.array([0]))
    lazy.expand(np.array([1]))
    lazy.expand(np.array([2]))  # Ω, numbered as 2 here too
    moves = {loc: {(lazy.labels[c], d) for c, d in lazy.written_moves(loc)}
             for loc in range(3)}
    assert moves[0] == {(RESET, 0), (SETTLE, 0), (INIT + "a", 0), ("a", 1)}
    assert moves[1] == {(RESET, 0), (INIT + TICK, 0), (TICK, 2)}
    assert moves[2] == {(RESET, 0), (SETTLE, 0), ("\x00done", 2)}


def test_a_component_extended_twice_keeps_the_first_returns() -> None:
    p = LTS.build(2, 0, ["a"], [(0, "a", 1)])
    twice = returning(returning(_lazy(p), [RESET]), [INIT + "a"])
    assert twice.returns is not None
    assert twice.returns.labels == {RESET, INIT + "a"}
    twice.expand(np.array([0]))
    assert sorted(twice.labels[c] for c, _ in twice.written_moves(0)) == sorted([
        RESET, INIT + "a", "a"])


@pytest.mark.parametrize("asked", [True, False])
def test_a_component_with_returns_defers_no_move(asked) -> None:
    class Asking:  # a system that could make some moves only when asked
        def initial_state(self):
            return 0

        def successors(self, s):
            return [("a", 1)] if s == 0 else []

        def successors_where(self, s, waiting, asked_for):
            return [m for m in self.successors(s) if m[0] not in waiting or m[0] in asked_for]

    lazy = LazyComponent(Asking(), {"a"})
    if asked:
        lazy = returning(lazy, [INIT + "a"])
    lazy.defer([lazy.code["a"]])
    assert bool(lazy.deferred) is not asked


def test_a_batch_of_machine_states_makes_the_returns_that_one_by_one_expansion_makes() -> None:
    from procalg.api.model import loads
    from procalg.semantics.linear import Machine

    model = loads("channel c : {0..19}\nP = c?x -> Q(x)\nQ(n) = c!n -> (if n == 0 then SKIP "
                  "else P)\n")
    events = [f"c.{v}" for v in range(20)]
    extra = [RESET, SETTLE, INIT + TICK, *(INIT + e for e in events[:3])]

    def tables(batch: bool) -> dict:
        machine = Machine(model.spec.evaluator, model.process("P"))
        assert machine.vector() is not None  # the batch path exists for this machine
        lazy = returning(LazyComponent(machine, [*events, TICK]), extra)
        frontier = [0]
        while frontier:
            before = lazy.num_states
            if batch:
                lazy.expand(np.array(frontier))
            else:
                for loc in frontier:
                    lazy.expand(np.array([loc]))
            frontier = [n for n in range(before, lazy.num_states)] + [
                n for n in frontier if not lazy.is_expanded(n)]
        return {repr(lazy.states[loc]): {(lazy.labels[c], repr(lazy.states[d]))
                                         for c, d in lazy.written_moves(loc)}
                for loc in range(lazy.num_states)}

    batched, single = tables(True), tables(False)
    assert batched == single
    assert sum(len(m) for m in batched.values()) > 3 * len(batched)  # returns were made


def test_a_returning_leaf_expanded_now_asks_its_system_straight_and_keeps_its_returns() -> None:
    p = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2), (1, "a", 0), (2, "a", 0)])

    def expanded(now: bool) -> list:
        lazy = returning(LazyComponent(Holding(ExplicitSystem(p)), {"a", "b"}),
                         [RESET, SETTLE, INIT + "a"])
        lazy.hold()
        return [(lazy.expand_now if now else lazy.expand_held)(loc) for loc in range(3)]

    general = expanded(False)
    assert len(general[0]) == 4  # a, then reset, settle and a's twin back to 0
    with patch.object(LazyComponent, "_moves", side_effect=AssertionError("general path")):
        assert expanded(True) == general
