"""The exception tree: every error a user can cause is a :class:`ProcalgError`.

The CLI catches :class:`ProcalgError` and prints :meth:`ProcalgError.render`,
``file:line:col: error: message``, the source line with a caret, and a hint.
Anything else escaping is a bug in procalg.

Example:
    >>> from procalg.source import SourceFile, Span
    >>> err = ModelError("undefined name 'Q'", Span(1, 10), hint="define Q")
    >>> print(err.render(SourceFile("m.proc", "P = a -> Q")))
    m.proc:1:10: error: undefined name 'Q'
        1 | P = a -> Q
          |          ^
      hint: define Q
"""

from __future__ import annotations

from procalg.source import SourceFile, Span


class ProcalgError(Exception):
    """Base of every error procalg reports to a user (exit code 2 in the CLI).

    Args:
        message: what is wrong, naming the thing that is wrong.
        span: where in the source, if the error has a place.
        hint: the next action, if one helps.
        source: the file the span refers to; filled in by whoever knows it.
    """

    def __init__(
        self,
        message: str,
        span: Span | None = None,
        *,
        hint: str | None = None,
        source: SourceFile | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint
        self.source = source

    origin = "<input>"
    """What the message names when no file is at fault and no source is set."""

    def render(self, source: SourceFile | None = None) -> str:
        """Format as ``file:line:col: error: message`` plus caret and hint."""
        # a span knows its file when it came from an included one; that wins
        src = (self.span.file if self.span else None) or source or self.source
        name = src.name if src else self.origin
        where = f"{name}:{self.span}" if self.span else name
        parts = [f"{where}: error: {self.message}"]
        if src and self.span:
            parts.append(src.caret(self.span))
        if self.hint:
            parts.append(f"  hint: {self.hint}")
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.render()


class UsageError(ProcalgError):
    """The command is wrong, not a file: a missing file, an option that needs
    another, a process name that is no process. Reported as
    ``procalg: error: ...``, as argparse reports its own errors.

    Example:
        >>> print(UsageError("cannot read m.proc: No such file", hint="check the path"))
        procalg: error: cannot read m.proc: No such file
          hint: check the path
    """

    origin = "procalg"


class ParseError(ProcalgError):
    """The text is not a well-formed ``.proc`` model."""


class ModelError(ProcalgError):
    """A well-formed model that means nothing: undefined name, wrong arity,
    type error, value outside a channel's type, division by zero, unguarded
    recursion."""


class LimitExceeded(ProcalgError):
    """Exploration stopped at a configured limit (states, memory).

    Args:
        message: what limit and how far exploration got.
        states: states found when it stopped.
        transitions: transitions found when it stopped.
    """

    def __init__(self, message: str, states: int = 0, transitions: int = 0, **kw) -> None:
        super().__init__(message, **kw)
        self.states = states
        self.transitions = transitions


class FormatError(ProcalgError):
    """An input file in another tool's format (.aut, JSON) is malformed."""


class StoreError(ProcalgError):
    """A run store is unreadable, foreign, corrupt or refuses an operation."""


class StoreUnavailable(StoreError):
    """The store's server cannot be reached now (refused, starting up, recovering).

    Trying again later may succeed, unlike a wrong database name or a refused login.
    """


class RunError(ProcalgError):
    """A run cannot do what was asked (unknown id, signal refused, ...)."""
