"""The base of every syntax node: a frozen dataclass with a span.

Example:
    >>> from procalg.source import Span
    >>> Node(span=Span(1, 1)) == Node()
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field

from procalg.source import Span

SPAN = field(default=None, kw_only=True, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every syntax node."""

    span: Span | None = SPAN


Expr = Node  # any expression node (values and processes share one language)
