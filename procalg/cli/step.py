"""``procalg step FILE PROCESS``: walk through a process by hand at a prompt.

LTSA's animator in the terminal: the events the current state offers are
listed, numbered; the user picks one by number or by name, goes ``back``,
prints the ``trace`` or quits. Steps follow the term-level rules
(:class:`procalg.api.animate.Animation`).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import TextIO

from procalg.api import load
from procalg.api.animate import Animation
from procalg.api.evidence import format_trace
from procalg.cli.style import COLUMNS, Style
from procalg.errors import ProcalgError
from procalg.terms import show_process

HELP = "take an event by its number or name; back: undo a step; trace; quit"


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``step`` to the ``procalg`` subcommands."""
    step = sub.add_parser("step", help="walk through a process by hand, one event at a time")
    step.add_argument("file", help="the .proc model")
    step.add_argument("process", help="a process name or expression, e.g. System")
    step.set_defaults(run=command)


def command(args: argparse.Namespace) -> int:
    """Run the prompt until ``quit`` or the end of input."""
    model = load(args.file)
    animation = Animation.start(model, args.process)
    return animate(animation, model, sys.stdin, sys.stdout)


def animate(animation: Animation, model, stdin: TextIO, out: TextIO) -> int:
    """The prompt loop: show the offers, read a choice, follow it."""
    err = Style.for_stream(sys.stderr)
    print(HELP, file=out)
    show = True
    while True:
        if show:
            try:
                _show(animation, out)
            except ProcalgError as error:  # the model is wrong beyond this step
                print(err.diagnostic(model.locate(error).render()), file=sys.stderr)
                if not animation.trace:
                    return 2
                animation = animation.back()
                print("stayed before that step: the state it leads to is an error", file=out)
                continue
        out.write("> ")
        out.flush()
        line = stdin.readline()
        if not line:  # end of input
            print(file=out)
            return 0
        choice = line.strip()
        show = True
        if choice in ("quit", "q", "exit"):
            return 0
        if choice in ("", "help", "?"):
            print(HELP, file=out)
            show = False
        elif choice == "back":
            animation = animation.back()
        elif choice == "trace":
            print(f"trace: {format_trace(_visible(animation.trace))}", file=out)
            show = False
        else:
            try:
                animation = (animation.take(int(choice) - 1) if choice.isdigit()
                             else animation.take_event(choice))
            except ProcalgError as error:
                print(f"{error.message}; type help for the commands", file=out)
                show = False


def _visible(trace: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(label for label in trace if label != "τ")


def _show(animation: Animation, out: TextIO) -> None:
    moves = animation.offers()
    state = _clip(f"state: {show_process(animation.state)}")
    print(state, file=out)
    if not moves:
        print("  nothing is offered: the process is stuck or has ended (back, trace or quit)",
              file=out)
        return
    same = Counter(m.label for m in moves)
    for number, move in enumerate(moves, 1):
        text = f"  {number:>2}  {move.label}"
        if same[move.label] > 1 or move.label == "τ":  # which branch is which
            text += f"  -> {move.description}"
        print(_clip(text), file=out)


def _clip(text: str) -> str:
    return text if len(text) <= COLUMNS else text[:COLUMNS - 1] + "…"
