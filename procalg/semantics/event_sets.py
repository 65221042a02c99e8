"""Event sets of the value language: ``{| c, d.1 |}``, ``productions(x)`` and
``extensions(x)``, as a mixin of :class:`procalg.semantics.evaluate.Evaluator`.

Example:
    >>> from procalg.api import loads
    >>> from procalg.syntax import parse_expr
    >>> m = loads("datatype T = A | B.{0, 1}\\nchannel c : T")
    >>> sorted(map(str, m.value(parse_expr("productions(c.B)"))))
    ['c.B.0', 'c.B.1']
"""

from __future__ import annotations

import itertools
from typing import Any

from procalg.errors import ModelError
from procalg.semantics.channels import ChannelRef
from procalg.source import Span
from procalg.syntax import ast
from procalg.terms import Atom, Dotted, Event, Value, show, sort_key


class EventSets:
    """The event-set methods of the evaluator (``self.types`` and ``self.eval``
    come from :class:`~procalg.semantics.evaluate.Evaluator`)."""

    types: Any
    eval: Any

    def events(self, value: Value, span: Span | None) -> frozenset[Event]:
        """The events a ``{| ... |}`` item stands for."""
        if type(value) in (ChannelRef, Event):
            try:
                return self.types.completions(value)
            except ModelError as err:
                err.span = err.span or span  # the {| |} item that stands for too many
                raise
        values = self._productions(value)
        if values is not None:
            return values
        raise ModelError(f"{show(value)} in {{| |}} is not a channel or event", span,
                         hint="{| c, d.1 |} lists channels or beginnings of events")

    def _productions(self, value: Value) -> frozenset | None:
        """The datatype values that extend ``value`` (``{| A |}`` for a constructor
        ``A``, as FDR allows), or None when ``value`` is no constructor value.
        A field may itself be an unfinished constructor value (``X.A`` where ``A``
        takes fields): the values extend it as FDR reads dots, flattened."""
        if type(value) is Atom:
            head, fields = value, ()
        elif type(value) is Dotted and type(value.head) is Atom:
            head, fields = value.head, value.fields
        else:
            return None
        types = self.types.constructors.get(head.name)
        if types is None or len(fields) > len(types):
            return None
        if not types:
            return frozenset({value})
        if fields and _unfinished(fields[-1], self.types.constructors):
            prefix = _flat(value)  # X.A with A unfinished: every X.(A...) value
            every = itertools.product(*(sorted(t, key=sort_key) for t in types))
            return frozenset(v for combo in every for v in [Dotted(head, combo)]
                             if _flat(v)[:len(prefix)] == prefix)
        rest = (sorted(t, key=sort_key) for t in types[len(fields):])
        return frozenset(Dotted(head, (*fields, *combo)) for combo in itertools.product(*rest))

    def _event_function(self, name: str, args: tuple[ast.Node, ...], env: dict[str, Any],
                        span: Span | None) -> frozenset:
        """CSPM's ``productions(x)`` (the events that extend ``x``) and
        ``extensions(x)`` (the values that extend it: what follows ``x.``)."""
        if len(args) != 1:
            raise ModelError(f"{name} takes 1 argument, got {len(args)}", span,
                             hint=f"call it as {name}(c) or {name}(c.1)")
        value = self.eval(args[0], env)
        events = self.events(value, args[0].span or span)
        if name == "productions":
            return events
        done = len(_flat(value))  # what follows `x.`, reading dots flattened as FDR does
        rest = [_flat(e)[done:] for e in events]
        return frozenset(r[0] if len(r) == 1 else Dotted(r[0], tuple(r[1:])) for r in rest if r)


def _flat(value: Value) -> list:
    """A dotted value or event as the list of its dot-separated parts.

    Example:
        >>> _flat(Dotted(Atom("X"), (Dotted(Atom("A"), (0,)), 1)))
        [Atom(name='X'), Atom(name='A'), 0, 1]
    """
    if type(value) in (Event, ChannelRef):
        return [Atom(value.channel), *(p for f in value.fields for p in _flat(f))]
    if type(value) is Dotted:
        return [*_flat(value.head), *(p for f in value.fields for p in _flat(f))]
    return [value]


def _unfinished(value: Value, constructors: dict) -> bool:
    """Whether ``value`` is a constructor value that still lacks fields."""
    if type(value) is Atom:
        return bool(constructors.get(value.name))
    if type(value) is Dotted and type(value.head) is Atom:
        types = constructors.get(value.head.name)
        if types is not None and len(value.fields) < len(types):
            return True
        return bool(value.fields) and _unfinished(value.fields[-1], constructors)
    return False
