"""Engine fixtures: a virtual clock, an engine on an in-memory log, and an LTS oracle."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from procalg.api.model import Model, load
from procalg.errors import RunError
from procalg.lts import LTS, explore
from procalg.runtime.clock import VirtualClock
from procalg.runtime.engine import Engine
from procalg.runtime.memory import MemoryLog

MODELS = Path(__file__).resolve().parents[2] / "models"


def in_thread(action: Callable[[], object]) -> tuple[threading.Thread, list]:
    """Start ``action`` in a thread; its answer, or the RunError it raised, lands in the
    list (a send racing a run's end: tests/runtime/test_inbox.py, tests/store)."""
    outcome: list = []

    def body() -> None:
        try:
            outcome.append(action())
        except RunError as err:
            outcome.append(err)

    thread = threading.Thread(target=body)
    thread.start()
    return thread, outcome


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def engine(clock: VirtualClock) -> Engine:
    return Engine(MemoryLog(), clock=clock)


_MODELS: dict[str, Model] = {}
_LTSS: dict[tuple[str, str], LTS] = {}


def model(name: str) -> Model:
    """A model of ``models/`` (loaded once per session)."""
    if name not in _MODELS:
        _MODELS[name] = load(MODELS / f"{name}.proc")
    return _MODELS[name]


def lts_of(name: str, process: str) -> LTS:
    """The process's LTS, explored independently of the engine (the oracle)."""
    if (name, process) not in _LTSS:
        _LTSS[name, process] = explore(model(name).system(process))
    return _LTSS[name, process]


def walk(lts: LTS, labels: Iterable[str]) -> set[int]:
    """The states the LTS can be in after exactly these labels (τ included); empty: not a trace."""
    current = {lts.initial}
    for name in labels:
        code = lts.label_index(name)
        current = {d for s in current for lab, d in lts.successors(s) if lab == code}
        if not current:
            return set()
    return current


def paths_to(lts: LTS, states: set[int], goal: str, keep: set[str]) -> set[tuple[str, ...]]:
    """Every sequence of ``keep`` labels on the paths from ``states`` to the first ``goal``.

    The rollback part of a saga LTS is acyclic, so a plain DFS terminates.
    """
    names, goal_code = lts.labels, lts.label_index(goal)
    found: set[tuple[str, ...]] = set()
    stack = [(s, ()) for s in states]
    while stack:
        state, seen = stack.pop()
        for lab, dst in lts.successors(state):
            if lab == goal_code:
                found.add(seen)
            elif not str(names[lab]).startswith("fail."):
                name = str(names[lab])
                stack.append((dst, seen + ((name,) if name in keep else ())))
    return found
