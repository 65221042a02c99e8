"""Wide codes' sort keys: their hashes spread structured codes apart."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import wide_keys


def _two_word_keys(top: np.ndarray, low: np.ndarray) -> np.ndarray:
    words = np.stack([top, low], axis=1).astype(">u8")
    return np.ascontiguousarray(words).view("V16").reshape(-1)


def test_keys_whose_fields_differ_in_both_words_get_distinct_hashes():
    # a word-aligned layout's codes: a few small fields in the top word, bit
    # fields at bits 0 and 32 of the low one (the shape of a 71-bit search
    # whose keys collided thousands of times under a multiply-only hash)
    v, a, b = np.meshgrid(np.arange(32), np.arange(32), np.arange(32), indexing="ij")
    keys = _two_word_keys(v.ravel(), a.ravel() | (b.ravel() << 32))
    hashes = wide_keys.key_hashes(keys)
    assert len(np.unique(hashes)) == len(keys) == 32 ** 3


def test_one_word_keys_hash_as_a_bijection_of_their_word():
    keys = np.arange(1 << 16, dtype=">u8").view("V8")
    assert len(np.unique(wide_keys.key_hashes(keys))) == 1 << 16


def test_unique_keys_keeps_each_distinct_key_once_in_hash_order():
    v, a = np.meshgrid(np.arange(64), np.arange(64), indexing="ij")
    keys = _two_word_keys(v.ravel(), a.ravel() << 32)
    doubled = np.concatenate((keys, keys[::-1]))
    out = wide_keys.unique_keys(doubled, "stable")
    hashes = wide_keys.key_hashes(out)
    assert len(out) == len(keys) and set(out.tolist()) == set(keys.tolist())
    assert (hashes[1:] > hashes[:-1]).all()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, (1 << 64) - 1), max_size=300), st.integers(0, 63))
def test_hash_order_is_a_stable_argsort_also_when_hashes_share_their_high_bits(values, drop):
    # shifted right, hashes share their high bits: the index packed in the low
    # bits must not decide their order
    h = np.array(values, dtype=np.uint64) >> np.uint64(drop)
    order, ordered = wide_keys.hash_order(h)
    assert order.tolist() == np.argsort(h, kind="stable").tolist()
    assert ordered.tolist() == sorted(h.tolist())
