"""Visited runs hold wide keys without their first word: the hash gives it back.

The keys rebuilt must be the keys stored, runs merged in that form must be
the key-ordered union (also when hashes collide and bytes decide), look-ups
must find exactly what is held, and a state must cost 8 bytes a word and
its tag: no hash beside a whole key.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import run_merge, wide_keys
from procalg.lts.visited import Visited
from procalg.lts.visited_keys import CompactKeys
from procalg.lts.visited_runs import Run

words64 = st.integers(0, (1 << 64) - 1)


def _keys(rows: list[list[int]], k: int = 3) -> np.ndarray:
    """``V{8k}`` keys of big-endian word rows (``k`` words when there are none)."""
    k = len(rows[0]) if rows else k
    return np.array(rows, dtype=">u8").reshape(len(rows), k).view(f"V{8 * k}").reshape(len(rows))


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 5).flatmap(lambda k: st.lists(st.lists(words64, min_size=k, max_size=k),
                                                    min_size=1, max_size=40)), st.data())
def test_keys_held_without_their_first_word_are_rebuilt_exactly(rows, data):
    keys = _keys(rows)
    k = keys.dtype.itemsize // 8
    raw = wide_keys.native_words(keys)
    assert wide_keys.first_words(wide_keys.key_hashes(keys), raw[:, 1:]).tolist() == \
        raw[:, 0].tolist()
    held = CompactKeys.of(keys, wide_keys.key_hashes(keys))
    assert held.nbytes == 8 * k * len(keys)
    assert held[:].tolist() == keys.tolist()
    i = data.draw(st.integers(0, len(keys) - 1))
    assert held[i] == keys[i] and held[np.array([i, 0])].tolist() == keys[[i, 0]].tolist()
    other = data.draw(st.integers(0, len(keys) - 1))
    assert held.same(np.array([i]), keys[[other]]).tolist() == [rows[i][1:] == rows[other][1:]]


@contextmanager
def _xor_hash():
    """A hash that xors the words: as invertible as the real one given the
    other words, and keys built as :func:`_clashing` share it in fours."""
    def xor(words: np.ndarray) -> np.ndarray:
        out = np.zeros(len(words), dtype=np.uint64)
        for i in range(words.shape[1]):
            out ^= words[:, i]
        return out
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(wide_keys, "key_hashes", lambda keys: xor(wide_keys.native_words(keys)))
        patch.setattr(wide_keys, "first_words", lambda h, rest: h ^ xor(rest))
        yield


def _clashing(values: set[tuple[int, int, int]]) -> list[list[int]]:
    """Three-word rows whose words xor to one of four values (``s``)."""
    return [[x, y, x ^ y ^ s] for x, y, s in sorted(values)]


triples = st.sets(st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 3)),
                  max_size=40)


def _run(rows: list[list[int]], tag: int) -> Run:
    keys, hashes = wide_keys.unique_hashed(_keys(rows), "quicksort")
    return Run(keys, np.full(len(keys), tag, np.uint16), hashes=hashes)


@settings(max_examples=150, deadline=None)
@given(triples, triples, st.booleans(), st.booleans(), triples)
def test_compact_runs_merge_to_the_key_ordered_union_and_find_what_they_hold(
        old, new, chunked, clash, probe):
    new -= old
    if not old:
        return
    with pytest.MonkeyPatch.context() as patch, (_xor_hash() if clash else _nothing()):
        if chunked:  # the in-place move of large runs, not the sorted copy
            patch.setattr(run_merge, "_SMALL", 0)
            patch.setattr(run_merge, "_CHUNK", 4)
        run = _run(_clashing(old), 1).compact()
        run.merge(_run(_clashing(new), 2))
        union = _run(_clashing(old | new), 0)
        assert run.codes.tolist() == union.codes.tolist()
        assert run.hashes.tolist() == union.hashes.tolist()
        assert run.nbytes == len(union) * (16 + 8 + 2)  # 3-word keys: 2 words, hash, tag
        asked = _keys(_clashing(probe))
        hit, tags = run.levels(asked)
        assert run.found(asked).tolist() == hit.tolist() == [p in old | new for p in sorted(probe)]
        assert tags.tolist() == [1 if p in old else 2 for p in sorted(probe) if p in old | new]


@contextmanager
def _nothing():
    yield


def test_a_visited_set_of_four_word_keys_holds_32_bytes_and_a_tag_a_state():
    rng = np.random.default_rng(7)
    keys = np.unique(rng.integers(0, 1 << 62, size=(30_000, 4)).astype(">u8").view("V32").ravel())
    visited = Visited(keys[:1])
    for lo, hi in ((1, 20_000), (20_000, 26_000), (26_000, len(keys))):
        visited.add_level(keys[lo:hi])
    assert visited.level_of(keys[[0, 5, 20_000, -1]]).tolist() == [0, 1, 2, 3]
    stored = sum(len(r) for r in visited.runs)
    assert stored > 20_000
    assert sum(r.nbytes for r in visited.runs) == stored * (32 + 2)  # was 40 + 2: hash beside
