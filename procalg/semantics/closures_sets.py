"""Closures for ranges and set comprehensions (see :mod:`procalg.semantics.closures`).

``{lo..hi}``, ``<lo..hi>`` and ``{e | x <- S, cond}`` went through the
evaluator's ``match`` (``Evaluator.eval_node``) and, for a comprehension,
through :func:`procalg.semantics.patterns.bindings`, a recursive generator
that re-reads the qualifiers' nodes for every binding. A workflow's
restricted input ``deposit?x:{y | y <- {1..5}, b + y <= 20}`` evaluates
both for every new state (docs/engine.md), so they get closures too: the
qualifiers are compiled once into a chain of functions, each calling the
next with every environment it allows (continuation-passing, no generator
frames). Values, the order in which sub-expressions are evaluated, and
errors (messages and spans) are those of the evaluator's cases, which the
tests use as the oracle (``tests/semantics/test_closures_sets.py``).

Complexity: compiling is linear in the node's size, once per node; a
comprehension then costs one call per qualifier per binding, plus its
sources' values listed (a set in value order, as the evaluator does).

Example:
    >>> from procalg.semantics.channels import Types
    >>> from procalg.semantics.evaluate import Evaluator
    >>> from procalg.syntax.parser import parse_expr
    >>> from procalg.semantics.closures import compile_node
    >>> ev = Evaluator({}, Types({}, {}), lambda name: None, {})
    >>> code = compile_node(ev, parse_expr("{y | y <- {1..5}, b + y <= 7}"))
    >>> sorted(code({"b": 4}))
    [1, 2, 3]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError
from procalg.semantics.kinds import names_in
from procalg.semantics.lazy_sequences import LazySeq, listed
from procalg.semantics.patterns import listed_set, match
from procalg.semantics.values import expect_bool, expect_int, kind_name
from procalg.syntax import ast
from procalg.terms import Sequence

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator

Code = Callable[[dict], Any]
Emit = Callable[[dict], None]
Step = Callable[[dict, Emit], None]
"""A qualifier compiled: calls ``emit`` with every environment it (and the
qualifiers after it) allow, in the evaluator's order."""


def _compile(ev: Evaluator, expr: ast.Node) -> Code:
    from procalg.semantics.closures import compile_node  # closures.py imports this module

    return compile_node(ev, expr)


def _bound(ev: Evaluator, expr: ast.Node) -> Code:
    """The closure of a range's bound: an integer (not a boolean), as ``Evaluator.int``."""
    code, where = _compile(ev, expr), expr.span

    def bound(env: Env) -> int:
        value = code(env)
        return value if type(value) is int else expect_int(value, where)

    return bound


def set_range(ev: Evaluator, expr: ast.SetRange | ast.SeqRange) -> Code:
    """``{lo..hi}`` (a set) or ``<lo..hi>`` (a sequence); empty when ``hi < lo``.

    Example:
        >>> from procalg.semantics.channels import Types
        >>> from procalg.semantics.evaluate import Evaluator
        >>> from procalg.syntax.parser import parse_expr
        >>> ev = Evaluator({}, Types({}, {}), lambda name: None, {})
        >>> set_range(ev, parse_expr("<n..n+2>"))({"n": 1})
        Sequence(items=(1, 2, 3))
    """
    low, high = _bound(ev, expr.low), _bound(ev, expr.high)
    if type(expr) is ast.SetRange:
        return lambda env: frozenset(range(low(env), high(env) + 1))
    return lambda env: Sequence(tuple(range(low(env), high(env) + 1)))


def set_comprehension(ev: Evaluator, expr: ast.SetComp) -> Code:
    """``{e1, e2 | qualifiers}``: every item for every environment the qualifiers allow."""
    items = tuple(_compile(ev, i) for i in (expr.item, *expr.more))
    chain = qualifiers(ev, expr.qualifiers)
    if len(items) == 1:
        only = items[0]

        def one(env: Env) -> frozenset:
            found: set = set()
            add = found.add
            chain(env, lambda e: add(only(e)))
            return frozenset(found)

        return one

    def several(env: Env) -> frozenset:
        found: set = set()
        add = found.add

        def emit(e: Env) -> None:
            for item in items:
                add(item(e))

        chain(env, emit)
        return frozenset(found)

    return several


def qualifiers(ev: Evaluator, quals: tuple[ast.Node, ...]) -> Step:
    """The qualifiers compiled, last first (each step knows the one after it)."""
    step: Step = _last
    for qualifier in reversed(quals):
        step = (_generator(ev, qualifier, step) if type(qualifier) is ast.Generator
                else _condition(ev, qualifier, step))
    return step


def _last(env: Env, emit: Emit) -> None:
    emit(env)


def _condition(ev: Evaluator, qualifier: ast.Node, rest: Step) -> Step:
    cond, span = _compile(ev, qualifier), qualifier.span

    def condition(env: Env, emit: Emit) -> None:
        test = cond(env)
        if type(test) is not bool:
            expect_bool(test, span, "a condition must be a boolean")
        if test:
            rest(env, emit)

    return condition


def _generator(ev: Evaluator, qualifier: ast.Generator, rest: Step) -> Step:
    source, pattern = _compile(ev, qualifier.source), qualifier.pattern
    span = qualifier.source.span or qualifier.span
    name = pattern.name if type(pattern) is ast.PVar else None
    known = ev.pattern_constants  # global names: a constructor's or channel's, or None
    members = _constant_members(source, span) if not names_in(qualifier.source) else \
        (lambda env: _members(source(env), span))

    def generator(env: Env, emit: Emit) -> None:
        for item in members(env):
            if name is not None and (name in env or (name in known and known[name] is None)):
                inner = dict(env)  # a plain variable: binds (patterns.match_all's fast path)
                inner[name] = item
                rest(inner, emit)
                continue
            inner = dict(env)
            if match(ev, pattern, item, inner):
                rest(inner, emit)

    return generator


def _constant_members(source: Code, span: Any) -> Callable[[Env], list]:
    """The members of a generator's source that mentions no name (``y <- {1..5}``):
    listed on the first call, then the same list (never changed by its readers) in
    every environment; an error raises on every call, as the source's would."""
    kept: list[list] = []

    def members(env: Env) -> list:
        if not kept:
            kept.append(_members(source(env), span))
        return kept[0]

    return members


def _members(source: Any, span: Any) -> list:
    """A generator's values in the evaluator's order (``patterns.bindings``, not lazy)."""
    if type(source) is frozenset:
        return listed_set(source, span)
    if type(source) is LazySeq:
        source = listed(source, span)
    if isinstance(source, frozenset):
        return listed_set(source, span)
    if type(source) is Sequence:
        return list(source.items)
    raise ModelError(f"a generator needs a set or sequence, got {kind_name(source)}", span)


BUILDERS: dict[type, Callable[[Any, Any], Code]] = {
    ast.SetRange: set_range, ast.SeqRange: set_range, ast.SetComp: set_comprehension,
}
"""Node type to closure builder, merged into :mod:`procalg.semantics.closures`' table."""
