"""Names for a compiled LTS's states, replayed on the term rules (differential).

For random operator trees (hypothesis) the compiled network's LTS, named by
:class:`ReplayedNames`, must name every state by a term the term rules reach,
strongly bisimilar to it. (Exactly the term rules' set of names holds where no
two bisimilar terms are swapped, e.g. the mirror states of ``R ||| R``; the
bundled models' pictures are checked for it in ``tests/api/test_export.py``.)
"""

from __future__ import annotations

from collections import deque

import numpy as np
from hypothesis import assume, event, example, given, settings
from hypothesis import strategies as st

from procalg.errors import LimitExceeded
from procalg.lts import LTS, explore
from procalg.lts.partition import Bisimulation, partition
from procalg.lts.product import explore_product
from procalg.lts.replayed_names import ReplayedNames, breadth_first_tree
from procalg.semantics.network import NotApplicable, compile_network
from procalg.semantics.sos import Rules
from procalg.terms import (
    SKIP,
    STOP,
    Call,
    Event,
    ExternalChoice,
    Hide,
    InternalChoice,
    Interrupt,
    Parallel,
    Prefix,
    Process,
    Seq,
    show_process,
)

REFERENCE_STATES = 5_000
"""The term rules' bound per draw: a draw past it is skipped (``assume``), not compared."""
A, B, C = Event("a"), Event("b"), Event("c")
EVENTS = [A, B, C]
BODIES: dict[Call, Process] = {
    Call("P"): Prefix(A, Call("P")),
    Call("Q"): ExternalChoice(Prefix(B, Call("Q")), Prefix(C, SKIP)),
    Call("R"): InternalChoice(Prefix(A, Call("R")), Prefix(A, Prefix(B, STOP))),
}


class _Terms:
    """The term rules over ``BODIES`` as a transition system; counts its steps."""

    def __init__(self, term: Process) -> None:
        self.rules = Rules(BODIES.__getitem__)
        self.term = term
        self.steps = 0

    def initial_state(self) -> Process:
        return self.rules.normalise(self.term)

    def successors(self, state: Process):
        self.steps += 1
        return self.rules.transitions(state)


def _terms(depth: int):
    leaf = st.sampled_from([STOP, SKIP, *BODIES])
    if depth == 0:
        return leaf
    sub = st.one_of(leaf, _terms(depth - 1))
    events = st.frozensets(st.sampled_from(EVENTS))
    binary = st.sampled_from([ExternalChoice, InternalChoice, Seq, Interrupt])
    return st.one_of(
        st.builds(Prefix, st.sampled_from(EVENTS), sub),
        st.builds(lambda op, p, q: op(p, q), binary, sub, sub),
        st.builds(Parallel, sub, sub, events),
        st.builds(Hide, sub, events),
    )


def _union(left: LTS, right: LTS) -> LTS:
    """Both LTSs side by side (``right``'s states shifted past ``left``'s)."""
    def triples(lts: LTS, shift: int):
        return [(int(s) + shift, lts.labels[a], int(d) + shift)
                for s, a, d in zip(lts.src, lts.label, lts.dst, strict=True)]

    return LTS.build(left.num_states + right.num_states, left.initial, [],
                     triples(left, 0) + triples(right, left.num_states))


def _renumbered(lts: LTS, seed: int) -> LTS:
    """``lts`` with its states shuffled: moves by one label come in another order."""
    order = np.random.default_rng(seed).permutation(lts.num_states)
    return LTS.from_arrays(lts.num_states, int(order[lts.initial]), lts.labels,
                           order[lts.src], lts.label, order[lts.dst])


@settings(max_examples=150, deadline=None)
@given(_terms(3), st.integers(0, 2**32 - 1))
@example(ExternalChoice(Parallel(Parallel(SKIP, SKIP, frozenset()),  # τ-candidates alike for
                                 Hide(Call("R"), frozenset({A, B})), frozenset()),  # 8 steps
                        Hide(Call("R"), frozenset({A}))), 0)
def test_every_compiled_state_is_named_by_a_term_bisimilar_to_it(term: Process,
                                                                  seed: int) -> None:
    net = compile_network(term, BODIES.__getitem__, reduce=False)
    if isinstance(net, NotApplicable):
        return
    compiled = _renumbered(explore_product(net), seed)
    system = _Terms(term)
    try:
        reference = explore(system, max_states=REFERENCE_STATES, state_name=show_process)
    except LimitExceeded:  # a big interleaving (some seeds draw one): skipped, counted
        event(f"the term rules passed {REFERENCE_STATES:,} states: draw skipped")
        assume(False)
    names = ReplayedNames(compiled, _Terms(term), show_process)
    where = {name: i for i, name in enumerate(reference.state_names)}
    blocks = partition(_union(compiled, reference), Bisimulation.STRONG)
    for state in range(compiled.num_states):
        named = where[names[state]]  # a name the term rules give too
        assert blocks[state] == blocks[compiled.num_states + named], (state, names[state])


def test_a_nondeterministic_move_is_matched_by_what_its_target_can_do_next() -> None:
    term = Call("R")  # a -> R |~| a -> b -> STOP: two τ-moves, then a from both
    system = _Terms(term)
    reference = explore(_Terms(term), state_name=show_process)
    # the compiled LTS numbered the other way round: state 1 is the a -> b -> STOP side
    compiled = LTS.build(5, 0, ["a", "b"], [(0, "τ", 1), (0, "τ", 2), (2, "a", 0),
                                             (1, "a", 3), (3, "b", 4)])
    names = ReplayedNames(compiled, system, show_process)
    assert names[4] == "STOP" and names[3] == "b -> STOP"
    assert names[1] == "a -> b -> STOP" and names[2] == "a -> R"
    assert set(names) == set(reference.state_names)


def test_only_the_states_read_and_their_path_from_the_start_cost_term_steps() -> None:
    chain = SKIP
    for _ in range(50):
        chain = Prefix(A, chain)
    system = _Terms(chain)
    compiled = explore(_Terms(chain))
    names = ReplayedNames(compiled, system, show_process)
    assert names[3] == "a -> " * 47 + "SKIP"
    assert system.steps == 3  # the start and two states on the way
    assert len(names) == 52 and names[-1] == "Ω"


def test_the_breadth_first_tree_gives_every_state_a_shortest_path_parent() -> None:
    rng = np.random.default_rng(7)
    triples = [(int(s), "ab"[int(x)], int(d)) for s, x, d in
               zip(rng.integers(0, 40, 120), rng.integers(0, 2, 120), rng.integers(0, 40, 120),
                   strict=True)]
    lts = LTS.build(40, 0, ["a", "b"], triples)
    parent, via = breadth_first_tree(lts)
    depth = {lts.initial: 0}
    queue = deque([lts.initial])
    while queue:
        s = queue.popleft()
        for _, d in lts.successors(s):
            if d not in depth:
                depth[d] = depth[s] + 1
                queue.append(d)
    for s in range(40):
        if s == lts.initial or s not in depth:
            assert parent[s] == -1 and via[s] == -1
        else:
            assert depth[int(parent[s])] == depth[s] - 1
            assert (int(via[s]), s) in list(lts.successors(int(parent[s])))


class _TwoChains:
    """A τ-move to two chains ``L0 … L12``/``R0 … R12`` of τ-moves, ending in
    ``x`` (left) or ``y`` (right): alike for 13 steps, more than the first cap."""

    def initial_state(self) -> str:
        return ""

    def successors(self, state: str):
        if state == "":
            return [("τ", "L0"), ("τ", "R0")]
        if state in ("L12", "R12"):
            return [("x" if state[0] == "L" else "y", "end")]
        if state == "end":
            return []
        return [("τ", f"{state[0]}{int(state[1:]) + 1}")]


def test_candidates_that_part_only_after_the_first_cap_are_matched_by_a_deeper_comparison(
        ) -> None:
    # compiled numbering puts the right chain first (R_k = 1 + 2k, L_k = 2 + 2k):
    # matching on the first 8 steps alone pairs state 1 with L0, and replaying
    # the y out of state 25 then fails
    right = [(1 + 2 * k, "τ", 3 + 2 * k) for k in range(12)]
    left = [(2 + 2 * k, "τ", 4 + 2 * k) for k in range(12)]
    compiled = LTS.build(28, 0, ["τ", "x", "y"], [(0, "τ", 1), (0, "τ", 2), *right, *left,
                                                   (25, "y", 27), (26, "x", 27)])
    every = list(ReplayedNames(compiled, _TwoChains(), str))
    assert every[1:3] == ["R0", "L0"] and every[25:] == ["R12", "L12", "end"]
    names = ReplayedNames(compiled, _TwoChains(), str)  # one lookup past the y deepens too
    assert [names[s] for s in (27, 25, 26, 1, 2)] == ["end", "R12", "L12", "R0", "L0"]
