"""Step through a process in a notebook cell, as LTSA's animator does.

:func:`stepper` explores the process with the term-level rules (the oracle,
as ``procalg step`` does) up to ``max_states`` states in breadth-first order
and embeds them in the cell: the offered events as buttons, the trace so
far, a back button, the current state's term and, for a process small
enough to draw, its LTS with the current state highlighted. Stepping runs in
the browser (plain JavaScript, no kernel round trip and no widget library),
so it works in JupyterLab, the classic notebook, VS Code and exported HTML.
A move into a state beyond the embedded ones is shown but disabled, with a
note pointing at ``procalg step``, which explores without a bound.

Example:
    >>> from procalg.api.model import loads
    >>> model = loads("channel a, b\\nP = a -> (b -> P [] a -> STOP)")
    >>> walk = explore(model, "P", max_states=10)
    >>> walk.moves, walk.complete
    ([[('a', 1)], [('b', 0), ('a', 2)], []], True)
    >>> "procalg-stepper" in stepper(model, "P", draw=False)._repr_html_()
    True
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from procalg.api.model import Model
from procalg.lts import LTS
from procalg.lts.render import picture
from procalg.notebook.html import DRAW_LIMIT, can_draw, fit_width
from procalg.terms import show_process

EMBED_LIMIT = 2_000
"""States embedded in a cell by default: beyond it the page grows past a few hundred KB."""

_SCRIPT = (Path(__file__).with_name("stepper.js")).read_text(encoding="utf-8")
_IDS = itertools.count()


@dataclass(frozen=True)
class Walk:
    """The states of a process explored breadth-first from its start (state 0).

    Attributes:
        terms: each state's process term, as the model writes it.
        moves: each state's ``(label, target)`` moves; target ``-1`` is a state
            beyond the limit.
        complete: every reachable state is in ``terms``.
    """

    terms: list[str]
    moves: list[list[tuple[str, int]]]
    complete: bool


def explore(model: Model, process: str, *, max_states: int = EMBED_LIMIT) -> Walk:
    """The first ``max_states`` states of ``process`` and their moves (O(states + moves))."""
    system = model.system(process)
    first = system.initial_state()
    number: dict[Any, int] = {first: 0}
    states = [first]
    moves: list[list[tuple[str, int]]] = []
    complete = True
    for state in states:  # grows as it goes: breadth-first
        row = []
        for label, target in system.successors(state):
            found = number.get(target)
            if found is None and len(states) < max_states:
                found = number[target] = len(states)
                states.append(target)
            elif found is None:
                complete, found = False, -1
            row.append((str(label), found))
        moves.append(row)
    return Walk([show_process(s) for s in states], moves, complete)


@dataclass(frozen=True)
class Stepper:
    """A process to step through in a cell (shown by ``_repr_html_``).

    Attributes:
        process: the process as given.
        walk: its embedded states.
        svg: its LTS drawn, when small and complete enough to draw (else ``None``).
    """

    process: str
    walk: Walk
    svg: str | None = None

    def _repr_html_(self) -> str:
        data = {"moves": self.walk.moves, "terms": self.walk.terms,
                "complete": self.walk.complete, "process": self.process}
        page = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        uid = f"procalg-stepper-{next(_IDS)}"
        picture_div = f'<div class="procalg-picture">{self.svg}</div>' if self.svg else ""
        return (f'<div id="{uid}" class="procalg-stepper" style="font-family: sans-serif">'
                f"<b>{escape(self.process)}</b>: click an offered event to take it"
                '<div class="procalg-offers" style="margin: 4px 0"></div>'
                '<button class="procalg-back">back</button>'
                '<p>trace: <code class="procalg-trace"></code></p>'
                '<p>state: <code class="procalg-term"></code></p>'
                '<p class="procalg-note" style="font-style: italic"></p>'
                f'{picture_div}<script type="application/json">{page}</script>'
                f'<script>{_SCRIPT}\n(procalgStepper(document.getElementById("{uid}")));'
                "</script></div>")

    def __repr__(self) -> str:
        return (f"Stepper({self.process!r}: {len(self.walk.terms)} states"
                f"{'' if self.walk.complete else ', more beyond'})")


def stepper(model: Model, process: str, *, max_states: int = EMBED_LIMIT,
            draw: bool | None = None) -> Stepper:
    """``process`` of ``model`` ready to step through in a cell.

    Args:
        model: the loaded model.
        process: a process name or expression, as ``procalg step`` takes it.
        max_states: states embedded (breadth-first from the start).
        draw: draw the LTS (default: when ``dot`` is installed, the process
            has at most :data:`~procalg.notebook.html.DRAW_LIMIT` states and
            all of them are embedded).
    """
    walk = explore(model, process, max_states=max_states)
    fits = walk.complete and len(walk.terms) <= DRAW_LIMIT
    svg = None
    if (can_draw() if draw is None else draw) and fits:
        lts = LTS.build(len(walk.terms), 0, sorted({lab for row in walk.moves for lab, _ in row}),
                        [(s, lab, t) for s, row in enumerate(walk.moves) for lab, t in row])
        svg = fit_width(picture(lts, "svg").decode("utf-8"))
    return Stepper(process, walk, svg)
