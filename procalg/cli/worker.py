"""``procalg worker``: serve a run store, driving every run that has something to do.

Exit codes: 0 after SIGTERM or Ctrl-C (steps in flight finished, leases
released), 2 a store or usage error.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from procalg.api.observe import Telemetry, log_runs
from procalg.api.runs import serve
from procalg.cli.runstore import add_store_options, open_engine, plain_errors


def register(sub: Any) -> None:
    """Add ``procalg worker`` to the CLI's subcommands."""
    worker = sub.add_parser("worker", help="drive every due run of a store until SIGTERM")
    worker.add_argument("--concurrency", type=int, default=4, metavar="N",
                        help="runs driven at once (default: %(default)s)")
    worker.add_argument("--activities", metavar="MODULE", help="module binding the activities")
    worker.add_argument("--lease", type=float, default=30.0, metavar="SECONDS",
                        help="how long a claim lasts without renewal (default: %(default)s)")
    worker.add_argument("--wait", type=float, default=60.0, metavar="SECONDS",
                        help="keep asking a store server that cannot be reached yet "
                             "(starting, recovering) this long (default: %(default)s)")
    worker.add_argument("--log-level", metavar="LEVEL", type=str.upper,
                        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
                        help="log to stderr at LEVEL, each record with its run id and step")
    worker.add_argument("--otel", action="store_true",
                        help="OpenTelemetry spans and metrics to the global providers "
                             "(e.g. under opentelemetry-instrument; needs procalg[otel])")
    add_store_options(worker)
    worker.set_defaults(run=cmd_worker)


@plain_errors
def cmd_worker(args: argparse.Namespace) -> int:
    if args.concurrency < 1:
        print("error: --concurrency must be at least 1", file=sys.stderr)
        return 2
    eng = open_engine(args)  # with its --lease; a missing store is an error, not a new file
    if args.log_level or args.otel:
        if args.log_level:
            log_runs(args.log_level)
        Telemetry(spans=args.otel, metrics=args.otel).attach(eng)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(f"worker {eng.owner} serving {args.db} ({args.concurrency} at once)", flush=True)
    served = serve(eng, args.concurrency, stop,
                   report=lambda run_id, status: print(f"run {run_id} {status}", flush=True))
    print(f"worker stopped: {served.driven} drives, {served.failed} failed", flush=True)
    return 0
