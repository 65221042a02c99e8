"""Views of a workflow run: its status, what it waits for, and its history as a table.

The tables tell the history as ``procalg run`` does (the model's events, the
activities' inputs and outputs, timers and retries in words; see
:mod:`procalg.api.narrate`); :func:`history_rows` keeps the recorded events
themselves for whoever wants the engine's rows. Times are offsets from the
run's start (``+5s``, ``+1d``), which read the same on a virtual clock and a
real one.

Example:
    >>> from procalg.api import loads
    >>> from procalg.api.run import start
    >>> from procalg.runtime.clock import VirtualClock
    >>> model = loads("activity pay\\nP = pay -> SKIP")
    >>> run = start(model, "P", activities={"pay": lambda: None}, store="memory:",
    ...             clock=VirtualClock())
    >>> print(run_text(run).splitlines()[0])
    run P: completed
    >>> print(run_text(run).splitlines()[2].strip())
    +0s  activity pay (attempt 1)
    >>> [(r.kind, r.detail) for r in history_rows(run)][1]
    ('activity_scheduled', 'step=0, channel=pay, input=()')
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from html import escape

from procalg.api.narrate import span, story
from procalg.api.run import HistoryEvent, Run
from procalg.notebook.html import code_lines, table, table_row
from procalg.terms.values import show

_HIDDEN = {"time", "model_text"}  # the time has its own column; a model's text is too long


@dataclass(frozen=True)
class HistoryRow:
    """One history event: its number, time since the start, kind and fields as text."""

    seq: int
    offset: float
    kind: str
    detail: str


def _detail(event: HistoryEvent, start: float) -> str:
    parts = []
    for f in dataclasses.fields(event):
        if f.name in _HIDDEN:
            continue
        value = getattr(event, f.name)
        if f.name == "model_hash":
            value = value[:12]
        elif f.name in ("deadline", "retry_at") and isinstance(value, float):
            value = f"+{value - start:.3f}s"
        elif not isinstance(value, str | int | float | type(None)):
            value = show(value)
        parts.append(f"{f.name}={value}")
    return ", ".join(parts)


def history_rows(run: Run) -> list[HistoryRow]:
    """The run's history, one row per recorded event, in order."""
    events = run.history()
    start = events[0].time if events else 0.0
    return [HistoryRow(i, e.time - start, e.kind, _detail(e, start))
            for i, e in enumerate(events)]


def _waiting(run: Run) -> list[str]:
    return [f"{w.kind} {w.what}" + ("" if w.deadline is None else f" (at {w.deadline:g}s)")
            for w in run.waiting_on()]


def _process(run: Run) -> str:
    events = run.history()
    return getattr(events[0], "process", "?") if events else "?"


def run_text(run: Run) -> str:
    """``run PROCESS: status``, what it waits for, then the history told a line at a time."""
    lines = [f"run {_process(run)}: {run.status}"]
    lines += [f"  waiting for {w}" for w in _waiting(run)]
    lines += [f"  {'+' + span(s.offset):>5}  {s.text}" for s in story(run.history())]
    return "\n".join(lines)


def run_html(run: Run) -> str:
    """The run's status and waits in a line, and its history as a table."""
    status = run.status
    head = (f"<p><b>run</b> <code>{escape(run.id)}</code> of "
            f"<code>{escape(_process(run))}</code>: <b>{escape(status)}</b></p>")
    waits = _waiting(run)
    if waits:
        head += f"<p>waiting for: {code_lines(waits)}</p>"
    rows = [table_row([f"+{span(s.offset)}", f"<code>{escape(s.text)}</code>"])
            for s in story(run.history())]
    return head + table(("time", "what happened"), rows)
