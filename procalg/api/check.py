"""Running a model's assertions: each ``assert`` becomes one check on an LTS.

The API layer is where terms meet checks: it turns the assertion's process
into a :class:`~procalg.lts.TransitionSystem` (or an explored LTS where a
check needs one), calls the check, and wraps the verdict with the
assertion's text and line.

Example:
    >>> from procalg.api.model import loads
    >>> model = loads("channel a, b\\nP = a -> b -> STOP\\nassert P :[deadlock free]")
    >>> report = check_assertion(model, model.assertions[0])
    >>> report.result is AssertionResult.FAIL, report.check.counterexample.trace
    (True, ('a', 'b'))
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from procalg.api import fallback, search, symbolic
from procalg.api.model import Model
from procalg.api.search import CheckEngine, SearchOptions
from procalg.checks.result import CheckResult, RefinementModel, Stats, Verdict
from procalg.errors import ModelError, ProcalgError
from procalg.lts import LTS
from procalg.reserved import CANCEL, SAGA
from procalg.semantics.deep import run_deep
from procalg.semantics.growth import UnboundedGrowth
from procalg.semantics.network import NotApplicable
from procalg.source import Span
from procalg.syntax import ast
from procalg.terms import Event, Process, Sequence

_BULK_MODELS = (RefinementModel.TRACES, RefinementModel.FAILURES,
                RefinementModel.FAILURES_DIVERGENCES)
"""The refinement models the product engine checks in one bulk search."""


class NotSupported(ProcalgError):
    """An assertion procalg parses but cannot check yet."""


class AssertionResult(StrEnum):
    """What became of one ``assert``: its check's
    :class:`~procalg.checks.result.Verdict`, or an error. A member is its text,
    as reports print it and a run's row stores it.

    Example:
        >>> AssertionResult.of(Verdict.UNKNOWN), AssertionResult.ERROR == "error"
        (<AssertionResult.UNKNOWN: 'unknown'>, True)
    """

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    """The symbolic engine found neither a proof nor a counterexample in its limits."""
    ERROR = "error"
    """The assertion could not be checked (the report's ``error`` says why)."""

    @classmethod
    def of(cls, verdict: Verdict) -> AssertionResult:
        """The result of a check that gave ``verdict``."""
        return cls(verdict.value)


@dataclass(frozen=True)
class AssertionReport:
    """The outcome of one ``assert`` line.

    Attributes:
        assertion: the assertion's syntax (its ``text`` and ``span``).
        result: an :class:`AssertionResult` (equal to its text, ``"pass"`` ...).
        check: the check's result (``None`` on error).
        error: what went wrong when ``result`` is ``"error"``.
        seconds: wall time, including building the process.
    """

    assertion: ast.Assertion
    result: AssertionResult
    check: CheckResult | None = None
    error: ProcalgError | None = None
    seconds: float = 0.0

    @property
    def line(self) -> int | None:
        return self.assertion.span.line if self.assertion.span else None

    @property
    def stats(self) -> Stats:
        return self.check.stats if self.check else Stats()


def check_model(model: Model, *, max_states: int | None = None,
                options: SearchOptions | None = None) -> Iterator[AssertionReport]:
    """Check every assertion of ``model`` in file order, one report at a time.

    ``options`` chooses the exploration engine and its limits (see
    :mod:`procalg.api.search`); ``max_states`` alone is a shorthand.
    """
    for assertion in model.assertions:
        yield check_assertion(model, assertion, max_states=max_states, options=options)


def check_assertion(model: Model, assertion: ast.Assertion, *,
                    max_states: int | None = None,
                    options: SearchOptions | None = None) -> AssertionReport:
    """Check one assertion; model errors become an ``"error"`` report, not an exception."""
    if options is None:
        options = SearchOptions(max_states=max_states)
    started = time.perf_counter()
    try:
        result = _run(model, _prioritised(assertion), options)
    except ProcalgError as err:
        symbolic.point_at_symbolic(model, err)
        model.locate(err)  # an engine over terms knows no file positions
        return AssertionReport(assertion, AssertionResult.ERROR, error=err,
                               seconds=time.perf_counter() - started)
    if assertion.negated:
        result = result.negated()
    return AssertionReport(assertion, AssertionResult.of(result.verdict), result,
                           seconds=time.perf_counter() - started)


def _run(model: Model, prop: ast.Node, options: SearchOptions) -> CheckResult:
    tried = fallback.symbolic_first(model, prop, options)
    if tried is not None and not fallback.asks_explicit(tried, prop, options):
        return tried
    check = _CHECKS.get(type(prop))
    if check is None:
        raise NotSupported(
            f"'{_kind(prop)}' assertions are not supported yet", prop.span,
            hint="procalg reports this assertion as an error rather than guess a verdict",
        )
    # every engine evaluates the model's functions while it explores (a lazy or
    # compiled leaf evaluates as the search expands it): all of it on the thread
    # whose stack fits deep value recursion, as the term-level system does
    def explicit(chosen: SearchOptions = options) -> CheckResult:
        return run_deep(lambda: check(model, prop, chosen))

    try:
        result = explicit()
    except UnboundedGrowth as err:
        if options.engine is not CheckEngine.AUTO:
            raise
        return fallback.after_growth(model, prop, options, err, explicit, tried)
    except ProcalgError:
        if tried is None:
            raise
        return tried  # the explicit engines cannot answer either: the unknown stands
    return fallback.answered_after(tried, result)


def _prioritised(assertion: ast.Assertion) -> ast.Node:
    """The property to check: with FDR's ``:[tau priority]: A``, its process (a
    refinement's implementation) becomes ``prioritise(P, <{}, A>)``, where τ and
    ✓ pre-empt the events of ``A`` (tock-CSP's maximal progress: time passes
    only when nothing internal can happen)."""
    prop, over = assertion.property, assertion.tau_priority
    if over is None:
        return prop

    def wrap(process: ast.Node) -> ast.Node:
        order = ast.SeqLit((ast.SetLit((), span=over.span), over), span=over.span)
        return ast.Apply(ast.Name("prioritise", span=over.span), (process, order),
                         span=process.span)

    if isinstance(prop, ast.Refines):
        return replace(prop, impl=wrap(prop.impl))
    if not hasattr(prop, "process"):
        raise ModelError("':[tau priority]:' applies to an assertion on one process or to a "
                         "refinement's implementation", over.span,
                         hint="write it after :[deadlock free], [T= and the like")
    return replace(prop, process=wrap(prop.process))


def _kind(prop: ast.Node) -> str:
    return type(prop).__name__


def _deadlock(model: Model, prop: ast.DeadlockFree, options: SearchOptions) -> CheckResult:
    # FDR's [FD] reading (DF [FD= P), also its default without a suffix, fails a
    # divergent process too; [F] counts stuck states only (FDR2 manual A.6.3).
    # The term is evaluated once; its network is compiled once (Model.network)
    term = model.process(prop.process)
    result = search.deadlock(model, term, options)
    if result.passed and not _stable_failures_only(prop):
        if search.cannot_diverge(model, term, options):  # no τ-cycle: answered already
            return replace(result, message="deadlock free and divergence free")
        found = search.divergence(model, term, options)
        # a pass answers the deadlock assertion, not the divergence search run for it
        return replace(found, message="deadlock free and divergence free") if found.passed \
            else found
    return result


def _stable_failures_only(prop: ast.DeadlockFree | ast.Deterministic) -> bool:
    """Whether the assertion asks for ``[F]`` (stable failures only); FDR's
    default, and ``[FD]``, are failures-divergences."""
    return prop.model is RefinementModel.FAILURES


def _divergence(model: Model, prop: ast.DivergenceFree, options: SearchOptions) -> CheckResult:
    return search.divergence(model, model.process(prop.process), options)


def _explored(model: Model, process: ast.Node | Process, options: SearchOptions) -> Any:
    """The process compiled and explored whole by the product engine (once per
    process and engine options), or its term-level system where it does not apply
    or meets a model error a leaf holds (``search.implementation``).

    Strong bisimulation, which the product's component reduction keeps,
    preserves traces, failures, divergences and every bisimulation, so the
    determinism, refinement and equivalence checks give the same verdicts on it.
    """
    term = model.process(process)
    key = (term, options.engine, options.reduce, options.max_states,
           options.reference_max_states)
    if key not in model.explored:
        model.explored[key] = search.implementation(model, term, options)
    return model.explored[key]


def _whole(model: Model, process: ast.Node | Process, options: SearchOptions) -> LTS:
    term = model.process(process)  # once: both engines below read it
    explored = _explored(model, term, options)
    if isinstance(explored, LTS):
        return explored
    return model.lts(term, max_states=options.reference_limit)


def _determinism(model: Model, prop: ast.Deterministic, options: SearchOptions) -> CheckResult:
    # failures-divergences unless [F] asks for stable failures only (FDR's default is FD)
    divergence = not _stable_failures_only(prop)
    term = model.process(prop.process)  # once: the fallback below reads the same term
    result = search.determinism(model, term, divergence, options)
    if not isinstance(result, NotApplicable):
        return result
    from procalg.checks.determinism import check_determinism  # start-up: see _CHECKS

    explored = _explored(model, term, options)
    checked = check_determinism(explored, max_states=options.reference_limit,
                                divergence=divergence)
    if isinstance(explored, LTS):  # the product engine built the LTS, not the term rules
        return _labelled(checked, "explicit", result.reason)
    return _labelled(checked, "reference", result.reason)


def _has_trace(model: Model, prop: ast.HasTrace, options: SearchOptions) -> CheckResult:
    trace = model.value(prop.trace)
    if not isinstance(trace, Sequence) or not all(isinstance(e, Event) for e in trace.items):
        raise ModelError("':[has trace]:' needs a sequence of events, like <a, b.1>",
                         prop.trace.span)
    return search.has_trace(model, model.process(prop.process),
                            tuple(str(e) for e in trace.items),
                            prop.model or RefinementModel.TRACES, options)


def _reachable(model: Model, prop: ast.Reachable, options: SearchOptions) -> CheckResult:
    event = model.value(prop.event)
    if not isinstance(event, Event):
        raise ModelError("':[reachable e]' needs one event, like eat.0", prop.event.span)
    return search.reachable(model, model.process(prop.process), str(event), options)


def _refines(model: Model, prop: ast.Refines, options: SearchOptions) -> CheckResult:
    kind = prop.model  # read from the syntax's letters once, in procalg.syntax
    spec = _whole(model, prop.spec, options)
    impl = model.process(prop.impl)  # once: the fallbacks below read the same term
    # the bulk product search knows [T=, [F= and [FD=; the revivals and
    # refusal-testing models search pairs on the implementation's whole LTS
    if kind in _BULK_MODELS:
        result = search.refinement(model, spec, impl, kind, options)
        if result is not None:
            return result
    from procalg.checks.refinement import check_refinement  # start-up: see _CHECKS

    explored = _explored(model, impl, options)
    result = check_refinement(spec, explored, kind, max_states=options.reference_limit)
    if isinstance(explored, LTS):  # the product engine built the LTS, not the term rules
        why = ("a lazily explored component left its declared events"
               if kind in _BULK_MODELS
               else "revivals and refusal testing have no bulk product search")
        return _labelled(result, "explicit", why)
    return _labelled(result, "reference", search.why_not(model, impl, options))


def _equivalent(model: Model, prop: ast.Equivalent, options: SearchOptions) -> CheckResult:
    from procalg.checks.equivalence import check_equivalence  # start-up: see _CHECKS

    sides = [model.process(side) for side in (prop.left, prop.right)]  # once each
    left, right = (_whole(model, side, options) for side in sides)
    result = check_equivalence(left, right, prop.kind)
    if all(isinstance(_explored(model, side, options), LTS) for side in sides):
        return _labelled(result, "explicit", "both sides compared as explicit LTSs")
    return result


def _compensation(model: Model, prop: ast.CompensationComplete,
                  options: SearchOptions) -> CheckResult:
    return search.compensation(model, model.process(prop.process), options)


# -- liveness: `:[terminates]` and `:[ltl]: FORMULA` on the explored LTS (the
# product engine's where it applies; strong bisimulation keeps every LTL property)

def _terminates(model: Model, prop: ast.Terminates, options: SearchOptions) -> CheckResult:
    from procalg.checks.liveness import check_terminates  # start-up: see _CHECKS

    term = model.process(prop.process)
    result = check_terminates(_whole(model, term, options), fairness=prop.fairness,
                              max_states=options.max_states)  # as the product engine's
    return _engine(result, model, term, options)


def _ltl(model: Model, prop: ast.Ltl, options: SearchOptions) -> CheckResult:
    import difflib

    from procalg.checks.liveness import check_ltl  # start-up: see _CHECKS
    from procalg.checks.ltl import SPECIAL, atoms, parse_formula

    formula = parse_formula(prop.formula, prop.formula_span)
    known = set(model.spec.channels) | SAGA | set(SPECIAL)
    known |= {CANCEL} if model.spec.cancellable else set()
    for atom in atoms(formula):
        for pattern in atom.patterns:
            if pattern.split(".")[0] not in known:
                guess = difflib.get_close_matches(pattern.split(".")[0], sorted(known), n=1)
                where = prop.formula_span
                if where is not None:  # point at the atom itself
                    where = Span(where.line, where.column + max(prop.formula.find(pattern), 0),
                                 file=where.file)
                raise ModelError(f"the formula names an unknown event '{pattern}'"
                                 + (f"; did you mean '{guess[0]}'?" if guess else ""), where,
                                 hint="atoms are events or channels of the model, or "
                                 "tick, throw, deadlock")
    term = model.process(prop.process)
    result = check_ltl(_whole(model, term, options), formula, fairness=prop.fairness,
                       max_states=options.max_states)  # as the product engine's
    return _engine(result, model, term, options)


def _engine(result: CheckResult, model: Model, term: Process,
            options: SearchOptions) -> CheckResult:
    """Say which engine explored the LTS the liveness check ran on (and why not the product)."""
    if isinstance(_explored(model, term, options), LTS):
        return _labelled(result, "product", "")
    return _labelled(result, "reference", search.why_not(model, term, options))


def _labelled(result: CheckResult, engine: str, why: str) -> CheckResult:
    """``result`` with its stats naming the engine that produced it."""
    extra = {**result.stats.extra, "engine": engine, "why": why}
    return replace(result, stats=replace(result.stats, extra=extra))


# Each check above imports its own machinery (normal forms, Büchi automata,
# bisimulation) when it runs: a `procalg check` loads only what its assertions
# ask for, and start-up is most of a small model's check (tests/test_startup.py).
_CHECKS: dict[type, Callable[[Model, ast.Node, SearchOptions], CheckResult]] = {
    ast.DeadlockFree: _deadlock,
    ast.DivergenceFree: _divergence,
    ast.Deterministic: _determinism,
    ast.HasTrace: _has_trace,
    ast.Reachable: _reachable,
    ast.Refines: _refines,
    ast.Equivalent: _equivalent,
    ast.CompensationComplete: _compensation,
    ast.Terminates: _terminates,
    ast.Ltl: _ltl,
}
