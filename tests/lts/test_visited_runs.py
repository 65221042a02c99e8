"""Visited runs: packed (code, tag) keys against separate code and tag arrays."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts.visited_runs import Run

codes = st.sets(st.integers(0, (1 << 20) - 1), max_size=60)


@settings(max_examples=150, deadline=None)
@given(codes, codes, st.integers(1, 43), st.sets(st.integers(-5, 1 << 21), max_size=40))
def test_a_packed_run_merges_and_finds_as_a_run_of_codes_and_tags(a, b, shift, probe):
    b -= a
    tags_a, tags_b = (1 << shift) - 1, min(3, (1 << shift) - 1)
    left = np.array(sorted(a), dtype=np.int64)
    right = np.array(sorted(b), dtype=np.int64)
    packed = Run.packed(left, tags_a, shift)
    packed.merge(Run.packed(right, tags_b, shift))
    plain = Run(left, np.full(len(left), tags_a, np.uint64))
    plain.merge(Run(right, np.full(len(right), tags_b, np.uint64)))
    got_codes, got_tags = packed.plain()
    assert got_codes.tolist() == plain.codes.tolist()
    assert got_tags.tolist() == plain.tags.tolist()
    assert packed.plain_codes().tolist() == plain.codes.tolist()
    query = np.array(sorted(probe | a), dtype=np.int64)
    assert packed.found(query).tolist() == plain.found(query).tolist()
    hit, tags = packed.levels(query)
    want_hit, want_tags = plain.levels(query)
    assert hit.tolist() == want_hit.tolist() and tags.tolist() == want_tags.tolist()


def test_an_empty_packed_run_finds_nothing():
    run = Run.packed(np.zeros(0, np.int64), 0, 8)
    assert run.found(np.array([0, 1])).tolist() == [False, False]
    assert run.levels(np.array([0]))[0].tolist() == [False]
    assert len(run) == 0 and run.nbytes == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 1 << 16), min_size=1, max_size=3000),
       st.lists(st.integers(-3, (1 << 16) + 3), max_size=20000), st.booleans())
def test_ordered_positions_are_the_positions_of_a_plain_search(run, keys, shuffle):
    from procalg.lts import visited_runs

    codes = np.array(sorted(set(run)), dtype=np.int64)
    queries = np.array(sorted(keys), dtype=np.int64)
    if shuffle:  # not ascending: searched plainly, still right
        queries = queries[::-1].copy()
    old, visited_runs.BLOCK = visited_runs.BLOCK, 64  # many blocks even in a small test
    try:
        got = visited_runs.ordered_positions(codes, queries)
    finally:
        visited_runs.BLOCK = old
    assert got.tolist() == codes.searchsorted(queries).tolist()
