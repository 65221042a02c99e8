"""Lazy sequences: FDR's ``<n..>`` and the comprehensions drawn from one.

CSPM is lazy, so ``head(<x | x <- <0..>, x % 2 == 1>)`` is ``1`` although the
sequence never ends. A :class:`LazySeq` computes its items only as far as
they are asked for (``head``, ``tail``, ``null``, a pattern ``<x>^s`` or
``<>``, a generator ``x <- s``) and keeps those it computed. Anything that
needs the whole sequence (``length``, ``==``, ``set``, printing) lists
it with :func:`listed`, which stops with an error instead of running for
ever: at once for a sequence known to be endless (``<n..>``, a comprehension
drawing from one, a join with one), else after :data:`MAX_ITEMS` items.

``^`` is Haskell's ``++`` in libcspm: lazy in its right operand, and in its
left one as far as it is lazy. ``f(x) = <x> ^ f(x)`` is an infinite sequence
there, of which a caller may use a prefix. procalg joins eagerly (the fast
common case) until joins nest :data:`LAZY_DEPTH` deep in their right
operands; deeper, a join keeps its right operand unevaluated (a
:class:`Delayed`) and its result is a lazy sequence (:func:`joined`). The
outermost join lists such a result again when it has at most
:data:`SETTLE_ITEMS` items (:func:`settled`), so a long finite sequence
stays an ordinary one.

A comprehension becomes lazy when a generator of it draws from a lazy
sequence (:func:`comprehension`); any other comprehension stays an ordinary
:class:`~procalg.terms.Sequence`.

Example:
    >>> import itertools
    >>> evens = LazySeq(x for x in itertools.count(0) if x % 2 == 0)
    >>> evens.item(2), evens.rest(1).item(0), evens.is_empty()
    (4, 2, False)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from procalg.errors import ModelError
from procalg.source import Span
from procalg.terms import Sequence

MAX_ITEMS = 200_000
"""How many items :func:`listed` computes before it calls a sequence infinite."""


class _Source:
    """The shared, growing list of computed items of one lazy sequence.

    ``endless`` says the items never end (or never stop being searched for):
    ``<n..>``, or a comprehension with a generator drawing from such a source.
    """

    __slots__ = ("done", "endless", "items", "rest")

    def __init__(self, items: Iterator[Any], endless: bool = False) -> None:
        self.rest, self.items, self.done = items, [], False
        self.endless = endless or type(items) is itertools.count

    def has(self, index: int) -> bool:
        while len(self.items) <= index and not self.done:
            try:
                self.items.append(next(self.rest))
            except StopIteration:
                self.done = True
        return index < len(self.items)


class LazySeq:
    """A sequence whose items are computed on demand (see the module docstring).

    ``rest(k)`` shares the computed items: ``tail`` of a lazy sequence costs
    O(1), and the items are computed once however many tails read them.
    """

    __slots__ = ("offset", "source")

    def __init__(self, items: Iterator[Any], *, endless: bool = False,
                 _source: _Source | None = None, _offset: int = 0) -> None:
        self.source = _source if _source is not None else _Source(items, endless)
        self.offset = _offset

    def endless(self) -> bool:
        """Whether the sequence is known never to end (listing it cannot finish).

        A join is endless when one of its pending parts is; other sequences
        may still be endless without being known to be (``f(x) = <x> ^ f(x)``).
        """
        source = self.source
        if source.endless:
            return True
        return type(source) is _Joined and any(
            type(part) is LazySeq and part.endless() for part in source.parts)

    def has(self, index: int) -> bool:
        """Whether the sequence has an item at ``index``."""
        return self.source.has(self.offset + index)

    def item(self, index: int) -> Any:
        """The item at ``index`` (which must exist: ask :meth:`has` first)."""
        self.source.has(self.offset + index)
        return self.source.items[self.offset + index]

    def is_empty(self) -> bool:
        """Whether the sequence has no item."""
        return not self.has(0)

    def rest(self, count: int) -> LazySeq:
        """The sequence without its first ``count`` items."""
        return LazySeq(iter(()), _source=self.source, _offset=self.offset + count)

    def __iter__(self) -> Iterator[Any]:
        index = 0
        while self.has(index):
            yield self.item(index)
            index += 1

    def __repr__(self) -> str:
        shown = [repr(self.item(i)) for i in range(3) if self.has(i)]
        more = ", ..." if self.has(3) else ""
        return f"<{', '.join(shown)}{more}>"


def listed(value: Any, span: Span | None) -> Any:
    """``value`` with a lazy sequence listed as an ordinary ``Sequence``.

    The error comes at once for a sequence known to be endless; for another
    one, after :data:`MAX_ITEMS` items are computed.

    Raises:
        ModelError: the sequence is endless, or has more than
            :data:`MAX_ITEMS` items (it is most likely infinite, as
            ``f(x) = <x> ^ f(x)``).

    Example:
        >>> listed(LazySeq(iter([1, 2])), None)
        Sequence(items=(1, 2))
    """
    if type(value) is not LazySeq:
        return value
    if value.endless() or value.has(MAX_ITEMS):
        raise ModelError(f"the sequence {value!r} is infinite (or longer than {MAX_ITEMS:,} "
                         "items): it cannot be listed", span,
                         hint="use head, tail, null or a pattern <x>^s on it: they look "
                              "only as far as they need")
    return Sequence(tuple(value))


LAZY_DEPTH = 1_000
"""Joins nested this deep in their right operands keep that operand unevaluated."""

SETTLE_ITEMS = 20_000
"""A lazily joined sequence with at most this many items is listed by the outermost join."""


class Delayed:
    """An operand not evaluated yet: ``code(env)`` runs once, on first :meth:`force`."""

    __slots__ = ("code", "env", "value")

    def __init__(self, code: Any, env: dict) -> None:
        self.code, self.env, self.value = code, env, _UNSET

    def force(self) -> Any:
        """The operand's value (computed on the first call only)."""
        if self.value is _UNSET:
            self.value = self.code(self.env)
            self.env = None
        return self.value


_UNSET = object()


class _Joined(_Source):
    """The items of ``part ^ part ^ ...``, computed part by part as asked for.

    ``parts`` is a stack (the next part last): sequences, lazy sequences,
    :class:`Delayed` operands and iterators. A lazy part that is itself a join
    is flattened into this one (its computed items copied, its pending parts
    pushed), so a chain of joins is walked in a loop, never by recursion, and
    a sequence that joins itself (``s = <0> ^ s``) grows by doubling.
    """

    __slots__ = ("parts", "span")

    def __init__(self, parts: list[Any], span: Span | None) -> None:
        super().__init__(iter(()))
        self.done, self.parts, self.span = True, parts, span

    def has(self, index: int) -> bool:
        items, parts = self.items, self.parts
        while len(items) <= index and parts:
            part = parts[-1]
            if type(part) is Delayed:
                part = part.force()  # may raise: the part stays, for a caller that retries
            parts.pop()
            if type(part) is Sequence:
                items.extend(part.items)
            elif type(part) is LazySeq and type(part.source) is _Joined:
                source = part.source
                items.extend(source.items[part.offset:])
                if source is self:  # s = <0> ^ s: the rest is s again
                    parts.append(part)
                else:
                    parts.extend(source.parts)
            elif type(part) is LazySeq:
                parts.append(iter(part))
            elif hasattr(part, "__next__"):
                for item in part:  # one item, then back to the loop's test
                    items.append(item)
                    parts.append(part)
                    break
            else:
                raise ModelError(f"'^' joins sequences, not {part!r}", self.span)
        return index < len(items)


def joined(left: Any, right: Any, span: Span | None) -> LazySeq:
    """``left ^ right`` as a lazy sequence: ``right`` may be :class:`Delayed`.

    Example:
        >>> ones = joined(Sequence((1,)), Delayed(lambda env: ones, {}), None)
        >>> [ones.item(i) for i in range(3)], ones.has(10 ** 4)
        ([1, 1, 1], True)
    """
    if type(left) not in (Sequence, LazySeq):
        raise ModelError(f"'^' joins sequences, not {left!r}", span)
    return LazySeq(iter(()), _source=_Joined([right, left], span))


def settled(value: LazySeq, span: Span | None) -> Sequence | LazySeq:
    """``value`` listed if it has at most :data:`SETTLE_ITEMS` items, else itself.

    Example:
        >>> settled(joined(Sequence((1,)), Sequence((2,)), None), None)
        Sequence(items=(1, 2))
    """
    if value.endless() or value.has(SETTLE_ITEMS):
        return value
    return Sequence(tuple(value))


LAZY = object()
"""What ``patterns.bindings(..., lazy=True)`` yields first when a generator draws
from a lazy sequence: the comprehension must then stay lazy."""

ENDLESS = object()
"""What ``patterns.bindings(..., lazy=True)`` yields instead of :data:`LAZY` when
the sequence drawn from is endless: the comprehension is endless too (no
condition of a comprehension stops its generator: ``length(<x | x <- <0..>,
x < 3>)`` never ends in FDR either)."""


def comprehension(items: Iterator[Any]) -> Sequence | LazySeq:
    """The sequence of ``items``: lazy if they include :data:`LAZY` (a generator
    drew from a lazy sequence), endless if the first such mark is
    :data:`ENDLESS`, else listed at once.

    Example:
        >>> comprehension(iter([1, 2]))
        Sequence(items=(1, 2))
        >>> comprehension(iter([1, LAZY, 2])).item(1)
        2
        >>> comprehension(iter([ENDLESS, 2])).endless()
        True
    """
    taken = []
    for item in items:
        if item is LAZY or item is ENDLESS:
            return LazySeq(_joined(taken, items), endless=item is ENDLESS)
        taken.append(item)
    return Sequence(tuple(taken))


def _joined(first: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from first
    for item in rest:
        if item is not LAZY and item is not ENDLESS:
            yield item
