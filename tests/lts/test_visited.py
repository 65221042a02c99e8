"""The level-tagged visited set against a Python dict of code -> level."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import run_merge, wide_keys
from procalg.lts import visited as visited_module
from procalg.lts.visited import Visited, sorted_unique
from procalg.lts.wide_keys import from_keys, to_keys

batches = st.lists(st.lists(st.integers(0, 300), max_size=40), min_size=1, max_size=25)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 300), batches, st.sampled_from([1, 2, 8]), st.sampled_from([0, 4096]))
def test_levels_hold_exactly_the_codes_first_seen_there(start, levels, share, small):
    old, old_small = visited_module._RATIO, run_merge._SMALL
    visited_module._RATIO = share  # 1: merge only into a smaller run; 8: merge often
    run_merge._SMALL = small  # 0: every merge moves entries in place, chunk by chunk
    try:
        seen = Visited(np.array([start]))
        model = {start: 0}
        for depth, batch in enumerate(levels, start=1):
            new = seen.add_level(np.array(batch, dtype=np.int64))
            expected = sorted({c for c in batch if c not in model})
            assert new.tolist() == expected
            model.update((c, depth) for c in expected)
            assert len(seen) == len(model)
        probe = np.arange(-1, 302, dtype=np.int64)
        assert seen.level_of(probe).tolist() == [model.get(int(c), -1) for c in probe]
        assert seen.unseen(probe).tolist() == [c for c in probe.tolist() if c not in model]
        seen.finish()
        assert seen.codes.tolist() == sorted(model)
        by_level = seen.levels()
        for depth, codes in enumerate(by_level):
            assert codes.tolist() == sorted(c for c, d in model.items() if d == depth)
    finally:
        visited_module._RATIO, run_merge._SMALL = old, old_small


@given(st.lists(st.integers(-(2**62), 2**62)))
def test_sorted_unique_is_sorted_set(values):
    arr = np.array(values, dtype=np.int64)
    assert sorted_unique(arr).tolist() == sorted(set(values))
    assert sorted_unique(arr, kind="stable").tolist() == sorted(set(values))


def test_a_deep_narrow_search_merges_each_state_only_logarithmically_often(monkeypatch):
    moved = []
    merge = run_merge.merge_into

    def counting(big, tags, codes, new_tags):
        moved.append(len(big) + len(codes))
        return merge(big, tags, codes, new_tags)

    monkeypatch.setattr(run_merge, "merge_into", counting)
    seen = Visited(np.array([0]))
    levels, width = 4096, 4
    for depth in range(1, levels + 1):  # a deep, narrow space: many tiny levels
        seen.add_level(np.arange(depth * width, (depth + 1) * width, dtype=np.int64))
        assert len(seen.runs) <= 8  # sizes fall by 8x per run: log_8(16 384) < 5, plus slack
    states = len(seen)
    # a fixed middle tier rewritten per level would move about levels * states / 16 (4.2 M)
    assert sum(moved) < 2 * visited_module._RATIO * states * 6
    assert seen.level_of(np.array([0, 4, 4 * levels + 3])).tolist() == [0, 1, levels]


@settings(max_examples=100, deadline=None)
@given(batches, st.integers(1, 3), st.integers(0, 24))
def test_wide_codes_keep_the_levels_of_their_narrow_twins(levels, words, switch):
    # the same search twice: narrow codes c, and wide codes c * 2^(64 words) + c,
    # the wide one starting narrow and re-encoded to wide codes after `switch` levels
    big = 1 << (64 * words)

    def wide(codes: np.ndarray) -> np.ndarray:
        return np.array([int(c) * big + int(c) for c in codes.tolist()], dtype=object)

    narrow, other = Visited(np.array([0])), Visited(np.array([0]))
    for depth, batch in enumerate(levels, start=1):
        if depth == switch:
            other.recode(wide)
        batch = np.array(batch, dtype=np.int64)
        new = narrow.add_level(batch)
        got = other.add_level(wide(batch) if other.words else batch)
        assert got.tolist() == (wide(new) if other.words else new).tolist()
    if not other.words:
        other.recode(wide)
    probe = np.arange(0, 302, dtype=np.int64)
    assert other.level_of(wide(probe)).tolist() == narrow.level_of(probe).tolist()
    assert other.contains(wide(probe)).tolist() == narrow.contains(probe).tolist()
    narrow.finish()
    other.finish()
    assert other.codes.tolist() == wide(narrow.codes).tolist()
    assert other.tags.tolist() == narrow.tags.tolist()


@given(st.lists(st.integers(-(2**70), 2**200)))
def test_sorted_unique_of_wide_python_integers_is_sorted_set(values):
    arr = np.array(values, dtype=object).reshape(-1)
    assert sorted_unique(arr).tolist() == sorted(set(values))
    assert sorted_unique(arr, kind="stable").dtype == object


def test_the_counted_states_and_bytes_follow_every_change_of_the_set():
    v = Visited(np.array([5]))

    def fresh() -> tuple[int, int]:
        total = sum(len(r) for r in v.runs) + len(v.frontier)
        return total, sum(r.codes.nbytes + r.tags.nbytes for r in v.runs) + v.frontier.nbytes

    for level in ([1, 9], [2, 3, 4], list(range(10, 200)), [7]):
        assert (len(v), v.nbytes) == fresh()
        v.add_level(np.array(level))
        assert (len(v), v.nbytes) == fresh()
    v.recode(lambda c: c * 2)
    assert (len(v), v.nbytes) == fresh()
    v.finish()
    assert (len(v), v.nbytes) == fresh() == (len(v.codes), v.codes.nbytes + v.tags.nbytes)


def test_a_code_past_every_stored_one_is_not_found():
    v = Visited(np.array([5]))
    v.add_level(np.array([1, 9]))
    assert v.contains(np.array([0, 1, 5, 9, 10, 2**40])).tolist() == [
        False, True, True, True, False, False]
    assert Visited(np.zeros(0, np.int64)).contains(np.array([3])).tolist() == [False]


@settings(max_examples=60, deadline=None)
@given(batches, st.integers(1, 3), st.booleans())
def test_keys_in_key_order_keep_the_levels_of_their_narrow_twins_even_when_hashes_collide(
        levels, words, clash):
    # the search's form of wide codes: V{8k} keys; with `clash`, a hash that
    # xors the words (every key here, c << 64(k-1) | c, hashes to 0 but one-word
    # ones), so every pair collides and the byte order decides. The hash must
    # give back the first word from the rest (compact runs store no first word)
    def keys(codes: np.ndarray) -> np.ndarray:
        return to_keys(np.array([int(c) << 64 * (words - 1) | int(c) for c in codes.tolist()],
                                dtype=object), words)

    real = wide_keys.key_hashes
    with pytest.MonkeyPatch.context() as patch:
        if clash and words > 1:
            patch.setattr(wide_keys, "key_hashes", lambda k: _xor(wide_keys.native_words(k)))
            patch.setattr(wide_keys, "first_words", lambda h, rest: h ^ _xor(rest))
        elif clash:
            patch.setattr(wide_keys, "key_hashes", lambda k: real(k) & np.uint64(3))
        narrow, other = Visited(np.array([0])), Visited(keys(np.array([0])))
        for batch in levels:
            batch = np.array(batch, dtype=np.int64)
            new = narrow.add_level(batch)
            got = other.add_level(keys(batch))
            assert sorted(got.tolist()) == sorted(keys(new).tolist())
        probe = np.arange(0, 302, dtype=np.int64)
        assert other.level_of(keys(probe)).tolist() == narrow.level_of(probe).tolist()
        assert sorted(other.unseen(keys(probe)).tolist()) == sorted(
            keys(narrow.unseen(probe)).tolist())
        narrow.finish()
        other.finish()
    assert other.codes.tolist() == [int(c) << 64 * (words - 1) | int(c)
                                    for c in narrow.codes.tolist()]
    assert other.tags.tolist() == narrow.tags.tolist()


def _xor(words: np.ndarray) -> np.ndarray:
    out = np.zeros(len(words), dtype=np.uint64)
    for i in range(words.shape[1]):
        out ^= words[:, i]
    return out


def test_sorted_unique_puts_keys_in_one_order_with_each_key_once():
    keys = to_keys(np.array([1 << 70, 5, 1 << 70, 3], dtype=object), 2)
    out = sorted_unique(keys)
    assert len(out) == 3 and sorted(out.tolist()) == sorted(set(keys.tolist()))
    assert sorted_unique(keys[::-1]).tolist() == out.tolist()  # the order is the keys'


@settings(max_examples=120, deadline=None)
@given(batches, st.sampled_from([9, 61]), st.sampled_from([1, 8]), st.integers(0, 30))
def test_packed_runs_keep_the_levels_of_separate_tags(levels, bits, share, again):
    # bits 61 leaves 2 tag bits (MIN_TAG_BITS lowered): past level 3 the tags
    # go back apart mid-search; `again` recodes (unpacks) and packs once more
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(visited_module, "_RATIO", share)
        patch.setattr(visited_module, "MIN_TAG_BITS", 1)
        packed, plain = Visited(np.array([0])), Visited(np.array([0]))
        packed.pack(bits)
        assert packed.shift == 63 - bits
        for depth, batch in enumerate(levels, start=1):
            if depth == again:
                packed.recode(lambda c: c)
                plain.recode(lambda c: c)
                packed.pack(bits)
            batch = np.array(batch, dtype=np.int64)
            assert packed.add_level(batch).tolist() == plain.add_level(batch).tolist()
            assert len(packed) == len(plain)
        probe = np.arange(-1, 302, dtype=np.int64)
        assert packed.level_of(probe).tolist() == plain.level_of(probe).tolist()
        assert packed.contains(probe).tolist() == plain.contains(probe).tolist()
        assert packed.unseen(probe).tolist() == plain.unseen(probe).tolist()
        assert packed.fresh(probe).tolist() == plain.fresh(probe).tolist()
        if bits == 9:  # 54 tag bits: never unpacked, 8 bytes a state
            assert packed.shift and packed.nbytes == 8 * len(packed)
        packed.finish()
        plain.finish()
        assert packed.codes.tolist() == plain.codes.tolist()
        assert packed.tags.tolist() == plain.tags.tolist()
        assert [c.tolist() for c in packed.levels()] == [c.tolist() for c in plain.levels()]


def test_a_packed_set_unpacks_for_wide_codes_and_codes_past_its_bits():
    v = Visited(np.array([5]))
    v.pack(40)
    v.add_level(np.array([1 << 41]))  # past 40 bits: the tags go apart, nothing is lost
    v.add_level(np.array([6]))  # (once that level leaves the frontier)
    assert v.shift == 0 and v.level_of(np.array([5, 1 << 41, 3])).tolist() == [0, 1, -1]
    v.pack(50)
    assert v.shift == 13
    v.add_level(np.array([1 << 70], dtype=object))  # wide: keys, tags apart
    assert v.shift == 0 and v.words == 2
    assert v.level_of(np.array([5, 1 << 41, 6, 1 << 70], dtype=object)).tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("form", ["plain", "packed", "wide"])
def test_a_range_of_levels_gives_back_exactly_the_codes_found_there(form):
    big = 1 << 70
    first = [5] if form != "wide" else [big + 5]
    v = Visited(np.array(first, dtype=object if form == "wide" else np.int64))
    if form == "packed":
        v.pack(40)
    found = {first[0]: 0}
    for level, codes in enumerate([[9, 2], [7], [1, 3, 4], [8]], start=1):
        codes = [c + big for c in codes] if form == "wide" else codes
        v.add_level(np.array(codes, dtype=object if form == "wide" else np.int64))
        found.update((c, level) for c in codes)
    for low, high in [(0, 5), (1, 3), (2, 3), (4, 5), (3, 3)]:
        codes, tags = v.at_levels(low, high)  # in the runs' form: keys of the wide codes
        assert (codes.dtype.kind == "V") == (form == "wide")
        codes = from_keys(codes, v.words) if form == "wide" else codes
        assert sorted(zip((int(c) for c in codes), tags.tolist(), strict=True)) == sorted(
            (c, lv) for c, lv in found.items() if low <= lv < high)


def test_a_set_of_keys_counts_the_hash_held_beside_each_key():
    keys = np.arange(1, 5001, dtype=">u8").view("V8")
    v = Visited(keys[:1])
    v.add_level(keys[1:3000])
    v.add_level(keys[3000:])
    v.add_level(keys[:0])  # every level in runs, each run with its hashes
    held = sum(r.codes.nbytes + r.tags.nbytes + r.hashes.nbytes for r in v.runs)
    assert v.nbytes == held == 5000 * (8 + 2 + 8)
