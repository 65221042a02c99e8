"""Prefix nodes of the AST: ``c!e?p:S -> P`` and FDR's nondeterministic input
``c$p -> P`` (re-exported by :mod:`procalg.syntax.ast`, where callers find them).

Example:
    >>> from procalg.syntax import ast
    >>> ast.PrefixExpr(ast.Name("c"), (ast.OutField(ast.Int(1)),), ast.StopLit()).fields
    (OutField(value=Int(value=1)),)
"""

from __future__ import annotations

from dataclasses import dataclass

from procalg.syntax.expressions import Pattern
from procalg.syntax.node import Expr, Node


@dataclass(frozen=True, slots=True)
class OutField(Node):
    """``!e`` or ``.e`` in a prefix: a value the process gives."""

    value: Expr


@dataclass(frozen=True, slots=True)
class InField(Node):
    """``?p`` or ``?p:S`` in a prefix: a value the process takes."""

    pattern: Pattern
    restrict: Expr | None = None


@dataclass(frozen=True, slots=True)
class NondetField(Node):
    """``$p`` or ``$p:S`` in a prefix: a value the process chooses (only while the
    tree is built: syntax/nondeterministic.py turns it into an internal choice)."""

    pattern: Pattern
    restrict: Expr | None = None


@dataclass(frozen=True, slots=True)
class NondetPrefix(Node):
    """``c$x?y -> P``: ``prefix`` is ``c?x?y -> P``, whose first ``count`` inputs the
    process chooses (internal choice) and the others the environment
    (semantics/nondeterministic.py)."""

    prefix: PrefixExpr
    count: int


@dataclass(frozen=True, slots=True)
class PrefixExpr(Node):
    """``head fields -> then``; ``head`` evaluates to a channel, event or dotted prefix."""

    head: Expr
    fields: tuple[OutField | InField, ...]
    then: Expr
