"""Colour on a terminal: verdict marks, ``error:`` and carets.

Colour is for people at a terminal only. It is off when the stream is not a
terminal (a pipe, a file, the docs tests) and when ``NO_COLOR`` is set
(https://no-color.org), so scripted output never changes. The escape codes
come from :mod:`rich` (a declared dependency) rather than being spelled here.

Example:
    >>> plain = Style(enabled=False)
    >>> plain.mark("fail"), plain.diagnostic("m.proc:1:1: error: oops")
    ('✗', 'm.proc:1:1: error: oops')
    >>> Style(enabled=True).mark("pass")
    '\\x1b[1;32m✓\\x1b[0m'
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TextIO

from procalg.api.evidence import MARKS

COLUMNS = 99
"""Lines the CLI writes stay under 100 columns (wrapped or split beyond)."""

_STYLES = {
    "pass": "bold green",
    "fail": "bold red",
    "unknown": "bold yellow",
    "error": "bold red",
    "caret": "bold red",
    "hint": "cyan",
    "where": "bold",
}
_ERROR = re.compile(r"^(?P<where>.*?)(?P<error>error:)(?P<rest>.*)$")
_CARET = re.compile(r"^(?P<gutter>\s+\| )(?P<pad>\s*)(?P<caret>\^~*)$")


def wants_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@dataclass(frozen=True)
class Style:
    """Paints text for one stream (``enabled=False`` returns it unchanged)."""

    enabled: bool

    @classmethod
    def for_stream(cls, stream: TextIO) -> Style:
        """The style right for ``stream`` (see :func:`wants_colour`)."""
        return cls(wants_colour(stream))

    def paint(self, text: str, role: str) -> str:
        """``text`` in the colour of ``role`` (a key of the palette)."""
        if not self.enabled or not text:
            return text
        from rich.color import ColorSystem  # only when painting: not on a pipe's start-up
        from rich.style import Style as RichStyle

        return RichStyle.parse(_STYLES[role]).render(text, color_system=ColorSystem.STANDARD)

    def mark(self, result: str) -> str:
        """The verdict mark of ``result`` (``pass``, ``fail``, ``unknown``, ``error``)."""
        return self.paint(MARKS.get(result, MARKS["error"]), result if result in MARKS
                          else "error")

    def diagnostic(self, text: str) -> str:
        """A rendered :class:`~procalg.errors.ProcalgError`: ``error:``, the caret
        and the hint coloured, the words unchanged."""
        if not self.enabled:
            return text
        lines = []
        for number, line in enumerate(text.split("\n")):
            error = _ERROR.match(line) if number == 0 else None
            caret = _CARET.match(line)
            if error:
                line = (self.paint(error["where"], "where") + self.paint("error:", "error")
                        + error["rest"])
            elif caret:
                line = caret["gutter"] + caret["pad"] + self.paint(caret["caret"], "caret")
            elif line.startswith("  hint:"):
                line = "  " + self.paint("hint:", "hint") + line[len("  hint:"):]
            lines.append(line)
        return "\n".join(lines)
