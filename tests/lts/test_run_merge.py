"""Merging runs of wide keys keeps their key order and carries their hashes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import run_merge, wide_keys


def _run(values: set[int]) -> np.ndarray:
    """Two-word keys of ``values`` in key order."""
    codes = np.array(sorted(values), dtype=object)
    return wide_keys.key_sorted(wide_keys.to_keys(codes, 2), None)[0]


@settings(max_examples=150, deadline=None)
@given(st.sets(st.integers(0, (1 << 70) - 1), max_size=60),
       st.sets(st.integers(0, (1 << 70) - 1), max_size=30), st.booleans())
def test_merged_keys_are_the_key_ordered_union_with_their_own_hashes(old, new, chunked):
    new -= old
    big, keys = _run(old), _run(new)
    with pytest.MonkeyPatch.context() as patch:
        if chunked:  # the in-place move of large runs, not the sorted copy
            patch.setattr(run_merge, "_SMALL", 0)
            patch.setattr(run_merge, "_CHUNK", 4)
        merged, tags, hashes = run_merge.merge_keyed(
            big, np.zeros(len(big), np.uint16), keys, np.ones(len(keys), np.uint16),
            wide_keys.key_hashes(big), wide_keys.key_hashes(keys))
    union = _run(old | new)
    assert merged.tolist() == union.tolist()
    assert hashes.tolist() == wide_keys.key_hashes(union).tolist()
    values = wide_keys.from_keys(merged, 2).tolist()
    assert [v in new for v in values] == tags.astype(bool).tolist()


def _colliding(values: set[int]) -> tuple[np.ndarray, np.ndarray]:
    """Two-word keys of ``values`` ordered by (hash, bytes) under a hash of
    four values: most keys share their hash with others."""
    keys = wide_keys.to_keys(np.array(sorted(values), dtype=object), 2)
    hashes = wide_keys.key_hashes(keys) & np.uint64(3)
    order = np.lexsort((np.arange(len(keys)), hashes))  # sorted values: bytes break ties
    return keys[order], hashes[order]


@settings(max_examples=150, deadline=None)
@given(st.sets(st.integers(0, (1 << 70) - 1), max_size=60),
       st.sets(st.integers(0, (1 << 70) - 1), max_size=30))
def test_keys_merged_in_place_go_by_bytes_among_keys_of_one_hash(old, new):
    new -= old
    (big, big_hashes), (keys, hashes) = _colliding(old), _colliding(new)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run_merge, "_SMALL", 0)
        patch.setattr(run_merge, "_CHUNK", 4)
        merged, tags, got = run_merge.merge_keyed(
            big, np.zeros(len(big), np.uint16), keys, np.ones(len(keys), np.uint16),
            big_hashes, hashes)
    union, union_hashes = _colliding(old | new)
    assert merged.tolist() == union.tolist() and got.tolist() == union_hashes.tolist()
    values = wide_keys.from_keys(merged, 2).tolist()
    assert [v in new for v in values] == tags.astype(bool).tolist()
