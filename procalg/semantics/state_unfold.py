"""How a compiled machine unfolds calls and evaluates their arguments, with short cuts.

Part of :class:`~procalg.semantics.state_keys.StateKeys` (a mixin: the
attributes are its). A deep, narrow search (one sequential component
counting, :mod:`procalg.lts.leaf_levels`) pays these per state, so each
does the least work that gives the same answer: a call whose first clause
binds plain variables is unfolded by binding them (no matching), a call
whose name settles its key is keyed without looking into its body (a
continuation's always: the call with every argument), a call whose one plain
clause is guards before a prefix (a counter) is keyed by its guards and that
prefix without the key loop of ``_call_key``, and the
arguments last evaluated are kept for the same call node and environment.
``tests/semantics/test_state_keys.py`` checks them against the term rules.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel c : {0..2}\\nP(n) = c!n -> P((n + 1) % 3)")
    >>> machine = Machine(model.spec.evaluator, model.process("P(0)"))
    >>> machine._unfold("P", (2,))[1], machine._plain["P"][1]
    ({'n': 2}, ('n',))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError, ProcalgError
from procalg.semantics.growth import watched
from procalg.semantics.linear_let import let_scope, local_base
from procalg.semantics.locations import (
    AT_CALL,
    AT_EXTERNAL,
    AT_GUARD,
    AT_IF,
    AT_LET,
    AT_PREFIX,
    AT_RENAME,
    AT_SKIP,
    AT_STOP,
)
from procalg.semantics.patterns import match_all
from procalg.semantics.unfold import MAX_UNFOLD_DEPTH
from procalg.syntax import ast
from procalg.terms import Call

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator
    from procalg.semantics.locations import Compiler, Location


STOP_KEY, SKIP_KEY = ("STOP",), ("SKIP",)
_NOT_GUARDED = (AT_CALL, AT_STOP, AT_SKIP, AT_RENAME, AT_GUARD, AT_IF, AT_LET)
"""Where a guard chain must not end for :meth:`Unfolding._guard_chain` (the key loop
looks further: a call, ``STOP``/``SKIP``, a renaming, an ``if`` or ``let``)."""


class Unfolding:
    """Unfolding calls and evaluating their arguments (see the module)."""

    ev: Evaluator
    compiler: Compiler
    unfoldings: int
    _plain: dict[str, tuple[Location, tuple[str, ...]] | None]  # see plain_clause
    _last_call: tuple[Any, Any, tuple]  # see _arguments
    _folds: dict[tuple[str, bool], bool]  # see _always_folded
    all_args: bool
    _body_keyed: Any  # StateKeys._body_keyed
    _branch: Any  # StateKeys._branch
    _folded: Any  # StateKeys._folded
    _inside: set[tuple[str, tuple]]  # see StateKeys._operator_key
    _guard_chains: dict[str, Any]  # see _guard_chain
    _key: Any  # StateKeys._key

    def _arguments(self, node: Location, env: Env) -> tuple:
        """The arguments of call ``node`` in ``env``, the last ones evaluated kept:
        a call after a prefix is evaluated for the prefix's key, for its own
        key when the prefix is taken, and when it is expanded, in a row when the
        search goes one state at a time (environments are never changed once
        made, and expressions have no side effects)."""
        last = self._last_call
        if last[0] is node and last[1] is env:
            return last[2]
        args = tuple([a(env) for a in node.parts[1]])
        self._last_call = (node, env, args)
        return args

    def _folded_call(self, node: Location, env: Env, passive: bool) -> tuple | None:
        """The key of call ``node`` in ``env`` when its name alone settles it, else None
        (not known yet, or keyed otherwise). A continuation's call (``passive``) is the
        call with every argument, as the term rules hold it until it starts (a
        parameter the body never reads included: ``d -> P(0, 2)`` and ``d -> P(0, 0)``
        are two terms); a call at the top by its name and the arguments it reads
        (:meth:`_always_folded`)."""
        if passive:
            return ("call", node.parts[0], self._arguments(node, env))
        name = node.parts[0]
        if not self._folds.get((name, passive)) or self.all_args:
            return None
        live, args = self.compiler.live[name], self._arguments(node, env)
        return ("call", name, args if live is None else tuple([args[i] for i in live]))

    def _guard_chain(self, name: str) -> tuple[tuple[str, ...], tuple[Location, ...]] | None:
        """For a call of ``name`` whose key at the top its guards decide first (one plain
        clause whose body is guards before any node but those :data:`_NOT_GUARDED`
        names, and not watched for growth), its parameters and guard nodes; else None
        (:meth:`_guarded_body_key`). Kept once the first unfolding has said whether
        the clause is plain."""
        if name not in self._plain:
            return None  # not unfolded yet: asked again
        found = None
        plain = self._plain[name]
        if plain is not None and name not in self.ev.growth and self.compiler.transparent(name) \
                and len(self.compiler.definition(name)) == 1:
            guards, body = [], plain[0]
            while body.kind == AT_GUARD:
                guards.append(body)
                body = body.parts[2]
            if guards and body.kind not in _NOT_GUARDED:
                found = (plain[1], tuple(guards))
        self._guard_chains[name] = found
        return found

    def _guarded_body_key(self, name: str, args: tuple) -> Any:
        """The key of call ``name(args)`` at the top (not a continuation) when its one
        plain clause is guards before a prefix into a call, ``STOP`` or ``SKIP`` and its
        body keys it: ``STOP`` if a guard fails, else the prefix's key, made as
        :meth:`_body_key` makes it (the call marked inside; an error making it keys
        the call by its name and arguments); None where :meth:`_call_key`'s loop must
        run. A guard's error is raised, as the loop raises it.

        Example:
            >>> from procalg.api.model import loads
            >>> from procalg.semantics.linear import Machine
            >>> model = loads("channel c : {0..9}\\nP(n) = n < 2 & c!(n % 3) -> P(n + 1)")
            >>> machine = Machine(model.spec.evaluator, model.process("P(0)"))
            >>> machine._guarded_body_key("P", (1,)), machine._guarded_body_key("P", (2,))
            (('→', Event(channel='c', fields=(1,)), ('call', 'P', (2,))), ('STOP',))
        """
        chain = self._guard_chains.get(name, self)
        if chain is self:
            chain = self._guard_chain(name)
        if chain is None or name in self.ev.growth or not self._body_keyed(name):
            return None
        params, guards = chain
        body = guards[-1].parts[2]
        if body.kind != AT_PREFIX or body.parts[1].kind not in (AT_CALL, AT_STOP, AT_SKIP) \
                or len(args) != len(params) or (name, args) in self._inside:
            return None
        self.unfoldings += 1  # as _unfold counts
        scope = dict(zip(params, args, strict=True))
        for guard in guards:
            if self._branch(guard, scope) is None:
                return STOP_KEY
        self._inside.add((name, args))
        try:
            return self._key(body, scope)
        except ProcalgError:  # raised where it is expanded, as _body_key leaves it
            return self._folded(name, args)
        finally:
            self._inside.discard((name, args))

    def _first_repeated(self, name: str, args: tuple) -> Call:
        """The first call met again in the chain of calls ``name(args)`` starts with, its
        guards, ``if`` and ``let`` resolved (the last one past ``MAX_UNFOLD_DEPTH`` calls):
        the call the term rules name in an unguarded recursion (``P = Q``, ``Q = P`` from
        ``P`` is ``P``), where a depth names whichever the count stopped at. Only on that
        error's path; O(depth).

        Example:
            >>> from procalg.api.model import loads
            >>> from procalg.semantics.linear import Machine
            >>> model = loads("channel c\\nP(n) = if n > 5 then c -> P(n) else Q(n)\\n"
            ...               "Q(n) = P(1)\\nR = c -> P(0)")
            >>> Machine(model.spec.evaluator, model.process("R"))._first_repeated("P", (0,))
            Call(name='P', args=(1,))
        """
        seen = set()
        for _ in range(MAX_UNFOLD_DEPTH):
            if (name, args) in seen:
                break
            seen.add((name, args))
            node, env = self._unfold(name, args)
            while node.kind in (AT_GUARD, AT_IF, AT_LET):
                if node.kind == AT_LET:
                    node, env = node.parts[1], let_scope(self.ev, node.parts[0], env)
                    continue
                node = self._branch(node, env)  # never None: the chain went on from here
            name, args = node.parts[0], tuple([a(env) for a in node.parts[1]])
        return Call(name, args)

    def _always_folded(self, name: str, passive: bool) -> bool:
        """Whether a call of ``name`` is keyed by its name and arguments whatever they
        are: always as a continuation (``passive``: every argument), at the top (the
        arguments it reads) where the first test of :meth:`_call_key`'s loop, which
        reads only the name, says so (made once per name)."""
        if passive:
            return True
        return not self.compiler.transparent(name) and not self._body_keyed(name)

    def _unfold(self, name: str, args: tuple) -> tuple[Location, Env]:
        """The body of call ``name(args)`` and its environment (first matching clause)."""
        self.unfoldings += 1
        plain = self._plain.get(name)
        if plain is not None and len(args) == len(plain[1]) and name not in self.ev.growth:
            return plain[0], dict(zip(plain[1], args, strict=True))  # as match_all binds
        info = self.ev.functions[name]
        base, args = local_base(self.ev, info, args)
        if name in self.ev.growth:
            args = watched(self.ev.growth, name, args, self.ev.settled)
        for params, body in self.compiler.definition(name):
            if params is None:
                return body, base
            env: dict[str, Any] = dict(base)
            if match_all(self.ev, params, args, env):
                if name not in self._plain:
                    self._plain[name] = plain_clause(self.ev, info, params, body)
                return body, env
        raise ModelError(f"no clause of {info.display} matches {args}",
                         self.ev.def_span(info))


def plain_clause(ev: Evaluator, info: Any, params: tuple[ast.Node, ...], body: Location
                 ) -> tuple[Location, tuple[str, ...]] | None:
    """The first clause of a definition and its parameter names when that clause
    matches any arguments by binding them (no ``let``, every pattern a variable
    that names no constant, as :func:`~procalg.semantics.patterns.match_all` has
    found it: global names never change), else None: an unfolding then binds the
    names at once, with no matching."""
    if info.let is not None or info.clauses[0].params is not params:
        return None
    known = ev.pattern_constants
    names = []
    for pattern in params:
        if type(pattern) is not ast.PVar or pattern.name not in known \
                or known[pattern.name] is not None:
            return None
        names.append(pattern.name)
    return body, tuple(names)


def unsupported_key(node: Location, env: Env, fresh: int) -> Any:
    """A state outside the fragment: its node and bindings (a fresh key if a value
    cannot be hashed; two keys for one term are strongly bisimilar states)."""
    key = ("?", id(node), tuple(env.items()))
    try:
        hash(key)
    except TypeError:
        return ("?", id(node), "#", fresh)
    return key


def balanced_choice_key(keys: list[Any]) -> Any:
    """The key of the balanced tree of binary choices over branch ``keys`` (at least
    one), nested as :func:`procalg.semantics.processes._balanced` nests the terms: a
    replicated ``[]`` over one value is its branch, over two ``A [] B`` written out.

    Example:
        >>> balanced_choice_key([("a",), ("b",), ("c",)]) == (
        ...     AT_EXTERNAL, ("a",), (AT_EXTERNAL, ("b",), ("c",)))
        True
    """
    if len(keys) == 1:
        return keys[0]
    if len(keys) == 2:
        return (AT_EXTERNAL, keys[0], keys[1])
    half = len(keys) // 2
    return (AT_EXTERNAL, balanced_choice_key(keys[:half]), balanced_choice_key(keys[half:]))


_SHORT = ("call", "STOP", "SKIP")


def continuation_part(keys: list[Any], state: int) -> Any:
    """What a prefix's key holds of its continuation's (passive) ``state``: the key of
    a call, ``STOP`` or ``SKIP`` (as a continuation written as one is held), else the
    number. So ``e -> (if n < 2 then R else STOP)`` after ``e`` is ``R``'s own body
    ``f -> R`` where n < 2 (it was a state apart: one more than the terms).

    Example:
        >>> continuation_part([("call", "R", ()), ("→", "f", 0)], 0), \\
        ...     continuation_part([("call", "R", ()), ("→", "f", 0)], 1)
        (('call', 'R', ()), 1)
    """
    key = keys[state]
    return key if key[0] in _SHORT else state
