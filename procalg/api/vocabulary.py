"""The names the faces' options take: engines and export formats.

A light module (no engine, no numpy): the command line is parsed, and
``procalg --version`` answered, before any engine loads. The modules that use
these names re-export them (``procalg.api.search.CheckEngine``,
``procalg.api.export.TEXT_FORMATS``).

Example:
    >>> CheckEngine.parse("Reference"), "aut" in TEXT_FORMATS
    (<CheckEngine.REFERENCE: 'reference'>, True)
"""

from __future__ import annotations

from enum import StrEnum

from procalg.choices import Choice
from procalg.errors import UsageError

TEXT_FORMATS = ("aut", "dot", "json", "graphml")
"""The formats ``procalg lts --format`` writes (:func:`procalg.api.export.export_lts`)."""


class CheckEngine(Choice, StrEnum):
    """Which engine answers a check (``--engine``); a member is its option's text.

    Example:
        >>> CheckEngine.parse("product") is CheckEngine.PRODUCT
        True
        >>> CheckEngine.parse("fast")
        Traceback (most recent call last):
        procalg.errors.UsageError: procalg: error: no engine called 'fast'
          hint: use auto, product, reference or symbolic
    """

    AUTO = "auto"
    """The product engine where a network applies, else the reference (and
    the symbolic engine for integer data)."""
    PRODUCT = "product"
    """Only the product engine: an error where it cannot run."""
    REFERENCE = "reference"
    """The term-level rules, state by state."""
    SYMBOLIC = "symbolic"
    """z3: bounded model checking, k-induction, Spacer."""

    @classmethod
    def kind(cls) -> str:
        """An engine (the message of a wrong ``--engine``)."""
        return "engine"

    @classmethod
    def error(cls, message: str, *, hint: str) -> UsageError:
        """A command-line option's error (``procalg: error: ...``)."""
        return UsageError(message, hint=hint)
