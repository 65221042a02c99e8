"""Enums a user names in text (``--engine product``, ``[FD=``, ``:[weak]``):
one way to read a name into a member, one way to say a name is wrong.

Strings are read into members once, at the boundary (the CLI, the syntax, a
notebook); below it, functions take members only.

Example:
    >>> import enum
    >>> class Colour(Choice, enum.Enum):
    ...     DARK_RED = "dark-red"
    ...     BLUE = "blue"
    >>> Colour.parse(" Dark-Red "), Colour.parse("dark_red"), Colour.parse("BLUE")
    (<Colour.DARK_RED: 'dark-red'>, <Colour.DARK_RED: 'dark-red'>, <Colour.BLUE: 'blue'>)
    >>> Colour.parse("green")
    Traceback (most recent call last):
    procalg.errors.ProcalgError: <input>: error: no colour called 'green'
      hint: use dark-red or blue
"""

from __future__ import annotations

import re
from typing import Any

from procalg.errors import ProcalgError


class Choice:
    """Mixin for an :class:`enum.Enum` whose members a user names: ``parse``
    accepts a member's value or its name, in any case, ``-``/``_``/space alike.

    A subclass may override :meth:`kind` (what the message calls one member),
    :meth:`hint` (the choices, as the user may write them) and :meth:`error`
    (the error class: :class:`~procalg.errors.UsageError` for a command-line
    option).
    """

    @classmethod
    def parse(cls, text: str) -> Any:
        """The member named ``text``; the class's :meth:`error` naming the choices if none."""
        wanted = _folded(text)
        for member in cls:  # type: ignore[attr-defined]
            if wanted in (_folded(str(member.value)), _folded(member.name)):
                return member
        raise cls.error(f"no {cls.kind()} called {text!r}", hint=cls.hint())

    @classmethod
    def kind(cls) -> str:
        """``refinement model`` for ``RefinementModel``: the class name in words."""
        return re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__).lower()

    @classmethod
    def hint(cls) -> str:
        """``use a, b or c``: the members' values."""
        names = [str(member.value) for member in cls if member.value]  # type: ignore[attr-defined]
        return "use " + (", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0])

    @classmethod
    def error(cls, message: str, *, hint: str) -> ProcalgError:
        """The error a wrong name raises."""
        return ProcalgError(message, hint=hint)


def _folded(text: str) -> str:
    return re.sub(r"[-_\s]+", "_", text.strip().lower())
