"""Counterexamples projected onto components: hand-derived projections, ambiguity of τ,
and a property: every component's share of any path is a path of the component alone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import loads
from procalg.errors import ProcalgError
from procalg.lts import TAU
from procalg.semantics.explain import Replay, decompose, explain
from procalg.semantics.sos import Rules
from procalg.terms import (
    SKIP,
    STOP,
    AlphaParallel,
    Event,
    ExternalChoice,
    Hide,
    InternalChoice,
    Parallel,
    Prefix,
    Process,
    Rename,
    show_process,
)

PHILOSOPHERS = """\
N = 3
Id = {0..N-1}
channel think, eat : Id
channel pick, put : Id.Id
Phil(i) = think.i -> pick.i.i -> pick.i.((i+1)%N) -> eat.i
          -> put.i.i -> put.i.((i+1)%N) -> Phil(i)
Fork(j) = pick.j.j -> put.j.j -> Fork(j)
       [] pick.((j+N-1)%N).j -> put.((j+N-1)%N).j -> Fork(j)
System = (||| i : Id @ Phil(i)) [| {| pick, put |} |] (||| j : Id @ Fork(j))
"""

a, b, c, h = Event("a"), Event("b"), Event("c"), Event("h")


def _explain(model_text: str, process: str, path, **kw):
    model = loads(model_text)
    spec = model.spec
    return explain(spec.rules(), model.process(process), path,
                   unfold=spec.evaluator.unfold, **kw)


def test_the_philosophers_deadlock_is_each_holding_the_left_fork_blocked_by_the_next() -> None:
    # the only deadlock: every philosopher holds fork i and waits for fork i+1
    path = ("think.0", "pick.0.0", "think.1", "pick.1.1", "think.2", "pick.2.2")
    ex = _explain(PHILOSOPHERS, "System", path, goal=lambda moves: not moves)
    comps = {x.name: x for x in ex.components}
    assert list(comps) == ["Phil(0)", "Phil(1)", "Phil(2)", "Fork(0)", "Fork(1)", "Fork(2)"]
    for i in range(3):
        assert comps[f"Phil({i})"].trace == (f"think.{i}", f"pick.{i}.{i}")
        assert comps[f"Phil({i})"].offers == (f"pick.{i}.{(i + 1) % 3}",)
        assert comps[f"Fork({i})"].trace == (f"pick.{i}.{i}",)
        assert comps[f"Fork({i})"].offers == (f"put.{i}.{i}",)
    blocked = {(x.event, x.wanted_by, x.blocked_by) for x in ex.blocked}
    assert blocked == (
        {(f"pick.{i}.{(i + 1) % 3}", (f"Phil({i})",), (f"Fork({(i + 1) % 3})",))
         for i in range(3)}
        | {(f"put.{i}.{i}", (f"Fork({i})",), (f"Phil({i})",)) for i in range(3)})
    # the synchronised pick.0.0 is one column in which Phil(0) and Fork(0) both take part
    assert ex.columns[1] == ("pick.0.0", None, None, "pick.0.0", None, None)


def test_the_goal_chooses_among_the_ends_tau_makes_ambiguous() -> None:
    term = InternalChoice(Prefix(a, STOP), Prefix(a, Prefix(b, STOP)))
    stuck = explain(Rules(None), term, (TAU, "a"), goal=lambda moves: not moves)
    going = explain(Rules(None), term, (TAU, "a"), goal=lambda moves: bool(moves))
    assert stuck.components[0].final == "STOP" and stuck.components[0].offers == ()
    assert going.components[0].final == "b -> STOP" and going.components[0].offers == ("b",)


def test_a_path_that_does_not_replay_exactly_is_replayed_by_its_visible_events() -> None:
    term = Hide(Prefix(h, Prefix(a, STOP)), frozenset({h}))
    ex = explain(Rules(None), term, ("a",))
    assert not ex.exact
    assert ex.steps == (TAU, "a") and ex.columns == (("h",), ("a",))


def test_a_divergence_shows_which_component_loops() -> None:
    text = "channel a, b\nX = a -> X\nY = b -> Y\n"
    ex = _explain(text, "(X ||| Y) \\ {a}", (), cycle=True)
    assert ex.cycle_steps == (TAU,)
    assert ex.cycle_columns == (("a", None),)
    assert [x.name for x in ex.components] == ["X", "Y"]


def test_renaming_shows_the_components_own_event_names() -> None:
    term = Rename(Parallel(Prefix(a, STOP), Prefix(b, STOP)), frozenset({(a, c)}))
    ex = explain(Rules(None), term, ("c",))
    assert ex.steps == ("c",) and ex.columns == (("a", None),)


def test_an_impossible_path_is_an_error() -> None:
    with pytest.raises(ProcalgError, match="cannot replay"):
        explain(Rules(None), Prefix(a, STOP), ("b",))


def test_leaves_are_named_by_the_calls_that_stand_for_them() -> None:
    model = loads(PHILOSOPHERS)
    shape, names = decompose(model.process("System"), model.spec.evaluator.unfold)
    assert names == ["Phil(0)", "Phil(1)", "Phil(2)", "Fork(0)", "Fork(1)", "Fork(2)"]
    assert shape.kind == "par" and sorted(shape.leaves()) == list(range(6))


# ---------------------------------------------------------------- property

EVENTS = [a, b, c]
alphabets = st.frozensets(st.sampled_from(EVENTS))
leaf = st.recursive(
    st.sampled_from([STOP, SKIP]),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(EVENTS), inner).map(lambda t: Prefix(*t)),
        st.tuples(inner, inner).map(lambda t: ExternalChoice(*t)),
        st.tuples(inner, inner).map(lambda t: InternalChoice(*t)),
    ),
    max_leaves=5,
)
tree = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.tuples(inner, inner, alphabets).map(lambda t: Parallel(*t)),
        st.tuples(inner, inner, alphabets, alphabets).map(lambda t: AlphaParallel(*t)),
        st.tuples(inner, alphabets).map(lambda t: Hide(*t)),
        st.tuples(inner, st.frozensets(st.tuples(st.sampled_from(EVENTS),
                                                 st.sampled_from(EVENTS)), max_size=2))
        .map(lambda t: Rename(*t)),
    ),
    max_leaves=4,
)


def _leaf_terms(term: Process) -> list[Process]:
    match term:
        case Parallel(left, right) | AlphaParallel(left, right):
            return _leaf_terms(left) + _leaf_terms(right)
        case Hide(inner) | Rename(inner):
            return _leaf_terms(inner)
    return [term]


@settings(max_examples=150, deadline=None)
@given(tree, st.lists(st.integers(0, 10**6), max_size=8))
def test_each_components_share_of_a_path_is_a_path_of_the_component_alone(term, choices) -> None:
    rules = Rules(None)
    shape, names = decompose(term, None)
    replay = Replay(rules, shape)
    state = rules.normalise(term)
    shares: list[list] = [[] for _ in names]
    for pick in choices:
        moves = replay.moves(state)
        assert {(lab, t) for lab, t, _ in moves} == set(rules.transitions(state))
        if not moves:
            break
        label, state, blame = moves[pick % len(moves)]
        # only the ✓ of a parallel whose sides both terminated (Ω ||| Ω), or the τ an
        # enclosing parallel makes of it, has no component behind it
        assert blame or label in ("✓", TAU)
        for leaf_index, own in blame:
            shares[leaf_index].append(own)
    for own_term, share, name in zip(_leaf_terms(term), shares, names, strict=True):
        assert name == show_process(own_term)
        frontier = {rules.normalise(own_term)}
        for own in share:  # the leaf alone can do exactly these labels in order
            frontier = {t for s in frontier for lab, t in rules.transitions(s) if lab == own}
            assert frontier, f"{name} cannot do {share}"
