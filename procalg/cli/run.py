"""``procalg run``, ``procalg runs ...`` and ``procalg replay``: running models from a shell.

Exit codes: 0 the run completed (or the history replays), 1 it compensated or
failed (or the history is not a trace of the model), 2 a model, store or
usage error, 3 the run waits for a signal (send it with ``procalg runs signal``).
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from procalg.api import run as api
from procalg.api import runs
from procalg.cli import cancel as cancel_verb
from procalg.cli import children, search
from procalg.cli.runstore import add_store_options, open_engine, plain_errors

EXIT = {api.RunStatus.COMPLETED: 0, api.RunStatus.COMPENSATED: 1, api.RunStatus.FAILED: 1,
        api.RunStatus.WAITING: 3, api.RunStatus.CANCELLED: 1}


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
    run.add_argument("--attr", action="append", default=[], metavar="KEY=VALUE",
                     help="search attribute (runs list --attr), repeatable")
    add_store_options(run)
    run.set_defaults(run=cmd_run)

    runs = sub.add_parser("runs", help="list, inspect, signal and resume recorded runs")
    verbs = runs.add_subparsers(dest="verb", required=True, metavar="VERB")
    listing = verbs.add_parser("list", help="every run in the store (or those matching)")
    search.add_filters(listing)  # --status --model --since --attr (procalg/cli/search.py)
    add_store_options(listing)
    listing.set_defaults(run=cmd_list)
    show_ = verbs.add_parser("show", help="a run's history as a table")
    show_.add_argument("id")
    show_.add_argument("--json", action="store_true", help="the history as JSON (for replay)")
    add_store_options(show_)
    show_.set_defaults(run=cmd_show)
    signal = verbs.add_parser("signal", help="send a signal to a run (buffered until it listens)")
    signal.add_argument("id")
    signal.add_argument("name", help="the signal channel")
    signal.add_argument("values", nargs="*", help="its values, in .proc syntax")
    signal.add_argument("--activities", metavar="MODULE")
    add_store_options(signal)
    signal.set_defaults(run=cmd_signal)
    resume = verbs.add_parser("resume", help="drive an unfinished run on")
    resume.add_argument("id")
    resume.add_argument("--model", metavar="FILE",
                        help="move the run to this (changed) model first, if its history fits")
    resume.add_argument("--activities", metavar="MODULE")
    add_store_options(resume)
    resume.set_defaults(run=cmd_resume)
    cancel_verb.add_parser(verbs)  # runs cancel (procalg/cli/cancel.py)
    from procalg.cli import query as queries  # imports this module: registered late

    queries.add_parser(verbs)

    replay = sub.add_parser("replay", help="check a recorded history against a model")
    replay.add_argument("file", help="the .proc model")
    replay.add_argument("history", help="a JSON history (procalg runs show ID --json)")
    replay.add_argument("--process", help="the process (default: the one the history started)")
    replay.set_defaults(run=cmd_replay)


def _engine(args: argparse.Namespace, out: Callable[[str], None] | None = None) -> Any:
    return open_engine(args, out, create=args.run is cmd_run)


def follow_run(eng: Any, run_id: str) -> int:
    """Drive the run until it ends or needs a signal (then say how to send one)."""
    followed = runs.follow(eng, run_id)
    waiting = followed.waiting or run_id
    whose = f" (a child of run {followed.parent})" if followed.parent else ""
    if followed.signals == ("cancel",):
        print(f"run {waiting}{whose} waits: only cancellation moves it on")
        print(f"  cancel it with: procalg runs cancel {waiting}")
    elif followed.signals:
        print(f"run {waiting}{whose} waiting for a signal: {', '.join(followed.signals)}")
        print(f"  send one with: procalg runs signal {waiting} NAME [VALUE...]")
    return EXIT[followed.status]


@plain_errors
def cmd_run(args: argparse.Namespace) -> int:
    model = api.as_model(args.file)  # loaded once: the arguments and the run share it
    values = [model.read_value(a) for a in args.args]
    run_id = args.run_id or uuid.uuid4().hex
    # the header waits for the run's first event: a refused model starts no run
    header = [f"run {run_id}: {runs.call_text(args.process, values)} from {args.file}"]

    def out(line: str) -> None:
        if header:
            print(header.pop())
        print(line)

    eng = _engine(args, out)
    run = api.start(model, args.process, *values, store=eng, run_id=run_id,
                    allow_failed_assertions=args.allow_failed_assertions,
                    attrs={"model": args.file, **search.parse_attrs(args.attr)})
    if header:
        print(header.pop(), flush=True)
    return follow_run(eng, run.id)


@plain_errors
def cmd_list(args: argparse.Namespace) -> int:
    eng = _engine(args)
    records = search.matching(eng, args)
    if not records:
        print("no runs")
        return 0
    print(f"{'ID':<34} {'PROCESS':<16} {'STATUS':<12} STARTED")
    for shown, process, r in children.listing(eng.log, records):  # children under parents
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.created))
        print(f"{shown:<34} {process:<16} {r.status:<12} {started}")
    return 0


@plain_errors
def cmd_show(args: argparse.Namespace) -> int:
    eng = _engine(args)
    if args.json:
        print(json.dumps(eng.get(args.id).history_json(), indent=1, ensure_ascii=False))
        return 0
    table = runs.history_table(eng, args.id)
    print(f"{'#':>3}  {'TIME':>9}  {'EVENT':<20} DETAIL")
    for row in table.rows:
        print(f"{row.index:>3}  {row.offset:>8.3f}s  {row.kind:<20} {row.detail}")
    for event, offset in table.pending:  # buffered, not (yet) consumed by the model
        print(f"pending signal: {event} (sent at +{offset:.3f}s)")
    for event, offset in table.unread:  # the run ended without listening for it
        print(f"unread at end: {event} (sent at +{offset:.3f}s)")
    print(f"status: {table.status}")
    for line in children.tree_lines(eng.log, args.id):  # a parent's or a child's family
        print(line)
    return 0


@plain_errors
def cmd_signal(args: argparse.Namespace) -> int:
    eng = _engine(args, print)
    args.id = api.latest(eng, args.id)  # a run that continued as new: its newest run
    sent = runs.send_signal(eng, args.id, args.name, *args.values)
    args.id = sent.run_id  # the run continued as new meanwhile: its continuation took it
    if not sent.consumed:
        print(f"signal {args.name} buffered: run {args.id} consumes it when it listens for it")
    if sent.owner:
        print(f"run {args.id} is driven by worker {sent.owner}, which consumes the signal")
        return 0
    return follow_run(eng, args.id)


@plain_errors
def cmd_resume(args: argparse.Namespace) -> int:
    eng = _engine(args, print)
    resumed = runs.resume(eng, args.id, args.model)
    if resumed.migrated:
        print(f"run {args.id} moved to {args.model}: its history is a trace of the new model")
    if resumed.status in api.UNFINISHED:
        return follow_run(eng, args.id)
    print(f"run {args.id} {resumed.status}")
    return EXIT[resumed.status]


@plain_errors
def cmd_replay(args: argparse.Namespace) -> int:
    history = runs.read_history(args.history)
    try:
        report = api.replay(args.file, history, args.process)
    except runs.ReplayError as err:
        print(f"{args.history} is NOT a trace of {args.process or 'the process'} in "
              f"{args.file}:\n  {err.message}")
        return 1
    print(f"{args.history} is a trace of {report.process} in {args.file} "
          f"({report.events} events)")
    print(f"  trace: {', '.join(report.trace) or '(none)'}")
    print(f"  the run is {report.status}" + (f"; next: {', '.join(report.next)}"
                                              if report.next else ""))
    return 0
