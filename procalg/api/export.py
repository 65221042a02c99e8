"""Exporting a model's LTS: text formats, minimised quotients and pictures.

The CLI's ``procalg lts --format`` and ``procalg graph`` call these; so can
programs and notebooks.

Example:
    >>> from procalg.api.model import loads
    >>> model = loads("channel a, b\\nP = a -> b -> P |~| a -> b -> P")
    >>> lts = reduced(model.lts("P"), Bisimulation.WEAK)
    >>> print(export_lts(lts, "aut"), end="")
    des (0,2,2)
    (0,"a",1)
    (1,"b",0)
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from procalg.api.model import STATE_NAME_CHARS, Model
from procalg.api.search import CheckEngine, SearchOptions, counted, implementation
from procalg.api.vocabulary import TEXT_FORMATS
from procalg.checks.compensation import census_outcomes, terminal_outcomes
from procalg.errors import ProcalgError
from procalg.lts import LTS
from procalg.lts.aut import aut_chunks
from procalg.lts.dot import to_dot
from procalg.lts.formats import json_chunks, to_graphml
from procalg.lts.partition import Bisimulation, minimize
from procalg.lts.render import FORMATS as PICTURE_FORMATS
from procalg.lts.render import MAX_STATES, render
from procalg.lts.replayed_names import ReplayedNames, ReplayError
from procalg.lts.sketch import sketch
from procalg.semantics.deep import run_deep
from procalg.terms import show_process


def process_lts(model: Model, process: str, *, max_states: int | None = None,
                engine: CheckEngine = CheckEngine.AUTO, state_names: bool = False,
                reference_max_states: int | None = None, reduce: bool = False) -> LTS:
    """The whole LTS of ``process``, explored by the engine ``check`` would use.

    Where the product engine applies (and ``engine`` allows it) the compiled
    network is explored in bulk, with components *not* reduced (unless
    ``reduce``), so the state count is the term-level one; otherwise the
    term-level rules explore it.
    With ``state_names`` (pictures) each state is named by its term, as the
    term rules name them (:func:`named`: computed only for the states read).
    ``reference_max_states`` is a tighter limit for the term-level rules alone
    (see :class:`~procalg.api.search.SearchOptions`). With ``reduce`` the
    components are reduced modulo strong bisimulation first, as ``check``
    reduces them: a strongly bisimilar LTS with fewer states, from the network
    a check of the process already compiled (the model keeps it).

    Example:
        >>> from procalg.api.model import loads
        >>> model = loads("channel a, b\\nP = a -> STOP ||| b -> STOP")
        >>> lts = process_lts(model, "P")
        >>> lts.num_states, lts.num_transitions
        (4, 4)
    """
    options = SearchOptions(engine=engine, max_states=max_states, reduce=reduce,
                            reference_max_states=reference_max_states)
    if options.engine is CheckEngine.REFERENCE:
        return model.lts(process, max_states=options.reference_limit, state_names=state_names)
    explored = implementation(model, process, options)
    if not isinstance(explored, LTS):  # no network, or it meets an error a leaf holds
        return model.lts(process, max_states=options.reference_limit, state_names=state_names)
    return named(model, process, explored) if state_names else explored


def named(model: Model, process: str, explored: LTS) -> LTS:
    """``explored`` (the compiled engine's LTS of ``process``) with its states
    named by their terms, as the term rules name them: each name is computed
    when first read, by replaying the moves that reach the state on the term
    rules (:mod:`procalg.lts.replayed_names`), so a picture that draws a few
    hundred states names only those.

    Example:
        >>> from procalg.api.model import loads
        >>> model = loads("channel a, b\\nP = a -> STOP ||| b -> STOP")
        >>> lts = named(model, "P", process_lts(model, "P"))
        >>> lts.state_names[0]
        'a -> STOP ||| b -> STOP'
    """
    system = model.system(process)

    def replay(action: Callable[[], Any]) -> Any:
        try:
            return run_deep(action)
        except ProcalgError as err:
            raise model.locate(err) from None
        except ReplayError as err:  # the engines disagree: a bug, said without a traceback
            raise ProcalgError(f"cannot name the compiled states of {process}: {err}",
                               hint="draw it with --engine reference, and please report "
                                    "this model") from None

    names = ReplayedNames(explored, system, lambda t: show_process(t, STATE_NAME_CHARS), replay)
    return replace(explored, state_names=names).found_by_search()


def reduced(lts: LTS, kind: Bisimulation | None) -> LTS:
    """``lts`` minimised by the bisimulation ``kind`` (``None``: unchanged)."""
    return lts if kind is None else minimize(lts, kind)


def process_stats(model: Model, process: str, *, max_states: int | None = None,
                  engine: CheckEngine = CheckEngine.AUTO,
                  reference_max_states: int | None = None) -> dict[str, object]:
    """:func:`lts_stats` of :func:`process_lts`, without building the LTS where
    the product engine applies: its search counts the states, the distinct
    transitions and how runs end as it goes (:func:`~procalg.api.search.counted`).

    Example:
        >>> from procalg.api.model import loads
        >>> model = loads("channel a, b\\nP = a -> SKIP ||| b -> STOP")
        >>> process_stats(model, "P") == lts_stats("P", process_lts(model, "P"))
        True
    """
    options = SearchOptions(engine=engine, max_states=max_states, reduce=False,
                            reference_max_states=reference_max_states)
    census = None if options.engine is CheckEngine.REFERENCE else counted(model, process, options)
    if census is None:
        return lts_stats(process, process_lts(model, process, max_states=max_states,
                                              engine=engine,
                                              reference_max_states=reference_max_states))
    return _stats(process, census.states, census.transitions, census_outcomes(census))


def lts_stats(process: str, lts: LTS) -> dict[str, object]:
    """``procalg lts --stats``: counts, and how runs end (terminal states by outcome).

    Example:
        >>> lts = LTS.build(3, 0, ["a"], [(0, "a", 1), (0, "✓", 2)])
        >>> lts_stats("P", lts)["outcomes"]
        {'completed': 1, 'deadlocked': 1}
    """
    return _stats(process, lts.num_states, lts.num_transitions, terminal_outcomes(lts))


def _stats(process: str, states: int, transitions: int,
           ends: dict[int, frozenset[str]]) -> dict[str, object]:
    counts: dict[str, int] = {}
    for outcomes in ends.values():
        for outcome in outcomes:
            counts[outcome] = counts.get(outcome, 0) + 1
    return {"process": process, "states": states, "transitions": transitions,
            "outcomes": dict(sorted(counts.items()))}


def export_lts(lts: LTS, fmt: str, *, highlight_trace: Sequence[str] | None = None) -> str:
    """The LTS as text in ``fmt`` (``aut``, ``dot``, ``json`` or ``graphml``).

    Raises:
        ProcalgError: an unknown format, or a highlighted trace the LTS cannot do.
    """
    return "".join(export_chunks(lts, fmt, highlight_trace=highlight_trace))


def export_chunks(lts: LTS, fmt: str, *, highlight_trace: Sequence[str] | None = None
                  ) -> Iterator[str]:
    """:func:`export_lts`'s text in pieces, to be written as they come (an
    ``.aut`` file of 48 M transitions is never held whole).

    Raises:
        ProcalgError: an unknown format, or a highlighted trace the LTS cannot do.

    Example:
        >>> lts = LTS.build(2, 0, ["a"], [(0, "a", 1)])
        >>> list(export_chunks(lts, "aut"))
        ['des (0,1,2)\\n', '(0,"a",1)\\n']
    """
    if fmt == "aut":
        return aut_chunks(lts)
    if fmt == "dot":
        return iter([to_dot(lts, highlight_trace)])
    if fmt == "json":
        return itertools.chain(json_chunks(lts), ["\n"])
    if fmt == "graphml":
        return iter([to_graphml(lts)])
    raise ProcalgError(f"cannot export an LTS as {fmt!r}",
                       hint=f"use one of {', '.join(TEXT_FORMATS)}")


def parse_trace(text: str | None) -> tuple[str, ...] | None:
    """``"a, b.1, c"`` → ``("a", "b.1", "c")``; blanks around events are dropped.

    Example:
        >>> parse_trace(" a, b.1 ,c "), parse_trace(""), parse_trace(None)
        (('a', 'b.1', 'c'), (), None)
    """
    if text is None:
        return None
    return tuple(e.strip() for e in text.split(",") if e.strip())


@dataclass(frozen=True)
class Drawn:
    """A picture written: where, how much of the LTS it shows, and what it is.

    Attributes:
        path: the file written.
        states, transitions: the counts of what was drawn.
        note: what was drawn instead of the whole LTS ("" when it is whole).
    """

    path: Path
    states: int
    transitions: int
    note: str = ""


def draw(lts: LTS, path: str | Path, *, highlight_trace: Sequence[str] | None = None,
         max_states: int = MAX_STATES) -> Drawn:
    """Write a picture of ``lts`` to ``path``, the format taken from its suffix.

    ``.dot`` (or ``.gv``) writes DOT text of the whole LTS and needs no
    Graphviz; ``.svg``, ``.png`` and ``.pdf`` run Graphviz's ``dot`` on the
    LTS or, above ``max_states``, on a sketch of it (its quotient or the part
    around the highlighted trace; :mod:`procalg.lts.sketch`), which
    :attr:`Drawn.note` names.

    Raises:
        ProcalgError: an unknown suffix, no ``dot`` binary, or a highlighted
            trace the LTS cannot do.
    """
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt in ("dot", "gv"):
        target.write_text(to_dot(lts, highlight_trace), encoding="utf-8")
        return Drawn(target, lts.num_states, lts.num_transitions)
    if fmt not in PICTURE_FORMATS:
        raise ProcalgError(f"cannot tell the picture format from {str(target)!r}",
                           hint="name the output file .svg, .png, .pdf or .dot")
    if shutil.which("dot") is None:
        raise ProcalgError(
            "cannot draw pictures: Graphviz's 'dot' program is not installed",
            hint="install it (apt-get install graphviz, brew install graphviz), "
                 "or write DOT text instead (-o picture.dot)")
    part = sketch(lts, max_states, trace=highlight_trace)
    render(part.lts, target, fmt, highlight_trace=highlight_trace,
           max_states=max(max_states, part.lts.num_states), frontier=part.frontier)
    return Drawn(target, part.lts.num_states, part.lts.num_transitions, part.note)
