"""Source text, spans and caret rendering for diagnostics.

Every diagnostic procalg prints points at a place in a ``.proc`` file. A
:class:`Span` is that place (1-based line and column, as editors count);
:class:`SourceFile` holds the text so a diagnostic can quote the line.

Example:
    >>> src = SourceFile("m.proc", "P = a -> Q\\n")
    >>> print(src.caret(Span(1, 10)))
        1 | P = a -> Q
          |          ^
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """A place in a source file: 1-based line and column, optional end.

    Example:
        >>> str(Span(3, 7))
        '3:7'
    """

    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None
    file: SourceFile | None = field(default=None, compare=False, repr=False)
    """The file the place is in, when the parser knew it: a declaration that
    came from an ``include``d file keeps that file, so its errors quote it."""

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The name and full text of a model file.

    Example:
        >>> SourceFile("m.proc", "a\\nb").line_text(2)
        'b'
    """

    name: str
    text: str

    def line_text(self, line: int) -> str:
        """Return line ``line`` (1-based) without its newline, or ``""``."""
        lines = self.text.splitlines()
        return lines[line - 1] if 1 <= line <= len(lines) else ""

    def caret(self, span: Span) -> str:
        """Quote the span's line with a caret (and tildes to its end) under it."""
        text = self.line_text(span.line).expandtabs(1)
        width = 1
        if span.end_line == span.line and span.end_column and span.end_column > span.column:
            width = span.end_column - span.column
        width = max(1, min(width, len(text) - span.column + 1))
        gutter = f"{span.line:>5} | "
        pad = " " * (len(gutter) - 2) + "| "
        return f"{gutter}{text}\n{pad}{' ' * (span.column - 1)}^{'~' * (width - 1)}"


def read_source(path: str | os.PathLike[str]) -> str:
    """A model file's text: UTF-8, else Windows-1252 as FDR reads such files.

    Files written on Windows often carry a Windows-1252 character (``ç`` in a
    comment); FDR loads them, so procalg does too. Bytes that Windows-1252
    leaves undefined are read as Latin-1, so any file can be read.

    Raises:
        OSError: the file cannot be opened.

    Example:
        >>> import tempfile
        >>> with tempfile.NamedTemporaryFile(suffix=".csp", delete=False) as f:
        ...     _ = f.write("-- fa\\xe7ade\\nchannel a\\n".encode("cp1252"))
        >>> read_source(f.name).splitlines()[0]
        '-- façade'
    """
    with open(path, "rb") as file:  # not pathlib: a check needs it nowhere else
        data = file.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(data[i:i + 1].decode("cp1252", errors="replace")
                       if data[i] not in _CP1252_UNDEFINED else chr(data[i])
                       for i in range(len(data)))


_CP1252_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})
