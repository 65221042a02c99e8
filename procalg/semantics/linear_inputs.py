"""A compiled machine's inputs: offers grouped by label, each label's targets made on demand.

An input prefix ``c?x:{0..9999} -> P(x)`` offers one event per value, and
each event's target is a state of its own. Making every target when the
input's state is expanded costs the transitions it could produce; a lazy
product (:mod:`procalg.lts.lazy`) and a run (:mod:`procalg.runtime.compiled_states`)
take only a few of them. So an input is kept *deferred* -- its bindings by
label, its continuation and environment, and the targets made so far -- and
a label's targets are made the first time something asks for that label:
the lazy successor generation of on-the-fly model checking (Holzmann, *The
SPIN Model Checker*, 2003, ch. 8) applied to one state's transitions. A
fallible activity's input is deferred the same way, its ``fail.c.v`` labels
bound to ``None``: their target is THROW (``workflow.prefix``).

:class:`InputMoves` is the part of :class:`procalg.semantics.linear.Machine`
that does this; the machine's :meth:`~InputMoves._moves` gives the rest.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel c : {0..999}\\nP = c?x -> Q(x)\\nQ(n) = c!n -> P")
    >>> machine = Machine(model.spec.evaluator, model.process("P"))
    >>> [(name, type(entry).__name__) for name, entry in machine.deferred(0)]
    [(None, 'tuple')]
    >>> entry = machine.deferred(0)[0][1]
    >>> len(machine.labels(0)), machine.input_targets(entry, "c.7"), machine.num_states
    (1000, [1], 2)
"""

from __future__ import annotations

from collections.abc import Collection, Container
from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError
from procalg.semantics.failing import failed, unfolding
from procalg.semantics.inputs import pattern_names, prefix_offers, registered
from procalg.semantics.kinds import names_in
from procalg.semantics.state_keys import StateKeys
from procalg.syntax import ast
from procalg.terms.saga import fail_event
from procalg.terms.values import Atom

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env
    from procalg.semantics.locations import Location
    from procalg.terms import Event

Moves = list[tuple[str, int]]
Deferred = list[tuple[str | None, Any]]
"""A state's moves with each input one ``(None, (bindings by label, continuation,
env or None, targets made by label, the input prefix))``: see
:meth:`InputMoves.input_targets`."""


class InputMoves(StateKeys):
    """Input expansion of a compiled machine: deferred per label (see the module)."""

    moves: list[Moves | None]

    def __init__(self, ev: Any, compiler: Any, all_args: bool = False) -> None:
        super().__init__(ev, compiler, all_args)
        self._offers: dict[int, list[tuple[str, Env]]] = {}  # static inputs' (label, binding)
        self._pending: dict[int, Deferred] = {}  # moves, inputs unmade
        self._grouped: dict[int, dict[str, Any]] = {}  # static offers by label
        # see successors_where: per static or shared offers, (waiting, its labels not
        # waiting, each label's place among its offers, the offers)
        self._free: dict[int, tuple[Container[str], list[str], dict[str, int], Any]] = {}
        self._input_channels = compiler.input_channels()
        self._can_fail: dict[int, bool] = {}  # per input prefix: its activity may fail
        self._failed: dict[str, str] = {}  # an activity's label -> its failure's label
        self._reads: dict[int, tuple[str, ...]] = {}  # per input prefix: names it reads
        self._shared: dict[tuple[Any, ...], Any] = {}  # see _shared_offers

    # the machine's own (procalg.semantics.linear.Machine)
    def _moves(self, node: Location, env: Any, defer: bool = False) -> Any:
        raise NotImplementedError

    def _throw(self) -> int:
        raise NotImplementedError

    def _name(self, event: Event) -> str:
        raise NotImplementedError

    def deferred(self, state: int, keep: bool = True) -> Deferred:
        """The moves of ``state`` with its inputs deferred (all made if
        :meth:`~procalg.semantics.linear.Machine.successors` ran already); ``keep``
        False forgets them once returned (a caller that keeps them itself: fewer
        objects for the collector to walk; asking again makes them again, same ids)."""
        found = self.moves[state]
        if found is not None:
            return found  # type: ignore[return-value]
        pending = self._pending.pop(state, None) if not keep else self._pending.get(state)
        if pending is None:
            node, env = self.where[state]
            pending = self._moves(node, env, True)
            if keep:
                self._pending[state] = pending
        return pending

    def labels(self, state: int) -> list[str]:
        """The labels of ``state``'s moves, in their order, no input target made."""
        out: list[str] = []
        for name, target in self.deferred(state):
            if name is not None:
                out.append(name)
            else:
                out += target[0]
        return out

    def input_targets(self, entry: tuple[Any, ...], name: str) -> list[int]:
        """The targets of a deferred input ``entry`` (of :meth:`deferred`) under label
        ``name``, made on the first call for it."""
        offers, then, env, made, _ = entry
        targets = made.get(name)
        if targets is None:
            targets = made[name] = [self._input_target(then, env, bound)
                                    for bound in bindings_of(offers[name])]
        return targets

    def first_channels(self, entry: tuple[Any, ...], name: str) -> frozenset[str] | None:
        """The channels every target of deferred input ``entry`` under label ``name`` may
        start with (None: unknown), from the continuation's heads alone: no target made
        (the input site's :attr:`~procalg.terms.input.InputSite.firsts`)."""
        offers, _, env, _, expr = entry
        firsts = registered(self.ev, expr)[0].firsts
        if firsts is None:
            return None
        fixed = getattr(firsts, "fixed", None)
        if fixed:  # the heads read no local name: the same answer in every state, no merge
            return fixed[0]
        found = offers[name]
        if type(found) is not list:  # one binding: the common case, no intersection
            return firsts(found if found is None or env is None else {**env, **found})
        known = [firsts(bound if bound is None or env is None else {**env, **bound})
                 for bound in bindings_of(offers[name])]
        known = [c for c in known if c is not None]
        return frozenset.intersection(*known) if known else None

    def _input_target(self, then: Location, env: Env | None, bound: Env | None) -> int:
        if bound is None:  # a fallible activity's failure: fail.c.v -> THROW
            return self._throw()
        return self._input_state(then, {**env, **bound} if env is not None else bound)

    def _input_state(self, then: Location, env: Env) -> int:
        """The state of an input's continuation ``then`` in ``env``; a model error making
        it (``d!(x + 1)`` past ``d``'s type) is that state's: a failed one, raising the
        error when expanded (:mod:`procalg.semantics.failing`), as the term rules say."""
        try:
            return self._state(then, env)
        except ModelError as err:
            return self._failed_state(err)

    def _prefix_target(self, then: Location, env: Env) -> int:
        """The state of a prefix's continuation ``then``: a model error unfolding a call in
        it is the target's (the term rules unfold its calls when the prefix fires: a failed
        state, :func:`~procalg.semantics.failing.unfolding`); an error in what the body
        writes out (an event, a call's arguments) is the source's (its term holds them)."""
        try:
            return self._state(then, env)
        except ModelError as err:
            if not unfolding(err):
                raise
            return self._failed_state(err)

    def _failed_state(self, err: ModelError) -> int:
        """The failed state of ``err`` (a passing error raises on: :func:`failed`)."""
        state = failed(err)
        if state is None:
            raise err
        return self._tagged("failed", state)  # type: ignore[attr-defined]  # the machine's

    def waits(self, label: str) -> bool:
        """Whether moves labelled ``label`` may come from an input: the labels
        worth making one by one, as a partner offers them (:meth:`successors_where`)."""
        channels = self._input_channels
        return channels is None or label.split(".", 1)[0] in channels

    def successors_where(self, state: int, waiting: Container[str],
                         asked: Collection[str]) -> Moves:
        """The moves of ``state`` but those labelled in ``waiting`` and not ``asked``.

        An input's targets are made only for its labels kept, each at most
        once per state, and the work is in the labels kept, not in all the
        input offers: a partner offering one value of 38 costs one target
        (the lazy product asks this way). The moves kept come in the order
        :meth:`~procalg.semantics.linear.Machine.successors` gives them, so their
        targets are numbered alike whatever the order of ``asked``.

        Example:
            >>> from procalg.api.model import loads
            >>> from procalg.semantics.linear import Machine
            >>> model = loads("channel c : {0..99}\\nP = c?x -> Q(x)\\nQ(n) = c!n -> P")
            >>> machine = Machine(model.spec.evaluator, model.process("P"))
            >>> every = {f"c.{v}" for v in range(100)}
            >>> machine.successors_where(0, every, {"c.7"}), machine.num_states
            ([('c.7', 1)], 2)
        """
        out: Moves = []
        for label, target in self.deferred(state):
            if label is not None:
                if label not in waiting or label in asked:
                    out.append((label, target))
                continue
            offers, env = target[0], target[2]
            if env is not None:  # static or shared offers: free labels kept per waiting set
                cached = self._free.get(id(offers))  # shared offers may be freed: an id
                if cached is None or cached[0] is not waiting or cached[3] is not offers:
                    cached = self._free[id(offers)] = (  # is only an object's while it lives
                        waiting, [n for n in offers if n not in waiting], {}, offers)
                picks = cached[1]
                more = [n for n in asked if n in offers and n in waiting]
                if more:  # in the offers' order, as successors lists them (one numbering)
                    if not cached[2]:
                        cached[2].update((n, i) for i, n in enumerate(offers))
                    picks = sorted(picks + more, key=cached[2].__getitem__)
            else:
                picks = [n for n in offers if n not in waiting or n in asked]
            for name in picks:
                out += [(name, t) for t in self.input_targets(target, name)]
        return out

    def _input_moves(self, parts: tuple[Any, ...], env: Env, defer: bool) -> Deferred:
        """The moves of input location ``parts`` (prefix, _, continuation, static) in
        ``env``; with ``defer``, one deferred entry (:data:`Deferred`)."""
        expr, then, state = parts[0], parts[2], self._input_state
        shared = self._shared_offers(expr, env)
        if shared is not None:  # the offers of every state whose prefix reads these values
            if defer:
                return [(None, (shared[1], then, env, {}, expr))]
            throw = self._throw
            return [(label, state(then, {**env, **bound}) if bound is not None else throw())
                    for label, bound in shared[0]]
        if self.ev.fallible:
            found = self._fallible_inputs(expr, env)
            if found is not None:
                if defer:
                    return [(None, (_grouped(found), then, None, {}, expr))]
                return [(label, state(then, scope) if scope is not None else self._throw())
                        for label, scope in found]
        if parts[3]:
            offers = self._offers.get(id(expr))
            if offers is None:
                offers = self._offers[id(expr)] = [
                    (self._name(event), scope) for event, scope in self._inputs(expr, {})]
            if defer:
                return [(None, (self._by_label(offers), then, env, {}, expr))]
            return [(label, state(then, {**env, **bound})) for label, bound in offers]
        name = self._name
        if defer:
            return [(None, (_grouped([(name(e), scope) for e, scope in
                                      self._inputs(expr, env)]), then, None, {}, expr))]
        return [(name(event), state(then, scope)) for event, scope in self._inputs(expr, env)]

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
            offers = self._inputs(expr, scope)  # errors raise here, nothing kept
            fallible = self.ev.fallible
            if offers and fallible and offers[0][0].channel in fallible:  # one channel heads
                flat = self._with_failures(offers)  # every event of the prefix
            else:
                name = self._name
                flat = [(name(event), bound) for event, bound in offers]
            if len(self._shared) >= SHARED_OFFERS:  # data that keeps changing: start afresh
                self._shared.clear()
            found = self._shared[key] = (flat, _grouped(flat))
        return found

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
            found = self._grouped[id(offers)] = _grouped(offers)
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


def _grouped(offers: list[tuple[str, Any]]) -> dict[str, Any]:
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


def bindings_of(found: Any) -> list[Any]:
    """A label's bindings from a deferred input's offers (one is kept bare, several as
    a list: :func:`_grouped`)."""
    return found if type(found) is list else [found]


_NONE = object()
