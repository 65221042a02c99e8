"""An input prefix ``c?x -> P(x)`` as one term, expanded only when it fires.

Evaluating an input eagerly, as the external choice of one prefix per value
(``c.0 -> P(0) [] c.1 -> P(1) [] ...``), costs the size of the channel's
type to build, hash and compare a state, even when the process never gets
there: ``channel c : {0..9999}`` made ``c?x -> STOP`` a 10 000-branch term.
An :class:`Input` is instead the prefix's *site* (one per input prefix of the
model, compared by identity: it knows how to print and expand the prefix)
and the values of the local variables the prefix mentions. Its identity
costs those values only; its moves are computed on firing, one per value the
input accepts, and memoised in the site (the SOS case in
``procalg.semantics.sos`` asks :meth:`Input.moves`).

Example:
    >>> from procalg.terms.process import STOP
    >>> from procalg.terms.values import Event
    >>> site = InputSite(lambda env: tuple((Event("c", (v,)), STOP) for v in range(3)),
    ...                  lambda env: "c?x -> STOP")
    >>> term = Input(site, ())
    >>> print(term)
    c?x -> STOP
    >>> [str(e) for e, _ in term.moves()]
    ['c.0', 'c.1', 'c.2']
    >>> term == Input(site, ()), len(site.memo)
    (True, 1)

A site may also offer its events without their continuations (``offer``) and
evaluate one continuation at a time (``follow``): the engine, which takes one
event per step, then builds one continuation instead of one per value.

A site may also say whether every event it may offer lies in a set
(``within``) and give its moves for given events only (``towards``): the
parallel rule then asks an input whose events are all synchronised only for
the events its partner offers (``procalg.semantics.partners``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from procalg.terms.process import Process, term_class

Captured = tuple[tuple[str, Any], ...]
"""The prefix's free local variables with their values, sorted by name."""

Moves = tuple[tuple[Any, Process], ...]
"""``(event, continuation)`` pairs; continuations are not normalised."""

Offers = tuple[tuple[Any, ...], tuple[Any, ...]]
"""The events in the order of :data:`Moves`, and the binding of each: a binding gives
one continuation to ``follow`` (None: the move to ``THROW`` of a fallible activity)."""


class InputSite:
    """One input prefix of a model: how to expand and print it (compared by identity).

    Not a data record but the prefix's code with a memo of its expansions:
    every :class:`Input` of the same site and the same captured values has the
    same moves, so they are computed once per model.

    Args:
        expand: the moves for given captured values (evaluates the
            continuation once per value).
        describe: the prefix as ``.proc`` text for given captured values.
        key: names the site in its model's text (its source span), so a
            saved state can find it again in another load of the model
            (``procalg.runtime.snapshot``); ``""``: not nameable.
        offer: the events for given captured values, and the binding of each
            that ``follow`` evaluates its continuation from (None: the site
            cannot offer without expanding).
        follow: one continuation from a binding ``offer`` gave.
        firsts: the channels the continuation of a binding may start with
            (None: not known without evaluating it).
        within: whether every event the input may offer, for given captured
            values, is in a given set (None: not known).
        towards: the moves, for given captured values, whose events are in a
            given set, in expansion order (None: the site cannot select).
        width: how many events the input offers for given captured values, at
            most (None: not known without expanding it).
    """

    __slots__ = ("describe", "expand", "firsts", "follow", "key", "memo", "offer", "seen",
                 "selected", "towards", "width", "within", "withins")

    def __init__(self, expand: Callable[[Captured], Moves],
                 describe: Callable[[Captured], str], key: str = "",
                 offer: Callable[[Captured], Offers] | None = None,
                 follow: Callable[[Any], Process] | None = None,
                 firsts: Callable[[Any], frozenset[str] | None] | None = None,
                 within: Callable[[Captured, frozenset], bool] | None = None,
                 towards: Callable[[Captured, frozenset], Moves] | None = None,
                 width: Callable[[Captured], int | None] | None = None) -> None:
        self.expand = expand
        self.describe = describe
        self.key = key
        self.offer = offer
        self.follow = follow
        self.firsts = firsts
        self.memo: dict[Captured, Moves] = {}
        self.seen: dict[Captured, list[Process]] = {}  # continuations followed one at a time
        self.within = within
        self.towards = towards
        self.width = width
        self.withins: dict[tuple[Captured, frozenset], bool] = {}
        self.selected: dict[tuple[Captured, frozenset], Moves] = {}

    def moves(self, captured: Captured) -> Moves:
        """The memoised expansion for ``captured``."""
        found = self.memo.get(captured)
        if found is None:
            found = self.memo[captured] = tuple(self.expand(captured))
        return found

    def is_within(self, captured: Captured, events: frozenset) -> bool:
        """Whether every event the input may offer for ``captured`` is in ``events``
        (memoised: a parallel asks once per state of the input and synchronised set)."""
        if self.within is None or self.towards is None:
            return False
        key = (captured, events)
        found = self.withins.get(key)
        if found is None:
            found = self.withins[key] = self.within(captured, events)
        return found

    def moves_towards(self, captured: Captured, events: frozenset) -> Moves:
        """The moves whose events are in ``events`` (memoised; needs ``towards``).

        Costs the moves produced, not the input's width: ``c?x`` over 100,000
        values asked for one event evaluates one continuation.
        """
        key = (captured, events)
        found = self.selected.get(key)
        if found is None:
            whole = self.memo.get(captured)
            found = self.selected[key] = (
                tuple(self.towards(captured, events)) if whole is None  # type: ignore[misc]
                else tuple(move for move in whole if move[0] in events))
        return found

    def followed(self, captured: Captured, binding: Any) -> Process:
        """The continuation of one offered binding, remembered for :meth:`continuations`."""
        then = self.follow(binding)  # type: ignore[misc]
        found = self.seen.setdefault(captured, [])
        if then not in found:
            found.append(then)
        return then

    def continuations(self, captured: Captured) -> list[Process]:
        """The continuations computed so far for ``captured`` (all of them once expanded)."""
        found = self.memo.get(captured)
        if found is not None:
            return [then for _, then in found]
        return list(self.seen.get(captured, ()))


@term_class
class Input(Process):
    """``c?x -> P(x)`` at one site with its captured local values (moves on demand)."""

    site: InputSite
    captured: Captured = ()
    precedence: ClassVar[int] = 2

    def moves(self) -> Moves:
        """The prefix rule once per accepted value: ``(c.v, P(v))`` pairs, in value order."""
        return self.site.moves(self.captured)

    def width(self) -> int | None:
        """At most how many events the input offers (None: not known without expanding)."""
        found = self.site.memo.get(self.captured)
        if found is not None:
            return len(found)
        return None if self.site.width is None else self.site.width(self.captured)

    def is_wide(self) -> bool:
        """Whether the input can select its moves by event and has not been expanded whole."""
        return self.site.towards is not None and self.captured not in self.site.memo

    def show(self) -> str:
        return self.site.describe(self.captured)
