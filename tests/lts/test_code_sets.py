"""Keys and τ-closure of sets of packed codes (the bulk normal form's nodes)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from procalg.lts.code_sets import (
    Children,
    argsort_small,
    close_sets,
    distinct,
    set_keys,
    unique_inverse,
)


def test_a_one_member_set_is_keyed_by_its_code_and_a_larger_one_by_an_order_free_hash():
    h1, h2, big = set_keys(np.array([0, 1, 1, 2, 2]), np.array([9, 3, 5, 5, 3]), 3)
    assert int(h1[0]) == 9 and big.tolist() == [False, True, True]
    assert h1[1] == h1[2] and h2[1] == h2[2]  # {3, 5} whatever the order of its pairs
    assert h1[1] < 0  # the top bit: never a 62-bit code


@given(st.lists(st.integers(0, 10_000), max_size=200))
def test_sorting_packed_pairs_orders_like_argsort(values):
    arr = np.array(values, dtype=np.int64)
    assert arr[argsort_small(arr)].tolist() == sorted(values)


@given(st.lists(st.integers(0, (1 << 20) - 1), min_size=1, max_size=300), st.integers(0, 42))
def test_wide_values_that_share_bits_sort_packed_like_argsort(low, gap):
    # 62-bit values whose bits above the low 20 are shared except the top one:
    # (value, index) fits 63 bits only once shared bits are cut out
    values = np.array([(v & 1) << 61 | (0x2AAAAAAAAAA << 20 >> gap << gap) | v for v in low])
    order = argsort_small(values)
    assert np.array_equal(values[order], np.sort(values))
    assert sorted(order.tolist()) == list(range(len(values)))


@given(st.lists(st.integers(0, 50), max_size=200) | st.lists(
    st.integers(0, (1 << 62) - 1), max_size=50), st.integers(0, 40))
def test_unique_inverse_gives_numpys_distinct_values_and_places(values, shift):
    # shifted values share their low bits: packed with their index only once those are cut out
    room = 62 - int(max(values, default=0)).bit_length()
    arr = np.array(values, dtype=np.int64) << min(shift, room)
    out, inverse = unique_inverse(arr)
    want, places = np.unique(arr, return_inverse=True)
    assert out.tolist() == want.tolist() and inverse.tolist() == places.tolist()


@given(st.lists(st.integers(0, 6), max_size=40), st.lists(st.integers(0, 3), max_size=40))
def test_distinct_finds_each_set_once_with_its_first_discovery(singles, bigs):
    # one-member sets keyed by a (wide) code; larger sets keyed by negative hashes
    codes = [(1 << 61) | c for c in singles]
    h1 = np.array(codes + [-(1 << 62) + b for b in bigs], np.int64)
    h2 = np.array([0] * len(codes) + [7 * b for b in bigs], np.int64)
    key = np.arange(len(h1))[::-1].copy()
    kids = Children(key, h1, h2, len(codes), np.zeros(0, np.int64), np.zeros(0, np.int64))
    got, starts, first, rep = distinct(kids)
    assert np.array_equal(got, np.sort(h1)) and np.array_equal(got[starts], np.unique(h1))
    assert np.array_equal(h1[rep], got[starts])
    assert first.tolist() == [int(key[h1 == v].min()) for v in got[starts]]


def test_the_closure_follows_tau_moves_of_every_set_until_nothing_is_new():
    taus = {1: [2], 2: [3], 3: [1]}  # a τ-cycle 1 -> 2 -> 3 -> 1; 7 has none

    def moves(codes):
        src = [i for i, c in enumerate(codes.tolist()) for _ in taus.get(c, [])]
        dst = [d for c in codes.tolist() for d in taus.get(c, [])]
        return np.array(src, np.int64), np.array(dst, np.int64), np.zeros(len(src), np.int32)

    node, code = close_sets(moves, 4, np.array([0, 1]), np.array([1, 7]))
    assert list(zip(node.tolist(), code.tolist(), strict=True)) == [(0, 1), (0, 2), (0, 3),
                                                                     (1, 7)]
