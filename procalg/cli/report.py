"""Formatting check reports for terminals and for JSON.

Example:
    >>> format_trace(("a", "b.1"))
    'a, b.1'
    >>> format_trace(())
    '(the empty trace)'
"""

from __future__ import annotations

from procalg.api import AssertionReport
from procalg.api.check import AssertionResult
from procalg.api.evidence import MARKS, counted_notes, evidence_lines, format_trace
from procalg.checks.result import Counterexample
from procalg.cli.style import COLUMNS, Style
from procalg.errors import ProcalgError

__all__ = ["counterexample_text", "engine_notes", "error_fields", "error_json", "format_trace",
           "report_json", "summary_line"]
PASS_MARK, FAIL_MARK, ERROR_MARK = MARKS["pass"], MARKS["fail"], MARKS["error"]


_TALLY = {"passed": AssertionResult.PASS, "failed": AssertionResult.FAIL,
          "unknown": AssertionResult.UNKNOWN, "errors": AssertionResult.ERROR}
"""The ``--json`` summary's keys and the result each counts."""

STATS_COLUMNS = len(f"{0:>9,} states  {0:7.2f}s")
"""Width of the states-and-time columns of a summary line."""


def summary_line(report: AssertionReport, width: int, style: Style | None = None) -> str:
    """``✓ assertion   states  time`` for one assertion.

    The assertion column is at most as wide as keeps the line under 100
    columns; a longer assertion gets its numbers on the next line.

    Example:
        >>> from types import SimpleNamespace as NS
        >>> from procalg.checks.result import Stats
        >>> r = NS(result="pass", assertion=NS(text="P :[deadlock free]"),
        ...        stats=Stats(states=1), seconds=0.5)
        >>> summary_line(r, 20)
        '✓ P :[deadlock free]            1 state      0.50s'
    """
    mark = (style or Style(False)).mark(report.result)
    width = min(width, COLUMNS - 4 - STATS_COLUMNS)
    text = report.assertion.text
    if report.result is AssertionResult.ERROR:
        return f"{mark} {text}  error"
    if report.stats.extra.get("engine") == "symbolic":  # no states: the search depth
        depth = report.stats.extra.get("depth", 0)
        numbers = f"{'depth':>9} {depth:<6}  {report.seconds:7.2f}s"
        if len(text) > width:
            return f"{mark} {text}\n  {' ' * width}  {numbers}"
        return f"{mark} {text.ljust(width)}  {numbers}"
    states = report.stats.states
    numbers = f"{states:>9,} {'state ' if states == 1 else 'states'}  {report.seconds:7.2f}s"
    if len(text) > width:  # its own line, the numbers under the column
        return f"{mark} {text}\n  {' ' * width}  {numbers}"
    return f"{mark} {text.ljust(width)}  {numbers}"


def counterexample_text(ce: Counterexample, *, show_tau: bool = False) -> list[str]:
    """The lines that explain one counterexample (indented by the caller)."""
    return evidence_lines(ce, show_tau=show_tau)


def engine_notes(report: AssertionReport, *, details: bool = True) -> list[str]:
    """For ``--stats``: which engine ran the check and what it reduced (for the
    symbolic engine, without ``details``: only how a proof was obtained)."""
    if report.check is None:
        return []
    extra = report.check.stats.extra
    after = [str(extra["after symbolic"])] if "after symbolic" in extra else []
    return _engine_lines(report, extra, details) + after


def _engine_lines(report: AssertionReport, extra: dict, details: bool) -> list[str]:
    engine = extra.get("engine")
    if engine == "symbolic":
        return symbolic_notes(report, details=details)
    if engine == "product":
        return ["engine: product", *counted_notes(str(n) for n in extra.get("notes", ()))]
    if engine == "reference":
        return [f"engine: reference (term-level rules): {extra.get('why', '')}"]
    if engine == "explicit":  # the product engine explored the LTS, the check then ran on it
        return [f"engine: product (the LTS), then state by state on it: {extra.get('why', '')}"]
    return ["engine: reference (term-level rules)"]


def symbolic_notes(report: AssertionReport, *, details: bool = True) -> list[str]:
    """How the symbolic engine answered: the proof (always), and with ``details``
    why it ran and the size of the translated network."""
    assert report.check is not None
    extra = report.check.stats.extra
    notes = []
    if details:
        notes.append(f"engine: symbolic (z3): {extra.get('why', '')}")
        notes.append(f"{extra.get('components')} components, {extra.get('locations')} "
                     f"locations, {extra.get('moves')} moves; searched to depth "
                     f"{extra.get('depth')}")
    if "proof" in extra:
        notes.append(str(extra["proof"]))
        if details:
            notes += [f"  {where}" for where in extra.get("legend", ())]
    elif details and "replayed" in extra:
        notes.append(f"found by {extra.get('method')}, replayed on the reference rules")
    elif details:  # unknown: the message says why; the method is the list of reasons
        notes.append(f"no answer: {extra.get('method')}")
    return notes


def error_json(err: ProcalgError) -> str:
    """The ``--json`` document for a command that failed before any check ran.

    Example:
        >>> from procalg.errors import UsageError
        >>> print(error_json(UsageError("cannot read m.proc", hint="check the path")))
        {
          "error": {
            "message": "cannot read m.proc",
            "file": null,
            "line": null,
            "column": null,
            "hint": "check the path"
          }
        }
    """
    import json  # only for --json: a check's start-up skips it

    return json.dumps({"error": error_fields(err)}, indent=2, ensure_ascii=False)


def error_fields(err: ProcalgError) -> dict:
    """An error's message, place and hint, for JSON."""
    return {
        "message": err.message,
        "file": err.source.name if err.source else None,
        "line": err.span.line if err.span else None,
        "column": err.span.column if err.span else None,
        "hint": err.hint,
    }


def report_json(filename: str, reports: list[AssertionReport],
                explanations: dict[int, dict] | None = None) -> str:
    """The ``--json`` document for a whole file.

    With ``explanations`` (``--explain``: report id -> explanation), every
    assertion gets an ``"explanation"`` (``null`` when it has none).
    """
    items = []
    for r in reports:
        ce = r.check.counterexample if r.check else None
        evidence = None
        if ce is not None:
            evidence = {"trace": list(ce.trace)}
            if ce.refused is not None:
                evidence["refused"] = sorted(ce.refused)
            if ce.lasso:  # liveness: the run is prefix, then cycle for ever
                evidence["prefix"] = list(ce.trace)
            if ce.cycle is not None:
                evidence["cycle"] = list(ce.cycle)
            if ce.formula:
                evidence["formula"] = ce.formula
        message = r.error.message if r.error else (r.check.message if r.check else "")
        if ce is not None and ce.note:
            message = ce.note
        items.append({
            "assertion": r.assertion.text,
            "line": r.line,
            "result": r.result,
            "message": message,
            # A failing check's evidence is a counterexample; a passing one's
            # (a reachability witness, a refuted trace's prefix) is a witness.
            "counterexample": evidence if r.result == "fail" else None,
            "witness": evidence if r.result == "pass" else None,
            "states": r.stats.states,
            "transitions": r.stats.transitions,
            "seconds": round(r.seconds, 6),
            "engine": (r.check.stats.extra.get("engine", "reference") if r.check else None),
            # why the product engine did not run it (the --stats line), else null
            "why": (r.check.stats.extra.get("why") or None) if r.check else None,
        })
        if r.error is not None:  # where and what to do, as the text report's caret and hint
            items[-1]["error"] = error_fields(r.error)
        if explanations is not None:
            items[-1]["explanation"] = explanations.get(id(r))
    summary = {k: sum(1 for r in reports if r.result is v) for k, v in _TALLY.items()}
    import json  # only for --json: a check's start-up skips it

    return json.dumps({"file": filename, "assertions": items, "summary": summary},
                      indent=2, ensure_ascii=False)
