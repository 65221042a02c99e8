"""``procalg run``, ``procalg runs ...`` and ``procalg replay``: running models from a shell.

Exit codes: 0 the run completed (or the history replays), 1 it compensated or
failed (or the history is not a trace of the model), 2 a model, store or
usage error, 3 the run waits for a signal (send it with ``procalg runs signal``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from procalg.api import run as api
from procalg.api.narrate import Narrator
from procalg.cli import children
from procalg.errors import FormatError, ProcalgError, RunError
from procalg.runtime.decide import ReplayError
from procalg.runtime.engine import Engine
from procalg.runtime.history import (
    HistoryEvent,
    decode_value,
    from_json,
    to_json,
)
from procalg.runtime.ports import DEFAULT_REGISTRY, ActivityRegistry
from procalg.syntax import parse_expr
from procalg.terms.values import show

EXIT = {"completed": 0, "compensated": 1, "failed": 1, "waiting": 3}


def register(sub: Any) -> None:
    """Add ``run``, ``runs`` and ``replay`` to the ``procalg`` subcommands."""
    run = sub.add_parser("run", help="run a process of a model durably, printing each event")
    run.add_argument("file", help="the .proc model")
    run.add_argument("process", help="the process to run, e.g. Order")
    run.add_argument("args", nargs="*", help="process arguments, in .proc syntax")
    run.add_argument("--activities", metavar="MODULE", help="module binding the activities")
    run.add_argument("--allow-failed-assertions", action="store_true",
                     help="run even if an assertion of the model fails")
    run.add_argument("--run-id", help="the run's id (default: a fresh one)")
    _db(run)
    run.set_defaults(run=cmd_run)

    runs = sub.add_parser("runs", help="list, inspect, signal and resume recorded runs")
    verbs = runs.add_subparsers(dest="verb", required=True, metavar="VERB")
    listing = verbs.add_parser("list", help="every run in the store")
    _db(listing)
    listing.set_defaults(run=cmd_list)
    show_ = verbs.add_parser("show", help="a run's history as a table")
    show_.add_argument("id")
    show_.add_argument("--json", action="store_true", help="the history as JSON (for replay)")
    _db(show_)
    show_.set_defaults(run=cmd_show)
    signal = verbs.add_parser("signal", help="send a signal to a run (buffered until it listens)")
    signal.add_argument("id")
    signal.add_argument("name", help="the signal channel")
    signal.add_argument("values", nargs="*", help="its values, in .proc syntax")
    signal.add_argument("--activities", metavar="MODULE")
    _db(signal)
    signal.set_defaults(run=cmd_signal)
    resume = verbs.add_parser("resume", help="drive an unfinished run on")
    resume.add_argument("id")
    resume.add_argument("--model", metavar="FILE",
                        help="move the run to this (changed) model first, if its history fits")
    resume.add_argument("--activities", metavar="MODULE")
    _db(resume)
    resume.set_defaults(run=cmd_resume)

    replay = sub.add_parser("replay", help="check a recorded history against a model")
    replay.add_argument("file", help="the .proc model")
    replay.add_argument("history", help="a JSON history (procalg runs show ID --json)")
    replay.add_argument("--process", help="the process (default: the one the history started)")
    replay.set_defaults(run=cmd_replay)


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default="runs.db", metavar="PATH",
                        help="the run store: a file (default: %(default)s) or a store URL")
    parser.add_argument("--retry", action="append", default=[], metavar="ACT.FIELD=VALUE",
                        help="override a retry policy field, e.g. ship.maximum_attempts=5 or "
                             "'*.initial_interval=10ms' (repeatable)")


def retry_overrides(items: list[str]) -> dict[str, dict[str, Any]]:
    """Parse ``--retry ACT.FIELD=VALUE`` options.

    Example:
        >>> retry_overrides(["ship.maximum_attempts=5", "*.initial_interval=10ms"])
        {'ship': {'maximum_attempts': 5}, '*': {'initial_interval': '10ms'}}
    """
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        key, eq, value = item.partition("=")
        channel, dot, name = key.partition(".")
        if not (eq and dot and channel and name):
            raise RunError(f"--retry {item!r} is not ACTIVITY.FIELD=VALUE",
                           hint="e.g. --retry ship.maximum_attempts=5")
        parsed: Any = value
        if value.lstrip("-").isdigit():
            parsed = int(value)
        elif value.replace(".", "", 1).isdigit():
            parsed = float(value)
        elif name == "non_retryable_error_types":
            parsed = tuple(v for v in value.split(",") if v)
        out.setdefault(channel, {})[name] = parsed
    return out


def _registry(module: str | None) -> ActivityRegistry:
    """The functions a module binds: its ``ACTIVITIES`` mapping, or its decorators."""
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
    return ActivityRegistry(mapping) if mapping is not None else DEFAULT_REGISTRY


def _engine(args: argparse.Namespace, out: Callable[[str], None] | None = None) -> Engine:
    url = args.db if "://" in args.db or args.db == "memory:" else "sqlite:///" + args.db
    eng = api.engine(url, activities=_registry(getattr(args, "activities", None)),
                     retry=retry_overrides(getattr(args, "retry", [])) or None,
                     create=args.run is cmd_run)  # reading a mistyped --db makes no file
    if out is not None:
        eng.on_event = Progress(lambda line: out(line) or sys.stdout.flush())
    args.engine = eng  # closed (its leases released) on every exit path: _plain_errors
    return eng


def _plain_errors(command: Callable[[argparse.Namespace], int]
                  ) -> Callable[[argparse.Namespace], int]:
    """Print errors that have no place in a model as ``error: ...`` (exit 2)."""
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except ProcalgError as err:
            if err.source is not None:
                raise
            print(f"error: {err.message}" + (f"\n  hint: {err.hint}" if err.hint else ""),
                  file=sys.stderr)
            return 2
        finally:
            if getattr(args, "engine", None) is not None:
                args.engine.close()
    run.__name__ = command.__name__
    return run


class Progress:
    """Prints each history event as it is recorded: live progress of a run."""

    def __init__(self, out: Callable[[str], None] = print) -> None:
        self.out, self.narrator = out, Narrator()
        self.first: str | None = None  # the run started; others are its child runs
        self.others: dict[str, Narrator] = {}

    def __call__(self, run_id: str, event: HistoryEvent) -> None:
        self.first = self.first or run_id
        if run_id == self.first:
            for line in self.narrator.tell(event):
                self.out(line)
            return
        for line in self.others.setdefault(run_id, Narrator()).tell(event):
            self.out(f"  [{run_id}] {line.strip()}")


def _follow(eng: Engine, run_id: str) -> int:
    """Drive the run, sleeping for timers and retries, until it ends or needs a signal."""
    while True:
        status = eng.drive(run_id)
        if status not in ("running", "waiting"):
            return EXIT[status]
        waits = eng.get(run_id).waiting_on()
        signals = [w.what for w in waits if w.kind == "signal"]
        if signals:
            eng.release(run_id)
            print(f"run {run_id} waiting for a signal: {', '.join(signals)}")
            print(f"  send one with: procalg runs signal {run_id} NAME [VALUE...]")
            return EXIT["waiting"]
        due = min((w.deadline for w in waits if w.deadline is not None), default=None)
        time.sleep(max(0.0, min(1.0, (due or 0.0) - eng.clock.now())) if due else 0.2)


@_plain_errors
def cmd_run(args: argparse.Namespace) -> int:
    values = [_value(args.file, a) for a in args.args]
    run_id = args.run_id or uuid.uuid4().hex
    shown = f"({', '.join(map(show, values))})" if values else ""
    # the header waits for the run's first event: a refused model starts no run
    header = [f"run {run_id}: {args.process}{shown} from {args.file}"]

    def out(line: str) -> None:
        if header:
            print(header.pop())
        print(line)

    eng = _engine(args, out)
    run = api.start(args.file, args.process, *values, store=eng, run_id=run_id,
                    allow_failed_assertions=args.allow_failed_assertions)
    if header:
        print(header.pop(), flush=True)
    return _follow(eng, run.id)


def _value(model_file: str | Any, text: str) -> Any:
    model = api.as_model(model_file) if isinstance(model_file, str) else model_file
    return model.value(parse_expr(text, filename="<command line>"))


@_plain_errors
def cmd_list(args: argparse.Namespace) -> int:
    eng = _engine(args)
    records = eng.log.list_runs()
    if not records:
        print("no runs")
        return 0
    print(f"{'ID':<34} {'PROCESS':<16} {'STATUS':<12} STARTED")
    for shown, process, r in children.listing(eng.log, records):  # children under parents
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.created))
        print(f"{shown:<34} {process:<16} {r.status:<12} {started}")
    return 0


@_plain_errors
def cmd_show(args: argparse.Namespace) -> int:
    eng = _engine(args)
    run = eng.get(args.id)
    if args.json:
        print(json.dumps(run.history_json(), indent=1, ensure_ascii=False))
        return 0
    history = run.history()
    t0 = history[0].time if history else 0.0
    print(f"{'#':>3}  {'TIME':>9}  {'EVENT':<20} DETAIL")
    for i, event in enumerate(history):
        detail = {k: v for k, v in to_json(event).items()
                  if k not in ("kind", "time", "model_text")}
        for key in ("retry_at", "deadline"):  # times as offsets from the start
            if isinstance(detail.get(key), float):
                detail[key] = f"+{detail[key] - t0:.3f}s"
        if "model_hash" in detail:
            detail["model_hash"] = detail["model_hash"][:12]
        text = ", ".join(f"{k}={_plain(v)}" for k, v in detail.items())
        print(f"{i:>3}  {event.time - t0:>8.3f}s  {event.kind:<20} {text}")
    for _, sent in eng.log.pending(args.id):  # buffered, not (yet) consumed by the model
        print(f"pending signal: {sent.event} (sent at +{sent.time - t0:.3f}s)")
    print(f"status: {eng.log.get_run(args.id).status}")
    for line in children.tree_lines(eng.log, args.id):  # a parent's or a child's family
        print(line)
    return 0


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


@_plain_errors
def cmd_signal(args: argparse.Namespace) -> int:
    eng = _engine(args, print)
    model = api._model(api._rebuild(eng.log, eng.log.get_run(args.id), None).model_text,
                       f"<run {args.id}>")
    if not eng.send(args.id, args.name, *(_value(model, v) for v in args.values)):
        print(f"signal {args.name} buffered: run {args.id} consumes it when it listens for it")
    record = eng.log.get_run(args.id)
    if record.status in ("running", "waiting") and not eng.leases.take(args.id):
        print(f"run {args.id} is driven by worker {record.owner}, which consumes the signal")
        return 0
    return _follow(eng, args.id)


@_plain_errors
def cmd_resume(args: argparse.Namespace) -> int:
    eng = _engine(args, print)
    eng.claim(args.id)
    if args.model and api.migrate(eng, args.id, args.model, eng.retry_overrides):
        print(f"run {args.id} moved to {args.model}: its history is a trace of the new model")
    status = eng.resume(args.id)
    return _follow(eng, args.id) if status in ("running", "waiting") else _done(args.id, status)


def _done(run_id: str, status: str) -> int:
    print(f"run {run_id} {status}")
    return EXIT[status]


@_plain_errors
def cmd_replay(args: argparse.Namespace) -> int:
    try:
        data = json.loads(Path(args.history).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise FormatError(f"cannot read history {args.history}: {err}",
                          hint="export one with: procalg runs show ID --json") from err
    if not isinstance(data, list):
        raise FormatError(f"{args.history} is not a list of history events")
    history = [from_json(d) for d in data]
    try:
        report = api.replay(args.file, history, args.process)
    except ReplayError as err:
        print(f"{args.history} is NOT a trace of {args.process or 'the process'} in "
              f"{args.file}:\n  {err.message}")
        return 1
    print(f"{args.history} is a trace of {report.process} in {args.file} "
          f"({report.events} events)")
    print(f"  trace: {', '.join(report.trace) or '(none)'}")
    print(f"  the run is {report.status}" + (f"; next: {', '.join(report.next)}"
                                              if report.next else ""))
    return 0
