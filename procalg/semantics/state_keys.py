"""What identifies a state of a compiled sequential process, and its numbering.

A :class:`~procalg.semantics.linear.Machine` state is a control location with the
values of its data; two ways to one term should meet in one state, as the term
rules' equal terms do, where that is cheap to see. So a state is interned by a
*key*: guards and ``if`` resolved, a call by its body's key where that body is
shallow and reads no argument (its first events into calls, as the term rules
unfold a call: ``P = e -> R`` is R's ``.. -> e -> R``) or where its arguments may
split calls the terms equate (:mod:`.call_reads`), else by its name and the
arguments its body reads (a call that starts with a call by the last call of
that chain); under a prefix a call stays the call with every argument, as the
terms hold it (``d -> P(0, 2)`` is no ``d -> P(0, 0)`` where P never reads m; FDR
names a call by the parameters its body mentions, libcspm's ``relevantFreeVars``,
and never by its body: there the terms differ from FDR), a prefix by its event
and its continuation's key, an input by its node and what it reads.
:class:`StateKeys` holds the numbering (key -> int, and per state its node and
environment) and the unfolding of calls that keys and moves share.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.locations import Compiler
    >>> model = loads("channel c : {0..3}\\nP(n, m) = c!m -> R\\nR = c!0 -> P(0, 1)")
    >>> compiler = Compiler(model.spec.evaluator)
    >>> _ = compiler.definition("P")
    >>> states = StateKeys(model.spec.evaluator, compiler)
    >>> states._call_key("P", (1, 2)), states._call_key("P", (3, 2))
    (('call', 'P', (2,)), ('call', 'P', (2,)))
    >>> states._call_key("R", ())
    ('→', Event(channel='c', fields=(0,)), ('call', 'P', (0, 1)))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError, ProcalgError
from procalg.semantics.call_reads import call_keying
from procalg.semantics.failing import in_call
from procalg.semantics.linear_let import let_scope
from procalg.semantics.locations import (
    AT_CALL,
    AT_EXCEPTION,
    AT_EXTERNAL,
    AT_GUARD,
    AT_HIDE,
    AT_IF,
    AT_INPUT,
    AT_INTERNAL,
    AT_INTERRUPT,
    AT_LET,
    AT_OPEN_CHOICE,
    AT_OPEN_REPLICATED,
    AT_OPERATORS,
    AT_PARALLEL,
    AT_PREFIX,
    AT_RENAME,
    AT_REPLICATED_EXTERNAL,
    AT_REPLICATED_INTERNAL,
    AT_REPLICATED_PARALLEL,
    AT_REPLICATED_SYNC_CHOICE,
    AT_SEQ,
    AT_SEQ_RUN,
    AT_SKIP,
    AT_STOP,
    AT_SYNC_CHOICE,
    AT_TERMS,
    AT_THROW,
    AT_THROWN,
    AT_TIMEOUT,
    AT_UNSUPPORTED,
    AT_VALUE,
    Compiler,
    Location,
)
from procalg.semantics.state_unfold import (
    SKIP_KEY,
    STOP_KEY,
    Unfolding,
    balanced_choice_key,
    continuation_part,
    unsupported_key,
)
from procalg.semantics.unfold import MAX_UNFOLD_DEPTH, UnguardedRecursion
from procalg.semantics.values import expect_bool

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator

OMEGA_KEY, THROW_KEY, THROWN_KEY = ("Ω",), ("THROW",), ("THROWN",)
_THROUGH = 40
"""How many renamings deep a call's key looks into its body (see ``_call_key``)."""
_LOOKED_INTO = (AT_HIDE, AT_EXCEPTION, AT_INTERRUPT, AT_TIMEOUT, AT_OPEN_CHOICE,
                AT_OPEN_REPLICATED, AT_SEQ, AT_PARALLEL, AT_REPLICATED_PARALLEL,
                AT_SYNC_CHOICE, AT_REPLICATED_SYNC_CHOICE)
"""The operators a call's key is the state of, when the call's body is one (so its
state is the unfolded term's: ``N = A ; a -> N`` meets ``N`` after ``a``; the start
state's operands are then numbered before it, :meth:`Machine.initial_state`; a
call of ``[+ A +] x : {} @ P`` is STOP, over one value its operand, as the terms)."""


class StateKeys(Unfolding):
    """States of one compiled process numbered by their keys.

    Args:
        ev: the model's evaluator (definitions, types, closures).
        compiler: the definitions compiled into locations.
        all_args: key a call by its name and all its arguments, read or not,
            and unfolded or not: one key, one term (the runtime shows a run's
            parameters, so ``P(2, 0)`` and ``P(2, 1)`` stay apart even where
            the body never reads the second).
    """

    def __init__(self, ev: Evaluator, compiler: Compiler, all_args: bool = False) -> None:
        self.ev, self.all_args, self.compiler = ev, all_args, compiler
        self.keys: list[Any] = []
        self.where: list[tuple[Location, Any]] = []  # per state: its node and environment
        self.ids: dict[Any, int] = {}
        self.moves: list[Any] = []  # per state: its moves once computed (Machine)
        self.unfoldings = 0
        self._through = 0  # renamings looked through by the call key being made
        self._inside: set[tuple[str, tuple]] = set()  # calls whose operator is being keyed
        self._passive = 0  # > 0: keying a continuation (see _passive_key)
        self._thens: dict[tuple[int, int], tuple[Location, Env, int]] = {}
        self._looked: dict[tuple[str, tuple], Any] = {}  # see _call_key
        self._shallows: dict[Any, bool] = {}  # _shallow by node id, _body_keyed by name
        self._plain: dict[str, tuple[Location, tuple[str, ...]] | None] = {}  # see _plain_clause
        self._folds: dict[tuple[str, bool], bool] = {}  # see _always_folded
        self._last_call: tuple[Any, Any, tuple] = (None, None, ())  # see _arguments
        self._guard_chains: dict[str, Any] = {}  # see _guard_chain

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
        key = (node.kind == AT_CALL and self._folded_call(node, env, self._passive > 0)) \
            or self._key(node, env)
        n = self.ids.get(key)
        return n if n is not None else self._intern(key, (node, env))

    def _then(self, node: Location, env: Env) -> int:
        """``Q``'s state in the key of ``P ; Q``, remembered per node and environment.

        A number, not ``Q``'s key: in a chain ``P1 ; P2 ; … ; Pn`` a key holding
        the rest's key would be as long as the rest, and making and hashing it
        costs O(n) per link, O(n²) over the chain (3,000 links: 35 s). Equal
        keys get equal numbers, so state identity is unchanged.
        """
        slot = (id(node), id(env))
        hit = self._thens.get(slot)
        if hit is not None and hit[0] is node and hit[1] is env:
            return hit[2]
        self._passive += 1
        try:
            n = self._state(node, env)
        finally:
            self._passive -= 1
        self._thens[slot] = (node, env, n)  # holds both: their ids stay theirs
        return n

    def _key(self, node: Location, env: Env) -> Any:
        """What identifies the state: guards and ``if`` resolved, a call by its
        name and arguments, a prefix by its event and continuation's key."""
        while True:
            kind, parts = node.kind, node.parts
            if kind == AT_CALL:
                args = self._arguments(node, env)
                try:
                    return self._call_key(parts[0], args)
                except ModelError as err:  # the call's, not the arguments' (a failed target)
                    raise in_call(err) from None
            if kind == AT_PREFIX:
                then = parts[1]
                if then.kind in (AT_CALL, AT_STOP, AT_SKIP):
                    event = parts[0](env)  # a folded call: its key without the passive walk
                    quick = then.kind == AT_CALL and self._folded_call(then, env, True)
                    return ("→", event, quick or self._passive_key(then, env))
                # a longer continuation by its number (keys as long as a chain of n
                # prefixes: O(n²), see _then), one resolving to a call as above
                return ("→", parts[0](env), continuation_part(self.keys, self._then(then, env)))
            if kind == AT_INPUT:
                return (id(parts[0]), tuple([(n, env[n]) for n in parts[1] if n in env]))
            if kind in (AT_GUARD, AT_IF):
                node = self._branch(node, env)
                if node is None:
                    return STOP_KEY
                continue
            if kind == AT_LET:
                node, env = parts[1], let_scope(self.ev, parts[0], env)
                continue
            if kind in (AT_EXTERNAL, AT_INTERNAL):
                return (kind, self._key(parts[0], env), self._key(parts[1], env))
            if kind == AT_REPLICATED_EXTERNAL:  # as the evaluator nests its terms
                keys = [self._key(parts[1], scope) for scope in self._scopes(node, env)]
                return balanced_choice_key(keys) if keys else STOP_KEY
            if kind == AT_REPLICATED_INTERNAL:
                return self._suffix_key(node, self._scopes(node, env))
            if kind == AT_SEQ:  # P ; Q by P's state and Q's, as when P is under way
                return ("seq", self._state(parts[0], env), self._then(parts[1], env))
            if kind == AT_SEQ_RUN:
                return ("seq", env[0], self._then(env[1], env[2]))
            if kind in (AT_THROW, AT_THROWN):
                return THROW_KEY if kind == AT_THROW else THROWN_KEY
            if kind == AT_UNSUPPORTED:
                return unsupported_key(node, env, len(self.keys))
            if kind in AT_OPERATORS:  # its tagged state, made now (linear_operators)
                return self.keys[self.operator_state(node, env)]  # type: ignore[attr-defined]
            if kind in AT_TERMS:  # a value's, a table's state... (term_locations)
                return self.keys[self.term_state(node, env)]  # type: ignore[attr-defined]
            return STOP_KEY if kind == AT_STOP else SKIP_KEY

    def _call_key(self, name: str, args: tuple) -> Any:
        """A call's key: the last call of the chain its body starts with (``Start(0)
        = if .. then Cycler(0) ..`` is ``Cycler(0)``, as the unfolded terms are equal),
        ``STOP`` or ``SKIP`` if it ends there, the state of the body it reaches if
        that is an operator or :meth:`_shallow` (not under a prefix: there a call
        stays a call, as the terms leave it); other bodies are not evaluated."""
        if self.all_args or self._passive:  # as the terms hold it: see _folded_call
            return ("call", name, args)
        folds = self._folds.get((name, False))
        if folds is None:
            folds = self._folds[name, False] = self._always_folded(name, False)
        if folds:
            return self._folded(name, args)
        # a call keyed by its operator's state at the top (not inside another's key):
        # the same key every time, made once (a target met 3 times a state rebuilt
        # its operands' keys each time)
        top = (name, args) if not (self._inside or self._through) else None
        if top is not None:
            found = self._looked.get(top)
            if found is not None:
                return found
        found = self._guarded_body_key(name, args)
        if found is not None:  # guards before a prefix: the loop's answer, made directly
            if top is not None:
                self._looked[top] = found
            return found
        transparent, called = self.compiler.transparent, (name, args)
        for _ in range(MAX_UNFOLD_DEPTH):
            if (not transparent(name) and not self._body_keyed(name)) \
                    or (name, args) in self._inside:
                return self._folded(name, args)
            try:
                node, env = self._unfold(name, args)
            except ProcalgError:
                if transparent(name):
                    raise
                return self._folded(name, args)  # raised where it is expanded, as ever
            while node.kind == AT_GUARD or node.kind == AT_IF or node.kind == AT_LET:
                if node.kind == AT_LET:
                    node, env = node.parts[1], let_scope(self.ev, node.parts[0], env)
                    continue
                branch = self._branch(node, env)
                if branch is None:
                    return STOP_KEY
                node = branch
            if node.kind == AT_RENAME and self._through < _THROUGH:
                # the renamed process's state, as the term is (a recursion through
                # renamings nests them without end: its calls stay calls past a depth)
                self._through += 1
                try:
                    return self._key(node, env)
                finally:
                    self._through -= 1
            if node.kind == AT_VALUE:  # the value's state, as the
                return self._key(node, env)  # unfolded term is (term_locations)
            if node.kind in _LOOKED_INTO and (name, args) not in self._inside:
                key = self._operator_key(name, args, node, env)
                if top is not None:
                    self._looked[top] = key
                return key
            if node.kind != AT_CALL:
                if node.kind in (AT_STOP, AT_SKIP):
                    return STOP_KEY if node.kind == AT_STOP else SKIP_KEY
                key = self._body_key(name, args, node, env) if self._body_keyed(name) \
                    and (self._shallows[(0, name)] or self._shallow(node)) else None
                if key is None:
                    return self._folded(name, args)
                if top is not None:
                    self._looked[top] = key
                return key
            name, args = node.parts[0], tuple([a(env) for a in node.parts[1]])
        raise UnguardedRecursion(self._first_repeated(*called))

    def _folded(self, name: str, args: tuple) -> Any:  # a call's name, arguments read
        used = self.compiler.live[name]
        return ("call", name, args if used is None else tuple([args[i] for i in used]))

    def _body_key(self, name: str, args: tuple, node: Location, env: Env) -> Any:
        """The key of a shallow ``node``, the body of ``name(args)``, as the unfolded
        term is (``P = e -> R`` meets R's ``.. -> e -> R``), or None if making it
        raises: the error is then raised where the state is expanded, as before."""
        try:
            return self._operator_key(name, args, node, env)
        except ProcalgError:
            return None

    def _body_keyed(self, name: str) -> bool:
        """Whether a call of ``name`` is keyed by its body: some clause is :meth:`_shallow`
        and reads no argument, or its arguments may split calls the terms equate (any
        body then: :func:`~procalg.semantics.call_reads.call_keying`)."""
        found = self._shallows.get(name)
        if found is None:
            argless, inexact = call_keying(self.ev, self.compiler, name)
            self._shallows[(0, name)] = inexact
            found = self._shallows[name] = inexact or (argless and any(
                self._shallow(body) for _, body in self.compiler.definition(name)))
        return found

    def _shallow(self, node: Location) -> bool:
        """Whether ``node``'s key reads only its first events (prefixes into a call,
        ``STOP`` or ``SKIP``, inputs, choices, guards and ``if`` of them): a call of
        a longer body stays the call, so an error two events in is raised where
        that event is offered, as before."""
        found = self._shallows.get(id(node))
        if found is not None:
            return found
        kind, parts = node.kind, node.parts
        if kind == AT_PREFIX:
            found = parts[1].kind in (AT_CALL, AT_STOP, AT_SKIP)
        elif kind in (AT_EXTERNAL, AT_INTERNAL):
            found = self._shallow(parts[0]) and self._shallow(parts[1])
        elif kind == AT_GUARD:
            found = self._shallow(parts[2])
        elif kind == AT_IF:
            found = self._shallow(parts[2]) and self._shallow(parts[3])
        else:
            found = kind in (AT_INPUT, AT_CALL, AT_STOP, AT_SKIP, AT_THROW)
        self._shallows[id(node)] = found  # nodes live as long as their compiler
        return found

    def _passive_state(self, node: Location, env: Env) -> int:
        """The state of a continuation not yet started, by its :meth:`_passive_key`."""
        key = self._passive_key(node, env)
        n = self.ids.get(key)
        return n if n is not None else self._intern(key, (node, env))

    def _passive_key(self, node: Location, env: Env) -> Any:
        """The key of a continuation not yet started (a prefix's, ``Q`` of ``P ; Q``):
        its calls stay calls, as the term rules leave them until the continuation
        moves. So one term has one key wherever it is met: a call looked into
        here would unroll the recursion from a different call each time."""
        self._passive += 1
        try:
            return self._key(node, env)
        finally:
            self._passive -= 1

    def _operator_key(self, name: str, args: tuple, node: Location, env: Env) -> Any:
        """The key of a call whose body is an operator of ``_LOOKED_INTO``: the
        operator's state, as the unfolded term is (so hiding it again merges the
        two sets: ``P = (a -> SKIP ; P) \\ {a}`` meets itself). The call met again
        inside its own operands stays a call (its key would hold itself)."""
        self._inside.add((name, args))
        try:
            return self._key(node, env)
        finally:
            self._inside.discard((name, args))

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

    def _suffix_key(self, node: Location, scopes: list[Env]) -> Any:
        if len(scopes) == 1:
            return self._key(node.parts[1], scopes[0])
        return (AT_REPLICATED_INTERNAL, tuple([self._key(node.parts[1], s) for s in scopes]))

    def _scopes(self, node: Location, env: Env) -> list[Env]:
        """The environments of a replicated choice's branches, in the evaluator's order."""
        scopes = list(self.ev.bindings(node.parts[0], env))
        if not scopes and node.kind == AT_REPLICATED_INTERNAL:
            raise ModelError("replicated |~| over an empty set", node.parts[2],
                             hint="internal choice needs at least one process")
        return scopes

