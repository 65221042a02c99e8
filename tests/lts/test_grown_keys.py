"""Lazy leaves that grow a narrow layout past its bits: word-aligned keys from then on.

The layout starts exactly at its bit limit (every field of the first layout
fits, nothing more), or at its mixed-radix limit (the product of its radices
one below the codes allowed), so any lazy leaf outgrowing its headroom makes
the codes wide mid-search: bit fields, or mixed-radix words. The product
must not tell: same states, transitions and verdicts as the eager network,
shortest counterexamples of the same length (real ones, replayed in Roscoe's
rules); and the search must hold no Python integers once the codes are wide.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings

from procalg.checks.deadlock import deadlock_goal
from procalg.lts import LTS, explore, vectors
from procalg.lts.codes import Layout
from procalg.lts.digit_places import width
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.factor_tables import TableFactor
from procalg.lts.lazy import LazyComponent
from procalg.lts.network import close, component, parallel
from procalg.lts.product import count_states, explore_product, find_path, searcher
from tests.lts.test_lazy import _pair, mixes
from tests.lts.test_product import Tree, _bisimilar, _replay, trees

LIMITS = ["bits", "mixed"]


@contextmanager
def _at_the_limit(limit: str = "bits"):
    """Tables whose first layout uses every bit allowed (``bits``), or every
    mixed-radix code (``mixed``), lazy digits with the least power-of-two
    headroom: a leaf's third state already makes codes wide."""
    choose = Layout.choose

    def tight(radix, order, **_):
        if limit == "mixed":  # bit fields never fit; the mixed-radix space just does
            vectors._MAX_BITS, vectors._MAX_CODE = 0, math.prod(radix) + 1
        else:
            vectors._MAX_BITS = sum(map(width, radix))
        layout = choose(radix, order, max_bits=vectors._MAX_BITS, max_code=vectors._MAX_CODE)
        assert layout.packed == (limit == "bits") and not layout.wide
        return layout
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vectors, "_MAX_BITS", vectors._MAX_BITS)
        patch.setattr(vectors, "_MAX_CODE", vectors._MAX_CODE)
        patch.setattr(vectors.Layout, "choose", staticmethod(tight))
        patch.setattr(vectors, "headroom", lambda states: 1 << int(states).bit_length())
        yield


def _deadlock_paths(limit, tree, mix, **options):
    """``find_path`` to a deadlock on the eager network and on the lazy one at
    the forced code limit: (eager's, lazy's)."""
    eager, lazy = _pair(tree, mix=mix)
    want = find_path(eager, deadlock_goal, **options)
    with _at_the_limit(limit):
        return want, find_path(lazy, deadlock_goal, **options)


@pytest.mark.parametrize("limit", LIMITS)
@settings(max_examples=300, deadline=None)
@given(trees(), mixes)
def test_lazy_leaves_growing_narrow_codes_wide_give_the_eager_product(limit, tree, mix):
    eager, lazy = _pair(tree, mix=mix)
    a = explore_product(eager)
    with _at_the_limit(limit):
        b = explore_product(lazy)
    assert (b.num_states, b.num_transitions) == (a.num_states, a.num_transitions)
    assert _bisimilar(a, b)


@pytest.mark.parametrize("limit", LIMITS)
@settings(max_examples=300, deadline=None)
@given(trees(), mixes)
def test_lazy_leaves_growing_narrow_codes_wide_keep_deadlocks_and_shortest_traces(
        limit, tree, mix):
    want, got = _deadlock_paths(limit, tree, mix)
    assert got.found == want.found
    if not got.found:  # the whole product explored
        assert (got.states, got.transitions) == (want.states, want.transitions)
    else:
        reference = explore(Tree(tree))
        assert len(got.path) == len(want.path)
        assert set(_replay(reference, got.path)) & set(reference.deadlocks())


def _object_arrays(search) -> list[str]:
    """Where the search or its tables hold ``object`` arrays (Python integers)."""
    tables, visited = search.tables, search.visited
    held = {"frontier": visited.frontier,
            **{f"run {i}": run.codes for i, run in enumerate(visited.runs)}}
    for i, group in enumerate([*tables.forward, *tables.backward]):
        for f in group if isinstance(group, list) else ():
            if isinstance(f, TableFactor):
                held[f"table {i}"] = f.delta
    return [name for name, a in held.items() if a.dtype == object]


@pytest.mark.parametrize("limit", LIMITS)
def test_a_lazy_leaf_outgrowing_narrow_codes_leaves_no_python_integers_behind(limit):
    counter = LTS.build(300, 0, ["inc", "x"], [(i, "inc", i + 1) for i in range(299)]
                        + [(i, "x", i) for i in range(300)])
    other = LTS.build(3, 0, ["x", "y"], [(0, "x", 1), (1, "y", 2), (2, "x", 0)])
    def net(leaf):
        return close(parallel(component(other), component(leaf), {"x"}))
    with _at_the_limit(limit):
        search = searcher(net(LazyComponent(ExplicitSystem(counter), {"inc", "x"})))
        assert not search.tables.layout.wide  # narrow at first
        search.run()
    layout = search.tables.layout
    assert layout.words == 2 and search.visited.frontier.dtype == layout.key_dtype
    assert layout.packed == (limit == "bits")
    assert _object_arrays(search) == []
    deltas = [f.delta for g in search.tables.forward if isinstance(g, list) for f in g]
    assert deltas and all(d.dtype == np.int64 and d.shape[1:] == (2,) for d in deltas)
    result = search.result(False)
    assert result.states == count_states(net(counter)).states
    # the note names the limit the codes passed (the forced one), not 62
    assert layout.limit < 62 and any(f"bits (more than {layout.limit}): stored as 2 64-bit words"
                                     in n for n in result.notes)


@pytest.mark.parametrize("limit", LIMITS)
@settings(max_examples=200, deadline=None)
@given(trees(), mixes)
def test_stubborn_sets_over_lazy_leaves_growing_narrow_codes_wide_keep_the_verdict(
        limit, tree, mix):
    # the stubborn-set tables are made before the codes grow wide (int64 deltas)
    want, got = _deadlock_paths(limit, tree, mix, por=True)
    assert got.found == want.found
    if got.found:
        reference = explore(Tree(tree))
        assert set(_replay(reference, got.path)) & set(reference.deadlocks())
