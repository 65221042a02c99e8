"""Data expressions and event sets of the symbolic fragment, as z3 terms.

The symbolic engine reads the model's syntax (not its terms): a parameter
stays a variable instead of becoming one term per value. This module turns
the data part of that syntax into z3: integers and booleans as themselves,
every other finite value (an atom, a constructor value) as an integer code
from a :class:`Codes` table, and channel sets (``{| c |}``, ``{a, b.1}``)
into :class:`EventSet` patterns whose membership is a z3 formula.

Example:
    >>> import z3
    >>> codes = Codes()
    >>> x = z3.Int("x")
    >>> e = data(_parse("x * x == 1369"), {"x": x}, codes, lambda node: None)
    >>> z3.simplify(z3.substitute(e, (x, z3.IntVal(37))))
    True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import z3

from procalg.errors import ProcalgError
from procalg.source import Span
from procalg.syntax import ast


class OutsideFragment(ProcalgError):
    """A construct the symbolic engine does not translate (see ``docs/symbolic.md``)."""


Env = dict[str, z3.ExprRef]
Globals = Callable[[ast.Node], Any]
"""The value of a closed expression in the global scope (``None`` if it has none)."""

CODE_BASE = 1_000_000_000
"""Codes of non-integer values start here, far from the integers a model uses."""


class Codes:
    """Non-integer values (atoms, constructor values) as integer codes, both ways."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self._index: dict[Any, int] = {}

    def encode(self, value: Any, span: Span | None = None) -> z3.ExprRef:
        """``value`` as a z3 constant."""
        if type(value) is bool:
            return z3.BoolVal(value)
        if type(value) is int:
            return z3.IntVal(value)
        try:
            index = self._index.setdefault(value, len(self._index))
        except TypeError:
            raise OutsideFragment(f"the value {value} is not data the symbolic engine "
                                  "knows (integers, booleans, finite values)", span) from None
        if index == len(self.values):
            self.values.append(value)
        return z3.IntVal(CODE_BASE + index)

    def decode(self, term: z3.ExprRef) -> Any:
        """A model's value for a field back as a procalg value."""
        if z3.is_true(term) or z3.is_false(term):
            return z3.is_true(term)
        number = term.as_long()
        if CODE_BASE <= number < CODE_BASE + len(self.values):
            return self.values[number - CODE_BASE]
        return number


_ARITH = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
          "/": lambda a, b: a / b, "%": lambda a, b: a % b}
_COMPARE = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b,
            "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def data(node: ast.Node, env: Env, codes: Codes, globals_: Globals) -> z3.ExprRef:
    """A data expression as a z3 term over the variables in ``env``.

    Raises:
        OutsideFragment: sets, sequences, functions of variables, ...
    """
    match node:
        case ast.Int(value) | ast.Bool(value):
            return codes.encode(value)
        case ast.Name(name):
            if name in env:
                return env[name]
            value = globals_(node)
            if value is None:
                raise OutsideFragment(f"'{name}' is not a parameter or a constant", node.span)
            return codes.encode(value, node.span)
        case ast.Unary("-", operand):
            return -data(operand, env, codes, globals_)
        case ast.Unary("not", operand):
            return z3.Not(data(operand, env, codes, globals_))
        case ast.Binary(op, left, right):
            a, b = data(left, env, codes, globals_), data(right, env, codes, globals_)
            try:
                if op in _ARITH:
                    return _ARITH[op](a, b)
                if op in _COMPARE:
                    return _COMPARE[op](a, b)
                if op in ("and", "or"):
                    return (z3.And if op == "and" else z3.Or)(a, b)
            except (z3.Z3Exception, TypeError):
                raise OutsideFragment(f"'{op}' on mixed types (integer and boolean)",
                                      node.span) from None
        case ast.If(cond, then, orelse):
            return z3.If(data(cond, env, codes, globals_), data(then, env, codes, globals_),
                         data(orelse, env, codes, globals_))
    closed = _closed(node, env, globals_)
    if closed is not None:
        return codes.encode(closed, node.span)
    raise OutsideFragment(f"{type(node).__name__} over parameters is outside the symbolic "
                          "fragment (integers, booleans, finite values, + - * / %, "
                          "comparisons, and/or/not, if)", node.span)


def _closed(node: ast.Node, env: Env, globals_: Globals) -> Any:
    """The value of an expression that mentions no variable, else ``None``."""
    from procalg.semantics.kinds import names_in

    if names_in(node) & set(env):
        return None
    return globals_(node)


@dataclass(frozen=True)
class EventSet:
    """A set of events: whole channels, and events given by a channel and field values."""

    channels: frozenset[str] = frozenset()
    prefixes: tuple[tuple[str, tuple[z3.ExprRef, ...]], ...] = ()

    def member(self, channel: str, fields: tuple[z3.ExprRef, ...]) -> z3.BoolRef:
        """Whether event ``channel.fields`` is in the set, as a formula."""
        if channel in self.channels:
            return z3.BoolVal(True)
        cases = [z3.And(*(a == b for a, b in zip(given, fields, strict=False)))
                 for name, given in self.prefixes if name == channel and len(given) <= len(fields)]
        return z3.simplify(z3.Or(*cases)) if cases else z3.BoolVal(False)

    def __or__(self, other: EventSet) -> EventSet:
        return EventSet(self.channels | other.channels, self.prefixes + other.prefixes)


def event_head(node: ast.Node, env: Env, codes: Codes, globals_: Globals,
               channels: dict[str, int]) -> tuple[str, tuple[z3.ExprRef, ...]]:
    """``c`` or ``c.e1.e2`` as the channel and its given fields."""
    parts = node.parts if type(node) is ast.Dot else (node,)
    head = parts[0]
    if type(head) is not ast.Name or head.id not in channels:
        raise OutsideFragment("the symbolic engine needs a channel name before the fields "
                              "of an event", node.span)
    return head.id, tuple(data(p, env, codes, globals_) for p in parts[1:])


def event_set(node: ast.Node, codes: Codes, globals_: Globals, channels: dict[str, int],
              definitions: dict[str, Any]) -> EventSet:
    """A synchronisation, alphabet or hiding set as an :class:`EventSet`."""
    match node:
        case ast.EventSet(items, ()):
            found = EventSet()
            for item in items:
                name, fields = event_head(item, {}, codes, globals_, channels)
                found |= EventSet(prefixes=((name, fields),)) if fields else \
                    EventSet(frozenset({name}))
            return found
        case ast.SetLit(items):
            prefixes = tuple(event_head(i, {}, codes, globals_, channels) for i in items)
            return EventSet(prefixes=prefixes)
        case ast.Name(name) if name in definitions and definitions[name][0].params is None:
            return event_set(definitions[name][0].body, codes, globals_, channels, definitions)
        case ast.Apply(ast.Name("union"), (left, right)):
            return (event_set(left, codes, globals_, channels, definitions)
                    | event_set(right, codes, globals_, channels, definitions))
    value = globals_(node)
    if not isinstance(value, frozenset):
        raise OutsideFragment("the symbolic engine reads event sets written as {| c, d |}, "
                              "{a, b.1} or union(A, B)", node.span)
    return EventSet(prefixes=tuple((e.channel, tuple(codes.encode(f) for f in e.fields))
                                   for e in value))


def _parse(text: str) -> ast.Node:
    from procalg.syntax import parse_expr

    return parse_expr(text)
