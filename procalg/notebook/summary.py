"""What a loaded model declares, as rows a table can show: channels (with their
kind: channel, activity, signal, timer), definitions (process, function or value)
and assertions.

Showing a model must not explore it: a definition without parameters is
evaluated (cheap: terms are built lazily, values are small) to tell a process
from a value; a definition with parameters is classified by the shape of its
body, since calling it would need arguments.

Example:
    >>> from procalg.api import loads
    >>> s = summarise(loads("N = 2\\nchannel c : {0..N}\\nP = c?x -> P"))
    >>> [(c.name, c.fields, c.kind) for c in s.channels]
    [('c', ' : {0, 1, 2}', 'channel')]
    >>> [(d.signature, d.kind, d.value) for d in s.definitions]
    [('N', 'value', '2'), ('P', 'process', '')]
"""

from __future__ import annotations

from dataclasses import dataclass

from procalg.api.model import Model
from procalg.errors import ProcalgError
from procalg.syntax import ast
from procalg.syntax.pretty import duration
from procalg.terms import Process
from procalg.terms.saga import RESERVED
from procalg.terms.values import show

WIDTH = 60
"""Longest value text shown before it is cut with an ellipsis."""

_PROCESS_NODES = (ast.PrefixExpr, ast.ProcBinary, ast.GenParallel, ast.AlphaParallelExpr,
                  ast.HideExpr, ast.RenameExpr, ast.StopLit, ast.SkipLit, ast.ThrowLit,
                  ast.Undo, ast.Saga, ast.Guard)


@dataclass(frozen=True)
class ChannelRow:
    """One declared channel or timer: ``fields`` as ``" : {..}.{..}"`` (empty if none),
    ``kind`` one of channel/activity/signal/timer, ``options`` the engine's settings."""

    name: str
    fields: str
    kind: str
    options: str = ""


@dataclass(frozen=True)
class DefinitionRow:
    """One definition: ``Phil(i)``, whether it is a process, function or value, and the
    value's text for a value."""

    signature: str
    kind: str
    value: str = ""


@dataclass(frozen=True)
class AssertionRow:
    """One assertion's line and text."""

    line: int | None
    text: str


@dataclass(frozen=True)
class Summary:
    """A model's declarations, in the order a reader wants them."""

    name: str
    channels: tuple[ChannelRow, ...]
    definitions: tuple[DefinitionRow, ...]
    assertions: tuple[AssertionRow, ...]


def _cut(text: str) -> str:
    return text if len(text) <= WIDTH else text[:WIDTH - 1] + "…"


def _options(activity: object) -> str:
    parts = []
    if getattr(activity, "attempts", None):
        parts.append(f"attempts {activity.attempts}")  # type: ignore[attr-defined]
    if getattr(activity, "backoff_ms", None) is not None:
        parts.append(f"backoff {duration(activity.backoff_ms)}")  # type: ignore[attr-defined]
    if getattr(activity, "timeout_ms", None) is not None:
        parts.append(f"timeout {duration(activity.timeout_ms)}")  # type: ignore[attr-defined]
    if getattr(activity, "never_fails", False):
        parts.append("never fails")
    return ", ".join(parts)


def channel_rows(model: Model) -> tuple[ChannelRow, ...]:
    """Channels in name order, then timers; the saga semantics' own channels (``fail``)
    are left out, since no model declares them."""
    rows = []
    for name, fields in sorted(model.spec.channels.items()):
        if name in RESERVED or name in model.timers:
            continue
        text = " : " + ".".join(_cut(show(f)) for f in fields) if fields else ""
        if name in model.activities:
            rows.append(ChannelRow(name, text, "activity", _options(model.activities[name])))
        elif name in model.signals:
            rows.append(ChannelRow(name, text, "signal"))
        else:
            rows.append(ChannelRow(name, text, "channel"))
    for name, timer in sorted(model.timers.items()):
        rows.append(ChannelRow(name, "", "timer", f"fires after {duration(timer.duration_ms)}"))
    return tuple(rows)


def definition_row(model: Model, name: str, clause: ast.Definition) -> DefinitionRow:
    """Classify one definition (see the module docstring for why this way)."""
    if clause.params is not None:
        kind = "process" if isinstance(clause.body, _PROCESS_NODES) else "function"
        return DefinitionRow(f"{name}({', '.join(_pattern(p) for p in clause.params)})", kind)
    try:
        value = model.value(ast.Name(name, span=clause.span))
    except ProcalgError as err:
        return DefinitionRow(name, "error", _cut(err.message))
    if isinstance(value, Process):
        return DefinitionRow(name, "process")
    return DefinitionRow(name, "value", _cut(show(value)))


def _pattern(pattern: ast.Node) -> str:
    name = getattr(pattern, "name", None)
    return name if isinstance(name, str) else "_"


def summarise(model: Model) -> Summary:
    """The rows of every table :func:`procalg.notebook.html.model_html` shows."""
    definitions = tuple(definition_row(model, name, clauses[0])
                        for name, clauses in model.spec.definitions.items())
    assertions = tuple(AssertionRow(a.span.line if a.span else None, a.text)
                       for a in model.assertions)
    return Summary(model.source.name, channel_rows(model), definitions, assertions)
