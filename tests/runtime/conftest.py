"""Engine fixtures: a virtual clock and an engine on an in-memory log."""

from __future__ import annotations

import pytest

from procalg.runtime.clock import VirtualClock
from procalg.runtime.engine import Engine
from procalg.runtime.memory import MemoryLog


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def engine(clock: VirtualClock) -> Engine:
    return Engine(MemoryLog(), clock=clock)
