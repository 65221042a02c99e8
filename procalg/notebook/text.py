"""Plain-text views of procalg objects: what a notebook shows where it cannot show HTML
(a terminal IPython, ``nbconvert --to markdown``, a log), and the shared vocabulary
(marks, evidence lines) the HTML views use too.

Example:
    >>> from procalg.api import loads, check_model
    >>> model = loads("channel a\\nP = a -> STOP\\nassert P :[deadlock free]")
    >>> print(reports_text(list(check_model(model))))
    ✗ P :[deadlock free]  (line 3, 2 states)
        deadlock: the process can do nothing more and has not terminated
        trace: a
"""

from __future__ import annotations

from collections.abc import Sequence

from procalg.api.check import AssertionReport
from procalg.api.evidence import MARKS, evidence_lines, format_trace
from procalg.api.model import Model
from procalg.checks.result import CheckResult
from procalg.lts import LTS

__all__ = ["MARKS", "evidence_lines", "format_trace"]  # shared with the CLI (api.evidence)


def result_lines(result: CheckResult) -> list[str]:
    """The evidence of a check result: counterexample on failure, witness on a pass."""
    if result.counterexample is None:
        return [result.message] if result.message else []
    return evidence_lines(result.counterexample, witness=result.passed)


def report_text(report: AssertionReport) -> str:
    """``✓ assertion (line, states)`` and, on failure or error, the evidence indented."""
    where = [f"line {report.line}"] if report.line is not None else []
    if report.result != "error":
        where.append(f"{report.stats.states:,} states")
    head = f"{MARKS[report.result]} {report.assertion.text}  ({', '.join(where)})"
    if report.result == "error" and report.error is not None:
        body = [report.error.message] + ([f"hint: {report.error.hint}"]
                                         if report.error.hint else [])
    elif report.result in ("fail", "unknown") and report.check is not None:
        body = result_lines(report.check)
    else:
        body = []
    return "\n".join([head, *(f"    {line}" for line in body)])


def reports_text(reports: Sequence[AssertionReport]) -> str:
    """Every report, in order, one block each."""
    return "\n".join(report_text(r) for r in reports)


def result_text(result: CheckResult) -> str:
    """A check result on its own: mark, verdict, states, evidence.

    Example:
        >>> from procalg.checks.result import Verdict
        >>> print(result_text(CheckResult(Verdict.PASS)))
        ✓ pass  (0 states)
    """
    head = f"{MARKS[result.verdict.value]} {result.verdict.value}  ({result.stats.states:,} states)"
    return "\n".join([head, *(f"    {line}" for line in result_lines(result))])


def lts_text(lts: LTS) -> str:
    """One line of counts: states, transitions, visible labels, deadlocks.

    Example:
        >>> lts_text(LTS.build(2, 0, ["a"], [(0, "a", 1)]))
        'LTS: 2 states, 1 transitions, 1 visible labels, 1 deadlocked states'
    """
    visible = len(lts.labels) - 2  # τ and ✓ are always in the table
    return (f"LTS: {lts.num_states:,} states, {lts.num_transitions:,} transitions, "
            f"{visible:,} visible labels, {len(lts.deadlocks()):,} deadlocked states")


def model_text(model: Model) -> str:
    """The model's name and what it declares (channels, definitions, assertions)."""
    from procalg.notebook.summary import summarise

    summary = summarise(model)
    lines = [f"model {summary.name}"]
    lines += [f"  {c.kind} {c.name}{c.fields}{'  (' + c.options + ')' if c.options else ''}"
              for c in summary.channels]
    lines += [f"  {d.signature}{' = ' + d.value if d.value else ''}  ({d.kind})"
              for d in summary.definitions]
    lines += [f"  assert {a.text}  (line {a.line})" for a in summary.assertions]
    return "\n".join(lines)
