"""``procalg runs cancel ID [--reason TEXT]``: request that a run be cancelled.

The request is durable; the run takes it where its model offers ``cancel``
(docs/engine.md, "Cancellation"). Taken here and now, the run is driven on
(its compensations run) and the command exits like ``procalg run``: 1 when it
ends cancelled. Left pending (the model offers no ``cancel`` yet, or another
worker drives the run), it says so and exits 0.
"""

from __future__ import annotations

import argparse
from typing import Any

from procalg.api import cancel as api
from procalg.cli.runstore import add_store_options, open_engine, plain_errors


def add_parser(verbs: Any) -> None:
    """Add the ``cancel`` verb to ``procalg runs``."""
    cancel = verbs.add_parser("cancel", help="cancel a run (it compensates what it completed)")
    cancel.add_argument("id")
    cancel.add_argument("--reason", default="", help="why (recorded in the run's history)")
    cancel.add_argument("--activities", metavar="MODULE",
                        help="module binding the activities (its compensations run here)")
    add_store_options(cancel)
    cancel.set_defaults(run=plain_errors(cmd_cancel))


def cmd_cancel(args: argparse.Namespace) -> int:
    """Request the cancellation; follow the run if it took it here."""
    from procalg.cli import run  # cli.run registers this module: import when called

    eng = open_engine(args, print)
    done = api.cancel(eng, args.id, args.reason)
    args.id = done.run_id  # the newest run of a chain that continued as new
    if done.taken:
        return run.follow_run(eng, args.id)
    record = eng.log.get_run(args.id)
    where = (f"worker {record.owner} drives it" if record.owner and record.owner != eng.owner
             else "its model offers no cancel now")
    print(f"cancel requested: run {args.id} takes it where its model offers cancel "
          f"({where})")
    if record.owner == eng.owner:
        eng.release(args.id)
    return 0
