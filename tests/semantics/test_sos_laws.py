"""Algebraic laws of CSP hold on random finite terms under the firing rules.

The references here are deliberately naive and independent of
``procalg.lts.partition``: bisimilarity as the coarsest stable partition,
found by naive signature refinement (Kanellakis & Smolka 1990: split every
block by the set of (label, block) moves of its states until no block
splits; O(m log m) per round, at most n rounds), checked against the
textbook greatest fixpoint of the transfer condition over all pairs of
states (O(n⁴) per round: too slow for the larger draws, kept for small
ones); weak bisimulation as strong bisimulation of the τ-saturated
systems, and traces as bounded-depth sets of visible traces (τ skipped).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import LTS, TAU, TICK
from procalg.terms import (
    SKIP,
    STOP,
    AlphaParallel,
    Event,
    ExternalChoice,
    Hide,
    InternalChoice,
    Interrupt,
    Parallel,
    Prefix,
    Process,
    Rename,
    Seq,
    Timeout,
)
from tests.semantics.conftest import term_lts

EVENTS = [Event("a"), Event("b"), Event("c")]
UNUSED = Event("z")
alphabets = st.frozensets(st.sampled_from(EVENTS))


def _binary(children: st.SearchStrategy[Process]) -> st.SearchStrategy[Process]:
    pair = st.tuples(children, children)
    return st.one_of(
        pair.map(lambda pq: ExternalChoice(*pq)),
        pair.map(lambda pq: InternalChoice(*pq)),
        pair.map(lambda pq: Seq(*pq)),
        pair.map(lambda pq: Interrupt(*pq)),
        pair.map(lambda pq: Timeout(*pq)),
        st.tuples(children, children, alphabets).map(lambda t: Parallel(*t)),
        st.tuples(children, children, alphabets, alphabets).map(lambda t: AlphaParallel(*t)),
    )


def _unary(children: st.SearchStrategy[Process]) -> st.SearchStrategy[Process]:
    pairs = st.frozensets(st.tuples(st.sampled_from(EVENTS), st.sampled_from(EVENTS)),
                          max_size=3)
    return st.one_of(
        st.tuples(st.sampled_from(EVENTS), children).map(lambda t: Prefix(*t)),
        st.tuples(children, alphabets).map(lambda t: Hide(*t)),
        st.tuples(children, pairs).map(lambda t: Rename(*t)),
    )


terms = st.recursive(
    st.sampled_from([STOP, SKIP]),
    lambda children: st.one_of(_unary(children), _binary(children)),
    max_leaves=6,
)


def _moves(lts: LTS, offset: int) -> dict[int, set[tuple[str, int]]]:
    return {s + offset: {(lts.labels[lab], d + offset) for lab, d in lts.successors(s)}
            for s in range(lts.num_states)}


def _bisimilar(moves: dict[int, set[tuple[str, int]]], x: int, y: int) -> bool:
    """Signature refinement: a state's next block is its block and its moves' blocks.

    Refinement only splits blocks, so an unchanged number of blocks is the fixpoint.
    """
    block = dict.fromkeys(moves, 0)
    count = 1
    while True:
        ids: dict[tuple, int] = {}
        block = {s: ids.setdefault((block[s], frozenset((lab, block[t]) for lab, t in out)),
                                   len(ids))
                 for s, out in moves.items()}
        if len(ids) == count:
            return block[x] == block[y]
        count = len(ids)


def _bisimilar_pairs(moves: dict[int, set[tuple[str, int]]], x: int, y: int) -> bool:
    """Greatest fixpoint: drop pairs where a move of one is not matched by the other."""
    related = {(s, t) for s in moves for t in moves}
    changed = True
    while changed:
        changed = False
        for s, t in list(related):
            forth = all(any(lab2 == lab and (s2, t2) in related for lab2, t2 in moves[t])
                        for lab, s2 in moves[s])
            back = all(any(lab2 == lab and (s2, t2) in related for lab2, s2 in moves[s])
                       for lab, t2 in moves[t])
            if not (forth and back):
                related.discard((s, t))
                changed = True
    return (x, y) in related


def strongly_bisimilar(p: Process, q: Process) -> bool:
    left, right = term_lts(p), term_lts(q)
    moves = _moves(left, 0) | _moves(right, left.num_states)
    return _bisimilar(moves, left.initial, left.num_states + right.initial)


def _saturate(moves: dict[int, set[tuple[str, int]]]) -> dict[int, set[tuple[str, int]]]:
    """Weak moves: s =τ=> t (τ*, including no move) and s =a=> t (τ* a τ*)."""
    closure = {}
    for s in moves:
        seen, todo = {s}, [s]
        while todo:
            for lab, t in moves[todo.pop()]:
                if lab == TAU and t not in seen:
                    seen.add(t)
                    todo.append(t)
        closure[s] = seen
    weak = {}
    for s in moves:
        out = {(TAU, t) for t in closure[s]}
        for u in closure[s]:
            for lab, v in moves[u]:
                if lab != TAU:
                    out |= {(lab, w) for w in closure[v]}
        weak[s] = out
    return weak


def weakly_bisimilar(p: Process, q: Process) -> bool:
    left, right = term_lts(p), term_lts(q)
    moves = _saturate(_moves(left, 0) | _moves(right, left.num_states))
    return _bisimilar(moves, left.initial, left.num_states + right.initial)


def traces(p: Process, depth: int = 5) -> set[tuple[str, ...]]:
    """Visible traces of at most ``depth`` events (τ skipped, ✓ kept)."""
    lts = term_lts(p)
    weak = _saturate(_moves(lts, 0))
    found: set[tuple[str, ...]] = set()
    frontier = {((), lts.initial)}
    for _ in range(depth + 1):
        found |= {trace for trace, _ in frontier}
        frontier = {((*trace, lab), t) for trace, s in frontier if trace[-1:] != (TICK,)
                    for lab, t in weak[s] if lab != TAU}
    return found


law = settings(max_examples=80, deadline=None)
small_terms = st.recursive(
    st.sampled_from([STOP, SKIP]),
    lambda children: st.one_of(_unary(children), _binary(children)),
    max_leaves=3,
)


@law
@given(small_terms, small_terms)
def test_the_partition_oracle_agrees_with_the_pairwise_fixpoint(p, q) -> None:
    left, right = term_lts(p), term_lts(q)
    moves = _moves(left, 0) | _moves(right, left.num_states)
    states = (left.initial, left.num_states + right.initial)
    assert _bisimilar(moves, *states) == _bisimilar_pairs(moves, *states)
    weak = _saturate(moves)
    assert _bisimilar(weak, *states) == _bisimilar_pairs(weak, *states)


def test_the_partition_oracle_tells_apart_when_the_choice_is_made() -> None:
    a, b, c = EVENTS
    early = ExternalChoice(Prefix(a, Prefix(b, STOP)), Prefix(a, Prefix(c, STOP)))
    late = Prefix(a, ExternalChoice(Prefix(b, STOP), Prefix(c, STOP)))
    assert traces(early) == traces(late)
    assert not strongly_bisimilar(early, late)
    assert not weakly_bisimilar(early, late)
    assert strongly_bisimilar(early, ExternalChoice(Prefix(a, Prefix(c, STOP)),
                                                    Prefix(a, Prefix(b, STOP))))


@law
@given(terms, terms)
def test_external_choice_is_commutative_up_to_strong_bisimulation(p, q) -> None:
    assert strongly_bisimilar(ExternalChoice(p, q), ExternalChoice(q, p))


@law
@given(terms)
def test_stop_is_the_unit_of_external_choice(p) -> None:
    assert strongly_bisimilar(ExternalChoice(p, STOP), p)


@law
@given(terms, terms, alphabets)
def test_generalised_parallel_is_commutative(p, q, sync) -> None:
    assert strongly_bisimilar(Parallel(p, q, sync), Parallel(q, p, sync))


@law
@given(terms)
def test_skip_then_p_is_weakly_bisimilar_to_p(p) -> None:
    assert weakly_bisimilar(Seq(SKIP, p), p)


@law
@given(terms)
def test_p_then_skip_has_the_traces_of_p(p) -> None:
    assert traces(Seq(p, SKIP)) == traces(p)


@law
@given(terms)
def test_internal_choice_is_idempotent_on_traces(p) -> None:
    assert traces(InternalChoice(p, p)) == traces(p)


@law
@given(terms)
def test_interleaving_with_stop_keeps_traces_but_never_terminates(p) -> None:
    without_tick = {t for t in traces(p) if TICK not in t}
    assert traces(Parallel(p, STOP)) == without_tick


@law
@given(terms)
def test_hiding_events_outside_the_alphabet_is_the_identity(p) -> None:
    assert strongly_bisimilar(Hide(p, frozenset({UNUSED})), p)


@law
@given(terms)
def test_renaming_unused_events_is_the_identity(p) -> None:
    assert strongly_bisimilar(Rename(p, frozenset({(UNUSED, EVENTS[0])})), p)


@law
@given(terms)
def test_interrupt_by_stop_is_the_identity(p) -> None:
    assert strongly_bisimilar(Interrupt(p, STOP), p)


@law
@given(terms, terms)
def test_traces_of_external_and_internal_choice_agree(p, q) -> None:
    assert traces(ExternalChoice(p, q)) == traces(InternalChoice(p, q)) == traces(p) | traces(q)


@law
@given(terms)
def test_the_naive_bisimulation_tells_apart_a_change_in_behaviour(p) -> None:
    # a sanity check of the reference itself: an extra initial event is always visible
    assert not strongly_bisimilar(ExternalChoice(p, Prefix(UNUSED, STOP)), p)


# FDR's synchronising operators (terms/synchronising.py): with nothing to
# synchronise they are the plain ones; the choice is symmetric.

@law
@given(terms, terms)
def test_synchronising_choice_on_no_events_is_external_choice(p, q) -> None:
    from procalg.terms.synchronising import SyncChoice

    assert strongly_bisimilar(SyncChoice(p, q, frozenset()), ExternalChoice(p, q))


@law
@given(terms, terms)
def test_synchronising_interrupt_on_no_events_is_interrupt(p, q) -> None:
    from procalg.terms.synchronising import SyncInterrupt

    assert strongly_bisimilar(SyncInterrupt(p, q, frozenset()), Interrupt(p, q))


@law
@given(terms, terms, alphabets)
def test_synchronising_choice_is_commutative(p, q, sync) -> None:
    from procalg.terms.synchronising import SyncChoice

    assert strongly_bisimilar(SyncChoice(p, q, sync), SyncChoice(q, p, sync))


@law
@given(terms, terms, alphabets)
def test_a_synchronised_event_needs_both_sides_and_keeps_the_choice(p, q, sync) -> None:
    from procalg.terms.synchronising import SyncChoice

    both = traces(Parallel(p, q, sync), 1)
    for trace in traces(SyncChoice(p, q, sync), 1):
        if trace and trace[0] in {str(e) for e in sync}:
            assert trace in both
