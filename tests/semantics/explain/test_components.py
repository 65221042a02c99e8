"""Components of a state and blamed moves: hand-derived splits and blames, identity
across moves, and a property: blamed moves are the rules' moves, and each component's
share of any path is a path of that component alone."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.semantics.explain.components import Structure
from procalg.semantics.sos import Rules
from procalg.terms import (
    OMEGA,
    SKIP,
    STOP,
    AlphaParallel,
    Call,
    Event,
    ExternalChoice,
    Hide,
    InternalChoice,
    Interrupt,
    Parallel,
    Prefix,
    Rename,
    Seq,
    Timeout,
)

a, b, c, h = Event("a"), Event("b"), Event("c"), Event("h")
A = frozenset({a})


def _structure() -> Structure:
    return Structure(Rules(None))


def test_a_parallel_under_a_prefix_is_one_component_until_the_prefix_happens() -> None:
    s = _structure()
    term = Prefix(c, Seq(Parallel(Prefix(a, SKIP), Prefix(a, STOP), A), STOP))
    assert [p for p, _ in s.leaves(term)] == [()]
    ((_, after),) = s.rules.transitions(term)
    # the first part of ; is active: its parallel's operands are the components
    assert [(p, str(t)) for p, t in s.leaves(after)] == [((0, 0), "a -> SKIP"),
                                                         ((0, 1), "a -> STOP")]


def test_choice_interrupt_and_timeout_operands_are_walked_when_they_hold_a_parallel() -> None:
    s = _structure()
    par = Parallel(Prefix(a, STOP), Prefix(b, STOP))
    for op in (ExternalChoice, InternalChoice, Interrupt, Timeout):
        assert [p for p, _ in s.leaves(op(par, Prefix(c, STOP)))] == [(0, 0), (0, 1), (1,)]
    # without a parallel inside, a choice is a single component
    assert [p for p, _ in s.leaves(ExternalChoice(Prefix(a, STOP), SKIP))] == [()]


def test_hiding_and_renaming_blame_the_component_by_its_own_event_name() -> None:
    s = _structure()
    term = Rename(Hide(Parallel(Prefix(h, STOP), Prefix(a, STOP)), frozenset({h})),
                  frozenset({(a, c)}))
    blamed = sorted((str(lab), blame) for lab, _, blame in s.moves(term))
    assert blamed == [("c", (((0, 0, 1), a),)), ("τ", (((0, 0, 0), h),))]


def test_a_synchronisation_blames_both_sides_and_a_tick_its_own_side() -> None:
    s = _structure()
    term = AlphaParallel(Prefix(a, SKIP), Prefix(a, Prefix(b, STOP)), A, frozenset({a, b}))
    ((lab, target, blame),) = s.moves(term)
    assert lab == a and blame == (((0,), a), ((1,), a))
    tick = [(lab, blame) for lab, _, blame in s.moves(target) if lab == "τ"]
    assert tick == [("τ", (((0,), "✓"),))]  # the left side's ✓ is the operator's τ


def test_equal_operands_are_told_apart_by_position() -> None:
    s = _structure()
    term = Parallel(Prefix(a, STOP), Prefix(a, STOP))  # a ||| a: two different moves
    assert sorted(blame for _, _, blame in s.moves(term)) == [(((0,), a),), (((1,), a),)]


def test_a_component_that_moves_or_terminates_keeps_its_place() -> None:
    s = _structure()
    term = Parallel(Prefix(a, SKIP), Prefix(b, STOP))
    target = next(t for lab, t in s.rules.transitions(term) if lab == a)
    assert s.carry(term, target) == {(0,): (0,), (1,): (1,)}
    done = next(t for lab, t in s.rules.transitions(target) if lab == "τ")
    assert done == Parallel(OMEGA, Prefix(b, STOP))
    assert s.carry(target, done) == {(0,): (0,), (1,): (1,)}


def test_a_resolved_choice_continues_with_the_chosen_operands_components() -> None:
    s = _structure()
    par = Parallel(Prefix(a, STOP), Prefix(b, STOP))
    term = ExternalChoice(par, Prefix(c, STOP))
    after_a = next(t for lab, t in s.rules.transitions(term) if lab == a)
    assert s.carry(term, after_a) == {(0,): (0, 0), (1,): (0, 1)}
    after_c = next(t for lab, t in s.rules.transitions(term) if lab == c)
    assert s.carry(term, after_c) == {(): (1,)}


def test_the_second_part_of_a_sequence_brings_new_components() -> None:
    s = _structure()
    second = Parallel(Prefix(a, STOP), Prefix(b, STOP))
    term = Seq(Parallel(OMEGA, OMEGA), second)
    ((lab, target),) = [(lab, t) for lab, t in s.rules.transitions(term)]
    assert lab == "τ" and target == second
    assert s.carry(term, target) == {}


def test_components_are_named_by_the_call_they_are_the_unfolding_of() -> None:
    bodies = {Call("P#3", (1,)): Prefix(a, STOP), Call("Q"): Prefix(b, STOP)}
    s = Structure(Rules(bodies.__getitem__))
    term = s.rules.normalise(Parallel(Call("P#3", (1,)), Call("Q")))
    assert [s.name(t) for _, t in s.leaves(term)] == ["P(1)", "Q"]
    assert s.name(Prefix(c, STOP)) == "c -> STOP"


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
    max_leaves=4,
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
        st.tuples(inner, leaf).map(lambda t: Seq(*t)),
        st.tuples(inner, inner).map(lambda t: ExternalChoice(*t)),
        st.tuples(inner, inner).map(lambda t: Interrupt(*t)),
        st.tuples(st.sampled_from(EVENTS), inner).map(lambda t: Prefix(*t)),
    ),
    max_leaves=4,
)


@settings(max_examples=150, deadline=None)
@given(tree, st.lists(st.integers(0, 10**6), max_size=8))
def test_each_components_share_of_a_path_is_a_path_of_the_component_alone(term, choices) -> None:
    s = _structure()
    state = s.rules.normalise(term)
    # per component (followed by carry): its term when it appeared and its labels since
    tracked = {p: (t, []) for p, t in s.leaves(state)}
    for pick in choices:
        moves = s.moves(state)
        assert sorted(map(repr, ((lab, t) for lab, t, _ in moves))) == sorted(
            map(repr, s.rules.transitions(state)))
        if not moves:
            break
        label, target, blame = moves[pick % len(moves)]
        # only a ✓ of Ω ‖ Ω, the τ a parallel or ; makes of it, and the τ of an internal
        # choice or timeout between components have no component behind them
        assert blame or label in ("✓", "τ")
        for at, own in blame:
            tracked[at][1].append(own)
        kept = s.carry(state, target, blame)
        tracked = {p: tracked[kept[p]] if p in kept else (t, [])
                   for p, t in s.leaves(target)}
        state = target
        for at, (start, share) in tracked.items():
            # the component alone, from where it appeared, can do its share and be here
            frontier = {start}
            for own in share:
                frontier = {t for x in frontier for lab, t in s.rules.transitions(x)
                            if lab == own}
                assert frontier, f"{start} cannot do {share}"
            assert s.subterm(state, at) in frontier, (start, share)
