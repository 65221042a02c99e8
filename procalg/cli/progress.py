"""A one-line progress display for long explorations (terminals only).

The product engine calls back once per BFS level; on a terminal the line is
redrawn in place on stderr, and erased when the check ends. Scripts (a pipe,
``--json``) get nothing drawn; the numbers are kept all the same, for the
error of a check that runs out of memory or CPU time to say how far it got.

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


def describe(progress: Progress, label: str = "", width: int = 99) -> str:
    """The text of one progress line: which assertion, then how far it got.

    The assertion is shortened (never the numbers) to keep the line within
    ``width`` columns.

    Example:
        >>> p = Progress(states=10, level=2, states_per_second=5.0, memory=2**20)
        >>> describe(p, "System :[deadlock free]")
        'System :[deadlock free]: exploring: 10 states, level 2, 5 states/s, 1 MiB'
        >>> describe(p, "A very long assertion", width=60)
        'A very lo…: exploring: 10 states, level 2, 5 states/s, 1 MiB'
    """
    numbers = (f"exploring: {progress.states:,} states, level {progress.level}, "
               f"{progress.states_per_second:,.0f} states/s, {progress.memory / 2**20:.0f} MiB")
    if not label:
        return numbers
    room = max(width - len(numbers) - 2, 8)
    if len(label) > room:
        label = label[:room - 1] + "…"
    return f"{label}: {numbers}"


class ProgressLine:
    """Redraws one line on ``stream``, at most every ``interval`` seconds.

    With ``stream=None`` it draws nothing, only remembers: what a check that
    runs out of memory or CPU time reports (:meth:`how_far`).
    """

    def __init__(self, stream: TextIO | None = sys.stderr, interval: float = 0.2) -> None:
        self.stream = stream
        self.interval = interval
        self._last = 0.0
        self._width = 0
        self.label = ""
        """The assertion being checked (set by the caller before each check)."""
        self.latest: Progress | None = None
        """The last progress reported (``None`` before the first, or after :meth:`clear`)."""

    def how_far(self) -> str:
        """Which assertion was being checked and how far its last search got.

        Example:
            >>> line = ProgressLine(None)
            >>> line.label = "P :[deadlock free]"
            >>> line.how_far()
            'while checking P :[deadlock free]'
            >>> line(Progress(states=5_000, level=7, states_per_second=1.0, memory=0))
            >>> line.how_far()
            'while checking P :[deadlock free] (its search had reached 5,000 states, level 7)'
        """
        text = f"while checking {self.label}" if self.label else "while exploring"
        if self.latest is not None:
            text += (f" (its search had reached {self.latest.states:,} states, "
                     f"level {self.latest.level})")
        return text

    def __call__(self, progress: Progress) -> None:
        self.latest = progress
        if self.stream is None:
            return
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        text = describe(progress, self.label)
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def clear(self) -> None:
        """Erase the line (before the verdict is printed); forget the progress."""
        self.latest = None
        if self._width and self.stream is not None:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
