"""Channels and datatypes: building dotted events and values field by field.

``c.1.2`` is built left to right: the channel name gives a
:class:`ChannelRef` with no fields, each dot adds one field (checked against
the channel's declared field type) and the last field turns it into an
:class:`~procalg.terms.Event`. A datatype constructor with fields (``B`` in
``datatype T = A | B.{0..1}``) works the same way, as a
:class:`~procalg.terms.Dotted` value that still lacks fields; while a
channel's last field is such an incomplete value, dots extend that value
(``c.B.1`` is the event ``c`` with one field ``B.1``).

Example:
    >>> types = Types({"c": (frozenset({0, 1}), frozenset({0}))}, {})
    >>> ref = types.dot(ChannelRef("c"), 1, None)
    >>> ref, types.dot(ref, 0, None)
    (ChannelRef(channel='c', fields=(1,)), Event(channel='c', fields=(1, 0)))
    >>> sorted(map(str, types.completions(ChannelRef("c"))))
    ['c.0.0', 'c.1.0']
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from procalg.errors import ModelError
from procalg.source import Span
from procalg.terms import Atom, Dotted, Event, Value, show, sort_key


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A channel with some (not all) of its fields given: ``c`` or ``c.1``."""

    channel: str
    fields: tuple[Value, ...] = ()

    def __str__(self) -> str:
        return ".".join([self.channel, *(show(v) for v in self.fields)])


def _type_text(values: frozenset) -> str:
    items = sorted(values, key=sort_key)
    ints = [v for v in items if type(v) is int]
    if len(ints) == len(items) > 2 and ints == list(range(ints[0], ints[-1] + 1)):
        return f"{{{ints[0]}..{ints[-1]}}}"
    text = show(values)
    return text if len(text) <= 60 else text[:57] + "...}"


class Types:
    """The declared field types of channels and constructors.

    Args:
        channels: channel name -> one value set per field.
        constructors: constructor name -> one value set per field.
    """

    def __init__(
        self,
        channels: dict[str, tuple[frozenset, ...]],
        constructors: dict[str, tuple[frozenset, ...]],
    ) -> None:
        self.channels = channels
        self.constructors = constructors
        self._events: dict[str, tuple[Event, ...]] = {}

    def is_incomplete(self, value: Value) -> bool:
        """Whether ``value`` is a constructor still lacking fields."""
        return (
            type(value) is Dotted
            and type(value.head) is Atom
            and len(value.fields) < len(self.constructors.get(value.head.name, ()))
        )

    def _checked(self, owner: str, what: str, types: frozenset, index: int, value: Value,
                 span: Span | None) -> None:
        if self.is_incomplete(value) or value in types:
            return
        raise ModelError(
            f"value {show(value)} is outside {what} {owner}'s field {index + 1} type "
            f"{_type_text(types)}",
            span,
            hint=f"keep {owner}'s field {index + 1} within its declared type",
        )

    def _extend(self, value: Dotted, field: Value, span: Span | None) -> Dotted:
        """Add one field to an incomplete constructor value."""
        name = value.head.name
        types = self.constructors[name]
        index = len(value.fields)
        if not self.is_incomplete(field):
            self._checked(name, "constructor", types[index], index, field, span)
        return Dotted(value.head, (*value.fields, field))

    def dot(self, left: Value, right: Value, span: Span | None) -> Value:
        """``left.right``: add a field to a channel, constructor or dotted value.

        Raises:
            ModelError: too many fields, or a field outside its declared type.
        """
        if type(left) is ChannelRef:
            return self._dot_channel(left, right, span)
        if type(left) is Event:
            raise ModelError(
                f"event {left} has too many fields: channel {left.channel} has "
                f"{len(left.fields)}",
                span,
                hint=f"check the declaration of channel {left.channel}",
            )
        if self.is_incomplete(left):
            if self.is_incomplete(left.fields[-1] if left.fields else None):
                inner = self.dot(left.fields[-1], right, span)
                return Dotted(left.head, (*left.fields[:-1], inner))
            return self._extend(left, right, span)
        if type(left) is Dotted and not (type(left.head) is Atom
                                         and left.head.name in self.constructors):
            return Dotted(left.head, (*left.fields, right))
        return Dotted(left, (right,))

    def _dot_channel(self, left: ChannelRef, right: Value, span: Span | None) -> Value:
        name, fields = left.channel, left.fields
        types = self.channels[name]
        if fields and self.is_incomplete(fields[-1]):
            last = self.dot(fields[-1], right, span)
            if not self.is_incomplete(last):
                self._checked(name, "channel", types[len(fields) - 1], len(fields) - 1, last, span)
            fields = (*fields[:-1], last)
        else:
            if len(fields) >= len(types):
                raise ModelError(
                    f"too many fields for channel {name}: it has {len(types)}",
                    span,
                    hint=f"channel {name} is declared with {len(types)} field(s)",
                )
            self._checked(name, "channel", types[len(fields)], len(fields), right, span)
            fields = (*fields, right)
        if len(fields) == len(types) and not self.is_incomplete(fields[-1]):
            return Event(name, fields)
        return ChannelRef(name, fields)

    def next_field(self, ref: ChannelRef, span: Span | None) -> frozenset:
        """The values the next dot after ``ref`` may add (for ``c?x``)."""
        if ref.fields and self.is_incomplete(ref.fields[-1]):
            value = ref.fields[-1]
            return self.constructors[value.head.name][len(value.fields)]
        types = self.channels[ref.channel]
        if len(ref.fields) >= len(types):
            raise ModelError(f"too many fields for channel {ref.channel}: it has {len(types)}",
                             span)
        return types[len(ref.fields)]

    def events_of(self, channel: str) -> tuple[Event, ...]:
        """Every event of ``channel``, in a stable order."""
        found = self._events.get(channel)
        if found is None:
            columns = [sorted(t, key=sort_key) for t in self.channels[channel]]
            found = tuple(Event(channel, tuple(f)) for f in itertools.product(*columns))
            self._events[channel] = found
        return found

    def completions(self, value: Value) -> frozenset[Event]:
        """Every event that extends ``value`` (a channel, partial event or event).

        Example:
            >>> Types({"c": (frozenset({0, 1}),)}, {}).completions(Event("c", (1,)))
            frozenset({Event(channel='c', fields=(1,))})
        """
        if type(value) is Event:
            return frozenset({value})
        if type(value) is not ChannelRef:
            raise ModelError(f"{show(value)} is not a channel or event")
        given = value.fields
        if given and self.is_incomplete(given[-1]):
            head, last = given[:-1], given[-1]
            return frozenset(
                e for e in self.events_of(value.channel)
                if e.fields[: len(head)] == head
                and type(e.fields[len(head)]) is Dotted
                and e.fields[len(head)].head == last.head
                and e.fields[len(head)].fields[: len(last.fields)] == last.fields
            )
        return frozenset(e for e in self.events_of(value.channel)
                         if e.fields[: len(given)] == given)
