"""The ``procalg`` command: thin subcommands that parse arguments, call
:mod:`procalg.api` and format what comes back.

Exit codes: 0 all assertions pass, 1 some fail, 2 a model error (a
diagnostic is printed, never a traceback).
"""

from __future__ import annotations

import argparse
import gc
import mmap
import os
import sys
from collections.abc import Sequence

from procalg import __version__
from procalg.api.vocabulary import CheckEngine
from procalg.cli import checking
from procalg.cli.checking import DEFAULT_MAX_STATES, EXPLICIT_ENGINES
from procalg.cli.help_width import CommandParser
from procalg.cli.memory import CpuLimitReached, guard_cpu, guard_memory
from procalg.errors import ProcalgError, UsageError
from procalg.lts.bisimulation import Bisimulation

# Start-up: this module and procalg.cli.checking import only light names (argparse,
# the options' vocabulary); a command's modules (the parser, the engines, numpy)
# load when it runs, so --version and --help answer at once (tests/test_startup.py).

CHECKING = ("check", "lint", "lts", "graph")
"""Subcommands of :mod:`procalg.cli.checking`; the others (run, runs, replay, worker,
schedule, step) register from their own modules, imported only when one of them may
be asked for."""


def build_parser(running: bool = True) -> argparse.ArgumentParser:
    """The argument parser for every subcommand (``running=False``: the checking ones
    only, for a command line that names one of them: ``check`` need not import the
    engine's modules, a fifth of its start-up)."""
    parser = CommandParser(
        prog="procalg",
        description="Model workflows as CSP processes, prove them correct, then run them.",
    )
    parser.add_argument("--version", action="version", version=f"procalg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    checking.register(sub)  # check, lint, lts, graph (procalg/cli/checking.py)
    if running:
        from procalg.cli import run, schedule, step, worker

        run.register(sub)  # run, runs, replay (procalg/cli/run.py)
        worker.register(sub)  # worker (procalg/cli/worker.py)
        schedule.register(sub)  # schedule (procalg/cli/schedule.py)
        step.register(sub)  # step (procalg/cli/step.py)
    return parser


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
    """Run the command line (``argv``, default the process's own); returns the exit code."""
    if argv is not None:
        return _main(list(argv))
    argv = sys.argv[1:]
    if argv and argv[0] in CHECKING:
        # OpenBLAS starts a thread per core, each with its buffers, when numpy loads
        # (0.02 s of CPU on two cores, more on more); a checking command runs no
        # linear algebra and no user code. A value the user set is kept.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    code = _main(argv, own=True)
    if argv and argv[0] in CHECKING:
        # The process ends next: a checking command's objects (terms, states,
        # tables; 400,000 on counter N=30000) move out of the collector's sight,
        # or the interpreter's exit sweeps them all again, 0.6 s of CPU there.
        # They hold no file or connection that a collection would close. Only
        # for the process's own command line: a caller's process goes on.
        gc.freeze()
    return code


def _load_uncollected(path: str) -> None:
    """Import what a checking command runs on, and build the parser's tables (unless
    ``path``'s model is read back from :mod:`procalg.syntax.parse_cache`: then lark
    is never imported), with the cyclic collector off; then freeze what they made,
    and leave the collector off for the command.

    Start-up: the modules, classes and tables loaded here live until the process
    ends, yet collecting while they load traverses them over and over (~90
    collections), and every full collection of the check traverses them again:
    0.03 s of CPU on a two-state model's 0.35 s. Frozen, the collector skips them.
    The command's own objects (the model, terms, a leaf's states and moves, the
    search's tables) live until the process ends too, and hold next to no cycles:
    on counter N=30000 the collector ran 340 times for 0.18 s of the check's 1.2 s
    of CPU and found 115 objects, on ABP by the term rules 9 % of the CPU for as
    few; plain reference counting frees the rest. Only for the process's own
    command line (:func:`main`): a caller's process goes on, collected as usual.
    """
    gc.disable()
    try:
        from procalg.cli import commands  # noqa: F401 (the command's modules)
        from procalg.syntax.parse_cache import holds

        if not holds(path):
            from procalg.syntax.parser import lark_parser

            lark_parser()
    finally:
        gc.freeze()


def _main(argv: list[str], own: bool = False) -> int:
    # --version needs the checking parsers only (the running ones import the runtime)
    parser = build_parser(running=not argv or argv[0] not in (*CHECKING, "--version"))
    args = parser.parse_args(argv)
    args.reference_max_states = None  # --max-states, when given, limits every engine
    if args.command in ("check", "lts", "graph") and args.max_states is None:
        # the term-level engine is memory-bound; the product not
        args.reference_max_states = DEFAULT_MAX_STATES
    if getattr(args, "max_states", None) == 0:
        args.max_states = None
    limit = guard_memory() if args.command in ("check", "lts", "graph") else None
    if own and args.command in ("check", "lts", "graph"):
        guard_cpu()  # the process's own: a caller's process keeps its signal handlers
    # room to report running out: untouched address space (what the limit counts), not 64 MB written
    reserve = mmap.mmap(-1, 64 * 2**20) if limit else None
    try:
        if own:  # models read back, not parsed again (a caller's process parses them)
            from procalg.syntax import parse_cache

            parse_cache.enable()
        if own and args.command in CHECKING:
            _load_uncollected(args.file)  # in here: ^C while loading says "interrupted", as before
        _parse_options(args)
        _refuse_meaningless(args)
        return args.run(args)
    except ProcalgError as err:
        if err.source is None and err.span is None:
            err.origin = "procalg"  # no file is at fault: the command is (not "<input>")
        if getattr(args, "json", False):
            from procalg.cli.report import error_json  # the api's evidence: an error's import

            print(error_json(err))
        else:
            from procalg.cli.style import Style

            print(Style.for_stream(sys.stderr).diagnostic(err.render()), file=sys.stderr)
        return 2
    except MemoryError as err:
        notes = getattr(err, "__notes__", [])  # reported below, once the exploration's
    except CpuLimitReached as err:  # frames have been let go
        print(f"procalg: error: {err} {_how_far(args)}\n"
              "  hint: raise the limit (ulimit -t), or reduce the model", file=sys.stderr)
        if own:  # the exploring threads would run on while the interpreter ends
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(2)
        return 2
    except BrokenPipeError:  # output piped into head and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    del reserve
    size = f" (limit {limit / 2**30:.1f} GiB)" if limit else ""
    print(f"procalg: error: out of memory{size} {_how_far(args)}\n"
          + "".join(f"  {note}\n" for note in notes)
          + "  hint: the state space may be infinite; lower --max-states to see how far "
          "it gets, or check the model's recursion", file=sys.stderr)
    return 2


def _how_far(args: argparse.Namespace) -> str:
    """Which assertion ran out and how far its search got (``check``), or "while exploring"."""
    line = getattr(args, "progress_line", None)
    return line.how_far() if line is not None else "while exploring"
