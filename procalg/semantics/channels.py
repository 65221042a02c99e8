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
from collections.abc import Iterable
from dataclasses import dataclass

from procalg.errors import ModelError
from procalg.semantics.infinite import INTEGERS, REPLAY_VALUES, Infinite, Integers  # noqa: F401
from procalg.semantics.lazy_errors import EvaluationError
from procalg.semantics.type_members import in_type
from procalg.source import Span
from procalg.terms import Atom, Dotted, Event, Value, show, sort_key, sorted_values

LIST_AT_MOST = 10_000_000
"""Most events listed at once from a channel (an event object each: gigabytes)."""


def _listable(name: str, columns: Iterable[frozenset]) -> None:
    """Raise past :data:`LIST_AT_MOST` events (``channel c : {0..9999}.{0..9999}``)."""
    columns = tuple(columns)
    if any(isinstance(t, Infinite) and not t.sized for t in columns):
        return  # Int, {n..}: never listed (the caller says so)
    size = 1
    for t in columns:
        size *= len(t)
    if size > LIST_AT_MOST:
        raise ModelError(f"{name} stands for {size:,} events: too many to list",
                         hint="synchronise or hide on the events actually used "
                              "(e.g. {| c.x |}), or make the channel's type smaller")


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A channel with some (not all) of its fields given: ``c`` or ``c.1``."""

    channel: str
    fields: tuple[Value, ...] = ()

    def __str__(self) -> str:
        return ".".join([self.channel, *(show(v) for v in self.fields)])


def _type_text(values: frozenset) -> str:
    if isinstance(values, Infinite):  # Int, {n..}, Char, Seq(A): never listed
        return repr(values)
    items = sorted(values, key=sort_key)
    ints = [v for v in items if type(v) is int]
    if len(ints) == len(items) > 2 and ints == list(range(ints[0], ints[-1] + 1)):
        return f"{{{ints[0]}..{ints[-1]}}}"
    text = show(values)
    return text if len(text) <= 60 else text[:57] + "...}"


class Types:
    """The declared field types of channels and constructors (name -> one value
    set per field, each)."""

    def __init__(
        self,
        channels: dict[str, tuple[frozenset, ...]],
        constructors: dict[str, tuple[frozenset, ...]],
    ) -> None:
        self.channels = channels
        self.constructors = constructors
        self._events: dict[str, tuple[Event, ...]] = {}
        self._remaining: dict[ChannelRef, tuple[tuple[Value, Event], ...]] = {}
        self._by_flat: dict[tuple[str, int], dict[tuple, list[Event]]] = {}
        self._interned: dict[tuple[str, tuple], Event] = {}
        self._dotted: dict[tuple[ChannelRef, Value], Value] = {}
        self._completions: dict[ChannelRef, frozenset[Event]] = {}  # see completions

    def event(self, channel: str, fields: tuple[Value, ...]) -> Event:
        """The event ``channel.fields``, one object per event (interned).

        Exploration tests events for membership in synchronisation and hiding
        sets at every step; equal events that are the same object compare by
        identity, without calling ``Event.__eq__`` (kept by channel and fields).

        Example:
            >>> types = Types({}, {})
            >>> types.event("c", (1,)) is types.event("c", (1,))
            True
        """
        found = self._interned.get((channel, fields))
        return found or self._interned.setdefault((channel, fields), Event(channel, fields))

    def is_incomplete(self, value: Value) -> bool:
        """Whether ``value`` is a constructor or a channel still lacking fields (the
        latter a field of a channel of events: ``fail.c`` of ``fail.c.v``, docs/sagas.md)."""
        if type(value) is ChannelRef:
            return True
        if type(value) is not Dotted or type(value.head) is not Atom:
            return False
        fields = value.fields
        return len(fields) < len(self.constructors.get(value.head.name, ())) or (
            bool(fields) and self.is_incomplete(fields[-1]))

    def is_compound(self, value: Value) -> bool:
        """Whether ``value`` is several fields joined (``0.1``), not one constructor value.

        Example:
            >>> types = Types({}, {"A": (frozenset({0}),)})
            >>> types.is_compound(Dotted(0, (1,))), types.is_compound(Dotted(Atom("A"), (0,)))
            (True, False)
        """
        if type(value) is not Dotted:
            return False
        head = value.head
        return not (type(head) is Atom and head.name in self.constructors
                    and len(value.fields) <= len(self.constructors[head.name]))

    def fields_of(self, value: Value) -> tuple[Value, ...]:
        """The fields a value stands for when dotted on: ``0.1`` gives ``(0, 1)``.

        CSPM's dot is flat (``c.(0.1)`` is ``c.0.1``), so a compound value adds
        each of its fields in turn; any other value is one field.

        Example:
            >>> Types({}, {}).fields_of(Dotted(0, (1, 2)))
            (0, 1, 2)
        """
        if not self.is_compound(value):
            return (value,)
        out = self.fields_of(value.head)
        for field in value.fields:
            out += self.fields_of(field)
        return out

    def join(self, fields: tuple[Value, ...]) -> Value:
        """One value for several fields (``0.1`` for ``(0, 1)``); inverse of :meth:`fields_of`.

        Example:
            >>> types = Types({}, {})
            >>> types.join((0, 1)), types.fields_of(types.join((0, 1, 2)))
            (Dotted(head=0, fields=(1,)), (0, 1, 2))
        """
        value = fields[0]
        for field in fields[1:]:  # as dot() would, but an event may head the value too
            value = Dotted(value.head, (*value.fields, field)) if self.is_compound(value) \
                else Dotted(value, (field,))
        return value

    def _checked(self, owner: str, what: str, types: frozenset, index: int, value: Value,
                 span: Span | None) -> None:
        if not (self.is_incomplete(value) or in_type(value, types)):
            raise EvaluationError(  # FDR reports it only where the value is used
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
        if type(left) is ChannelRef:  # memoised: a compiled c.x runs at every visit of its state
            found = self._dotted.get((left, right))
            if found is None:
                found = self._dotted[left, right] = self._dot_value(left, right, span)
            return found
        return self._dot_value(left, right, span)

    def _dot_value(self, left: Value, right: Value, span: Span | None) -> Value:
        if self.is_compound(right):  # c.(0.1) is c.0.1: dots are flat in CSPM
            for field in self.fields_of(right):
                left = self.dot(left, field, span)
            return left
        if type(left) is ChannelRef:
            return self._dot_channel(left, right, span)
        if type(left) is Event:  # FDR: a dot list c.0.0.D, a value but not an event
            return Dotted(left, (right,))
        if self.is_incomplete(left):
            if left.fields and self.is_incomplete(left.fields[-1]):
                inner = self.dot(left.fields[-1], right, span)
                index = len(left.fields) - 1
                if not self.is_incomplete(inner):
                    name = left.head.name
                    self._checked(name, "constructor", self.constructors[name][index], index,
                                  inner, span)
                return Dotted(left.head, (*left.fields[:-1], inner))
            return self._extend(left, right, span)
        if self.is_compound(left):
            if left.fields and self.is_incomplete(left.fields[-1]):  # 0.D.2: D takes the 2
                return Dotted(left.head, (*left.fields[:-1], self.dot(left.fields[-1], right,
                                                                      span)))
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
            return self.event(name, fields)
        return ChannelRef(name, fields)

    def next_field(self, ref: ChannelRef | Dotted, span: Span | None) -> frozenset:
        """The values the next dot after ``ref`` may add (an input ``c?x`` before more fields)."""
        fields = ref.fields
        if fields and self.is_incomplete(fields[-1]):
            return self.next_field(fields[-1], span)
        if type(ref) is Dotted:
            return self.constructors[ref.head.name][len(fields)]
        types = self.channels[ref.channel]
        if len(fields) >= len(types):
            raise ModelError(f"too many fields for channel {ref.channel}: it has {len(types)}",
                             span)
        return types[len(fields)]

    def remaining(self, ref: ChannelRef) -> tuple[tuple[Value, Event], ...]:
        """For a last input ``ref?x``: each value x may take, with the event it completes.

        ``x`` takes every field still missing, as one (dotted) value, as CSPM does.

        Example:
            >>> types = Types({"c": (frozenset({0, 1}), frozenset({2}))}, {})
            >>> [(show(v), str(e)) for v, e in types.remaining(ChannelRef("c"))]
            [('0.2', 'c.0.2'), ('1.2', 'c.1.2')]
        """
        found = self._remaining.get(ref)
        if found is None:
            given = ref.fields
            if given and type(given[-1]) is Dotted and self.is_incomplete(given[-1]):
                pairs = self._completed(ref)  # c.Msg.7?x
            elif given and self.is_incomplete(given[-1]):  # rare (fail.c?x): filter the events
                pairs = [(self.join(_missing(self, given, e.fields)), e)
                         for e in self._candidates(ref.channel, given)
                         if _extends(self, e.fields, given)]
            else:  # the product of the missing fields' types, without scanning the channel
                _listable(str(ref), self.channels[ref.channel][len(given):])
                columns = [sorted(t, key=sort_key)
                           for t in self.channels[ref.channel][len(given):]]
                pairs = [(self.join(rest), self.event(ref.channel, (*given, *rest)))
                         for rest in itertools.product(*columns)]
            pairs.sort(key=lambda pair: sort_key(pair[0]))
            found = self._remaining[ref] = tuple(pairs)
        return found

    def _completed(self, ref: ChannelRef) -> list[tuple[Value, Event]]:
        """:meth:`remaining` where ``ref``'s last field is a constructor value still
        lacking fields: its completions are built from the missing fields' types,
        never by listing the channel (whose type may be a datatype of billions).

        Example:
            >>> m = lambda *f: Dotted(Atom("M"), f)
            >>> types = Types({"c": (frozenset({m(0, 1), m(0, 2)}),)},
            ...               {"M": (frozenset({0}), frozenset({1, 2, 3}))})
            >>> [(show(v), str(e)) for v, e in types._completed(ChannelRef("c", (m(0),)))]
            [('1', 'c.M.0.1'), ('2', 'c.M.0.2')]
        """
        partial: list[tuple[Value, tuple[Value, ...]]] = [(ref.fields[-1], ())]
        while partial and self.is_incomplete(partial[0][0]):
            grown = []
            for v, added in partial:
                for f in sorted(self.next_field(v, None), key=sort_key):
                    try:
                        grown.append((self.dot(v, f, None), (*added, f)))
                    except ModelError:  # outside an enclosing constructor's field type
                        continue
            partial = grown
        types = self.channels[ref.channel]
        own = types[len(ref.fields) - 1]  # the channel's field may allow only some of them
        columns = [sorted(t, key=sort_key) for t in types[len(ref.fields):]]
        return [(self.join((*added, *rest)), self.event(ref.channel, (*ref.fields[:-1], v, *rest)))
                for v, added in partial if v in own for rest in itertools.product(*columns)]

    def _candidates(self, channel: str, given: tuple[Value, ...]) -> Iterable[Event]:
        """The events of ``channel`` whose flat fields begin with ``given``'s (a
        necessary condition for :func:`_extends`), indexed once per flat length:
        scanning the channel per partial input (``c.i.(M.j)?y``) cost 48 s."""
        want = _flat(given)
        index = self._by_flat.get((channel, len(want)))
        if index is None:
            index = self._by_flat[(channel, len(want))] = {}
            for e in self.events_of(channel):
                index.setdefault(_flat(e.fields)[:len(want)], []).append(e)
        return index.get(want, ())

    def events_of(self, channel: str) -> tuple[Event, ...]:
        """Every event of ``channel``, in a stable order."""
        found = self._events.get(channel)
        if found is None:
            _listable(channel, self.channels[channel])
            columns = [sorted_values(t) for t in self.channels[channel]]
            found = tuple(self.event(channel, tuple(f)) for f in itertools.product(*columns))
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
        if given and type(given[-1]) is Dotted and self.is_incomplete(given[-1]):
            return frozenset(e for _, e in self._completed(value))
        if given and self.is_incomplete(given[-1]):
            return frozenset(e for e in self._candidates(value.channel, given)
                             if _extends(self, e.fields, given))
        found = self._completions.get(value)  # {| mc.c |} in each modify(x, A) of a mobile
        if found is None:  # alphabet: 50 µs a listing (events hashed), 27k calls on phone
            columns = self.channels[value.channel][len(given):]
            _listable(str(value), columns)
            found = frozenset(self.event(value.channel, (*given, *rest)) for rest in
                              itertools.product(*columns))
            if len(found) <= 1 << 16:  # a larger one is rarely listed twice: not held
                self._completions[value] = found
        return found


def _parts(value: Value) -> tuple[object, tuple[Value, ...]] | None:
    """A constructor value or (partial) event as (its head, its fields)."""
    if type(value) is Dotted:
        return value.head, value.fields
    if type(value) is ChannelRef or type(value) is Event:
        return value.channel, value.fields
    return None


def _flat(values: tuple[Value, ...]) -> tuple:
    """Fields with every constructor value and (partial) event spread out, as dots read."""
    out: list = []
    for v in values:
        parts = _parts(v)
        out.extend((v,) if parts is None else (parts[0], *_flat(parts[1])))
    return tuple(out)


def _extends(types: Types, full: tuple[Value, ...], given: tuple[Value, ...]) -> bool:
    """Whether fields ``full`` begin with ``given`` (whose last may be incomplete)."""
    k = len(given)
    if k == 0 or not types.is_incomplete(given[-1]):
        return full[:k] == given
    if len(full) < k or full[: k - 1] != given[: k - 1]:
        return False
    have, want = _parts(full[k - 1]), _parts(given[-1])
    return (have is not None and want is not None and have[0] == want[0]
            and _extends(types, have[1], want[1]))


def _missing(types: Types, given: tuple[Value, ...], full: tuple[Value, ...]) -> tuple:
    """The fields of ``full`` after ``given`` (inside an incomplete last one too), flat."""
    k = len(given)
    if k and types.is_incomplete(given[-1]):
        inner = _missing(types, _parts(given[-1])[1], _parts(full[k - 1])[1])
        return (*inner, *full[k:])
    return tuple(full[k:])
