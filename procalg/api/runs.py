"""Recorded runs from outside (layer 5): the ``procalg runs`` verbs as functions.

A face (the CLI, a script, a notebook) opens an engine on a store with
:func:`open_engine`, then :func:`follow` drives a run until it ends or waits
for a signal, :func:`send_signal` buffers a signal and drives the run on if no
live worker holds it, :func:`resume` claims an unfinished run (moving it to a
changed model first if asked) and drives it, :func:`history_table` reads a
run's history in .proc notation, and :func:`serve` is the worker loop.
Nothing here prints: the faces tell.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.api.run import start
    >>> model = loads("signal ok\\nP = ok -> SKIP")
    >>> eng = open_engine("memory:")
    >>> run = start(model, "P", store=eng, run_id="r")
    >>> follow(eng, run.id)
    Followed(status=<RunStatus.WAITING: 'waiting'>, signals=('ok',), waiting='r', parent='')
    >>> send_signal(eng, run.id, "ok").consumed, eng.get(run.id).status
    (True, <RunStatus.COMPLETED: 'completed'>)
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procalg.api.model import Model
from procalg.api.run import RetryOverrides, as_model, engine, migrate, model_of
from procalg.errors import FormatError, RunError, StoreUnavailable
from procalg.runtime import continuation
from procalg.runtime.activities import DEFAULT_REGISTRY, ActivityRegistry
from procalg.runtime.decide import ReplayError
from procalg.runtime.engine import Engine
from procalg.runtime.history import HistoryEvent, decode_value, from_json, to_json
from procalg.runtime.ports import UNFINISHED, RunStatus
from procalg.runtime.serve import serve  # procalg worker's loop, re-exported for the faces
from procalg.terms.values import show

__all__ = ["Followed", "HistoryTable", "ReplayError", "Resumed", "Sent", "activities_module",
           "call_text", "follow", "history_table", "open_engine", "read_history", "resume",
           "send_signal", "serve"]


def activities_module(module: str | None) -> ActivityRegistry:
    """The functions a module binds: its ``ACTIVITIES`` mapping, or its ``@activity`` decorators.

    Raises:
        RunError: the module cannot be imported (or fails while importing).
    """
    if module is None:
        return DEFAULT_REGISTRY
    sys.path.insert(0, str(Path.cwd()))
    try:
        loaded = importlib.import_module(module)
    except Exception as err:  # ImportError, or the module's own code failing at import
        why = err if isinstance(err, ImportError) else f"{type(err).__name__}: {err}"
        raise RunError(f"cannot import activities module {module!r}: {why}",
                       hint="give a module name importable from here, e.g. examples.shop") from err
    mapping = getattr(loaded, "ACTIVITIES", None)
    if mapping is not None:
        return ActivityRegistry(mapping)
    # the module's own decorated functions: another module imported earlier in this
    # process may have bound the same channel in the default registry
    return ActivityRegistry.of_module(loaded) or DEFAULT_REGISTRY


def open_engine(db: str, *, activities: str | None = None, retry: RetryOverrides | None = None,
                create: bool = True, lease: float | None = None,
                on_event: Callable[[str, HistoryEvent], None] | None = None,
                wait: float = 0.0, on_wait: Callable[[str], None] | None = None) -> Engine:
    """An engine on the store ``db`` (a path, a store URL or ``memory:``).

    A server that cannot be reached yet (refused, starting up, recovering from a
    crash) is asked again, with growing pauses, for up to ``wait`` seconds: a worker
    started while its database restarts waits for it instead of exiting. A store
    that refuses for good (no such database or role) fails at once.

    Args:
        db: where the runs are (see :func:`procalg.api.run.store`).
        activities: the module binding the activities (None: the ``@activity`` ones).
        retry: retry overrides for every run this engine loads or starts.
        create: create a missing store (False: a missing SQLite file is an error).
        lease: seconds a claim lasts without renewal (None: the engine's default).
        on_event: called with every recorded event (live progress).
        wait: seconds to keep asking a server that cannot be reached yet.
        on_wait: told why, once, when the first attempt failed and we wait.

    Raises:
        StoreUnavailable: the server still cannot be reached after ``wait`` seconds.
    """
    options: dict[str, Any] = {"on_event": on_event}
    if lease is not None:
        options["lease"] = lease
    registry = activities_module(activities)
    until, pause = time.monotonic() + wait, 0.05
    while True:
        try:
            return engine(db, activities=registry, retry=retry or None, create=create,
                          **options)
        except StoreUnavailable as err:
            if time.monotonic() + pause > until:
                raise
            if on_wait is not None and pause == 0.05:
                on_wait(err.message)
            time.sleep(pause)
            pause = min(pause * 2, 1.0)


def call_text(process: str, values: tuple[Any, ...] | list[Any]) -> str:
    """A process call in .proc notation, for people.

    Example:
        >>> call_text("Order", [3, frozenset({1})]), call_text("P", [])
        ('Order(3, {1})', 'P')
    """
    return f"{process}({', '.join(map(show, values))})" if values else process


@dataclass(frozen=True)
class Followed:
    """Where :func:`follow` left a run.

    Attributes:
        status: the run's status (``waiting`` only when it waits for a signal).
        signals: the signal events it waits for (empty unless waiting).
    """

    status: RunStatus
    signals: tuple[str, ...] = ()
    waiting: str = ""
    """The run that waits for ``signals``: the one followed (or the run it continued as
    new in), or a child run it waits on."""
    parent: str = ""
    """The run whose child (or grandchild) ``waiting`` is; empty where ``waiting`` is
    the run followed or its continuation."""


def _waiting_child(eng: Engine, run_id: str) -> tuple[str, tuple[str, ...]] | None:
    """A child run (or grandchild) of ``run_id`` that waits for signals, and those signals."""
    for child in eng.log.children(run_id):
        if eng.log.get_run(child).status is not RunStatus.WAITING:
            continue
        signals = tuple(w.what for w in eng.get(child).waiting_on() if w.kind == "signal")
        if signals:
            return child, signals
        deeper = _waiting_child(eng, child)
        if deeper:
            return deeper
    return None


def follow(eng: Engine, run_id: str) -> Followed:
    """Drive the run, sleeping for timers and retries, until it ends or needs a signal.

    A run left waiting for a signal gives up its lease: whoever signals it drives it on.
    """
    while True:
        status = RunStatus(eng.drive(run_id))
        if status is RunStatus.CONTINUED:  # its history goes on in a new run: follow that
            run_id = continuation.latest(eng.log, run_id)
            continue
        if status not in UNFINISHED:
            return Followed(status)
        waits = eng.get(run_id).waiting_on()
        signals = tuple(w.what for w in waits if w.kind == "signal")
        if signals:
            eng.release(run_id)
            return Followed(RunStatus.WAITING, signals, run_id)
        held = _waiting_child(eng, run_id)  # the run waits on a child that waits for a signal
        if held:
            eng.release(run_id)
            return Followed(RunStatus.WAITING, held[1], held[0], run_id)
        if waits and all(w.kind == "cancel" for w in waits):  # only cancellation moves it
            eng.release(run_id)
            return Followed(RunStatus.WAITING, ("cancel",), run_id)
        due = min((w.deadline for w in waits if w.deadline is not None), default=None)
        time.sleep(max(0.0, min(1.0, (due or 0.0) - eng.clock.now())) if due else 0.2)


@dataclass(frozen=True)
class Sent:
    """What became of a signal.

    Attributes:
        consumed: the run took it here and now (else it waits in the run's inbox).
        owner: the live worker that drives the run (and consumes the signal), or
            ``""`` when this engine may drive it (:func:`follow`).
        run_id: the run it went to (the newest of its chain: one that continued as
            new while the signal was sent passes it on, runtime/inbox.py).
    """

    consumed: bool
    owner: str = ""
    run_id: str = ""


def send_signal(eng: Engine, run_id: str, channel: str, *values: str) -> Sent:
    """Buffer ``channel.values`` (values in .proc syntax) for the run, durably.

    The values are read in the scope of the model the run is on. If no live
    worker holds the run, this engine takes its lease (the caller then
    :func:`follow` s it).

    Raises:
        RunError: unknown or finished run ("run R has finished: completed at ..."),
            not a signal channel, or a value outside the channel's type (nothing is
            buffered).
    """
    state = eng.state(run_id)  # loads the run's model once; send() reuses this state
    model = model_of(state.workflow, run_id)
    run_id, consumed = eng.send_to(run_id, channel, *(model.read_value(v) for v in values))
    record = eng.log.get_run(run_id)
    if record.status in UNFINISHED and not eng.leases.take(run_id):
        return Sent(consumed, record.owner or "(none)", run_id)
    return Sent(consumed, run_id=run_id)


@dataclass(frozen=True)
class Resumed:
    """What :func:`resume` did: ``migrated`` to a new model first, then drove to ``status``."""

    migrated: bool
    status: RunStatus


def resume(eng: Engine, run_id: str, model: Model | str | Path | None = None) -> Resumed:
    """Claim an unfinished run, move it to ``model`` if given, and drive it until it waits.

    Raises:
        RunError: the run has finished or a live worker holds it;
            (:class:`ReplayError`) the new model rejects the run's history.
    """
    eng.claim(run_id)
    moved = model is not None and migrate(eng, run_id, as_model(model))
    return Resumed(moved, RunStatus(eng.resume(run_id)))


@dataclass(frozen=True)
class HistoryRow:
    """One recorded event: its number, seconds since the run started, kind and fields."""

    index: int
    offset: float
    kind: str
    detail: str


@dataclass(frozen=True)
class HistoryTable:
    """A run's history for people: rows, signals still buffered, and the status.

    Attributes:
        rows: the history's events.
        pending: ``(event, offset)`` of each signal, update or cancel request buffered
            for a run still going (consumed when the model listens for it).
        status: the run's status.
        unread: the same for a run that has ended: sent while it went on and never
            read. Its final commit settled them: a send after it is refused in the
            store's own transaction and nothing reads an ended run's inbox again
            (runtime/inbox.py), so they are unread at its end, not pending.
    """

    rows: tuple[HistoryRow, ...]
    pending: tuple[tuple[str, float], ...]
    status: RunStatus
    unread: tuple[tuple[str, float], ...] = ()


def history_table(eng: Engine, run_id: str) -> HistoryTable:
    """The run's history with fields in .proc notation and times relative to its start.

    Example:
        >>> from procalg.api.model import loads
        >>> from procalg.api.run import start
        >>> eng = open_engine("memory:")
        >>> run = start(loads("channel a\\nP = a -> SKIP"), "P", store=eng)
        >>> table = history_table(eng, run.id)
        >>> [r.kind for r in table.rows][1:], table.rows[1].detail, str(table.status)
        (['event_fired', 'event_fired', 'run_completed'], 'label=a, choice=0', 'completed')
    """
    history = eng.get(run_id).history()
    t0 = history[0].time if history else 0.0
    rows = []
    for i, event in enumerate(history):
        detail = {k: v for k, v in to_json(event).items()
                  if k not in ("kind", "time", "model_text")}
        for key in ("retry_at", "deadline"):  # times as offsets from the start
            if isinstance(detail.get(key), float):
                detail[key] = f"+{detail[key] - t0:.3f}s"
        if "model_hash" in detail:
            detail["model_hash"] = detail["model_hash"][:12]
        text = ", ".join(f"{k}={_plain(v)}" for k, v in detail.items())
        rows.append(HistoryRow(i, event.time - t0, event.kind, text))
    # the status first: an ended run's inbox no longer changes, so it is read whole
    status = RunStatus(eng.log.get_run(run_id).status)
    inbox = tuple((str(sent.event), sent.time - t0) for _, sent in eng.log.pending(run_id))
    if status in UNFINISHED:
        return HistoryTable(tuple(rows), inbox, status)
    return HistoryTable(tuple(rows), (), status, unread=inbox)


def _plain(value: Any) -> str:
    """A recorded field in .proc notation."""
    if not isinstance(value, dict | list):
        return str(value)
    try:
        decoded = decode_value(value)
    except FormatError:
        return json.dumps(value)
    if isinstance(decoded, tuple):
        return "(" + ", ".join(map(show, decoded)) + ")"
    return show(decoded)


def read_history(path: str | Path) -> list[HistoryEvent]:
    """A JSON history (``procalg runs show ID --json``) read back.

    Raises:
        FormatError: the file cannot be read or is not a list of history events.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise FormatError(f"cannot read history {path}: {err}",
                          hint="export one with: procalg runs show ID --json") from err
    if not isinstance(data, list):
        raise FormatError(f"{path} is not a list of history events")
    return [from_json(d) for d in data]
