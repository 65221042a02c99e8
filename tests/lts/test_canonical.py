"""The canonical LTS: one LTS, numbers and all, for every LTS of a behaviour."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import LTS
from procalg.lts.canonical import canonical
from procalg.lts.network import close, component, reduce_components
from procalg.lts.product import explore_product
from tests.checks.test_deadlock import csp_lts


def _renumbered(lts: LTS, order: list[int]) -> LTS:
    """``lts`` with state ``s`` numbered ``order[s]`` and its labels listed reversed."""
    perm = np.array(order)
    names = [*lts.labels[:2], *reversed(lts.labels[2:])]
    return LTS.build(lts.num_states, int(perm[lts.initial]), names[2:],
                     [(int(perm[s]), lts.labels[a], int(perm[d])) for s, a, d in
                      zip(lts.src.tolist(), lts.label.tolist(), lts.dst.tolist(), strict=True)])


def _same(one: LTS, two: LTS) -> bool:
    return (one.labels, one.initial, one.num_states, list(one.triples())) == (
        two.labels, two.initial, two.num_states, list(two.triples()))


@settings(max_examples=150, deadline=None)
@given(csp_lts(), st.data())
def test_renumbering_an_lts_gives_the_same_canonical_lts(lts: LTS, data) -> None:
    order = data.draw(st.permutations(range(lts.num_states)))
    assert _same(canonical(lts), canonical(_renumbered(lts, list(order))))


@settings(max_examples=150, deadline=None)
@given(csp_lts())
def test_the_product_of_reduced_components_gives_the_same_canonical_lts(lts: LTS) -> None:
    reduced = explore_product(reduce_components(close(component(lts))))
    assert _same(canonical(lts), canonical(reduced))


def test_a_state_merged_with_the_loop_it_enters_is_one_state() -> None:
    # 0 -a-> 1 -a-> 1 is bisimilar to 0 -a-> 0: one state either way
    lead = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 1)])
    assert _same(canonical(lead), canonical(LTS.build(1, 0, ["a"], [(0, "a", 0)])))
    assert canonical(lead).num_states == 1
