"""The incremental strong engine reproduces plain signature refinement round by round."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import LTS
from procalg.lts.signature import branching_refinement, strong_refinement


@st.composite
def random_lts(draw) -> LTS:
    n = draw(st.integers(1, 9))
    state = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(state, st.sampled_from(["τ", "a", "b"]), state),
                         max_size=3 * n))
    return LTS.build(n, 0, ["a", "b"], rows)


def _plain_rounds(lts: LTS) -> list[list[int]]:
    """Every partition of non-incremental signature refinement, as block lists."""
    blocks = [0] * lts.num_states
    rounds = [blocks]
    while True:
        keys = [(blocks[s], frozenset((a, blocks[d]) for a, d in lts.successors(s)))
                for s in range(lts.num_states)]
        ids: dict = {}
        new = [ids.setdefault(k, len(ids)) for k in keys]
        if len(ids) == len(set(blocks)):
            return rounds
        blocks = new
        rounds.append(blocks)


def _relation(blocks) -> set[tuple[int, int]]:
    b = list(blocks)
    return {(p, q) for p in range(len(b)) for q in range(len(b)) if b[p] == b[q]}


@settings(max_examples=150, deadline=None)
@given(lts=random_lts())
def test_every_round_matches_plain_signature_refinement(lts):
    final, history = strong_refinement(lts)
    plain = _plain_rounds(lts)
    assert history.rounds == len(plain) - 1
    for k, expected in enumerate(plain):
        assert _relation(history.blocks_at(k).tolist()) == _relation(expected)
    assert _relation(final.tolist()) == _relation(plain[-1])


@settings(max_examples=100, deadline=None)
@given(lts=random_lts())
def test_first_split_is_the_first_round_that_separates_two_states(lts):
    _, history = strong_refinement(lts)
    plain = _plain_rounds(lts)
    for p in range(lts.num_states):
        for q in range(lts.num_states):
            rounds = [k for k, b in enumerate(plain) if b[p] != b[q]]
            assert history.first_split(p, q) == (rounds[0] if rounds else None)


def test_a_chain_splits_one_state_per_round():
    chain = LTS.build(6, 0, ["a"], [(i, "a", i + 1) for i in range(5)])
    final, history = strong_refinement(chain)
    assert len(set(final.tolist())) == 6 and history.rounds == 5


def test_branching_engine_ignores_inert_tau_but_not_a_choice_resolving_one():
    # 0 -τ-> 1 -a-> 2 : τ is inert;  3 -τ-> 4 -a-> 5, 3 -b-> 5 : τ resolves the choice
    lts = LTS.build(6, 0, ["a", "b"], [(0, "τ", 1), (1, "a", 2), (3, "τ", 4), (4, "a", 5),
                                       (3, "b", 5)])
    b = branching_refinement(lts).tolist()
    assert b[0] == b[1] and b[3] != b[4] and b[2] == b[5]
