"""How a compiled machine unfolds calls and evaluates their arguments, with short cuts.

Part of :class:`~procalg.semantics.state_keys.StateKeys` (a mixin: the
attributes are its). A deep, narrow search (one sequential component
counting, :mod:`procalg.lts.leaf_levels`) pays these per state, so each
does the least work that gives the same answer: a call whose first clause
binds plain variables is unfolded by binding them (no matching), a call
whose name settles its key is keyed without looking into its body, and the
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

from procalg.errors import ModelError
from procalg.semantics.growth import watched
from procalg.semantics.linear_let import local_base
from procalg.semantics.patterns import match_all
from procalg.syntax import ast

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator
    from procalg.semantics.locations import Compiler, Location


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
    _operator_bodied: Any  # StateKeys._operator_bodied

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
        """The key of call ``node`` in ``env`` when its name alone settles it (as
        :meth:`_call_key` found it, :meth:`_always_folded`), else None (not known
        yet, or keyed otherwise): the call's name and the arguments it reads."""
        name = node.parts[0]
        if not self._folds.get((name, passive)) or self.all_args:
            return None
        live, args = self.compiler.live[name], self._arguments(node, env)
        return ("call", name, args if live is None else tuple([args[i] for i in live]))

    def _always_folded(self, name: str, passive: bool) -> bool:
        """Whether a call of ``name`` is keyed by its name and the arguments it
        reads whatever they are, at the top or as a continuation (``passive``):
        the first test of :meth:`_call_key`'s loop that reads only the name,
        made once per name."""
        if passive:
            return not self.compiler.transparent(name) or self._operator_bodied(name)
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
