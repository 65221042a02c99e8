"""Evidence as text: what a counterexample (or a passing check's witness)
shows, one fact a line. The CLI and the notebook both print these lines, so
a user reads the same words wherever they meet a verdict.

Example:
    >>> from procalg.checks.result import Counterexample
    >>> evidence_lines(Counterexample(("a",), refused=frozenset({"b"}), note="stuck"))
    ['stuck', 'trace: a', 'refused: {b}']
    >>> format_trace(())
    '(the empty trace)'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from procalg.checks.result import Counterexample
from procalg.lts import TAU

MARKS = {"pass": "✓", "fail": "✗", "unknown": "?", "error": "!"}
"""The mark of each report result."""


def format_trace(trace: Sequence[str]) -> str:
    """Events in order, comma-separated; the empty trace by name."""
    return ", ".join(trace) if trace else "(the empty trace)"


def counted_notes(notes: Iterable[str]) -> list[str]:
    """Each note once, in the order first made, saying how often when more than once
    (Tokeneer's eight choices each too large to reset made one note eight times).

    Example:
        >>> counted_notes(["a", "b", "a"])
        ['a (×2)', 'b']
    """
    return [note if n == 1 else f"{note} (×{n})" for note, n in Counter(notes).items()]


def _events(events: frozenset[str]) -> str:
    return "{" + ", ".join(sorted(events)) + "}"


def evidence_lines(ce: Counterexample, *, witness: bool = False,
                   show_tau: bool = False) -> list[str]:
    """The note, the trace (``witness:`` for a pass), the τ-cycle, refused and
    accepted sets and the distinguishing formula, each on its own line.

    Args:
        ce: the evidence.
        witness: label the path a witness (the check passed) rather than a trace.
        show_tau: print τ steps (the full path and the whole cycle).
    """
    lines = [ce.note] if ce.note else []
    path = ce.full_path if show_tau and ce.full_path is not None else ce.trace
    if ce.lasso and ce.cycle is not None:  # liveness: a run that goes on for ever
        cycle = ce.cycle if show_tau else tuple(e for e in ce.cycle if e != TAU) or (TAU,)
        return [*lines, f"prefix: {format_trace(path)}",
                f"cycle: {format_trace(cycle)} (repeats for ever)"]
    lines.append(f"{'witness' if witness else 'trace'}: {format_trace(path)}")
    if ce.cycle is not None:
        cycle = ce.cycle if show_tau else tuple(e for e in ce.cycle if e != TAU) or (TAU,)
        lines.append(f"then loops for ever: {format_trace(cycle)}")
    if ce.refused is not None:
        lines.append(f"refused: {_events(ce.refused)}")
    if ce.accepted is not None:
        lines.append(f"accepted: {_events(ce.accepted)}")
    if ce.formula:
        lines.append(f"distinguishing formula: {ce.formula}")
    return lines
