"""The plain-Python firing of a few states against the vectorised one.

:func:`procalg.lts.lazy_small.fire_few` must give exactly the moves of
:meth:`procalg.lts.lazy_tables._Driven.fire`, in the same order (the
search's goals see them as they come), and a deep, narrow leaf (one
state per BFS level, where it runs) must check as the term-level
reference does.
"""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import lazy_small
from procalg.lts.lazy import LazyComponent
from procalg.lts.leaf_partners import PartneredLeaf
from procalg.lts.product import count_states, searcher, tau_lasso
from procalg.lts.refine_product import tau_acyclic
from tests.lts.test_lazy import _pair, mixes
from tests.lts.test_product import trees


def _moves(tables, codes: np.ndarray, backward: bool = False) -> list[tuple[int, int, int]]:
    src, dst, lab = tables.successors(codes, backward=backward)
    return list(zip(src.tolist(), dst.tolist(), lab.tolist(), strict=True))


@settings(max_examples=100, deadline=None)
@given(trees(), mixes, st.integers(1, lazy_small.FEW), st.booleans())
def test_a_few_states_fire_the_same_moves_in_the_same_order_as_numpy(tree, mix, few, backward):
    # mixes put lazy leaves beside eager and lazy partners; backward, an eager
    # driver looks its lazy partners up (the moves into a trace's states)
    _, lazy = _pair(tree, mix=mix)
    search = searcher(lazy)
    search.run()
    search.visited.finish()
    codes = search.held(search.visited.codes)
    tables = search.tables
    for lo in range(0, len(codes), few):
        chunk = codes[lo: lo + few]
        looped = _moves(tables, chunk, backward)
        saved = lazy_small.FEW
        lazy_small.FEW = 0  # every state through numpy
        try:
            assert _moves(tables, chunk, backward) == looped
        finally:
            lazy_small.FEW = saved


COUNTER = """
channel c : {{0..{top}}}
channel d, e
P(n) = c!n -> (if n == {stuck} then STOP else d -> P((n + 1) % {size}))
Q(n) = c!n -> R(n)
R(n) = d -> Q((n + 1) % {size}) [] e -> R(n)
assert P(0) :[deadlock free]
assert Q(0) :[deadlock free]
assert Q(0) :[divergence free]
assert Q(0) \\ {{e}} :[deadlock free]
assert P(0) \\ {{d}} :[deadlock free]
"""


def _outcomes(text: str, engine: CheckEngine) -> list[tuple]:
    out = []
    for report in check_model(loads(text), options=SearchOptions(engine=engine)):
        assert report.check is not None, report.error
        found = report.check.counterexample
        out.append((report.result, report.stats.states, found.trace if found else None))
    return out


@settings(max_examples=10, deadline=None)
@given(st.integers(1001, 1400), st.data())  # past 2,000 states: the leaf is lazy
def test_a_deep_narrow_counter_leaf_checks_as_the_reference_does(size, data):
    stuck = data.draw(st.integers(0, 2 * size))  # past the counter's range: never stuck
    text = COUNTER.format(top=size - 1, stuck=stuck, size=size)
    network = loads(text).network("Q(0)")
    assert any(isinstance(c, LazyComponent) for c in network.components)  # the narrow path
    assert _outcomes(text, CheckEngine.PRODUCT) == _outcomes(text, CheckEngine.REFERENCE)


PARTNERED = """
channel up, tick
C(n) = n < {size} & (up -> C(n + 1) [] n % 5 == 0 & up -> C(n + 2))
P = up -> tick -> P
Sys = C(0) [| {{up}} |] P
assert Sys :[deadlock free]
assert Sys \\ {{tick}} :[divergence free]
assert Sys \\ {{up}} :[deadlock free]
"""


@settings(max_examples=4, deadline=None)
@given(st.integers(2001, 2200))  # past 2,000 states: the counter leaf is lazy
def test_a_counter_leaf_beside_a_small_partner_checks_as_the_reference_does(size):
    # a state or two per level, fired from the eager partner with the lazy
    # counter looked up as a partner (forward, and backward for the trace);
    # every fifth count has two up moves, so a partner's choices all count
    # (the numpy walk's: the Python walk beside partners, leaf_partners, is off)
    text = PARTNERED.format(size=size)
    runs = []
    real = LazyComponent.run_at
    with patch.object(LazyComponent, "run_at",
                      lambda self, *a: runs.append(a) or real(self, *a)), \
            patch.object(PartneredLeaf, "of", classmethod(lambda cls, tables: None)):
        product = _outcomes(text, CheckEngine.PRODUCT)
    assert len(runs) >= size  # the Python lookups ran, once a level at least
    assert product == _outcomes(text, CheckEngine.REFERENCE)


@settings(max_examples=100, deadline=None)
@given(trees(), mixes)
def test_lazy_leaves_explored_whole_are_judged_tau_acyclic_only_without_divergence(tree, mix):
    eager, lazy = _pair(tree, mix=mix)
    count_states(lazy)  # every local state the product reaches is expanded now
    if tau_acyclic(lazy):
        assert not tau_lasso(eager).found


def test_a_counter_leaf_is_tau_acyclic_once_its_deadlock_search_explored_it():
    model = loads(COUNTER.format(top=1199, stuck=5000, size=1200))
    network = model.network("P(0)")
    assert not tau_acyclic(network)  # the leaf's table is not whole yet: unknown
    assert not count_states(network).found
    assert tau_acyclic(network)
    hidden = model.network(model.process("Q(0) \\ {e}"))
    count_states(hidden)
    assert not tau_acyclic(hidden)  # R's e, hidden, loops
