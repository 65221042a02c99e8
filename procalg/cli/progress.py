"""A one-line progress display for long explorations (terminals only).

The product engine calls back once per BFS level; on a terminal the line is
redrawn in place on stderr, and erased when the check ends. Scripts (a pipe,
``--json``) get nothing.

Example:
    >>> from procalg.lts.product import Progress
    >>> describe(Progress(states=1_234_567, level=42, states_per_second=1.5e6,
    ...                   memory=64 * 2**20))
    'exploring: 1,234,567 states, level 42, 1,500,000 states/s, 64 MiB'
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from procalg.lts.product import Progress


def describe(progress: Progress) -> str:
    """The text of one progress line."""
    return (f"exploring: {progress.states:,} states, level {progress.level}, "
            f"{progress.states_per_second:,.0f} states/s, {progress.memory / 2**20:.0f} MiB")


class ProgressLine:
    """Redraws one line on ``stream``, at most every ``interval`` seconds."""

    def __init__(self, stream: TextIO = sys.stderr, interval: float = 0.2) -> None:
        self.stream = stream
        self.interval = interval
        self._last = 0.0
        self._width = 0

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        text = describe(progress)
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def clear(self) -> None:
        """Erase the line (before the verdict is printed)."""
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
