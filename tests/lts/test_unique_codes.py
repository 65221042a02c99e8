"""Sorted, distinct codes: wide keys keep the hashes they were made with."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import wide_keys
from procalg.lts.unique_codes import joined_unique, keyed_unique

values = st.lists(st.integers(0, (1 << 80) - 1) | st.integers(0, 5), max_size=40)


@settings(max_examples=150, deadline=None)
@given(st.lists(values, min_size=1, max_size=4))
def test_joined_runs_of_keys_are_the_distinct_keys_with_their_own_hashes(batches):
    runs = [keyed_unique(wide_keys.to_keys(np.array(b, dtype=object), 2)) for b in batches]
    for keys, hashes in runs:
        assert hashes.tolist() == wide_keys.key_hashes(keys).tolist()
    keys, hashes = joined_unique(runs)
    values = [x for b in batches for x in b]
    every = wide_keys.to_keys(np.array(values, dtype=object), 2)
    assert keys.tolist() == wide_keys.unique_keys(every, "quicksort").tolist()
    assert hashes.tolist() == wide_keys.key_hashes(keys).tolist()
    assert sorted(wide_keys.from_keys(keys, 2).tolist()) == sorted(set(values))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(-(2**62), 2**62), max_size=30), min_size=1, max_size=4))
def test_joined_runs_of_int64_codes_are_their_sorted_set_without_hashes(batches):
    runs = [keyed_unique(np.array(b, dtype=np.int64)) for b in batches]
    codes, hashes = joined_unique(runs)
    assert hashes is None and codes.tolist() == sorted({x for b in batches for x in b})
