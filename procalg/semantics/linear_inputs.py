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
from procalg.semantics.inputs import pattern_names, registered
from procalg.semantics.kinds import names_in
from procalg.semantics.linear_offers import SharedOffers, grouped
from procalg.semantics.locations import AT_CALL, AT_SKIP, AT_STOP
from procalg.syntax import ast

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env
    from procalg.semantics.locations import Location

Moves = list[tuple[str, int]]
Deferred = list[tuple[str | None, Any]]
"""A state's moves with each input one ``(None, (bindings by label, continuation,
env or None, targets made by label, the input prefix))``: see
:meth:`InputMoves.input_targets`."""


class InputMoves(SharedOffers):
    """Input expansion of a compiled machine: deferred per label (see the module)."""

    moves: list[Moves | None]

    def __init__(self, ev: Any, compiler: Any, all_args: bool = False) -> None:
        super().__init__(ev, compiler, all_args)
        self._offers: dict[int, list[tuple[str, Env]]] = {}  # static inputs' (label, binding)
        self._pending: dict[int, Deferred] = {}  # moves, inputs unmade
        # see successors_where: per static or shared offers, (waiting, its labels not
        # waiting, each label's place among its offers, the offers)
        self._free: dict[int, tuple[Container[str], list[str], dict[str, int], Any]] = {}
        self._input_channels = compiler.input_channels()
        self._unread: dict[int, tuple[ast.PrefixExpr, bool]] = {}  # see _reads_no_binding

    # the machine's own (procalg.semantics.linear.Machine)
    def _moves(self, node: Location, env: Any, defer: bool = False) -> Any:
        raise NotImplementedError

    def _throw(self) -> int:
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
            if self._reads_no_binding(expr, then):  # W = v?x -> W: one target for all
                return self._one_target(shared[0], then, env)
            return [(label, state(then, {**env, **bound}) if bound is not None else throw())
                    for label, bound in shared[0]]
        if self.ev.fallible:
            found = self._fallible_inputs(expr, env)
            if found is not None:
                if defer:
                    return [(None, (grouped(found), then, None, {}, expr))]
                return [(label, state(then, scope) if scope is not None else self._throw())
                        for label, scope in found]
        if parts[3]:
            offers = self._offers.get(id(expr))
            if offers is None:
                offers = self._offers[id(expr)] = [
                    (self._name(event), scope) for event, scope in self._inputs(expr, {})]
            if defer:
                return [(None, (self._by_label(offers), then, env, {}, expr))]
            if self._reads_no_binding(expr, then):
                return self._one_target(offers, then, env)
            return [(label, state(then, {**env, **bound})) for label, bound in offers]
        name = self._name
        if defer:
            return [(None, (grouped([(name(e), scope) for e, scope in
                                      self._inputs(expr, env)]), then, None, {}, expr))]
        return [(name(event), state(then, scope)) for event, scope in self._inputs(expr, env)]

    def _reads_no_binding(self, expr: ast.PrefixExpr, then: Location) -> bool:
        """Whether input ``expr``'s continuation ``then`` is a call, STOP or SKIP that
        reads none of the names the input binds (:func:`~procalg.semantics.kinds.names_in`,
        an over-approximation): then every offer's target is one state, whatever the
        value (a call's key is its arguments' values; other continuations may key a
        state by its whole environment, so they are left to the per-offer path)."""
        found = self._unread.get(id(expr))
        if found is None or found[0] is not expr:  # an id is only an object's while it lives
            bound = set().union(*(pattern_names(f.pattern) for f in expr.fields
                                  if type(f) is ast.InField))
            unread = then.kind in (AT_CALL, AT_STOP, AT_SKIP) and not names_in(expr.then) & bound
            found = self._unread[id(expr)] = (expr, unread)
        return found[1]

    def _one_target(self, offers: list[tuple[str, Env | None]], then: Location,
                    env: Env) -> Moves:
        """Each offer to the one state of ``then`` (:meth:`_reads_no_binding`), made in
        the first offer's binding (as the per-offer path interns it first); a failure's
        offer (bound to None) to THROW. O(offers), one state made, not one a value."""
        first = next((bound for _, bound in offers if bound is not None), None)
        if first is None:
            return [(label, self._throw()) for label, _ in offers]
        target = self._input_state(then, {**env, **first})
        return [(label, target if bound is not None else self._throw())
                for label, bound in offers]


def bindings_of(found: Any) -> list[Any]:
    """A label's bindings from a deferred input's offers (one is kept bare, several as
    a list: :func:`~procalg.semantics.linear_offers.grouped`)."""
    return found if type(found) is list else [found]

