"""Syntax nodes of patterns and of value expressions (names, arithmetic, sets,
sequences, comprehensions, ``if``, ``let``); re-exported by :mod:`procalg.syntax.ast`.

Example:
    >>> Binary("+", Int(1), Name("N")).op
    '+'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from procalg.syntax.node import Expr, Node

if TYPE_CHECKING:  # a let's definitions are declarations (procalg.syntax.ast)
    from procalg.syntax.ast import Definition

# --------------------------------------------------------------------------
# Patterns (left-hand sides of definitions, ?x inputs, generators)


@dataclass(frozen=True, slots=True)
class PVar(Node):
    """Binds a name: ``x``."""

    name: str


@dataclass(frozen=True, slots=True)
class PWild(Node):
    """Matches anything, binds nothing: ``_``."""


@dataclass(frozen=True, slots=True)
class PLit(Node):
    """Matches one literal value (``0``, ``true``, a constructor name)."""

    value: Expr


@dataclass(frozen=True, slots=True)
class PTuple(Node):
    """Matches a tuple: ``(x, y)``."""

    items: tuple[Pattern, ...]


@dataclass(frozen=True, slots=True)
class PDot(Node):
    """Matches a dotted value: ``x.y``, ``A.n``."""

    items: tuple[Pattern, ...]


@dataclass(frozen=True, slots=True)
class PSeq(Node):
    """Matches a sequence: ``<>``, ``<x>``, ``<x, y>``; with ``rest``: ``<x>^s``."""

    items: tuple[Pattern, ...]
    rest: Pattern | None = None


@dataclass(frozen=True, slots=True)
class PSet(Node):
    """Matches a set, as FDR allows: ``{}`` (empty) or ``{x}`` (one element)."""

    items: tuple[Pattern, ...]


@dataclass(frozen=True, slots=True)
class PSeqEnd(Node):
    """Matches a sequence by its end: ``s^<x>`` (``rest`` takes the front)."""

    rest: Pattern
    items: tuple[Pattern, ...]


@dataclass(frozen=True, slots=True)
class PBoth(Node):
    """``p1 @@ p2``: the value matches both patterns (FDR's double pattern)."""

    left: Pattern
    right: Pattern


@dataclass(frozen=True, slots=True)
class BothPattern(Node):
    """``p1 @@ p2`` as parsed, before it is read as a pattern (only valid there)."""

    left: Expr
    right: Expr


Pattern = PVar | PWild | PLit | PTuple | PDot | PSeq | PSet | PSeqEnd | PBoth


# --------------------------------------------------------------------------
# Expressions (values and processes)


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A reference to a definition, parameter, channel, constructor or builtin."""

    id: str


@dataclass(frozen=True, slots=True)
class Int(Node):
    """An integer literal ``42``."""

    value: int


@dataclass(frozen=True, slots=True)
class Bool(Node):
    """``true`` or ``false``."""

    value: bool


@dataclass(frozen=True, slots=True)
class Char(Node):
    """A character literal ``'c'``; a string ``"ab"`` is the sequence ``<'a', 'b'>``."""

    value: str


@dataclass(frozen=True, slots=True)
class Unary(Node):
    """``-e``, ``not e``, ``#s``."""

    op: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """Arithmetic ``+ - * / %``, comparison ``== != < <= > >=``, ``and``, ``or``,
    sequence concatenation ``^``."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Dot(Node):
    """A dotted value or event ``c.1.x`` (two or more parts)."""

    parts: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Apply(Node):
    """``f(a, b)``: a definition with parameters, or a builtin (``union`` ...)."""

    func: Expr
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class If(Node):
    """``if cond then e1 else e2`` (a value or a process)."""

    cond: Expr
    then: Expr
    orelse: Expr


@dataclass(frozen=True, slots=True)
class Let(Node):
    """``let defs within body``: local (possibly recursive) definitions."""

    definitions: tuple[Definition, ...]
    body: Expr


@dataclass(frozen=True, slots=True)
class Generator(Node):
    """``pattern <- set`` in a comprehension, or ``x : S`` in a replicated operator."""

    pattern: Pattern
    source: Expr


Qualifier = Generator | Node  # a Generator, or any Expr used as a boolean condition


@dataclass(frozen=True, slots=True)
class SetLit(Node):
    """``{a, b}``."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class SetRange(Node):
    """``{lo..hi}`` (inclusive); ``hi`` is never open here: sets are finite."""

    low: Expr
    high: Expr


@dataclass(frozen=True, slots=True)
class SetFrom(Node):
    """``{n..}``: every integer from ``n`` on (infinite: tested, never listed)."""

    low: Expr


@dataclass(frozen=True, slots=True)
class SetComp(Node):
    """``{ e | x <- S, cond }``; ``{ e1, e2 | ... }`` has ``more = (e2,)``."""

    item: Expr
    qualifiers: tuple[Qualifier, ...]
    more: tuple[Expr, ...] = ()


@dataclass(frozen=True, slots=True)
class SeqLit(Node):
    """``<a, b>``."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class SeqRange(Node):
    """``<lo..hi>``."""

    low: Expr
    high: Expr


@dataclass(frozen=True, slots=True)
class SeqFrom(Node):
    """``<n..>``: the integers from ``n`` on, in order (lazy: semantics/lazy_sequences.py)."""

    low: Expr


@dataclass(frozen=True, slots=True)
class SeqComp(Node):
    """``< e | x <- s, cond >``; ``< e1, e2 | ... >`` (``more = (e2,)``) gives both
    items for each binding, in order."""

    item: Expr
    qualifiers: tuple[Qualifier, ...]
    more: tuple[Expr, ...] = ()


@dataclass(frozen=True, slots=True)
class TupleLit(Node):
    """``(a, b)`` (two or more items)."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class MapLit(Node):
    """``(| k1 => v1, k2 => v2 |)``: a finite map (FDR's ``Map``)."""

    pairs: tuple[tuple[Expr, Expr], ...]


@dataclass(frozen=True, slots=True)
class EventSet(Node):
    """``{| c, d.1 |}``: every event that extends one of the items;
    ``{| c.x | x <- S |}`` with qualifiers, for every binding they make."""

    items: tuple[Expr, ...]
    qualifiers: tuple[Qualifier, ...] = ()
