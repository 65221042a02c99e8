"""Explaining a failed assertion: its counterexample, component by component.

:func:`explain_report` picks the process a failing check is about (the
implementation of a refinement, the left side of an equivalence), and what
the end of the path must show (a deadlock, a refusal, a τ-cycle), then
projects the path onto the process's parallel components with
:func:`procalg.semantics.explain.explain` (components are found afresh in
every state of the path, so a parallel composition reached later, under a
prefix or inside ``;``, is split too).

Example:
    >>> from procalg.api import loads, check_model
    >>> model = loads('''channel a, b
    ... P = a -> b -> STOP
    ... Q = b -> a -> STOP
    ... assert P [| {a, b} |] Q :[deadlock free]''')
    >>> why = explain_report(model, next(check_model(model)))
    >>> [(c.name, c.offers) for c in why.projection.components]
    [('P', ('a',)), ('Q', ('b',))]
    >>> [(x.event, x.blocked_by) for x in why.projection.blocked]
    [('a', ('Q',)), ('b', ('P',))]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from procalg.api.check import AssertionReport, AssertionResult
from procalg.api.model import Model
from procalg.assertion_kinds import RefinementModel
from procalg.checks.result import Counterexample
from procalg.errors import ProcalgError
from procalg.lts import TAU, TICK
from procalg.semantics.explain import Explanation, Goal, explain
from procalg.syntax import ast
from procalg.terms import show_process

_FAILURES_MODELS = (RefinementModel.TRACES, RefinementModel.FAILURES,
                    RefinementModel.FAILURES_DIVERGENCES)
"""The models whose violation is at the path's end (a trace, or a stable failure there)."""


@dataclass(frozen=True)
class Explained:
    """Why one assertion fails.

    Attributes:
        process: the process the projection is about (its term, as text).
        trace: the counterexample's visible trace.
        formula: for an inequivalence, a Hennessy–Milner formula that separates.
        projection: the path attributed to components (``None`` if it cannot be replayed).
        note: what the projection shows, or why there is none.
    """

    process: str
    trace: tuple[str, ...]
    formula: str | None
    projection: Explanation | None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dictionary (for ``procalg check --json --explain``)."""
        data = asdict(self)
        data["trace"] = list(self.trace)
        return data


def explain_report(model: Model, report: AssertionReport) -> Explained | None:
    """The explanation of a failing report; ``None`` when it passed or has no evidence."""
    ce = report.check.counterexample if report.check else None
    if report.result is not AssertionResult.FAIL or ce is None or report.assertion.negated:
        return None
    prop = report.assertion.property
    if isinstance(prop, ast.Equivalent):
        return _equivalence(model, prop, ce)
    target = prop.impl if isinstance(prop, ast.Refines) else getattr(prop, "process", None)
    if target is None:
        return None
    term = model.process(target)
    if ce.lasso:
        return _lasso(model, term, ce)
    exact = ce.full_path is not None and not isinstance(prop, ast.HasTrace)
    path = ce.full_path if exact else ce.trace
    projection, note = _project(model, term, path, goal=_goal(prop, ce), exact=exact,
                                cycle=ce.cycle is not None)
    return Explained(_name(term), ce.trace, ce.formula, projection, note)


def _lasso(model: Model, term: Any, ce: Counterexample) -> Explained:
    """A liveness lasso: the prefix and one turn of the cycle replayed as one
    path, the cycle's steps then shown as the part that repeats (``↺``)."""
    prefix = ce.full_path if ce.full_path is not None else ce.trace
    projection, note = _project(model, term, (*prefix, *(ce.cycle or ())), goal=None,
                                exact=ce.full_path is not None, cycle=False)
    if projection is not None:
        if projection.exact:
            split = len(prefix)
        else:  # the weak replay chose its own τ steps: split after the prefix's events
            visible = [k + 1 for k, lab in enumerate(projection.steps) if lab != TAU]
            split = visible[len(ce.trace) - 1] if ce.trace else 0
        projection = replace(projection, steps=projection.steps[:split],
                             columns=projection.columns[:split],
                             cycle_steps=projection.steps[split:],
                             cycle_columns=projection.columns[split:])
    return Explained(_name(term), ce.trace, ce.formula, projection, note)


def _name(term: Any, width: int = 60) -> str:
    text = show_process(term)
    return text if len(text) <= width else text[:width - 1] + "…"


def _goal(prop: ast.Node, ce: Counterexample) -> Goal | None:
    """What the end state must show for this counterexample."""
    if ce.cycle is not None or isinstance(prop, ast.HasTrace):
        # the replay looks for the τ-cycle itself (also a divergence that fails
        # [FD] deadlock freedom); any prefix's end will do
        return None
    if isinstance(prop, ast.DeadlockFree):
        return lambda moves: not moves
    if isinstance(prop, ast.Refines) and prop.model not in _FAILURES_MODELS:
        return None  # revivals, refusal testing: the refusal is before the path's last event
    if ce.refused is not None:
        refused = ce.refused

        def refuses(moves: list) -> bool:
            offered = {str(lab) for lab, _ in moves}
            settled = TAU not in offered or TICK in offered  # stable, or ✓ (autonomous)
            return settled and not (offered & refused)
        return refuses
    return None  # a trace violation: the path's last event is the evidence


def _project(model: Model, term: Any, path: Any, *, goal: Goal | None, exact: bool,
             cycle: bool) -> tuple[Explanation | None, str]:
    spec = model.spec
    try:
        projection = model._with_source(lambda: explain(
            spec.rules(), term, path, goal=goal, exact=exact, cycle=cycle,
            names=spec.evaluator.expanded_names))
    except ProcalgError as err:
        return None, err.message
    note = "" if projection.exact else "replayed by its visible events; τ steps may differ"
    return projection, note


def _equivalence(model: Model, prop: ast.Equivalent, ce: Counterexample) -> Explained:
    """The distinguishing trace and formula, projected on whichever side performs it."""
    exact = ce.full_path is not None
    for side in (prop.left, prop.right):
        term = model.process(side)
        projection, note = _project(model, term, ce.full_path if exact else ce.trace,
                                    goal=None, exact=exact, cycle=False)
        if projection is not None:
            return Explained(_name(term), ce.trace, ce.formula, projection, note)
    return Explained(_name(model.process(prop.left)), ce.trace, ce.formula, None,
                     "neither side can replay the trace on its own")
