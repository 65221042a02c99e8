"""Renaming relations: what ``P [[ a <- b ]]`` maps each event of ``P`` to.

CSP's renaming ``P[[R]]`` (Roscoe, *Understanding Concurrent Systems*, 2010,
§5.1) applies a relation ``R`` on events: ``P --a--> P'`` gives
``P[[R]] --b--> P'[[R]]`` for each ``a R b``, and an event outside the domain of
``R`` keeps its name. A :class:`Renaming` answers the two questions the rules
ask, the *images* of an event and its *preimages*, without ever listing the
relation:

- :class:`PairRenaming`: explicit pairs of events (``a.1 <- b``);
- :class:`PrefixRenaming`: a rule on event prefixes (``c <- d``, ``c.x <- d.y``):
  every event ``c.x.v`` becomes ``d.y.v``. A channel over a type of 100,000
  values is one rule, applied to each event when it is produced (FDR's
  manual: "renaming ... of channels"), never 100,000 pairs;
- :class:`JoinedRenaming`: the union of the two.

The network compiler works on printed labels (``"c.1"``), so each kind also
maps names (:meth:`Renaming.name_images`).

Example:
    >>> c1, d1, a, b = Event("c", (1,)), Event("d", (1,)), Event("a"), Event("b")
    >>> r = Renaming.of({(a, b)}, [(Event("c"), Event("d"))])
    >>> r.images(c1) == (d1,), r.images(a) == (b,), r.images(b) == (b,)
    (True, True, True)
    >>> r.preimages(d1) == (c1, d1), r.preimages(b) == (a, b), r.name_images("c.7")
    (True, True, ('d.7',))
    >>> print(r)
    a <- b, c <- d
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from procalg.terms.values import Event, sort_key


class Renaming:
    """A relation on events (module docstring): images and preimages of one event.

    Subclasses say which events they map (:meth:`mapped`) and which map onto
    an event (:meth:`sources`); an event no part maps keeps its name.
    """

    __slots__ = ()

    @staticmethod
    def of(pairs: Iterable[tuple[Event, Event]],
           prefixes: Iterable[tuple[Event, Event]] = ()) -> Renaming:
        """The renaming of explicit ``pairs`` and prefix rules ``(old, new)``.

        Example:
            >>> type(Renaming.of([(Event("a"), Event("b"))])).__name__
            'PairRenaming'
        """
        explicit = PairRenaming(frozenset(pairs))
        rules = tuple(sorted(set(prefixes), key=sort_key))
        if not rules:
            return explicit
        ruled = PrefixRenaming(rules)
        return ruled if not explicit.pairs else JoinedRenaming(explicit, ruled)

    def mapped(self, event: Event) -> tuple[Event, ...]:
        """The events ``event`` maps to, or () if it is outside the domain."""
        raise NotImplementedError

    def sources(self, event: Event) -> tuple[Event, ...]:
        """The events that map to ``event`` (not ``event`` itself unless a pair says so)."""
        raise NotImplementedError

    def mapped_name(self, name: str) -> tuple[str, ...]:
        """:meth:`mapped` on a printed event name."""
        raise NotImplementedError

    def rules(self) -> list[str]:
        """Each pair or rule as ``a <- b`` text, sorted."""
        raise NotImplementedError

    def parts(self) -> tuple[frozenset[tuple[Event, Event]], tuple[tuple[Event, Event], ...]]:
        """The explicit pairs and the prefix rules: ``Renaming.of(*r.parts()) == r``.

        Example:
            >>> r = Renaming.of([(Event("a"), Event("b"))], [(Event("c"), Event("d"))])
            >>> Renaming.of(*r.parts()) == r
            True
        """
        raise NotImplementedError

    def __len__(self) -> int:
        """How many pairs and rules the relation is written with (not its size)."""
        pairs, prefixes = self.parts()
        return len(pairs) + len(prefixes)

    def images(self, event: Any) -> tuple[Any, ...]:
        """What ``event`` becomes (itself if the relation does not map it)."""
        if type(event) is not Event:
            return (event,)  # τ and ✓ are never renamed
        return self.mapped(event) or (event,)

    def preimages(self, event: Event) -> tuple[Event, ...]:
        """The events whose images include ``event``, sorted."""
        found = set(self.sources(event))
        if not self.mapped(event):
            found.add(event)
        return tuple(sorted(found, key=sort_key))

    def name_images(self, name: str) -> tuple[str, ...]:
        """:meth:`images` on a printed label (the network compiler's names)."""
        return self.mapped_name(name) or (name,)

    def __str__(self) -> str:
        return ", ".join(self.rules())


@dataclass(frozen=True, slots=True)
class PairRenaming(Renaming):
    """An explicit relation: a set of ``(old, new)`` event pairs.

    Example:
        >>> a, b, c = Event("a"), Event("b"), Event("c")
        >>> r = PairRenaming(frozenset({(a, b), (a, c)}))
        >>> [str(e) for e in r.images(a)], [str(e) for e in r.preimages(c)]
        (['b', 'c'], ['a', 'c'])
    """

    pairs: frozenset[tuple[Event, Event]]
    _tables: list = field(default_factory=list, compare=False, repr=False, hash=False)

    def _table(self, index: int) -> dict:
        """Images (0), sources (1) and images by name (2), built on first use."""
        if not self._tables:
            images: dict[Event, list[Event]] = {}
            sources: dict[Event, list[Event]] = {}
            for old, new in self.pairs:
                images.setdefault(old, []).append(new)
                sources.setdefault(new, []).append(old)
            image = {a: tuple(sorted(bs, key=sort_key)) for a, bs in images.items()}
            self._tables.extend([
                image, {b: tuple(sorted(as_, key=sort_key)) for b, as_ in sources.items()},
                {str(a): tuple(str(b) for b in bs) for a, bs in image.items()}])
        return self._tables[index]

    def parts(self) -> tuple[frozenset, tuple]:
        return self.pairs, ()

    def mapped(self, event: Event) -> tuple[Event, ...]:
        return self._table(0).get(event, ())

    def sources(self, event: Event) -> tuple[Event, ...]:
        return self._table(1).get(event, ())

    def mapped_name(self, name: str) -> tuple[str, ...]:
        return self._table(2).get(name, ())

    def rules(self) -> list[str]:
        return [f"{a} <- {b}" for a, b in sorted(self.pairs, key=sort_key)]


@dataclass(frozen=True, slots=True)
class PrefixRenaming(Renaming):
    """Rules ``(old, new)`` on prefixes: an event ``old.v`` becomes ``new.v``.

    ``old`` and ``new`` are events that may lack fields (``Event("c")`` is the
    whole channel ``c``); the builder makes a rule only where ``new`` takes
    exactly the fields ``old`` leaves, with the same types, so every ``old.v``
    has the image ``new.v`` and every ``new.v`` the source ``old.v``.

    Example:
        >>> r = PrefixRenaming(((Event("c", (1,)), Event("d")),))
        >>> [str(e) for e in r.images(Event("c", (1, 5)))], r.mapped(Event("c", (2, 5)))
        (['d.5'], ())
        >>> [str(e) for e in r.sources(Event("d", (5,)))], r.mapped_name("c.1.5")
        (['c.1.5'], ('d.5',))
    """

    prefixes: tuple[tuple[Event, Event], ...]
    _tables: list = field(default_factory=list, compare=False, repr=False, hash=False)

    def _by_channel(self, index: int) -> dict:
        """Rules by old channel (0), by new channel (1) and name prefixes (2); the
        images (3), sources (4) and name images (5) found so far."""
        if not self._tables:
            olds: dict[str, list[tuple[Event, Event]]] = {}
            news: dict[str, list[tuple[Event, Event]]] = {}
            for old, new in self.prefixes:  # with the sort keys of the targets' fields
                olds.setdefault(old.channel, []).append((old, new, _field_keys(new)))
                news.setdefault(new.channel, []).append((new, old, _field_keys(old)))
            names = [(str(old), str(new)) for old, new in self.prefixes]
            self._tables.extend([olds, news, names, {}, {}, {}])
        return self._tables[index]

    def parts(self) -> tuple[frozenset, tuple]:
        return frozenset(), self.prefixes

    def mapped(self, event: Event) -> tuple[Event, ...]:
        return self._moved_once(event, 0)

    def sources(self, event: Event) -> tuple[Event, ...]:
        return self._moved_once(event, 1)

    def _moved_once(self, event: Event, index: int) -> tuple[Event, ...]:
        """:func:`_moved` by the rules of table ``index`` (0 or 1), once per event:
        a leaf asks again in every state, and an event may have hundreds of sorted
        images (``[[moveoth <- move.q | q <- S]]``)."""
        seen = self._by_channel(index + 3)
        found = seen.get(event)
        if found is None:
            found = seen[event] = _moved(event, self._by_channel(index))
        return found

    def mapped_name(self, name: str) -> tuple[str, ...]:
        seen = self._by_channel(5)  # once per name, as mapped
        if name not in seen:
            found = {new + name[len(old):] for old, new in self._by_channel(2) if
                     name.startswith(old) and (len(name) == len(old) or name[len(old)] == ".")}
            seen[name] = tuple(sorted(found))
        return seen[name]

    def rules(self) -> list[str]:
        return [f"{a} <- {b}" for a, b in self.prefixes]


def _moved(event: Event, rules: dict[str, list[tuple[Event, Event, tuple]]]
           ) -> tuple[Event, ...]:
    """``event`` moved by each rule ``(from, to, keys)`` whose ``from`` is a prefix of
    it, sorted by :func:`sort_key`.

    An image's key is its channel and its fields' keys: the rule's ``keys`` (of
    ``to``'s fields, computed once per rule) and those of the fields ``event`` keeps
    (once per prefix length), so no image's key is computed field by field: a
    relation with hundreds of rules on one channel spent most of a leaf's
    exploration in ``sort_key``.
    """
    found: dict[Event, tuple] = {}
    tails: dict[int, tuple] = {}
    for start, end, keys in rules.get(event.channel, ()):
        cut = len(start.fields)
        if event.fields[:cut] == start.fields:
            tail = tails.get(cut)
            if tail is None:
                tail = tails[cut] = _field_keys(event, cut)
            found[Event(end.channel, end.fields + event.fields[cut:])] = (
                4, end.channel, keys + tail)
    if len(found) > 1:
        return tuple(sorted(found, key=found.__getitem__))
    return tuple(found)


def _field_keys(event: Event, start: int = 0) -> tuple:
    """The sort keys of ``event``'s fields from ``start`` on (as in ``sort_key(event)``).

    Example:
        >>> e = Event("c", (1, 2))
        >>> sort_key(e) == (4, "c", _field_keys(e)) and _field_keys(e, 1) == (sort_key(2),)
        True
    """
    if not start:  # an event keeps its own key once made (Renaming.of sorted the rules)
        return sort_key(event)[2]
    return tuple(sort_key(v) for v in event.fields[start:])


@dataclass(frozen=True, slots=True)
class JoinedRenaming(Renaming):
    """The union of explicit pairs and prefix rules.

    Example:
        >>> a, b = Event("a"), Event("b")
        >>> r = JoinedRenaming(PairRenaming(frozenset({(a, b)})),
        ...                    PrefixRenaming(((Event("a"), Event("c")),)))
        >>> [str(e) for e in r.images(a)]
        ['b', 'c']
    """

    explicit: PairRenaming
    ruled: PrefixRenaming

    def parts(self) -> tuple[frozenset, tuple]:
        return self.explicit.pairs, self.ruled.prefixes

    def mapped(self, event: Event) -> tuple[Event, ...]:
        return _union(self.explicit.mapped(event), self.ruled.mapped(event))

    def sources(self, event: Event) -> tuple[Event, ...]:
        return _union(self.explicit.sources(event), self.ruled.sources(event))

    def mapped_name(self, name: str) -> tuple[str, ...]:
        return tuple(sorted({*self.explicit.mapped_name(name), *self.ruled.mapped_name(name)}))

    def rules(self) -> list[str]:
        return sorted([*self.explicit.rules(), *self.ruled.rules()])


def _union(one: tuple[Event, ...], other: tuple[Event, ...]) -> tuple[Event, ...]:
    if not one or not other:
        return one or other
    return tuple(sorted({*one, *other}, key=sort_key))
