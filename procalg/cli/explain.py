"""``procalg check --explain``: a counterexample as a table of components, like FDR's debugger.

One row per component (a part of a parallel composition, found in every
state, so components appear and end along the path), one column per step
of the path in which a component took part, each cell what that component
did (its own event name, so hidden events show; ``·`` nothing; blank: it
did not exist then), then what it offers at the end. Under the table: the
events a component offers that a parallel operator holds back, and who
blocks them; then what a saga's events say. In a terminal the table is
drawn with ``rich``; otherwise as plain text.

Example:
    >>> grid([["", "a"], ["P", "b.1"]])
    ['  | a', 'P | b.1']
"""

from __future__ import annotations

import sys
from typing import TextIO

from procalg.api.explain import Explained
from procalg.lts import TAU
from procalg.semantics.explain import Component, Explanation

MAX_COLUMNS = 12
"""Steps shown in the table: the last ones, where the failure happens."""
NOTHING = "·"


def table_rows(ex: Explanation, *, show_tau: bool = False) -> list[list[str]]:
    """The table as rows of cells; the first row is the header."""
    steps = list(enumerate(zip(ex.steps, ex.columns, strict=True)))
    # a step where every component moved by τ only is internal noise unless asked for;
    # a divergence's cycle is the evidence itself, so all of it shows
    steps = [(k, (lab, col)) for k, (lab, col) in steps
             if show_tau or any(c is not None and c != TAU for c in col)]
    steps += [(len(ex.steps) + k, (f"↺ {lab}", col)) for k, (lab, col) in
              enumerate(zip(ex.cycle_steps, ex.cycle_columns, strict=True))]
    skipped = max(0, len(steps) - MAX_COLUMNS)
    steps = steps[skipped:]
    header = ["component", *(["…"] if skipped else []), *(lab for _, (lab, _) in steps),
              "offers at the end"]
    rows = [header]
    for i, comp in enumerate(ex.components):
        first, last = comp.span
        cells = [(col[i] or NOTHING) if first <= k <= last else "" for k, (_, col) in steps]
        rows.append([comp.name, *(["…"] if skipped else []), *cells, _offers(ex, comp)])
    return rows


def _offers(ex: Explanation, comp: Component) -> str:
    if not comp.alive:  # it ended in the step after the last state it was in
        labels = (*ex.steps, *ex.cycle_steps)
        last = comp.span[1]
        return f"(ended at {labels[last]})" if last < len(labels) else "(ended)"
    if comp.final == "Ω":
        return "Ω (terminated)"
    return "{" + ", ".join(comp.offers) + "}" + ("" if comp.stable else " (unstable)")


def grid(rows: list[list[str]]) -> list[str]:
    """Rows of cells as aligned plain-text lines, the first column set off by ``|``."""
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=True)]
        lines.append((f"{cells[0]} | " + "  ".join(cells[1:])).rstrip())
    return lines


def explanation_lines(why: Explained, *, show_tau: bool = False) -> list[str]:
    """The explanation as plain-text lines (indented by the caller)."""
    lines = [f"explained for {why.process}:"]
    if why.formula:
        lines.append(f"distinguishing trace: {', '.join(why.trace) or '(the empty trace)'}")
        lines.append(f"Hennessy–Milner formula: {why.formula}")
    ex = why.projection
    if ex is None:
        lines.append(f"(no component table: {why.note})" if why.note else "")
        return [x for x in lines if x]
    if why.note:
        lines.append(f"({why.note})")
    lines += grid(table_rows(ex, show_tau=show_tau))
    lines += blocked_lines(ex)
    lines += list(ex.notes)
    return lines


def blocked_lines(ex: Explanation) -> list[str]:
    """``pick.0.1: offered by Phil(0), blocked by Fork(1)`` per held-back event.

    Example:
        >>> from procalg.semantics.explain import Blocked, Explanation
        >>> ex = Explanation((), (), (), blocked=(
        ...     Blocked("ship", ("Billing",), ("Fulfil",), "never"),
        ...     Blocked("x", ("P",), (), "alphabet", outer="τ")))
        >>> for line in blocked_lines(ex):
        ...     print(line)
        ship: offered by Billing, blocked by Fulfil, which never does it
        x (hidden outside): offered by P, outside its own alphabet
    """
    out = []
    for b in ex.blocked:
        who = ", ".join(b.blocked_by)
        if b.reason == "alphabet":
            why = "outside its own alphabet"
        elif b.reason == "never":
            never = "which never does it" if len(b.blocked_by) == 1 else "none of which does it"
            why = f"blocked by {who}, {never}" if who else "the other side never does it"
        else:
            why = f"blocked by {who}"
        seen = "" if not b.outer else (" (hidden outside)" if b.outer == TAU
                                       else f" (outside: {b.outer})")
        out.append(f"{b.event}{seen}: offered by {', '.join(b.wanted_by)}, {why}")
    return out


def print_explanation(why: Explained, *, show_tau: bool = False,
                      out: TextIO | None = None) -> None:
    """Print with a ``rich`` table on a terminal, as plain text otherwise."""
    out = out or sys.stdout
    if why.projection is None or not out.isatty():
        for line in explanation_lines(why, show_tau=show_tau):
            print(f"    {line}", file=out)
        return
    from rich.console import Console
    from rich.table import Table

    rows = table_rows(why.projection, show_tau=show_tau)
    table = Table(title=f"explained for {why.process}", title_justify="left")
    for cell in rows[0]:
        table.add_column(cell)
    for row in rows[1:]:
        table.add_row(*row)
    console = Console(file=out)
    if why.formula:
        console.print(f"    Hennessy–Milner formula: {why.formula}", markup=False)
    console.print(table)
    for line in [*blocked_lines(why.projection), *why.projection.notes]:
        console.print(f"    {line}", markup=False)
