"""HTML and SVG views of procalg objects for Jupyter (pure functions: no IPython here).

:func:`procalg.notebook.enable` registers these as IPython display formatters;
tests and other front ends call them directly. Every piece of model text is
escaped, so a label like ``a<b`` cannot break the page.

Example:
    >>> from procalg.api import loads, check_model
    >>> model = loads("channel a\\nP = a -> STOP\\nassert P :[deadlock free]")
    >>> page = reports_html(list(check_model(model)))
    >>> page.count("<tr class=\\"procalg-fail\\">"), "trace: a" in page
    (1, True)
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from procalg.api.check import AssertionReport, AssertionResult
from procalg.api.model import Model
from procalg.checks.result import CheckResult
from procalg.errors import ProcalgError
from procalg.lts import LTS
from procalg.lts.render import picture
from procalg.lts.sketch import sketch
from procalg.notebook.summary import summarise
from procalg.notebook.text import MARKS, lts_text, result_lines

DRAW_LIMIT = 64
"""Largest LTS drawn inline: beyond it a picture is unreadable in a notebook cell."""

_TALLY = {AssertionResult.PASS: "passed", AssertionResult.FAIL: "failed",
          AssertionResult.UNKNOWN: "unknown", AssertionResult.ERROR: "errors"}
_COLOURS = {"pass": "#1a7f37", "fail": "#cf222e", "unknown": "#9a6700", "error": "#9a6700"}
_TABLE = '<table class="procalg" style="border-collapse: collapse; text-align: left">'
_CELL = 'style="padding: 2px 8px; vertical-align: top; text-align: left"'


def table_row(cells: Sequence[str], css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f"<tr{cls}>" + "".join(f"<td {_CELL}>{c}</td>" for c in cells) + "</tr>"


def _head(names: Sequence[str]) -> str:
    return "<tr>" + "".join(f"<th {_CELL}>{escape(n)}</th>" for n in names) + "</tr>"


def table(names: Sequence[str], rows: Sequence[str], caption: str = "") -> str:
    cap = f"<caption style=\"text-align: left\"><b>{escape(caption)}</b></caption>" \
        if caption else ""
    return f"{_TABLE}{cap}{_head(names)}{''.join(rows)}</table>"


def _mark(result: str) -> str:
    return (f'<span style="color: {_COLOURS[result]}; font-weight: bold">'
            f"{MARKS[result]}</span>")


def code_lines(lines: Sequence[str]) -> str:
    return "<br>".join(f"<code>{escape(line)}</code>" for line in lines)


REPORT_COLUMNS = ("", "assertion", "line", "states", "time", "evidence")


def report_row(report: AssertionReport) -> str:
    """One ``<tr>``: mark, assertion, line, states, time, and the evidence.

    A failure shows its counterexample; a pass shows its witness when the
    check has one (reachability); an error shows the message and hint.
    """
    if report.result == "error" and report.error is not None:
        hint = [f"hint: {report.error.hint}"] if report.error.hint else []
        evidence = code_lines([report.error.message, *hint])
        states = ""
    else:
        evidence = code_lines(result_lines(report.check)) if report.check else ""
        states = f"{report.stats.states:,}"
    cells = [_mark(report.result), f"<code>{escape(report.assertion.text)}</code>",
             "" if report.line is None else str(report.line), states,
             f"{report.seconds:.2f}s", evidence]
    return table_row(cells, f"procalg-{report.result}")


def reports_html(reports: Sequence[AssertionReport]) -> str:
    """A table with one row per report and a one-line tally under it."""
    tally = {k: sum(1 for r in reports if r.result is k) for k in _TALLY}
    summary = ", ".join(f"{n} {_TALLY[k]}" for k, n in tally.items() if n)
    return (table(REPORT_COLUMNS, [report_row(r) for r in reports])
            + f"<p>{escape(summary or 'no assertions')}</p>")


def report_html(report: AssertionReport) -> str:
    """A single report as a one-row table."""
    return table(REPORT_COLUMNS, [report_row(report)])


def result_html(result: CheckResult) -> str:
    """A check result on its own (no assertion): verdict, states, evidence."""
    verdict = result.verdict.value
    cells = [_mark(verdict), escape(verdict), f"{result.stats.states:,}",
             code_lines(result_lines(result))]
    return table(("", "verdict", "states", "evidence"), [table_row(cells, f"procalg-{verdict}")])


def model_html(model: Model) -> str:
    """The model's channels, definitions and assertions as three small tables."""
    summary = summarise(model)
    channels = [table_row([f"<code>{escape(c.name + c.fields)}</code>", escape(c.kind),
                      escape(c.options)]) for c in summary.channels]
    definitions = [table_row([f"<code>{escape(d.signature)}</code>", escape(d.kind),
                         f"<code>{escape(d.value)}</code>" if d.value else ""])
                   for d in summary.definitions]
    assertions = [table_row(["" if a.line is None else str(a.line),
                        f"<code>{escape(a.text)}</code>"]) for a in summary.assertions]
    parts = [f"<p><b>model</b> <code>{escape(summary.name)}</code></p>"]
    if channels:
        parts.append(table(("channel", "kind", "options"), channels, "Channels"))
    if definitions:
        parts.append(table(("definition", "kind", "value"), definitions, "Definitions"))
    if assertions:
        parts.append(table(("line", "assertion"), assertions, "Assertions"))
    return "".join(parts)


def error_html(err: ProcalgError) -> str:
    """A procalg error as the CLI prints it (place, source line, caret, hint), in red."""
    return (f'<pre style="color: {_COLOURS["fail"]}">{escape(err.render())}</pre>')


def can_draw() -> bool:
    """Whether Graphviz's ``dot`` program is on the PATH."""
    return shutil.which("dot") is not None


def lts_bundle(lts: LTS, *, highlight_trace: Sequence[str] | None = None,
               max_states: int = DRAW_LIMIT, draw: bool | None = None) -> dict[str, str]:
    """The MIME bundle IPython shows for an LTS.

    A small LTS is an SVG picture (``image/svg+xml``); a large one, or any
    LTS when ``dot`` is missing, is an HTML table of counts with a hint
    saying how to get a picture. ``text/plain`` is always there.

    Args:
        lts: the LTS to show.
        highlight_trace: label names whose path is drawn thick and blue.
        max_states: the largest LTS drawn.
        draw: force (``True``) or forbid (``False``) drawing; default: draw
            when ``dot`` is installed.

    Raises:
        ProcalgError: ``highlight_trace`` is not a trace of ``lts``.
    """
    bundle = {"text/plain": lts_text(lts)}
    draw = can_draw() if draw is None else draw
    if not draw:
        hint = ("Graphviz's dot program is not installed (apt-get install graphviz, "
                "brew install graphviz); procalg.lts.dot.to_dot(lts) gives the DOT text")
        bundle["text/html"] = lts_html(lts, hint)
        return bundle
    part = sketch(lts, max_states, trace=highlight_trace)
    svg = fit_width(picture(part.lts, "svg", highlight_trace=highlight_trace,
                            max_states=max(max_states, part.lts.num_states),
                            frontier=part.frontier).decode("utf-8"))
    if not part.note:
        bundle["image/svg+xml"] = svg
        return bundle
    caption = (f"{lts.num_states:,} states, too many to draw here: this is {part.note}. "
               "procalg.api.export.draw(lts, 'lts.svg', max_states=N) draws more.")
    bundle["text/html"] = f"{svg}<p><i>{escape(caption)}</i></p>"
    return bundle


def fit_width(svg: str) -> str:
    """``svg`` scaled down to the cell's width when wider (never up): Graphviz
    writes absolute sizes, and a wide LTS would run off the edge of the cell.

    Example:
        >>> fit_width('<svg width="1644pt" viewBox="0 0 1644 80">')
        '<svg style="max-width: 100%; height: auto" width="1644pt" viewBox="0 0 1644 80">'
    """
    return svg.replace("<svg ", '<svg style="max-width: 100%; height: auto" ', 1)


def lts_html(lts: LTS, hint: str = "") -> str:
    """An HTML table of an LTS's counts, with ``hint`` under it."""
    terminated = int((lts.terminated() & (lts.out_degree() == 0)).sum())
    rows = [("states", lts.num_states), ("transitions", lts.num_transitions),
            ("visible labels", len(lts.labels) - 2), ("initial state", lts.initial),
            ("deadlocked states", len(lts.deadlocks())), ("terminated states", terminated)]
    counts = table(("LTS", ""), [table_row([escape(k), f"{v:,}"]) for k, v in rows])
    return counts + (f"<p><i>{escape(hint)}</i></p>" if hint else "")


@dataclass(frozen=True)
class Drawing:
    """An LTS to show with options (a highlighted trace, a size limit); a notebook
    displays it through ``_repr_mimebundle_`` (see :func:`lts_bundle`).

    Example:
        >>> lts = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2)])
        >>> bundle = Drawing(lts, ("a",), draw=False)._repr_mimebundle_()
        >>> sorted(bundle)
        ['text/html', 'text/plain']
    """

    lts: LTS
    highlight_trace: Sequence[str] | None = None
    max_states: int = DRAW_LIMIT
    draw: bool | None = None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return lts_bundle(self.lts, highlight_trace=self.highlight_trace,
                          max_states=self.max_states, draw=self.draw)
