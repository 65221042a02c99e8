"""Run search for ``procalg runs list``: ``--status``, ``--model``, ``--since``, ``--attr``.

Example:
    >>> parse_statuses(["Waiting,failed"])
    (<RunStatus.WAITING: 'waiting'>, <RunStatus.FAILED: 'failed'>)
    >>> parse_attrs(["tenant=acme", "tier=gold"])
    {'tenant': 'acme', 'tier': 'gold'}
    >>> import time
    >>> abs(parse_since("1h", now=7200.0) - 3600.0) < 1e-9
    True
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

from procalg.api.attrs import RunStatus, find_runs
from procalg.api.schedule import parse_duration  # the runtime's, through the api
from procalg.errors import ModelError, UsageError


def add_filters(parser: argparse.ArgumentParser) -> None:
    """The search options of ``runs list``."""
    parser.add_argument("--status", action="append", default=[], metavar="S",
                        help="only runs with this status (repeatable, or comma-separated)")
    parser.add_argument("--model", metavar="M",
                        help="only runs of this model: a hash prefix of the model the run is "
                             "on now (the one it last migrated to, else the one it started "
                             "on), or the path it was started from")
    parser.add_argument("--since", metavar="T",
                        help="only runs started since T: a duration back from now (2h, 1d) "
                             "or a local date/time (2026-12-03, '2026-12-03 10:00')")
    parser.add_argument("--attr", action="append", default=[], metavar="KEY=VALUE",
                        help="only runs with this search attribute (repeatable: all must match)")


def parse_statuses(items: list[str]) -> tuple[RunStatus, ...]:
    """``--status`` options (each repeatable or comma-separated) as statuses, any case
    (UsageError naming the statuses for an unknown one)."""
    names = [name.strip() for item in items for name in item.split(",") if name.strip()]
    for name in names:
        if name.lower() not in {status.value for status in RunStatus}:
            raise UsageError(f"no run status called {name!r}",
                             hint="use " + ", ".join(RunStatus))
    return tuple(RunStatus(name.lower()) for name in names)


def parse_attrs(items: list[str]) -> dict[str, str]:
    """``KEY=VALUE`` options as a dict (UsageError for anything else)."""
    out = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not (eq and key):
            raise UsageError(f"--attr {item!r} is not KEY=VALUE", hint="e.g. --attr tenant=acme")
        out[key] = value
    return out


def parse_since(text: str, now: float | None = None) -> float:
    """Epoch seconds of ``--since``: a duration back from ``now``, or a local date/time."""
    try:
        return (time.time() if now is None else now) - parse_duration(text)
    except ModelError:
        pass
    try:
        return dt.datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise UsageError(f"--since {text!r} is neither a duration nor a date",
                         hint="e.g. --since 2h, --since 2026-12-03 or "
                              "--since '2026-12-03 10:00'") from None


def matching(engine: Any, args: argparse.Namespace) -> list[Any]:
    """The runs ``args``' filters select, oldest first (every run without filters)."""
    statuses = parse_statuses(args.status)
    return find_runs(engine, statuses=statuses or None, model=args.model,
                         since=None if args.since is None else parse_since(args.since),
                         attrs=parse_attrs(args.attr))
