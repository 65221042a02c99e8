"""Sequential processes compiled once into state machines (control locations × data).

A leaf of a network (one sequential component such as ``Sender(b)`` or
``Queue(s)``) is explored by the term rules (:mod:`procalg.semantics.sos`) at
the cost of a term per state: every target is normalised, so each call
reached is unfolded -- its whole body evaluated, guards, ``if`` and input
sites included -- even when the product search never expands it (the ABP's
data medium reached 19 000 states and expanded 1 600). A :class:`Machine`
instead compiles the definitions reachable from the leaf's call once, per
syntax node, into *control locations* (prefix, input, choice, ``STOP``,
``SKIP``, call), and a state is a location with the values of its data: a
call ``P(e1, ..)`` reached is the key ``(P, args)``, nothing of its body is
evaluated until the search expands it. This is the shape of mCRL2's linear
process and of FDR's compiled "low-level" machines (Gibson-Robinson et al.,
"FDR3", TACAS 2014); expressions run as the evaluator's closures
(:mod:`procalg.semantics.closures`) over the location's variables.

States are interned to small ints and each state's moves are computed once,
as ``(label name, target id)`` pairs: a :class:`Machine` is a
:class:`~procalg.lts.TransitionSystem` for :func:`~procalg.lts.explore` or a
:class:`~procalg.lts.lazy.LazyComponent`. Inputs cost the transitions they
produce (``c?x:{0..9999}`` is enumerated when its state is expanded, once).

State identity follows the terms where it is cheap to: guards and ``if``
are resolved, and a prefix ``e -> Q`` is the key ``(e, key of Q)``, so the
two ways of ABP's receiver to ``ack.b -> Receiver(1-b)`` meet, as the term
rules' equal terms do. A call is identified by its name and arguments, not
by its unfolded body: two calls whose bodies are equal terms (``P(n) = a ->
STOP`` at each ``n``) stay apart here -- strongly bisimilar states, and
whole leaves are reduced modulo bisimulation anyway.

The fragment: ``STOP``, ``SKIP``, prefixes with outputs and inputs (any
patterns and restrictions), guards, ``if``, external choice of processes
that start visibly, internal choice (both binary and replicated), and calls
of top-level definitions (several clauses with patterns included). Anything
else (``;``, parallel inside the recursion, ``let``, process-valued
parameters, sagas, ``throw``, fallible activities) raises
:class:`Unsupported`, whose reason the network's notes show, and that leaf
keeps the term rules.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.lts import explore
    >>> model = loads('''channel c : {0..9}
    ... P(n) = n < 3 & c!n -> P(n + 1) [] c?x:{7} -> P(x)''')
    >>> machine = Machine(model.spec.evaluator, model.process("P(0)"))
    >>> lts = explore(machine)
    >>> lts.num_states, sorted(set(lts.labels) - {"τ", "✓"})
    (5, ['c.0', 'c.1', 'c.2', 'c.7'])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError
from procalg.lts import TAU, TICK
from procalg.semantics.growth import watch
from procalg.semantics.inputs import prefix_offers
from procalg.semantics.locations import (
    AT_CALL,
    AT_EXTERNAL,
    AT_GUARD,
    AT_IF,
    AT_INPUT,
    AT_INTERNAL,
    AT_PREFIX,
    AT_REPLICATED_EXTERNAL,
    AT_REPLICATED_INTERNAL,
    AT_SKIP,
    AT_STOP,
    AT_SUFFIX,
    Compiler,
    Location,
    Unsupported,
)
from procalg.semantics.patterns import match_all
from procalg.semantics.unfold import MAX_UNFOLD_DEPTH, UnguardedRecursion
from procalg.semantics.values import expect_bool
from procalg.syntax import ast
from procalg.terms import Call, Event

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator

_STOP_KEY, _SKIP_KEY, _OMEGA_KEY = ("STOP",), ("SKIP",), ("Ω",)
Moves = list[tuple[str, int]]


class Machine:
    """One sequential process compiled into a state machine over int states.

    Args:
        ev: the model's evaluator (definitions, types, closures).
        start: the call the machine starts in (``Call(name, args)``).

    Raises:
        Unsupported: a definition reachable from ``start`` is outside the
            compiled fragment (nothing is explored then).
    """

    def __init__(self, ev: Evaluator, start: Call) -> None:
        self.ev = ev
        self.compiler = Compiler(ev)
        self.compiler.definition(start.name)  # compiles everything reachable, or raises
        self.compiler.check_guarded()
        self.compiler.check_choices()
        if not start.args and ev.functions[start.name].arity is not None:
            raise Unsupported(f"{start.name} needs arguments")
        self.keys: list[Any] = []
        self.where: list[tuple[Location, Any]] = []  # per state: its node and environment
        self.ids: dict[Any, int] = {}
        self.moves: list[Moves | None] = []
        self.names: dict[Event, str] = {}
        self._offers: dict[int, list[tuple[str, Env]]] = {}  # static inputs' (label, binding)
        self._pending: dict[int, list[tuple[str, Any]]] = {}  # moves, targets unmade
        self.unfoldings = 0
        self._input_channels = self.compiler.input_channels()
        self._intern(self._call_key(start.name, start.args), (_CALL_START, start))

    def initial_state(self) -> int:
        """The start call is state 0."""
        return 0

    def successors(self, state: int) -> Moves:
        """``(label name, target state)`` pairs of ``state``, computed once."""
        found = self.moves[state]
        if found is None:
            node, env = self.where[state]
            found = self.moves[state] = self._moves(node, env)
            self._pending.pop(state, None)
        return found

    def waits(self, label: str) -> bool:
        """Whether moves labelled ``label`` may come from an input: the labels
        worth making one by one, as a partner offers them (:meth:`successors_where`)."""
        channels = self._input_channels
        return channels is None or label.split(".", 1)[0] in channels

    def successors_where(self, state: int, keep: Callable[[str], bool]) -> Moves:
        """The moves of ``state`` whose label ``keep`` accepts.

        An input's targets are made only for the labels kept (each at most
        once per state): a partner that offers one value of 38 costs one
        target, not 38 (the lazy product asks this way). The labels are
        listed once per state.

        Example:
            >>> from procalg.api.model import loads
            >>> model = loads("channel c : {0..99}\\nP = c?x -> Q(x)\\nQ(n) = c!n -> P")
            >>> machine = Machine(model.spec.evaluator, model.process("P"))
            >>> machine.successors_where(0, lambda label: label == "c.7")
            [('c.7', 1)]
            >>> machine.num_states
            2
        """
        found = self.moves[state]
        if found is not None:
            return [move for move in found if keep(move[0])]
        pending = self._pending.get(state)
        if pending is None:
            node, env = self.where[state]
            pending = self._pending[state] = self._moves(node, env, True)
        out = []
        for i, (label, target) in enumerate(pending):
            if keep(label):
                if type(target) is tuple:  # an input's (continuation, environment, binding)
                    then, env, bound = target
                    target = self._state(then, {**env, **bound} if bound else env)
                    pending[i] = (label, target)
                out.append((label, target))
        return out

    @property
    def num_states(self) -> int:
        """States numbered so far (expanded or only reached)."""
        return len(self.keys)

    # ------------------------------------------------------------- identity

    def _intern(self, key: Any, where: tuple[Location, Any]) -> int:
        n = self.ids.get(key)
        if n is None:
            n = self.ids[key] = len(self.keys)
            self.keys.append(key)
            self.where.append(where)
            self.moves.append(None)
        return n

    def _state(self, node: Location, env: Env) -> int:
        """The state of ``node`` in ``env`` (numbered on first sight, not expanded)."""
        key = self._key(node, env)
        n = self.ids.get(key)
        return n if n is not None else self._intern(key, (node, env))

    def _key(self, node: Location, env: Env) -> Any:
        """What identifies the state: guards and ``if`` resolved, a call by its
        name and arguments, a prefix by its event and continuation's key."""
        while True:
            kind, parts = node.kind, node.parts
            if kind == AT_CALL:
                return self._call_key(parts[0], tuple([a(env) for a in parts[1]]))
            if kind == AT_PREFIX:
                return ("→", parts[0](env), self._key(parts[1], env))
            if kind == AT_INPUT:
                return (id(parts[0]), tuple([(n, env[n]) for n in parts[1] if n in env]))
            if kind in (AT_GUARD, AT_IF):
                node = self._branch(node, env)
                if node is None:
                    return _STOP_KEY
                continue
            if kind in (AT_EXTERNAL, AT_INTERNAL):
                return (kind, self._key(parts[0], env), self._key(parts[1], env))
            if kind == AT_REPLICATED_EXTERNAL:
                keys = tuple([self._key(parts[1], scope) for scope in self._scopes(node, env)])
                return (kind, keys) if keys else _STOP_KEY
            if kind == AT_REPLICATED_INTERNAL:
                return self._suffix_key(node, self._scopes(node, env))
            return _STOP_KEY if kind == AT_STOP else _SKIP_KEY

    def _call_key(self, name: str, args: tuple) -> Any:
        """A call's key: the last call of the chain its body starts with (``Start(0)
        = if .. then Cycler(0) ..`` is ``Cycler(0)``, as the unfolded terms are equal),
        ``STOP`` or ``SKIP`` if it ends there; bodies that start with an event or
        a choice are not evaluated."""
        transparent, live = self.compiler.transparent, self.compiler.live
        for _ in range(MAX_UNFOLD_DEPTH):
            if not transparent(name):
                used = live[name]
                return ("call", name, args if used is None else tuple([args[i] for i in used]))
            node, env = self._unfold(name, args)
            while node.kind == AT_GUARD or node.kind == AT_IF:
                branch = self._branch(node, env)
                if branch is None:
                    return _STOP_KEY
                node = branch
            if node.kind != AT_CALL:
                kind = node.kind
                used = live[name]
                return _STOP_KEY if kind == AT_STOP else _SKIP_KEY if kind == AT_SKIP \
                    else ("call", name, args if used is None else tuple([args[i] for i in used]))
            name, args = node.parts[0], tuple([a(env) for a in node.parts[1]])
        raise UnguardedRecursion(Call(name, args))

    def _branch(self, node: Location, env: Env) -> Location | None:
        """The branch a guard or ``if`` takes in ``env`` (None: a false guard, STOP)."""
        parts = node.parts
        test = parts[0](env)
        if type(test) is not bool:
            expect_bool(test, parts[1], "a guard must be a boolean" if node.kind == AT_GUARD
                        else "'if' needs a boolean")
        if node.kind == AT_GUARD:
            return parts[2] if test else None
        return parts[2] if test else parts[3]

    # ---------------------------------------------------------------- moves

    def _moves(self, node: Location, env: Any, defer: bool = False) -> Moves:
        """The moves of ``node`` in ``env``; with ``defer``, an input's targets
        stay ``(continuation, environment, binding)`` triples, made by :meth:`successors_where`."""
        depth = 0
        while True:
            kind, parts = node.kind, node.parts
            if kind == AT_CALL:
                if node is _CALL_START:
                    name, args = env.name, env.args
                else:
                    name, args = parts[0], tuple([a(env) for a in parts[1]])
                depth += 1
                if depth > MAX_UNFOLD_DEPTH:
                    raise UnguardedRecursion(Call(name, args))
                node, env = self._unfold(name, args)
                continue
            if kind in (AT_GUARD, AT_IF):
                branch = self._branch(node, env)
                if branch is None:
                    return []
                node = branch
                continue
            break
        if kind == AT_PREFIX:
            return [(self._name(parts[0](env)), self._state(parts[1], env))]
        if kind == AT_INPUT:
            then, state = parts[2], self._state
            if parts[3]:
                offers = self._offers.get(id(parts[0]))
                if offers is None:
                    offers = self._offers[id(parts[0])] = [
                        (self._name(event), scope) for event, scope in self._inputs(parts[0], {})]
                if defer:
                    return [(label, (then, env, bound)) for label, bound in offers]
                return [(label, state(then, {**env, **bound})) for label, bound in offers]
            name = self._name
            if defer:
                return [(name(event), (then, scope, None))
                        for event, scope in self._inputs(parts[0], env)]
            return [(name(event), state(then, scope))
                    for event, scope in self._inputs(parts[0], env)]
        if kind == AT_EXTERNAL:
            return self._moves(parts[0], env, defer) + self._moves(parts[1], env, defer)
        if kind == AT_INTERNAL:
            return [(TAU, self._state(parts[0], env)), (TAU, self._state(parts[1], env))]
        if kind == AT_REPLICATED_EXTERNAL:
            return [move for scope in self._scopes(node, env)
                    for move in self._moves(parts[1], scope, defer)]
        if kind == AT_REPLICATED_INTERNAL:
            return self._suffix_moves(node, self._scopes(node, env), defer)
        if kind == AT_SUFFIX:
            return self._suffix_moves(*env, defer)
        if kind == AT_SKIP:
            return [(TICK, self._intern(_OMEGA_KEY, (_OMEGA_NODE, None)))]
        return []

    # A replicated |~| is, as the evaluator folds it, P1 |~| (P2 |~| (... |~| Pn)):
    # each suffix of its branches is a state of its own (one τ further).

    def _suffix_key(self, node: Location, scopes: list[Env]) -> Any:
        if len(scopes) == 1:
            return self._key(node.parts[1], scopes[0])
        return (AT_REPLICATED_INTERNAL, tuple([self._key(node.parts[1], s) for s in scopes]))

    def _suffix_moves(self, node: Location, scopes: list[Env], defer: bool = False) -> Moves:
        body = node.parts[1]
        if len(scopes) == 1:
            return self._moves(body, scopes[0], defer)
        rest = scopes[1:]
        key = self._suffix_key(node, rest)
        found = self.ids.get(key)
        if found is None:
            found = self._intern(key, (_SUFFIX_NODE, (node, rest)) if len(rest) > 1
                                 else (body, rest[0]))
        return [(TAU, self._state(body, scopes[0])), (TAU, found)]

    def _scopes(self, node: Location, env: Env) -> list[Env]:
        """The environments of a replicated choice's branches, in the evaluator's order."""
        scopes = list(self.ev.bindings(node.parts[0], env))
        if not scopes and node.kind == AT_REPLICATED_INTERNAL:
            raise ModelError("replicated |~| over an empty set", node.parts[2],
                             hint="internal choice needs at least one process")
        return scopes

    def _unfold(self, name: str, args: tuple) -> tuple[Location, Env]:
        """The body of call ``name(args)`` and its environment (first matching clause)."""
        self.unfoldings += 1
        if name in self.ev.growth:
            watch(self.ev.growth, name, args)
        for params, body in self.compiler.definition(name):
            if params is None:
                return body, {}
            env: dict[str, Any] = {}
            if match_all(self.ev, params, args, env):
                return body, env
        info = self.ev.functions[name]
        raise ModelError(f"no clause of {info.display} matches {args}",
                         self.ev.def_span(info))

    def _name(self, event: Event) -> str:
        found = self.names.get(event)
        if found is None:
            found = self.names[event] = str(event)
        return found

    def _inputs(self, expr: ast.PrefixExpr, env: Env) -> list[tuple[Event, Env]]:
        """Every ``(event, scope)`` the input prefix accepts, in the order of
        :func:`~procalg.semantics.inputs.expand_prefix` (the continuation is not evaluated)."""
        return prefix_offers(self.ev, expr, env)


_CALL_START = Location(AT_CALL, ("", ()))
"""The start state's node: its environment is the start :class:`Call` itself."""
_SUFFIX_NODE = Location(AT_SUFFIX)
"""A suffix of a replicated ``|~|``'s branches: its environment is ``(node, scopes)``."""
_OMEGA_NODE = Location(AT_STOP)
"""Ω after ✓: no moves."""


def compile_leaf(ev: Evaluator, start: Call) -> Machine | str:
    """The machine of ``start``, or the one-line reason it stays with the term rules.

    Example:
        >>> from procalg.api.model import loads
        >>> model = loads("channel a\\nP = a -> SKIP ; P")
        >>> compile_leaf(model.spec.evaluator, model.process("P"))
        'uses the operator ;'
    """
    try:
        return Machine(ev, start)
    except Unsupported as why:
        return why.reason
