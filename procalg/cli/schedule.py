"""``procalg schedule add/list/pause/resume/delete``: start runs on a timetable.

A worker (``procalg worker``) on the same store fires due schedules; this
command only edits them. Exit codes: 0 done, 2 a model, store or usage error.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from procalg.api import schedule as api
from procalg.api.run import as_model
from procalg.api.schedule import CATCH_UP, Schedule  # the runtime's, through the api
from procalg.cli import search
from procalg.cli.runstore import plain_errors
from procalg.terms.values import show


def register(sub: Any) -> None:
    """Add ``procalg schedule`` and its verbs to the CLI's subcommands."""
    schedule = sub.add_parser("schedule", help="start runs on a timetable (procalg worker "
                                               "fires them)")
    verbs = schedule.add_subparsers(dest="verb", required=True, metavar="VERB")
    add = verbs.add_parser("add", help="add a schedule")
    add.add_argument("name", help="the schedule's name (its runs' ids start with it)")
    add.add_argument("file", help="the .proc model")
    add.add_argument("process", help="the process to start, e.g. Report")
    add.add_argument("args", nargs="*", help="process arguments, in .proc syntax")
    when = add.add_mutually_exclusive_group(required=True)
    when.add_argument("--every", metavar="DURATION", help="interval, e.g. 30s, 1h (UTC-aligned)")
    when.add_argument("--cron", metavar="EXPR", help="cron expression in UTC, e.g. '0 * * * *'")
    add.add_argument("--catch-up", choices=CATCH_UP, default="latest",
                     help="after downtime: start one run for the latest missed time (default) "
                          "or one for every missed time")
    add.add_argument("--attr", action="append", default=[], metavar="KEY=VALUE",
                     help="search attribute for every run it starts (repeatable)")
    add.add_argument("--allow-failed-assertions", action="store_true",
                     help="schedule even if an assertion of the model fails")
    _db(add)
    add.set_defaults(run=cmd_add)
    listing = verbs.add_parser("list", help="every schedule of the store")
    _db(listing)
    listing.set_defaults(run=cmd_list)
    for verb, text, handler in (("pause", "stop firing a schedule", cmd_pause),
                                ("resume", "fire a paused schedule again (from its next "
                                           "due time)", cmd_resume),
                                ("delete", "remove a schedule (its runs stay)", cmd_delete)):
        one = verbs.add_parser(verb, help=text)
        one.add_argument("name")
        _db(one)
        one.set_defaults(run=handler)


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default="runs.db", metavar="PATH",
                        help="the run store: a file (default: %(default)s) or a store URL")


def _store(args: argparse.Namespace, create: bool = False) -> Any:
    url = args.db if "://" in args.db or args.db == "memory:" else "sqlite:///" + args.db
    from procalg.api.run import store

    args.log = store(url, create)
    return args.log


def _when(due: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(due))


def _line(s: Schedule) -> str:
    call = s.process + (f"({', '.join(map(show, s.args))})" if s.args else "")
    state = "paused" if s.paused else "active"
    return f"{s.name:<16} {call:<16} {s.timing:<22} {_when(s.next_due):<20} {state}"


def _closing(command: Any) -> Any:
    """Close the store on every exit path, errors printed as ``error: ...``."""
    @plain_errors
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        finally:
            if getattr(args, "log", None) is not None:
                args.log.close()
    run.__name__ = command.__name__
    return run


@_closing
def cmd_add(args: argparse.Namespace) -> int:
    model = as_model(args.file)
    values = [model.read_value(a) for a in args.args]
    found = api.add(_store(args, create=True), args.name, args.file, args.process, *values,
                    every=args.every, cron=args.cron, catch_up=args.catch_up,
                    attrs=search.parse_attrs(args.attr),
                    allow_failed_assertions=args.allow_failed_assertions)
    print(f"schedule {found.name}: {args.process} {found.timing}, next at "
          f"{_when(found.next_due)} UTC (catch-up: {found.catch_up})")
    return 0


@_closing
def cmd_list(args: argparse.Namespace) -> int:
    found = api.schedules(_store(args))
    if not found:
        print("no schedules")
        return 0
    print(f"{'NAME':<16} {'PROCESS':<16} {'WHEN':<22} {'NEXT (UTC)':<20} STATE")
    for s in found:
        print(_line(s))
    return 0


@_closing
def cmd_pause(args: argparse.Namespace) -> int:
    api.pause(_store(args), args.name)
    print(f"schedule {args.name} paused")
    return 0


@_closing
def cmd_resume(args: argparse.Namespace) -> int:
    found = api.resume(_store(args), args.name)
    print(f"schedule {args.name} resumed, next at {_when(found.next_due)} UTC")
    return 0


@_closing
def cmd_delete(args: argparse.Namespace) -> int:
    api.delete(_store(args), args.name)
    print(f"schedule {args.name} deleted")
    return 0
