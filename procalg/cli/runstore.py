"""What every command on a run store shares: its options, its engine, its error lines.

``procalg run``, the ``runs`` verbs and ``procalg worker`` take ``--db`` and
``--retry`` (:func:`add_store_options`), open their engine through
:func:`procalg.api.runs.open_engine` (:func:`open_engine`), print each recorded
event as it happens (:class:`Progress`), and report errors that have no place
in a model as one ``error:`` line (:func:`plain_errors`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from procalg.api import runs
from procalg.api.narrate import Narrator
from procalg.errors import ProcalgError, RunError


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--db`` and ``--retry`` to a command that opens a run store."""
    parser.add_argument("--db", default="runs.db", metavar="PATH",
                        help="the run store: a file (default: %(default)s) or a store URL")
    parser.add_argument("--retry", action="append", default=[], metavar="ACT.FIELD=VALUE",
                        help="override a retry policy field, e.g. ship.maximum_attempts=5 or "
                             "'*.initial_interval=10ms' (repeatable)")
    parser.add_argument("--continue-after", type=int, default=0, metavar="EVENTS",
                        help="continue a run as new at a loop head once its history has "
                             "this many events (default: never; docs/engine.md)")


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


class Progress:
    """Prints each history event as it is recorded: live progress of a run."""

    def __init__(self, out: Callable[[str], None] = print) -> None:
        self.out, self.narrator = out, Narrator()
        self.first: str | None = None  # the run started; others are its child runs
        self.others: dict[str, Narrator] = {}

    def __call__(self, run_id: str, event: Any) -> None:
        self.first = self.first or run_id
        if getattr(event, "kind", "") == "continued_from":  # the same story, in a new run
            self.first = run_id
        if run_id == self.first:
            for line in self.narrator.tell(event):
                self.out(line)
            return
        for line in self.others.setdefault(run_id, Narrator()).tell(event):
            self.out(f"  [{run_id}] {line.strip()}")


def open_engine(args: argparse.Namespace, out: Callable[[str], None] | None = None, *,
                create: bool = False) -> Any:
    """The engine of a command, on ``--db``, with its ``--activities`` and ``--retry``.

    ``out`` receives the lines telling each recorded event; ``create`` makes a
    missing store (only ``procalg run``: reading a mistyped ``--db`` makes no file).
    """
    progress = Progress(lambda line: out(line) or sys.stdout.flush()) if out else None
    eng = runs.open_engine(args.db, activities=getattr(args, "activities", None),
                           retry=retry_overrides(getattr(args, "retry", [])), create=create,
                           lease=getattr(args, "lease", None), on_event=progress,
                           wait=getattr(args, "wait", 0.0),
                           on_wait=lambda why: print(f"waiting up to {args.wait:g} s for the "
                                                     f"store: {why}", file=sys.stderr,
                                                     flush=True))
    eng.continue_after = getattr(args, "continue_after", 0)
    args.engine = eng  # closed (its leases released) on every exit path: plain_errors
    return eng


def plain_errors(command: Callable[[argparse.Namespace], int]
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
