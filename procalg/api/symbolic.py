"""Dispatching assertions to the symbolic engine (``--engine symbolic``, or
``auto`` on a model with unbounded data) and its answers to ``CheckResult``.

Example:
    >>> from procalg.api.model import loads
    >>> model = loads('''channel c : Int
    ... P(n) = c!n -> P(n + 1)
    ... assert P(0) :[invariant]: n >= 0''')
    >>> why = reason(model, model.assertions[0].property, SearchOptions())
    >>> why
    'invariants are checked symbolically'
    >>> result = check(model, model.assertions[0].property, SearchOptions(), why)
    >>> result.passed, result.stats.extra["method"]
    (True, 'k-induction (k = 1)')
"""

from __future__ import annotations

from procalg.api.model import Model
from procalg.api.search import CheckEngine, SearchOptions
from procalg.assertion_kinds import RefinementModel
from procalg.checks.result import CheckResult, Counterexample, Stats, Verdict
from procalg.errors import LimitExceeded, ModelError, ProcalgError
from procalg.syntax import ast, pretty
from procalg.terms import Event, Sequence

SUPPORTED = (ast.DeadlockFree, ast.Reachable, ast.HasTrace, ast.Invariant)


def reason(model: Model, prop: ast.Node, options: SearchOptions) -> str | None:
    """Why this assertion goes to the symbolic engine, or ``None`` if it does not."""
    if options.engine is CheckEngine.SYMBOLIC:
        return "--engine symbolic"
    if type(prop) is ast.Invariant:
        if options.engine is not CheckEngine.AUTO:
            raise ModelError(f"':[invariant]:' needs the symbolic engine, not --engine "
                             f"{options.engine}", prop.span, hint="use --engine auto or symbolic")
        return "invariants are checked symbolically"
    if options.engine is CheckEngine.AUTO and type(prop) in SUPPORTED and model.int_data:
        return "the model has unbounded data (Int)"
    return None


def point_at_symbolic(model: Model, err: ProcalgError) -> None:
    """An explicit engine that hit its state limit on a model with integer data
    most likely met a parameter that grows without bound: say so."""
    if isinstance(err, LimitExceeded) and model.int_data and "symbolic" not in (
            err.hint or ""):
        err.hint = ((err.hint + "; ") if err.hint else "") + (
            "a parameter that grows without bound (an Int counter) makes the state space "
            "infinite: use --engine symbolic")


def check(model: Model, prop: ast.Node, options: SearchOptions, why: str) -> CheckResult:
    """Run ``prop`` on the symbolic engine.

    Returns:
        A pass (with how it was proved), a fail (with a replayed counterexample),
        or :attr:`~procalg.checks.result.Verdict.UNKNOWN` after the depth and time
        limits, with the reason.

    Raises:
        ModelError: a property or construct the engine does not take.
    """
    from procalg.symbolic import engine

    if type(prop) not in SUPPORTED:
        raise ModelError(f"the symbolic engine does not check {type(prop).__name__} ({why})",
                         prop.span,
                         hint="it checks deadlock freedom, reachable, has trace and invariant; "
                              "restrict Int data to a range for the explicit engines")
    limits = engine.Limits(depth=options.bmc_depth, seconds=options.seconds)
    spec = model.spec
    try:
        if type(prop) is ast.DeadlockFree:
            if prop.model is not RefinementModel.FAILURES:
                _no_divergence(spec, prop, why)
            out = engine.deadlock(spec, prop.process, limits)
        elif type(prop) is ast.Reachable:
            event = model.value(prop.event)
            if not isinstance(event, Event):
                raise ModelError("':[reachable e]' needs one event, like eat.0", prop.event.span)
            out = engine.reachable(spec, prop.process, event.channel, event.fields, limits)
        elif type(prop) is ast.HasTrace:
            if prop.model not in (None, RefinementModel.TRACES):
                raise ModelError(f"the symbolic engine checks ':[has trace]' in [T] only, "
                                 f"not [{prop.model.value}] ({why})", prop.span,
                                 hint="use --engine reference for the failures models")
            trace = model.value(prop.trace)
            if not isinstance(trace, Sequence) or not all(isinstance(e, Event)
                                                          for e in trace.items):
                raise ModelError("':[has trace]:' needs a sequence of events, like <a, b.1>",
                                 prop.trace.span)
            out = engine.has_trace(spec, prop.process, tuple(trace.items), limits)
        else:
            out = engine.invariant(spec, prop.process, prop.expr, limits)
    except engine.OutsideFragment as err:
        err.hint = err.hint or "see docs/symbolic.md for the fragment the symbolic engine takes"
        raise
    return _result(prop, out, why, limits)


def _no_divergence(spec, prop: ast.DeadlockFree, why: str) -> None:
    """FDR's [FD] deadlock freedom (the default) also fails a divergence, which the
    symbolic engine does not search for; its fragment has no recursion without a
    prefix, so only hidden events can make a τ-cycle: without them [F] and [FD] agree."""
    from procalg.symbolic.compose import translate_network

    if any(m.hidden for m in translate_network(spec, prop.process).moves):
        raise ModelError(f"the symbolic engine does not check divergence, which "
                         f":[deadlock free] (FDR's [FD] reading) also fails on, and this "
                         f"process hides events ({why})", prop.span,
                         hint="write :[deadlock free [F]] for stuck states only, or restrict "
                              "Int data to a range for the explicit engines")


_FOUND_FAILS = {ast.DeadlockFree: True, ast.Invariant: True, ast.Reachable: False,
                ast.HasTrace: False}


def _result(prop: ast.Node, out, why: str, limits) -> CheckResult:
    kind = type(prop)
    seconds = out.stats.get("seconds", 0.0)
    extra = {**out.stats, "why": why}
    if out.invariant:
        extra["invariant"] = out.invariant
    stats = Stats(0, 0, seconds, extra)
    if out.found is None:  # neither a proof nor a counterexample: say so, never guess
        return CheckResult(Verdict.UNKNOWN, None, stats,
                           f"unknown after depth {out.stats['depth']}: {out.method}; raise "
                           f"--bmc-depth (now {limits.depth}) or --timeout "
                           f"(now {limits.seconds:g} s)")
    failed = out.found == _FOUND_FAILS[kind]
    verdict = Verdict.FAIL if failed else Verdict.PASS
    if not out.found:
        proof = out.method + (f" with the invariant {out.invariant}" if out.invariant else "")
        extra["proof"] = f"proved for every depth by {proof}"
        statement = {
            ast.DeadlockFree: "deadlock free",
            ast.Invariant: "the invariant holds in every reachable state",
            ast.HasTrace: "the process cannot do this trace",
        }.get(kind) or f"{pretty(prop.event)} is unreachable"
        return CheckResult(verdict, None, stats, f"{statement} ({extra['proof']})")
    visible = tuple(label for label in out.trace if label != "τ")
    values = ", ".join(f"{name} = {value}" for name, value in out.state.items())
    note = {
        ast.DeadlockFree: "deadlock: the process can do nothing more and has not terminated",
        ast.Invariant: "the invariant is false after this trace",
        ast.Reachable: f"{visible[-1] if visible else 'the event'} happens after this trace",
        ast.HasTrace: "the process can do this trace",
    }[kind]
    if values and kind is not ast.HasTrace:
        note += f" ({values})"
    ce = Counterexample(visible, full_path=out.trace, note=note)
    return CheckResult(verdict, ce, stats, note)
