"""``procalg runs query`` and ``procalg runs update``: a run's position, and signals with a reply.

Exit codes: ``query`` 0 (2: unknown run or store); ``update`` 0 accepted,
1 rejected (the model or a validator refused it, or the run did not take it
in time: it was not applied), 2 a usage or store error.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from procalg.api import query as api_query
from procalg.api import run as api
from procalg.cli.runstore import add_store_options, open_engine, plain_errors
from procalg.errors import ProcalgError, RunError
from procalg.syntax import parse_expr
from procalg.terms.values import Event, show


def add_parser(verbs: Any) -> None:
    """Add the ``query`` and ``update`` verbs to ``procalg runs``."""
    query = verbs.add_parser("query", help="where a run is in its model (reads only)")
    query.add_argument("id")
    query.add_argument("--json", action="store_true", help="the position as JSON")
    add_store_options(query)
    query.set_defaults(run=cmd_query)
    update = verbs.add_parser("update", help="send a signal and wait for its durable reply")
    update.add_argument("id")
    update.add_argument("event", help="the signal event, e.g. deposit.3")
    update.add_argument("--update-id", metavar="KEY",
                        help="idempotency key: a retry with it gets the same reply")
    update.add_argument("--timeout", type=float, default=api_query.TIMEOUT, metavar="SECONDS",
                        help="how long to wait for the run to take it (default: %(default)s)")
    update.add_argument("--json", action="store_true", help="the reply as JSON")
    update.add_argument("--activities", metavar="MODULE",
                        help="module binding the activities (and update validators)")
    add_store_options(update)
    update.set_defaults(run=cmd_update)


def cmd_query(args: argparse.Namespace) -> int:
    """Print the run's position (``--json``: :func:`procalg.api.query.position_json`)."""
    return plain_errors(_query)(args)


def _query(args: argparse.Namespace) -> int:
    eng = open_engine(args)
    pos = api_query.query(eng, args.id)
    if args.json:
        print(json.dumps(api_query.position_json(args.id, pos), indent=1, ensure_ascii=False))
        return 0
    record = eng.log.get_run(args.id)
    shown = f"({', '.join(map(show, record.args))})" if record.args else ""
    print(f"run {args.id}: {record.process}{shown}")
    for line in api_query.position_lines(pos, eng.clock.now()):
        print(line)
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    """Offer the event as an update; print the reply, or why it was rejected (exit 1)."""
    return plain_errors(_update)(args)


def _update(args: argparse.Namespace) -> int:
    eng = open_engine(args)
    record = eng.log.get_run(args.id)
    model = api.current_model(record, f"<run {args.id}>")
    try:
        event = model.value(parse_expr(args.event, filename="<command line>"))
    except ProcalgError as err:  # its span is in the command line, not in the model
        raise RunError(f"{args.event}: {err.message}", hint=err.hint) from err
    if not isinstance(event, Event):
        raise RunError(f"{args.event!r} is not an event of the run's model",
                       hint="give the whole signal event, e.g. deposit.3")
    try:
        reply = api_query.update(eng, args.id, event.channel, *event.fields,
                                 update_id=args.update_id, timeout=args.timeout)
    except api_query.UpdateRejected as err:
        if args.json:
            print(json.dumps({"rejected": err.message}, ensure_ascii=False))
        else:
            print(f"rejected: {err.message}" + (f"\n  hint: {err.hint}" if err.hint else ""))
        return 1
    if args.json:
        print(json.dumps(api_query.reply_json(args.id, reply), indent=1, ensure_ascii=False))
    else:
        for line in api_query.reply_lines(args.id, reply):
            print(line)
    return 0
