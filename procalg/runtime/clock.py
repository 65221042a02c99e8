"""Clocks: real time for production, virtual time for tests.

The engine owns time: timers and retry back-offs are measured on the
engine's :class:`~procalg.runtime.ports.Clock`. A :class:`VirtualClock`
stands still until a test calls :meth:`VirtualClock.advance`, so a 24-hour
approval timeout is tested in milliseconds; listeners registered with
:meth:`VirtualClock.on_advance` (the engine) are called after each advance so
due timers fire at once.

Example:
    >>> clock = VirtualClock()
    >>> clock.advance("90m")
    >>> clock.now()
    5400.0
    >>> parse_duration("250ms"), parse_duration("1d")
    (0.25, 86400.0)
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

from procalg.errors import ModelError

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_DURATION = re.compile(r"^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$")


def parse_duration(text: str | float | int) -> float:
    """Seconds in a duration ``250ms``, ``30s``, ``5m``, ``2h``, ``1d`` (numbers are seconds).

    Raises:
        ModelError: not a duration; the hint lists the units.

    Example:
        >>> parse_duration("30s"), parse_duration("5m"), parse_duration(2)
        (30.0, 300.0, 2.0)
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        if text < 0:
            raise ModelError(f"a duration cannot be negative: {text}")
        return float(text)
    compact = str(text).replace(" ", "")
    if not _DURATION.match(compact):
        raise ModelError(
            f"not a duration: {text!r}",
            hint="write numbers with units: 250ms, 30s, 5m, 2h, 1d (or 1h30m)",
        )
    return sum(float(n) * _UNITS[unit] for n, unit in _PART.findall(compact))


class SystemClock:
    """Wall-clock time (``time.time``) and real sleeping.

    Example:
        >>> abs(SystemClock().now() - time.time()) < 1.0
        True
    """

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class VirtualClock:
    """A clock that moves only when told to; sleeping advances it.

    Args:
        start: the initial time in seconds.

    Example:
        >>> c = VirtualClock(start=10.0)
        >>> seen = []
        >>> c.on_advance(lambda: seen.append(c.now()))
        >>> c.advance("250ms"); c.sleep(1); seen
        [10.25, 11.25]
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> float:
        return self._now

    def on_advance(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after every advance (the engine fires due timers)."""
        self._listeners.append(listener)

    def advance(self, duration: str | float) -> None:
        """Move time forward by ``duration`` and notify listeners."""
        seconds = parse_duration(duration)
        with self._lock:
            self._now += seconds
        for listener in list(self._listeners):
            listener()

    def sleep(self, seconds: float) -> None:
        """Sleeping on a virtual clock is advancing it (never blocks)."""
        if seconds > 0:
            self.advance(seconds)
