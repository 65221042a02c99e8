"""The address-space cap of exploring commands (procalg/cli/memory.py)."""

from __future__ import annotations

import resource

from procalg.cli.memory import guard_memory


def test_an_unlimited_process_is_capped_below_physical_memory(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(resource, "getrlimit",
                        lambda _: (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    monkeypatch.setattr(resource, "setrlimit", lambda kind, limits: calls.append(limits))
    limit = guard_memory(0.5)
    assert limit is not None and limit > 0
    assert calls == [(limit, resource.RLIM_INFINITY)]


def test_a_tighter_limit_set_by_the_caller_is_kept(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(resource, "getrlimit", lambda _: (1000, resource.RLIM_INFINITY))
    monkeypatch.setattr(resource, "setrlimit", lambda kind, limits: calls.append(limits))
    assert guard_memory() == 1000 and calls == []
