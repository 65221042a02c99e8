"""Values of the data language and events.

Values are plain, hashable Python objects so that terms holding them hash
and compare cheaply:

* integers are ``int``, booleans ``bool``;
* datatype constructors and channel names used as values are :class:`Atom`;
* dotted compounds (``A.1``, a constructor with fields) are :class:`Dotted`;
* sets are ``frozenset``, tuples are ``tuple``, sequences are :class:`Sequence`;
* a character is a :class:`Char` (a string is a sequence of them);
* a map ``(| k => v |)`` is a :class:`MapValue`;
* an event (a visible action ``c.1.2``) is an :class:`Event`.

:func:`show` prints any value in ``.proc`` syntax and :func:`sort_key` orders
values of mixed kinds deterministically (for stable output).

Example:
    >>> e = Event("pick", (0, 1))
    >>> str(e), e.channel, e.fields
    ('pick.0.1', 'pick', (0, 1))
    >>> show(frozenset({2, 1})), show(Sequence((1, 2))), show((1, Atom("red")))
    ('{1, 2}', '<1, 2>', '(1, red)')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import product
from typing import Any

Value = Any
"""Any data value: int, bool, Atom, Dotted, frozenset, tuple, Sequence, Event."""


@dataclass(frozen=True, slots=True, order=True)
class Atom:
    """A symbolic constant: a datatype constructor or a channel name."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Dotted:
    """A dotted compound value ``head.f1.f2`` (a constructor with fields)."""

    head: Value
    fields: tuple[Value, ...]
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # computed once: data values sit in the arguments of every state's term
        object.__setattr__(self, "_hash", hash((self.head, self.fields)))

    def __hash__(self) -> int:
        return self._hash

    def __str__(self) -> str:
        return ".".join(show(v) for v in (self.head, *self.fields))


@dataclass(frozen=True, slots=True)
class Sequence:
    """A finite sequence ``<a, b, c>``."""

    items: tuple[Value, ...] = ()
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(self.items))  # once, as for Dotted

    def __hash__(self) -> int:
        return self._hash

    def __str__(self) -> str:
        return show(self)


class Char(str):
    """A character of CSPM's ``Char`` (``'c'``): a one-letter ``str`` of its own type,
    so the runtime's plain ``str`` values (activity arguments) are not characters.

    Example:
        >>> show(Char("c")), show(Sequence((Char("h"), Char("i")))), show("bob")
        ("'c'", '"hi"', 'bob')
    """

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class MapValue:
    """A finite map ``(| k1 => v1, k2 => v2 |)`` (FDR's ``Map``): its pairs in key order.

    Example:
        >>> m = MapValue.of([(2, "b"), (1, "a"), (2, "c")])
        >>> m.items, m.get(2), str(m)
        (((1, 'a'), (2, 'c')), 'c', '(| 1 => a, 2 => c |)')
    """

    items: tuple[tuple[Value, Value], ...] = ()

    @staticmethod
    def of(pairs) -> MapValue:
        """The map of ``pairs``; a later pair for a key replaces an earlier one."""
        table = dict(pairs)
        return MapValue(tuple(sorted(table.items(), key=lambda kv: sort_key(kv[0]))))

    def get(self, key: Value, default: Value = None) -> Value:
        for k, v in self.items:
            if k == key and type(k) is type(key):
                return v
        return default

    def __str__(self) -> str:
        return show(self)


@dataclass(frozen=True, slots=True, eq=False)
class Event:
    """A visible action: a channel name and the values of its fields.

    Hash, text and sort key are computed once (text and key when first asked
    for), since events are compared in every step of exploration, printed in
    many, and sorted wherever a set of them is shown or a renaming's images are
    listed (a sort compares each event O(log n) times).
    """

    channel: str
    fields: tuple[Value, ...] = ()
    _hash: int = field(init=False, repr=False, compare=False)
    _text: str = field(init=False, repr=False, compare=False)
    _key: tuple = field(init=False, repr=False, compare=False)

    def __init__(self, channel: str, fields: tuple[Value, ...] = ()) -> None:
        # the dataclass's own __init__ and a __post_init__ set the five slots by
        # object.__setattr__ (frozen), 2.5 µs an event; a model of 30,000 events
        # makes them all (its alphabet): the slots' own setters, 1 µs
        _SET_CHANNEL(self, channel)
        _SET_FIELDS(self, fields)
        _SET_HASH(self, hash((channel, fields)))
        _SET_TEXT(self, None)  # printed on first use: most are never printed
        _SET_KEY(self, None)  # likewise its sort key

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Event):
            return NotImplemented
        return (
            self._hash == other._hash
            and self.channel == other.channel
            and self.fields == other.fields
        )

    def __str__(self) -> str:
        text = self._text
        if text is None:
            text = ".".join([self.channel, *map(show, self.fields)])
            _SET_TEXT(self, text)
        return text

    def __lt__(self, other: Event) -> bool:
        return sort_key(self) < sort_key(other)


_SET_CHANNEL, _SET_FIELDS, _SET_HASH, _SET_TEXT, _SET_KEY = (
    Event.__dict__[name].__set__ for name in ("channel", "fields", "_hash", "_text", "_key"))


def show(value: Value) -> str:
    """Print a value in ``.proc`` syntax.

    Example:
        >>> show(True), show(-3), show(frozenset()), show(Event("a"))
        ('true', '-3', '{}', 'a')
        >>> show(Char("c")), show(Sequence((Char("h"), Char("i"))))
        ("'c'", '"hi"')
    """
    if type(value) is int:  # the common field (not a bool: its type is bool)
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if type(value) is Char:
        return repr(str(value))
    if isinstance(value, Sequence) and value.items and all(type(c) is Char for c in value.items):
        return '"' + "".join(value.items) + '"'  # a string, as FDR prints it
    if isinstance(value, frozenset):
        return "{" + ", ".join(show(v) for v in sorted(value, key=sort_key)) + "}"
    if isinstance(value, Sequence):
        return "<" + ", ".join(show(v) for v in value.items) + ">"
    if isinstance(value, tuple):
        return "(" + ", ".join(show(v) for v in value) + ")"
    if isinstance(value, MapValue):
        inner = ", ".join(f"{show(k)} => {show(v)}" for k, v in value.items)
        return f"(| {inner} |)" if inner else "(| |)"
    return str(value)


_KIND_ORDER = {bool: 0, int: 1, Atom: 2, Dotted: 3, Event: 4, tuple: 5, Sequence: 6, frozenset: 7,
               str: 8, Char: 8, MapValue: 9}


def sort_key(value: Value) -> tuple:
    """A key ordering values of any kind: by kind, then by content.

    Example:
        >>> sorted([Atom("b"), 2, Atom("a"), 1], key=sort_key)
        [1, 2, Atom(name='a'), Atom(name='b')]
    """
    if type(value) is Event:
        key = value._key
        if key is None:  # computed once per event (see Event)
            key = (4, value.channel, tuple(sort_key(v) for v in value.fields))
            object.__setattr__(value, "_key", key)
        return key
    kind = _KIND_ORDER.get(type(value), 8)
    if isinstance(value, bool | int | str):
        return (kind, value)
    if isinstance(value, Atom):
        return (kind, value.name)
    if isinstance(value, Dotted):
        return (kind, sort_key(value.head), tuple(sort_key(v) for v in value.fields))
    if isinstance(value, Event):
        return (kind, value.channel, tuple(sort_key(v) for v in value.fields))
    if isinstance(value, tuple):
        return (kind, tuple(sort_key(v) for v in value))
    if isinstance(value, Sequence):
        return (kind, tuple(sort_key(v) for v in value.items))
    if isinstance(value, frozenset):
        return (kind, tuple(sorted(sort_key(v) for v in value)))
    if isinstance(value, MapValue):
        return (kind, tuple((sort_key(k), sort_key(v)) for k, v in value.items))
    return (10, repr(value))


def sorted_values(values: Iterable[Value]) -> list[Value]:
    """``sorted(values, key=sort_key)``; plain ints (no bools) sort with no key, in
    the same order (an int's key is ``(1, n)``): a channel over ``{0..N-1}`` sorts
    its N values with no N calls of :func:`sort_key`.

    Example:
        >>> sorted_values({3, 1, 2}), sorted_values([Atom("a"), 2, True])
        ([1, 2, 3], [True, 2, Atom(name='a')])
    """
    items = list(values)
    if all(type(v) is int for v in items):
        return sorted(items)
    return sorted(items, key=sort_key)


def printed(channel: str, columns: list[list[Value]], events: Iterable[Event]) -> list[str]:
    """``str(e)`` of each of ``events``, the events of ``channel`` whose fields run
    through the product of ``columns`` in order, printed in bulk: each field value
    shown once, not once per event (a channel over 30,000 values prints them all for a
    network's alphabet: 1.4 µs an event by ``str``, a third of that here). Each
    event keeps its text, as ``str`` keeps it.

    Example:
        >>> events = [Event("c", (v, w)) for v in (1, 2) for w in (True,)]
        >>> printed("c", [[1, 2], [True]], events), str(events[1])
        (['c.1.true', 'c.2.true'], 'c.2.true')
    """
    shown = [[show(v) for v in column] for column in columns]
    out, keep = [], None
    for event, parts in zip(events, product(*shown), strict=True):
        text = event._text
        if text is None:
            text = ".".join((channel, *parts))
            # the event's own class's slot (as _SET_TEXT: a module run twice, as by a
            # doctest collector, has two Event classes)
            keep = keep or type(event).__dict__["_text"].__set__
            keep(event, text)
        out.append(text)
    return out


Label = Event | str
"""What a transition shows: an :class:`Event`, or one of the reserved names
``"τ"`` and ``"✓"`` (:mod:`procalg.reserved`). Defined once, here."""
