"""The checking subcommands' arguments: ``check``, ``lint``, ``lts``, ``graph``.

Light to import (argparse and the options' vocabulary): a command's modules
(the parser, the engines, numpy) load when it runs (:func:`_command`), so
``procalg --version`` and ``--help`` answer at once (``tests/test_startup.py``).
"""

from __future__ import annotations

import argparse
import enum
from collections.abc import Callable, Iterable

from procalg.api.vocabulary import TEXT_FORMATS, CheckEngine
from procalg.lts.bisimulation import Bisimulation

EXPLICIT_ENGINES = tuple(e for e in CheckEngine if e is not CheckEngine.SYMBOLIC)
"""Engines that build an LTS (``lts``, ``graph``): the symbolic one does not."""

DEFAULT_MAX_STATES = 5_000_000
MAX_STATES_HELP = (f"stop exploring beyond N states (default: {DEFAULT_MAX_STATES:,} for the "
                   "reference engine, memory-bound for the product engine; 0: no limit)")
"""A guard against models whose state space is infinite (``P = (a -> P) \\ {a}``)."""


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``check``, ``lint``, ``lts`` and ``graph`` to ``sub``."""
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
    check.set_defaults(run=_command("check"))

    lint = sub.add_parser("lint", help="guard analysis (z3): dead branches, hidden STOPs, "
                                       "overlaps")
    lint.add_argument("file", help="the .proc model")
    lint.add_argument("--json", action="store_true", help="print one JSON document")
    lint.set_defaults(run=_command("lint"))

    lts = sub.add_parser("lts", help="explore a process and print or export its LTS")
    lts.add_argument("file", help="the .proc model")
    lts.add_argument("process", help="a process name or expression, e.g. System")
    lts.add_argument("--stats", action="store_true", help="print state and transition counts")
    lts.add_argument("--json", action="store_true", help="JSON output (with --stats)")
    lts.add_argument("--format", choices=TEXT_FORMATS,
                     help="print the LTS in this format (aut: CADP/mCRL2 Aldebaran)")
    lts.add_argument("-o", "--output", metavar="OUT", help="write the export to OUT, not stdout")
    _common_lts_options(lts)
    lts.set_defaults(run=_command("lts"))

    graph = sub.add_parser("graph", help="draw a process's LTS (SVG, PNG, PDF via Graphviz; DOT)")
    graph.add_argument("file", help="the .proc model")
    graph.add_argument("process", help="a process name or expression, e.g. System")
    graph.add_argument("-o", "--output", required=True, metavar="OUT",
                       help="the picture: .svg, .png or .pdf (needs Graphviz), or .dot text")
    graph.add_argument("--highlight-trace", metavar="TRACE",
                       help='draw the path of this trace thick, e.g. "a, b.1, c"')
    _common_lts_options(graph)
    graph.set_defaults(run=_command("graph"))


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    """The body of subcommand ``name`` in :mod:`procalg.cli.commands`, imported when
    it runs (it pulls in the api: parser, engines, numpy)."""
    def run(args: argparse.Namespace) -> int:
        from procalg.cli import commands

        return getattr(commands, name)(args)
    return run


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
    (the values are checked by the enum's ``parse``, with a hint, in
    :func:`procalg.cli.main.main`)."""
    return "{" + ",".join(str(name.value) for name in names) + "}"
