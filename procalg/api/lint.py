"""``procalg lint``: the guard analysis of :mod:`procalg.symbolic.lint` for a loaded model.

Example:
    >>> from procalg.api.model import loads
    >>> model = loads("channel a, b\\nQ(n) = n < 3 & a -> Q(n + 1) [] n > 5 & b -> Q(0)")
    >>> [(f.kind, f.witness) for f in lint_model(model)]
    [('stop', {'n': 3})]
    >>> finding_line("m.proc", lint_model(model)[0])
    'm.proc:2:8: hidden STOP: no branch of this choice is enabled for these values; witness: n = 3'
"""

from __future__ import annotations

from procalg.api.model import Model
from procalg.symbolic.lint import Finding, lint

KINDS = {"dead": "dead branch", "stop": "hidden STOP", "overlap": "overlapping guards"}


def lint_model(model: Model) -> list[Finding]:
    """Every guard-analysis finding of ``model``, in source order."""
    return lint(model.spec)


def finding_line(path: str, finding: Finding) -> str:
    """``file:line:col: kind: reason; witness: x = 1`` for one finding."""
    span = finding.span
    where = f"{path}:{span.line}:{span.column}" if span else path
    message = finding.message.removeprefix("dead branch: ")
    text = f"{where}: {KINDS[finding.kind]}: {message}"
    if finding.witness:
        text += "; witness: " + ", ".join(f"{k} = {v}" for k, v in finding.witness.items())
    return text


def finding_json(finding: Finding) -> dict:
    """One finding as a JSON object."""
    span = finding.span
    return {"kind": finding.kind, "line": span.line if span else None,
            "column": span.column if span else None, "message": finding.message,
            "witness": {k: v if isinstance(v, int | bool) else str(v)
                        for k, v in finding.witness.items()}}
