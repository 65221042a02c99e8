"""The ``procalg`` command: thin subcommands that parse arguments, call
:mod:`procalg.api` and format what comes back.

Exit codes: 0 all assertions pass, 1 some fail, 2 a model error (a
diagnostic is printed, never a traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from procalg.api.export import EQUIVALENCES, TEXT_FORMATS
from procalg.cli import commands
from procalg.cli import run as run_commands
from procalg.errors import ProcalgError

DEFAULT_MAX_STATES = 5_000_000
"""A guard against models whose state space is infinite (``P = (a -> P) \\ {a}``)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="procalg",
        description="Model workflows as CSP processes, prove them correct, then run them.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="check every assertion in a .proc file")
    check.add_argument("file", help="the .proc model")
    check.add_argument("--json", action="store_true", help="print one JSON document")
    check.add_argument("--max-states", type=int, default=DEFAULT_MAX_STATES, metavar="N",
                       help="stop exploring beyond N states (default: %(default)s; 0: no limit)")
    check.add_argument("--show-tau", action="store_true",
                       help="show τ steps in counterexample traces")
    check.add_argument("--explain", action="store_true",
                       help="project each counterexample onto the parallel components")
    check.set_defaults(run=commands.check)

    lts = sub.add_parser("lts", help="explore a process and print or export its LTS")
    lts.add_argument("file", help="the .proc model")
    lts.add_argument("process", help="a process name or expression, e.g. System")
    lts.add_argument("--stats", action="store_true", help="print state and transition counts")
    lts.add_argument("--json", action="store_true", help="JSON output (with --stats)")
    lts.add_argument("--format", choices=TEXT_FORMATS,
                     help="print the LTS in this format (aut: CADP/mCRL2 Aldebaran)")
    lts.add_argument("-o", "--output", metavar="OUT", help="write the export to OUT, not stdout")
    _common_lts_options(lts)
    lts.set_defaults(run=commands.lts)

    graph = sub.add_parser("graph", help="draw a process's LTS (SVG, PNG, PDF via Graphviz; DOT)")
    graph.add_argument("file", help="the .proc model")
    graph.add_argument("process", help="a process name or expression, e.g. System")
    graph.add_argument("-o", "--output", required=True, metavar="OUT",
                       help="the picture: .svg, .png or .pdf (needs Graphviz), or .dot text")
    graph.add_argument("--highlight-trace", metavar="TRACE",
                       help='draw the path of this trace thick, e.g. "a, b.1, c"')
    _common_lts_options(graph)
    graph.set_defaults(run=commands.graph)
    run_commands.register(sub)  # run, runs, replay (procalg/cli/run.py)
    return parser


def _common_lts_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--minimize", choices=EQUIVALENCES,
                        help="minimise by this bisimulation first")
    parser.add_argument("--max-states", type=int, default=DEFAULT_MAX_STATES, metavar="N",
                        help="stop exploring beyond N states (default: %(default)s; 0: no limit)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "max_states", None) == 0:
        args.max_states = None
    try:
        return args.run(args)
    except ProcalgError as err:
        print(err.render(), file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
