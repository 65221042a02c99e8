"""Control components on hand-made networks: phases, resets and the abort of a throw.

The differential tests against the term-level rules live in
``tests/semantics/test_network.py``; these pin the constructions themselves
on networks small enough to count by hand.
"""

from __future__ import annotations

import pytest

from procalg.api.model import loads
from procalg.checks.deadlock import deadlock_goal
from procalg.lts import LTS, TAU, TICK
from procalg.lts.control import (
    RESET,
    abortable,
    external_choice,
    internal_choice,
    interrupt,
    sequence,
    timeout,
)
from procalg.lts.control_node import ControlNode
from procalg.lts.lazy import LazyComponent
from procalg.lts.network import close, component, parallel
from procalg.lts.partition import Bisimulation, partition
from procalg.lts.product import explore_product, find_path

ONCE_A = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, TICK, 2)])  # a -> SKIP
LOOP_B = LTS.build(1, 0, ["b"], [(0, "b", 0)])  # B = b -> B
TAU_THEN_C = LTS.build(3, 0, ["c"], [(0, TAU, 1), (1, "c", 2)])  # (τ; c -> STOP)
THROWER = LTS.build(2, 0, ["throw"], [(0, "throw", 1)])


def _edges(lts: LTS) -> set[tuple[int, str, int]]:
    return set(lts.triples())


def _bisimilar(a: LTS, b: LTS) -> bool:
    triples = list(a.triples())
    triples += [(s + a.num_states, lab, d + a.num_states) for s, lab, d in b.triples()]
    union = LTS.build(a.num_states + b.num_states, a.initial, [], triples)
    blocks = partition(union, Bisimulation.STRONG)
    return bool(blocks[a.initial] == blocks[a.num_states + b.initial])


def test_seq_runs_the_second_network_only_after_the_first_terminates() -> None:
    net = close(sequence(component(ONCE_A), parallel(component(LOOP_B), component(ONCE_A),
                                                     set())))
    lts = explore_product(net)
    first = [lts.labels[lab] for lab, _ in lts.successors(lts.initial)]
    assert first == ["a"]  # b waits for the first part's ✓
    assert lts.num_states == 2 + 3  # a -> SKIP's two live states, then B ||| a -> SKIP


def test_seq_leaves_the_first_part_in_one_omega_state() -> None:
    # (a -> SKIP [] a -> SKIP) ; B: both branches end in the same single state
    choice = external_choice(component(ONCE_A), component(ONCE_A))
    lts = explore_product(close(sequence(choice, component(LOOP_B))))
    assert lts.num_states == 1 + 2 + 1  # undecided, two decided, then B (one state)


def test_a_choice_decided_by_one_side_resets_the_side_that_moved_by_tau() -> None:
    lts = explore_product(close(external_choice(component(ONCE_A), component(TAU_THEN_C))))
    after_a = [d for lab, d in lts.successors(lts.initial) if lts.labels[lab] == "a"]
    tau_then_a = [d for lab, s in lts.successors(lts.initial) if lts.labels[lab] == TAU
                  for lab2, d in lts.successors(s) if lts.labels[lab2] == "a"]
    assert after_a == tau_then_a  # the same state: the right side went back to its start


def test_internal_choice_starts_with_tau_to_either_side() -> None:
    lts = explore_product(close(internal_choice(component(ONCE_A), component(LOOP_B))))
    assert sorted(lts.labels[lab] for lab, _ in lts.successors(lts.initial)) == [TAU, TAU]
    assert not find_path(close(internal_choice(component(ONCE_A),
                                                   component(LOOP_B))), deadlock_goal).found


def test_interrupt_lets_the_right_side_take_over_until_the_left_terminates() -> None:
    lts = explore_product(close(interrupt(component(ONCE_A), component(LOOP_B))))
    initial = {lts.labels[lab] for lab, _ in lts.successors(lts.initial)}
    assert initial == {"a", "b"}
    ended = [d for s, lab, d in lts.triples() if lab == TICK]
    assert len(set(ended)) == 1 and not lts.successors(ended[0])


def test_timeout_is_a_tau_to_the_right_side_while_undecided() -> None:
    lts = explore_product(close(timeout(component(ONCE_A), component(LOOP_B))))
    moves = {lts.labels[lab] for lab, _ in lts.successors(lts.initial)}
    assert moves == {"a", TAU}
    after_a = next(d for lab, d in lts.successors(lts.initial) if lts.labels[lab] == "a")
    assert {lts.labels[lab] for lab, _ in lts.successors(after_a)} == {TICK}


def test_a_throw_ends_every_component_in_one_state_that_is_no_deadlock() -> None:
    net = abortable(close(parallel(component(THROWER), component(LOOP_B), set())), "throw")
    lts = explore_product(net)
    thrown = {d for _, lab, d in lts.triples() if lab == "throw"}
    assert len(thrown) == 1 and not lts.successors(thrown.pop())
    assert lts.num_states == 2
    assert not find_path(net, deadlock_goal).found


def test_a_network_without_throw_is_left_as_it_is() -> None:
    net = close(parallel(component(ONCE_A), component(LOOP_B), set()))
    assert abortable(net, "throw") is net


def test_resets_add_transitions_back_to_the_initial_state() -> None:
    choice = external_choice(component(LOOP_B), component(TAU_THEN_C))
    reset = next(c for c in choice.components if RESET in c.labels)
    assert {(s, d) for s, lab, d in _edges(reset) if lab == RESET} == {(0, 0), (1, 0), (2, 0)}


def test_a_throw_in_a_network_too_large_to_reset_keeps_the_behaviour(monkeypatch) -> None:
    import procalg.lts.control as control
    from procalg.lts.network import hide

    net = close(hide(parallel(component(THROWER), component(TAU_THEN_C), set()), set()))
    small = explore_product(abortable(net, "throw"))
    monkeypatch.setattr(control, "RESET_LIMIT", 1)
    large = abortable(net, "throw")
    assert any("too many to reset" in note for note in large.notes)
    assert explore_product(large).num_states > small.num_states  # a thrown state per stale one
    assert _bisimilar(explore_product(large), small)
    assert not find_path(large, deadlock_goal).found


class _System:
    """An LTS as a transition system, for a lazy component over it."""

    def __init__(self, lts: LTS) -> None:
        self.lts = lts

    def initial_state(self) -> int:
        return self.lts.initial

    def successors(self, s: int) -> list[tuple[str, int]]:
        return [(self.lts.labels[lab], d) for lab, d in self.lts.successors(s)]


def _lazy(lts: LTS) -> LazyComponent:
    return LazyComponent(_System(lts), set(lts.labels))


@pytest.mark.parametrize("operator", [sequence, external_choice, internal_choice, interrupt,
                                      timeout])
@pytest.mark.parametrize("side", [0, 1])
def test_a_lazy_side_under_a_control_operator_is_stale_and_bisimilar_to_the_whole_one(
        operator, side) -> None:
    for p, q in ((TAU_THEN_C, ONCE_A), (ONCE_A, LOOP_B), (TAU_THEN_C, TAU_THEN_C)):
        whole = explore_product(close(operator(component(p), component(q))))
        sides = [component(p), component(q)]
        sides[side] = component(_lazy((p, q)[side]))
        net = operator(*sides)
        assert net.loose  # never settled nor reset: its states are not known yet
        assert _bisimilar(explore_product(close(net)), whole)


NESTED_INTERRUPTS = """channel a, b, c
T = (a -> b -> STOP) /\\ ((STOP ||| a -> STOP) /\\ SKIP)
U = T ; c -> STOP
"""


@pytest.mark.parametrize("process", ["T", "U"])
def test_a_right_side_ending_nested_interrupts_stops_the_left_as_the_term_rules_do(process):
    # the inner /\\ gives the outer two ✓ rules of its right side, one only for after
    # the right took over; sharing one control label, that one also fired while the
    # left still ran, without resetting it: ✓ into a state where the left's b was on
    # offer, and U had the trace <a, c, b> (found by test_network's random recursions)
    model = loads(NESTED_INTERRUPTS)
    product = explore_product(close(model.network(process)))
    assert _bisimilar(product, model.lts(process))


def test_a_control_label_asked_again_with_other_moves_is_a_label_of_its_own() -> None:
    node = ControlNode((component(ONCE_A),), 3)
    first = node.phase("\x00x", (1, 2))
    again = node.phase("\x00x", (1, 2))
    other = node.phase("\x00x", (0, 2), (1, 2))
    assert first == again and other != first
    assert {(s, d) for s, label, d in node.moves if label == first[1]} == {(1, 2)}
