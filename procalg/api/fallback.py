"""What ``--engine auto`` does when the engine it chose cannot answer.

An engine may refuse an assertion that another one answers:

- the symbolic engine, chosen for a model with ``Int`` data, takes a fragment
  (sequential equations with prefixes, guards, ``if``, ``[]`` and ``|~|``): a
  shape outside it goes to the explicit engines, which answer whenever the
  reachable data is finite (:func:`symbolic_first`);
- the symbolic engine answers *unknown* when its depth or time runs out, also
  on a process whose reachable data is finite (``Int`` channels carrying a few
  constants): auto then asks the explicit engines, and their answer, exact when
  they finish, replaces the unknown (:func:`asks_explicit`);
- an explicit engine stops when a counter grows without bound
  (:class:`~procalg.semantics.growth.UnboundedGrowth`): the symbolic engine
  tries it, and a counter that only counts (``Inf(n) = a -> Inf(n + 1)``, whose
  value changes nothing) is read as 0, which leaves a finite, strongly
  bisimilar process (:func:`after_growth`); else the term-level rules, which
  unfold calls only as the search reaches them, may still find a shallow
  counterexample within :data:`GROWN_STATES` states.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.api.check import check_model
    >>> model = loads("channel a, b\\nP = a -> b -> P\\nInf(n) = a -> b -> Inf(n + 1)\\n"
    ...               "assert P [T= Inf(0)\\n")
    >>> [report] = check_model(model)
    >>> str(report.result), report.check.stats.extra["settled"][:32]
    ('pass', 'parameter n of Inf only counts: ')
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace

from procalg.api import symbolic
from procalg.api.model import Model
from procalg.api.search import CheckEngine, SearchOptions
from procalg.checks.result import CheckResult, Verdict
from procalg.errors import ProcalgError
from procalg.semantics.growth import UnboundedGrowth
from procalg.syntax import ast

GROWN_STATES = 10_000
"""States the term-level rules may explore after a compiling engine met unbounded
growth (about a second): enough for a shallow counterexample."""


def symbolic_first(model: Model, prop: ast.Node, options: SearchOptions) -> CheckResult | None:
    """The symbolic engine's answer if it is the engine for ``prop``; ``None`` when
    the explicit engines should answer (also when auto chose the symbolic engine
    but the model's shape is outside its fragment).

    Raises:
        ProcalgError: the symbolic engine's error, where it was the user's choice
            (``--engine symbolic``) or the only engine for the property (invariants).
    """
    why = symbolic.reason(model, prop, options)
    if why is None:
        return None
    try:
        return symbolic.check(model, prop, options, why)
    except ProcalgError as err:
        if not _falls_back(err, prop, options):
            raise
    return None


def asks_explicit(tried: CheckResult, prop: ast.Node, options: SearchOptions) -> bool:
    """Whether auto asks the explicit engines after the symbolic engine's ``tried``:
    an unknown, where the symbolic engine was auto's choice and another engine
    checks the property (invariants have none).

    Example:
        >>> from procalg.checks.result import Stats, Verdict
        >>> unknown = CheckResult(Verdict.UNKNOWN, None, Stats(0, 0, 0.0))
        >>> asks_explicit(unknown, ast.DeadlockFree(None), SearchOptions())
        True
        >>> asks_explicit(unknown, ast.DeadlockFree(None),
        ...               SearchOptions(engine=CheckEngine.SYMBOLIC))
        False
    """
    return tried.verdict is Verdict.UNKNOWN and options.engine is CheckEngine.AUTO \
        and type(prop) is not ast.Invariant


def answered_after(tried: CheckResult | None, result: CheckResult) -> CheckResult:
    """``result`` of the explicit engines, saying so when it replaces ``tried``,
    the symbolic engine's unknown."""
    if tried is not None:
        unknown = tried.message.split(":")[0]  # "unknown after depth 30"
        result.stats.extra["after symbolic"] = (f"the symbolic engine: {unknown}; "
                                                f"the explicit engines answered")
    return result


def after_growth(model: Model, prop: ast.Node, options: SearchOptions, err: UnboundedGrowth,
                 explicit: Callable[..., CheckResult],
                 tried: CheckResult | None = None) -> CheckResult:
    """Auto's answer after ``explicit`` (the explicit check) stopped at ``err``;
    ``tried`` is the symbolic engine's unknown if it ran first.

    ``explicit`` runs the explicit check, with other options if given.

    Raises:
        UnboundedGrowth: ``err``, when neither the symbolic engine, reading a
            dead counter as 0, nor the term-level rules within a bound answer.
    """
    grown = err.growth
    if tried is not None:
        return tried  # unbounded data, and the symbolic engine has said what it can
    if type(prop) in symbolic.SUPPORTED:  # unbounded data: what the symbolic engine is for
        why = (f"parameter {grown.parameter} of {grown.process} grows without bound"
               + (f" (line {grown.span.line})" if grown.span else ""))
        with contextlib.suppress(ProcalgError):  # outside its fragment: try on
            return symbolic.check(model, prop, options, why)
    if not grown.dead:
        return _term_rules_within(options, err, explicit)
    _settle(model, True)
    try:
        result = explicit()
    except UnboundedGrowth:
        raise err from None  # another parameter grows too
    finally:
        _settle(model, False)
    result.stats.extra["settled"] = (f"parameter {grown.parameter} of {grown.process} only "
                                     f"counts: read as 0 (the process is the same for any value)")
    return result


def _term_rules_within(options: SearchOptions, err: UnboundedGrowth,
                       explicit: Callable[..., CheckResult]) -> CheckResult:
    """The term-level rules' answer within :data:`GROWN_STATES` states, after a
    compiling engine stopped at ``err``: they unfold calls only as the search
    reaches them, so they find a shallow counterexample (``GEN(0) ||| GEN(0)``
    after a deadlock) that compiling the growing leaf whole never reaches. Any
    answer they finish with is the reference's, hence exact.

    Raises:
        UnboundedGrowth: ``err``, when they meet the growth or the state bound first.
    """
    limit = min(options.reference_limit or GROWN_STATES, GROWN_STATES)
    try:
        result = explicit(replace(options, engine=CheckEngine.REFERENCE,
                                  reference_max_states=limit))
    except ProcalgError:
        raise err from None  # the growth is the news
    grown = err.growth
    result.stats.extra["why"] = (f"parameter {grown.parameter} of {grown.process} grows "
                                 f"without bound, and the term-level rules answered within "
                                 f"{limit:,} states")
    return result


def _settle(model: Model, on: bool) -> None:
    """Dead counters read as 0 (``on``) or as they are; what was explored the other
    way is forgotten (the systems that explored it keep their unfoldings)."""
    model.spec.settle_counters(on)
    model.explored.clear()


def _falls_back(err: ProcalgError, prop: ast.Node, options: SearchOptions) -> bool:
    """Whether ``err`` is the symbolic engine refusing a shape it was auto's choice
    for (not the user's, nor the only engine for the property)."""
    from procalg.symbolic.fragment import OutsideFragment  # z3 loads only here

    return isinstance(err, OutsideFragment) and options.engine is CheckEngine.AUTO \
        and type(prop) is not ast.Invariant
