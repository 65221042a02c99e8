"""The level search asks glibc to keep freed memory only once it is large."""

from __future__ import annotations

import pytest

from procalg.lts import LTS, heap_reuse
from procalg.lts.level_search import LevelSearch
from procalg.lts.network import close, component, parallel
from procalg.lts.vectors import Tables


def _ring_search() -> LevelSearch:
    """Two 40-state counters side by side: 1,600 states."""
    line = LTS.build(40, 0, ["a"], [(i, "a", (i + 1) % 40) for i in range(40)])
    other = LTS.build(40, 0, ["b"], [(i, "b", (i + 1) % 40) for i in range(40)])
    return LevelSearch(Tables(close(parallel(component(line), component(other), set()))))


def _asked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    asked: list[int] = []
    monkeypatch.setattr(heap_reuse, "keep_freed_memory", lambda: asked.append(1) or True)
    return asked


def test_a_small_search_leaves_the_allocator_settings_alone(monkeypatch):
    asked = _asked(monkeypatch)
    search = _ring_search()
    search.run()
    assert len(search.visited) == 1_600
    assert asked == []


def test_a_search_past_the_large_size_asks_to_keep_freed_memory(monkeypatch):
    asked = _asked(monkeypatch)
    monkeypatch.setattr(heap_reuse, "LARGE_STATES", 100)
    _ring_search().run()
    assert asked  # asked once the visited set passed 100 states


def test_the_threshold_is_strict():
    assert heap_reuse.keep_freed_memory_past(heap_reuse.LARGE_STATES) is False
