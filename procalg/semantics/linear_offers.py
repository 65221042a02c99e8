"""A compiled machine's input offers, enumerated once and shared by the states that have them.

An input prefix's offers (its events, each with the binding its continuation
is made in) depend on the values its head and fields read, not on the whole
state: ``fetch!i?v`` in ``Loop(i, sum)`` offers the same events for every
``sum``, and ``deposit?x:{y | y <- {1..5}, b + y <= 20}`` the same for every
balance ``b`` that gives the same set. :class:`SharedOffers` (a part of
:class:`procalg.semantics.linear.Machine`, under
:class:`~procalg.semantics.linear_inputs.InputMoves`) enumerates them once
per such values, or per set, and shares the lists among the states: a new
state of a run costs a look-up (and a set's evaluation), not an enumeration
of the input's type and a binding per value.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel c : {0..3}\\nP(b) = c?x:{y | y <- {0..3}, y >= b % 2} -> P(b + x)")
    >>> machine = Machine(model.spec.evaluator, model.process("P(0)"))
    >>> first = machine.deferred(0)[0][1]  # P(0): {0..3}; finds x names no constant
    >>> two, four = machine.start(model.process("P(2)")), machine.start(model.process("P(4)"))
    >>> machine.deferred(two)[0][1][0] is machine.deferred(four)[0][1][0]  # one set: one offers
    True
    >>> sorted(machine.deferred(two)[0][1][0]), machine.deferred(two)[0][1][0]["c.1"]
    (['c.0', 'c.1', 'c.2', 'c.3'], {'x': 1})
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procalg.semantics.input_values import one_input_values
from procalg.semantics.inputs import pattern_names, prefix_offers
from procalg.semantics.kinds import names_in
from procalg.semantics.state_keys import StateKeys
from procalg.syntax import ast
from procalg.terms.saga import fail_event
from procalg.terms.values import Atom

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env
    from procalg.terms import Event


class SharedOffers(StateKeys):
    """Input offers per values read, or per set, shared by states (see the module)."""

    def __init__(self, ev: Any, compiler: Any, all_args: bool = False) -> None:
        super().__init__(ev, compiler, all_args)
        self._can_fail: dict[int, bool] = {}  # per input prefix: its activity may fail
        self._failed: dict[str, str] = {}  # an activity's label -> its failure's label
        self._reads: dict[int, tuple[str, ...]] = {}  # per input prefix: names it reads
        self._shared: dict[tuple[Any, ...], Any] = {}  # see _shared_offers
        self._by_set: dict[int, tuple[Any, Any]] = {}  # see _set_offers
        self._grouped: dict[int, dict[str, Any]] = {}  # static offers by label

    def _name(self, event: Event) -> str:  # the machine's (procalg.semantics.linear.Machine)
        raise NotImplementedError

    def _shared_offers(self, expr: ast.PrefixExpr, env: Env
                       ) -> tuple[list[tuple[str, Env | None]], dict[str, Any]] | None:
        """The offers of input prefix ``expr`` in ``env`` (a fallible activity's with
        each failure, bound to None) and the same grouped by label, each binding holding
        only what the prefix reads and binds (the continuation's state is made in ``env``
        merged with it); None where the values it reads are not plain (see :func:`_key`).

        The offers depend on the values the prefix's head and fields read, not on the
        whole state: ``fetch!i?v`` in ``Loop(i, sum)`` offers the same events for every
        ``sum``. They are enumerated once per such values (a new state of a run costs a
        dict look-up, not an enumeration of the input's type and a scope per value) and
        shared by every state that has them; at most :data:`SHARED_OFFERS` are kept.

        Example:
            >>> from procalg.api.model import loads
            >>> from procalg.semantics.linear import Machine
            >>> model = loads("channel c : {0..1}.{0..2}\\nP(i, s) = c!i?x -> P(i, s + x)\\n"
            ...               "Q = P(0, 0)")
            >>> machine = Machine(model.spec.evaluator, model.process("Q"))
            >>> entry = machine.deferred(0)[0][1]
            >>> after = machine.input_targets(entry, "c.0.2")[0]  # P(0, 2): another state
            >>> after != 0, machine.deferred(after)[0][1][0] is entry[0]
            (True, True)
        """
        reads = self._reads.get(id(expr))
        if reads is None:
            reads = self._reads[id(expr)] = _prefix_reads(expr)
        key = _key(id(expr), reads, env)
        if key is None:
            return None
        found = self._shared.get(key)
        if found is None:
            scope = {n: env[n] for n in reads if n in env}
            found = self._set_offers(expr, scope)  # errors raise here, nothing kept
            if found is None:
                found = self._labelled(self._inputs(expr, scope))
            if len(self._shared) >= SHARED_OFFERS:  # data that keeps changing: start afresh
                self._shared.clear()
            self._shared[key] = found
        return found

    def _set_offers(self, expr: ast.PrefixExpr, scope: Env
                    ) -> tuple[list[tuple[str, Env | None]], dict[str, Any]] | None:
        """The offers of a one-field input ``c?x`` or ``c?x:S`` in ``scope``, shared by
        every state whose channel value and set ``S`` are equal (None: another shape).

        ``deposit?x:{y | y <- {1..5}, b + y <= 20}`` reads the balance ``b``, so
        :meth:`_shared_offers` keys its offers by ``b``: a run's every new balance
        would list them afresh. But they depend on ``b`` only through the set, and a
        binding needs to hold only ``x`` (the continuation's state is made in the
        state's environment merged with it), so the offers are kept per set
        (:func:`~procalg.semantics.input_values.one_input_values`' entry): a new
        state costs the set's evaluation and a look-up. O(offers) on a set's first
        sight.
        """
        if len(expr.fields) != 1:
            return None
        site = one_input_values(self.ev, expr, scope)
        if site is None:
            return None
        name, entry = site
        found = self._by_set.get(id(entry))
        if found is None or found[0] is not entry:  # an id is only an object's while it lives
            if len(self._by_set) >= SHARED_OFFERS:
                self._by_set.clear()
            offers = self._labelled([(event, {name: v}) for v, event in entry[1]])
            found = self._by_set[id(entry)] = (entry, offers)
        return found[1]

    def _labelled(self, offers: list[tuple[Event, Env]]
                  ) -> tuple[list[tuple[str, Env | None]], dict[str, Any]]:
        """Offers ``(event, binding)`` as ``(label, binding)`` (a fallible activity's
        each followed by its failure, bound to None), and the same grouped by label."""
        fallible = self.ev.fallible
        if offers and fallible and offers[0][0].channel in fallible:  # one channel heads
            flat = self._with_failures(offers)  # every event of the prefix
        else:
            name = self._name
            flat = [(name(event), bound) for event, bound in offers]
        return flat, grouped(flat)

    def _fallible_inputs(self, expr: ast.PrefixExpr, env: Env
                         ) -> list[tuple[str, Env | None]] | None:
        """A fallible activity's input offers with each event's failure (scope None:
        ``fail.c.v -> THROW``); None if the input's channel cannot fail."""
        if self._can_fail.get(id(expr)) is False:
            return None
        offers = self._inputs(expr, env)
        if not offers:
            return None
        if not self._can_fail.setdefault(id(expr), offers[0][0].channel in self.ev.fallible):
            return None  # one channel heads every event of the prefix
        return self._with_failures(offers)

    def _with_failures(self, offers: list) -> list[tuple[str, Env | None]]:
        """Each offer's label and scope, then its failure's (``fail.c.v -> THROW``: None)."""
        out: list[tuple[str, Env | None]] = []
        name, failed = self._name, self._failed
        for event, scope in offers:
            label = name(event)
            fail = failed.get(label)
            if fail is None:
                fail = failed[label] = name(fail_event(event))
            out += [(label, scope), (fail, None)]
        return out

    def _by_label(self, offers: list[tuple[str, Env]]) -> dict[str, Any]:
        """A static input's offers by label (made once per input)."""
        found = self._grouped.get(id(offers))
        if found is None:
            found = self._grouped[id(offers)] = grouped(offers)
        return found

    def _inputs(self, expr: ast.PrefixExpr, env: Env) -> list[tuple[Event, Env]]:
        """Every ``(event, scope)`` the input prefix accepts, in the order of
        :func:`~procalg.semantics.inputs.expand_prefix` (the continuation is not evaluated)."""
        return prefix_offers(self.ev, expr, env)



SHARED_OFFERS = 1 << 14
"""Input offers kept per prefix and values read (:meth:`InputMoves._shared_offers`)."""
_PLAIN = frozenset({int, bool, str, Atom})
"""Types of values an offers key holds: equal only to values of their own type once
the type is in the key (``1 == True``; a tuple could hide one, so none is plain)."""


def _prefix_reads(expr: ast.PrefixExpr) -> tuple[str, ...]:
    """The names input prefix ``expr``'s head and fields may read, and those its
    patterns bind (a local of that name decides whether a pattern binds or compares
    with a constant): an over-approximation, as :func:`~procalg.semantics.kinds.names_in`."""
    names = set(names_in((expr.head, expr.fields)))
    for item in expr.fields:
        if type(item) is ast.InField:
            names |= pattern_names(item.pattern)
    return tuple(sorted(names))


def _key(site: int, reads: tuple[str, ...], env: Env) -> tuple[Any, ...] | None:
    """The key of an input's offers in ``env``: the prefix, and each name it reads with
    its value and that value's type (absent: :data:`_NONE`); None if a value is not of
    a :data:`_PLAIN` type (a let's unforced value, a set, a tuple: not shared)."""
    key: list[Any] = [site]
    for name in reads:
        value = env.get(name, _NONE)
        if value is not _NONE:
            kind = type(value)
            if kind not in _PLAIN:
                return None
            key.append(kind)
        key.append(value)
    return tuple(key)


def grouped(offers: list[tuple[str, Any]]) -> dict[str, Any]:
    """Bindings per label (one each, unless two bindings give one event): a label's one
    binding (an environment, or None for a failure) kept as itself, several as a list."""
    out: dict[str, Any] = {}
    for label, bound in offers:
        found = out.get(label, _NONE)
        if found is _NONE:
            out[label] = bound  # one binding: itself, no list (fewer objects kept)
        else:
            out[label] = [*found, bound] if type(found) is list else [found, bound]
    return out



_NONE = object()
