"""Re-encoding for a grown layout: the same states, in pieces, in bounded memory."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.deadlock import deadlock_goal
from procalg.checks.reachability import reachability_goal
from procalg.lts import LTS, recoded, run_merge, vectors, visited_runs, wide_keys
from procalg.lts.codes import Layout
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.lazy import LazyComponent
from procalg.lts.network import close, component, parallel
from procalg.lts.product import count_states, find_path
from procalg.lts.visited import Visited


@st.composite
def growths(draw, aligned: bool = True):
    """An old layout (word-aligned if ``aligned``), a grown one (some
    components' radices larger), and states of the old one's digits."""
    radix = draw(st.lists(st.integers(1, 1 << 24), min_size=1, max_size=12))
    order = draw(st.permutations(range(len(radix))))
    bits = draw(st.sampled_from([0, 20, 62] if aligned else [20, 40, 62]))
    old = Layout.choose(radix, order, max_bits=bits, max_code=1 << bits)
    grow = [draw(st.sampled_from([1, 1, 2, 1 << 10, 1 << 30])) for _ in radix]
    new = old.grown([r * g for r, g in zip(radix, grow, strict=True)], max_bits=bits,
                    max_code=1 << bits)
    n = draw(st.integers(0, 9))
    digits = {c: np.array([draw(st.integers(0, r - 1)) for _ in range(n)], dtype=np.int64)
              for c, r in enumerate(radix)}
    return old, new, digits


@settings(max_examples=300, deadline=None)
@given(growths(), st.sampled_from([1, 2, 3, 1 << 16]))
def test_moved_key_fields_decode_to_the_same_local_states_in_any_piece_size(growth, piece):
    old, new, digits = growth
    keys = old.keys(old.encode(digits)) if old.words else None
    if keys is None:  # a narrow layout: its growth keeps it narrow or makes it wide
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(recoded, "PIECE", piece)
        got = new.recoder(old)(keys)
    assert got.dtype == np.dtype(f"V{8 * new.words}")
    assert got.tobytes() == new.keys(new.encode(digits)).tobytes()
    back = new.decode(got, range(len(new.radix)))
    assert all(back[c].tolist() == digits[c].tolist() for c in digits)


@settings(max_examples=200, deadline=None)
@given(growths(aligned=False), st.sampled_from([1, 2, 1 << 16]))
def test_codes_recoded_in_pieces_equal_codes_recoded_whole(growth, piece):
    old, new, digits = growth
    codes = old.encode(digits)
    whole = new.encode(old.decode(codes, range(len(old.radix))))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(recoded, "PIECE", piece)
        got = new.recoder(old)(codes)
    if new.words and not old.wide:  # a narrow layout grown word-aligned: int64 codes to keys
        assert got.dtype == new.key_dtype
        got = new.cast(got)
    assert got.dtype == whole.dtype and got.tolist() == whole.tolist()


def _peak(work) -> int:
    """Bytes ``work()`` allocated at its peak beyond what it started with."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        work()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def _queues(n: int, comps: int = 120, seed: int = 3) -> tuple[Layout, Layout, np.ndarray]:
    """Tokeneer's shape: many small components, the top ones lazy and
    growing; ``n`` random keys of the old layout and the grown layout."""
    radix = [4] * comps
    old = Layout.choose(radix, list(range(comps)))
    grown = old.grown([*radix[:-1], 8])
    rng = np.random.default_rng(seed)
    digits = {c: rng.integers(0, 4, n) for c in range(comps)}
    return old, grown, old.keys(old.encode(digits))


def test_recoding_keys_holds_about_the_new_keys_not_a_column_per_component():
    old, new, keys = _queues(40_000)
    assert old.words == new.words == 4
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(recoded, "PIECE", 1 << 12)
        peak = _peak(lambda: new.recoder(old)(keys))
    # decoding 120 components would hold 120 int64 columns: 960 bytes a key, not 32
    assert peak < 1.5 * keys.nbytes


def test_a_visited_set_recodes_one_run_at_a_time_and_keeps_every_level():
    old, new, keys = _queues(60_000, seed=5)
    keys = np.unique(keys)  # distinct states, as a visited set holds
    tracemalloc.start()  # the set traced too: a run it hands back counts (a compact run's
    try:  # keys are rebuilt a piece at a time, each piece's stored words let go first)
        visited = Visited(keys[:1])
        for lo, hi in ((1, 40_000), (40_000, 55_000), (55_000, 58_000), (58_000, len(keys))):
            visited.add_level(keys[lo:hi])
        plain = visited.level_of(keys)
        assert len(visited.runs) > 1 and plain.min() == 0
        largest = max(len(r) for r in visited.runs) * keys.dtype.itemsize
        start = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        visited.recode(new.recoder(old))
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert peak < 4 * largest  # all at once: every run twice, or 960 bytes a key
    again = new.recoder(old)(keys)
    assert visited.level_of(again).tolist() == plain.tolist()
    assert len(visited) == len(keys) and visited.words == new.words


def _counter(n: int) -> LTS:
    return LTS.build(n, 0, ["inc", "end"], [(i, "inc", i + 1) for i in range(n - 1)]
                     + [(n - 1, "end", n - 1)])


@pytest.mark.parametrize("words", [True, False])
def test_a_lazy_leaf_outgrowing_its_key_digits_finds_the_eager_states_and_trace(words):
    other = LTS.build(3, 0, ["x", "inc"], [(0, "x", 1), (1, "x", 2), (2, "inc", 0)])

    def net(lazy: bool):
        leaf = LazyComponent(ExplicitSystem(_counter(40)), {"inc", "end"}) if lazy \
            else _counter(40)
        return close(parallel(component(other), component(leaf), {"inc"}))

    eager = (count_states(net(False)), find_path(net(False), reachability_goal("end")),
             find_path(net(False), deadlock_goal))
    with pytest.MonkeyPatch.context() as patch:
        if words:
            patch.setattr(vectors, "_MAX_BITS", 0)
            patch.setattr(vectors, "_MAX_CODE", 1)
        moved = []
        patch.setattr(recoded, "_moved_keys",
                      lambda *a, f=recoded._moved_keys: moved.append(1) or f(*a))
        lazy = (count_states(net(True)), find_path(net(True), reachability_goal("end")),
                find_path(net(True), deadlock_goal))
    assert bool(moved) == words  # keys re-encoded field by field, codes through digits
    assert (lazy[0].states, lazy[0].transitions, lazy[0].levels) == (
        eager[0].states, eager[0].transitions, eager[0].levels) == (120, 122, 121)
    assert lazy[1].path == eager[1].path and lazy[2].found == eager[2].found


def _one_run(n: int, seed: int) -> tuple[Layout, Layout, np.ndarray, Visited]:
    """A visited set whose states (but the initial one) are one run of ``n`` - 1 keys."""
    old, new, keys = _queues(n, seed=seed)
    keys = np.unique(keys)
    visited = Visited(keys[:1])
    visited.add_level(keys[1:])
    visited.add_level(keys[:0])  # the level becomes a run
    return old, new, keys, visited


def test_a_run_recoded_in_pieces_holds_a_piece_beside_the_set_not_the_run_again():
    tracemalloc.start()  # from the start: a block made before is not seen shrinking
    try:
        old, new, keys, visited = _one_run(200_000, seed=7)
        (run,) = visited.runs
        size = run.codes.nbytes
        plain = visited.level_of(keys)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(visited_runs, "MIN_PIECE", 1 << 10)
            patch.setattr(run_merge, "_SMALL", 0)  # pieces merged in place, as large ones are
            tracemalloc.reset_peak()
            start = tracemalloc.get_traced_memory()[0]
            visited.recode(new.recoder(old))
            peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    # whole: the new keys beside the old ones, and the sort's copies: 1.7 times
    assert peak < 0.8 * size
    again = new.recoder(old)(keys)
    assert visited.level_of(again).tolist() == plain.tolist()
    assert len(visited.runs) == 1 and len(visited) == len(keys)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 3_000), st.integers(1, 9), st.sampled_from([1, 7, 1 << 10]))
def test_recoding_in_pieces_keeps_each_state_at_its_level_and_one_sorted_run_per_run(
        n, pieces, least):
    old, new, keys = _queues(n, comps=40, seed=n)
    keys = np.unique(keys)
    visited = Visited(keys[:1])
    for lo, hi in ((1, n // 2), (n // 2, 3 * n // 4), (3 * n // 4, len(keys))):
        visited.add_level(keys[lo:hi])
    plain, runs = visited.level_of(keys), len(visited.runs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(visited_runs, "PIECES", pieces)
        patch.setattr(visited_runs, "MIN_PIECE", least)
        visited.recode(new.recoder(old))
    again = new.recoder(old)(keys)
    assert visited.level_of(again).tolist() == plain.tolist()
    assert len(visited.runs) == runs and len(visited) == len(keys)
    for run in visited.runs:  # each in key order, with its own hashes
        assert run.codes.tolist() == wide_keys.key_sorted(run.codes, None)[0].tolist()
        assert run.hashes.tolist() == wide_keys.key_hashes(run.codes).tolist()
