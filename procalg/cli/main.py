"""The ``procalg`` command: thin subcommands that parse arguments, call
:mod:`procalg.api` and format what comes back.

Exit codes: 0 all assertions pass, 1 some fail, 2 a model error (a
diagnostic is printed, never a traceback).
"""

from __future__ import annotations

import argparse
import enum
import mmap
import sys
from collections.abc import Iterable, Sequence

from procalg import __version__
from procalg.api.export import TEXT_FORMATS
from procalg.api.search import CheckEngine
from procalg.cli import commands
from procalg.cli.memory import guard_memory
from procalg.cli.report import error_json
from procalg.cli.style import Style
from procalg.errors import ProcalgError, UsageError
from procalg.lts.partition import Bisimulation

EXPLICIT_ENGINES = tuple(e for e in CheckEngine if e is not CheckEngine.SYMBOLIC)
"""Engines that build an LTS (``lts``, ``graph``): the symbolic one does not."""

DEFAULT_MAX_STATES = 5_000_000
MAX_STATES_HELP = (f"stop exploring beyond N states (default: {DEFAULT_MAX_STATES:,} for the "
                   "reference engine, memory-bound for the product engine; 0: no limit)")
"""A guard against models whose state space is infinite (``P = (a -> P) \\ {a}``)."""


CHECKING = ("check", "lint", "lts", "graph")
"""Subcommands defined here; the others (run, runs, replay, worker, schedule, step)
register from their own modules, imported only when one of them may be asked for."""


def build_parser(running: bool = True) -> argparse.ArgumentParser:
    """The argument parser for every subcommand (``running=False``: the checking ones
    only, for a command line that names one of them: ``check`` need not import the
    engine's modules, a fifth of its start-up)."""
    parser = argparse.ArgumentParser(
        prog="procalg",
        description="Model workflows as CSP processes, prove them correct, then run them.",
    )
    parser.add_argument("--version", action="version", version=f"procalg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check", help="check every assertion in a .proc file")
    check.add_argument("file", help="the .proc model")
    check.add_argument("--json", action="store_true", help="print one JSON document")
    check.add_argument("--max-states", type=int, default=None, metavar="N", help=MAX_STATES_HELP)
    check.add_argument("--show-tau", action="store_true",
                       help="show τ steps in counterexample traces")
    check.add_argument("--explain", action="store_true",
                       help="project each counterexample onto the parallel components")
    check.add_argument("--stats", action="store_true",
                       help="say which engine ran each check, with its reductions")
    check.add_argument("--engine", default="auto", metavar=_choices(CheckEngine),
                       help="product: the compiled parallel network; reference: the "
                            "term-level rules; symbolic: z3 over unbounded data; auto "
                            "(default): symbolic for Int data, else product where it applies")
    check.add_argument("--bmc-depth", type=int, default=30, metavar="K",
                       help="symbolic engine: search counterexamples up to K steps "
                            "(default: %(default)s)")
    check.add_argument("--timeout", type=float, default=60.0, metavar="S",
                       help="symbolic engine: give up (verdict unknown) after S seconds per "
                            "assertion (default: %(default)s)")
    check.add_argument("--no-reduce", action="store_true",
                       help="do not reduce components modulo strong bisimulation first")
    check.add_argument("--por", action="store_true",
                       help="partial-order reduction for deadlock checks (fewer states; "
                            "counterexamples may not be shortest)")
    check.add_argument("--max-memory", type=int, default=None, metavar="MB",
                       help="stop the product engine beyond MB megabytes of state storage")
    check.set_defaults(run=commands.check)

    lint = sub.add_parser("lint", help="guard analysis (z3): dead branches, hidden STOPs, "
                                       "overlaps")
    lint.add_argument("file", help="the .proc model")
    lint.add_argument("--json", action="store_true", help="print one JSON document")
    lint.set_defaults(run=commands.lint)

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
    if running:
        from procalg.cli import run, schedule, step, worker

        run.register(sub)  # run, runs, replay (procalg/cli/run.py)
        worker.register(sub)  # worker (procalg/cli/worker.py)
        schedule.register(sub)  # schedule (procalg/cli/schedule.py)
        step.register(sub)  # step (procalg/cli/step.py)
    return parser


def _common_lts_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--minimize", metavar=_choices(Bisimulation),
                        help="minimise by this bisimulation first")
    parser.add_argument("--max-states", type=int, default=None, metavar="N",
                        help=MAX_STATES_HELP)
    parser.add_argument("--engine", default="auto", metavar=_choices(EXPLICIT_ENGINES),
                        help="product: the compiled parallel network; reference: the "
                             "term-level rules; auto (default): product where it applies")


def _choices(names: Iterable[enum.Enum]) -> str:
    """An option's metavar listing its enum's values, as argparse's ``choices`` would
    (the values are checked by the enum's ``parse``, with a hint, in :func:`main`)."""
    return "{" + ",".join(str(name.value) for name in names) + "}"


def _parse_options(args: argparse.Namespace) -> None:
    """Turn the option strings that name an enum member into it: the one place
    they are read (an unknown name is a UsageError naming the choices)."""
    if args.command not in ("check", "lts", "graph"):
        return
    args.engine = CheckEngine.parse(args.engine)
    if args.command != "check" and args.engine not in EXPLICIT_ENGINES:
        raise UsageError(f"the {args.engine} engine builds no LTS",
                         hint="use --engine " + ", ".join(EXPLICIT_ENGINES))
    if getattr(args, "minimize", None) is not None:
        args.minimize = Bisimulation.parse(args.minimize)


IGNORED = {("runs", "list"): ("retry",), ("runs", "show"): ("retry",)}
"""Options a subcommand accepts (they share a helper with others) but that
mean nothing to it: refused rather than silently ignored."""


def _refuse_meaningless(args: argparse.Namespace) -> None:
    for option in IGNORED.get((args.command, getattr(args, "verb", None)), ()):
        if getattr(args, option, None):
            raise UsageError(
                f"--{option} means nothing to 'procalg {args.command} {args.verb}'",
                hint="retry policies apply where a run executes: run, runs resume, runs signal")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(running=not argv or argv[0] not in CHECKING)
    args = parser.parse_args(argv)
    args.reference_max_states = None  # --max-states, when given, limits every engine
    if args.command in ("check", "lts", "graph") and args.max_states is None:
        # the term-level engine is memory-bound; the product not
        args.reference_max_states = DEFAULT_MAX_STATES
    if getattr(args, "max_states", None) == 0:
        args.max_states = None
    limit = guard_memory() if args.command in ("check", "lts", "graph") else None
    # room to report running out: untouched address space (what the limit counts), not 64 MB written
    reserve = mmap.mmap(-1, 64 * 2**20) if limit else None
    try:
        _parse_options(args)
        _refuse_meaningless(args)
        return args.run(args)
    except ProcalgError as err:
        if err.source is None and err.span is None:
            err.origin = "procalg"  # no file is at fault: the command is (not "<input>")
        if getattr(args, "json", False):
            print(error_json(err))
        else:
            print(Style.for_stream(sys.stderr).diagnostic(err.render()), file=sys.stderr)
        return 2
    except MemoryError:
        pass  # reported below, once the exploration's frames have been let go
    except BrokenPipeError:  # output piped into head and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    del reserve
    size = f" (limit {limit / 2**30:.1f} GiB)" if limit else ""
    print(f"procalg: error: out of memory{size} while exploring\n"
          "  hint: the state space may be infinite; lower --max-states to see how far "
          "it gets, or check the model's recursion", file=sys.stderr)
    return 2
