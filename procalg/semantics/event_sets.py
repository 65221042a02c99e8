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
            return self.types.completions(value)
        values = self._productions(value)
        if values is not None:
            return values
        raise ModelError(f"{show(value)} in {{| |}} is not a channel or event", span,
                         hint="{| c, d.1 |} lists channels or beginnings of events")

    def _productions(self, value: Value) -> frozenset | None:
        """The datatype values that extend ``value`` (``{| A |}`` for a constructor
        ``A``, as FDR allows), or None when ``value`` is no constructor value."""
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
        done = len(value.fields) if type(value) in (ChannelRef, Event, Dotted) else 0
        rest = [e.fields[done:] for e in events if type(e) is not Atom]
        return frozenset(r[0] if len(r) == 1 else Dotted(r[0], r[1:]) for r in rest if r)
