"""τ-structure: the bulk cycle test against Tarjan's components."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import LTS
from procalg.lts.tau import has_cycle, tau_sccs


@st.composite
def tau_graphs(draw) -> LTS:
    n = draw(st.integers(1, 7))
    state = st.integers(0, n - 1)
    return LTS.build(n, 0, [], draw(st.lists(st.tuples(state, st.just("τ"), state),
                                             max_size=2 * n)))


@settings(max_examples=300, deadline=None)
@given(tau_graphs())
def test_the_bulk_cycle_test_agrees_with_tarjans_components(lts):
    comp = tau_sccs(lts)
    cyclic = bool((np.bincount(comp) > 1).any() or (lts.src == lts.dst).any())
    assert has_cycle(lts.num_states, lts.src.astype(np.int64), lts.dst.astype(np.int64)) == cyclic


def test_a_self_loop_is_a_cycle_and_a_chain_is_not():
    assert has_cycle(1, np.array([0]), np.array([0]))
    assert not has_cycle(3, np.array([0, 1]), np.array([1, 2]))
