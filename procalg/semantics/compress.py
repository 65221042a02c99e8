"""CSPM's compression functions: explore a process, reduce it, go on with the result.

``sbisim(P)``, ``dbisim(P)``, ``wbisim(P)``, ``tau_loop_factor(P)``, ``normal(P)``
and ``explicate(P)`` in a model evaluate ``P`` to its LTS (by the firing rules),
reduce it, and wrap the result as a :class:`~procalg.terms.compressed.Compressed`
term, whose moves come from the reduced LTS. Reductions (FDR manual,
"Compression"; Roscoe, *Understanding Concurrent Systems*, ch. 16):

- ``explicate``: the LTS as explored, no reduction;
- ``sbisim``: the strong bisimulation quotient (:func:`procalg.lts.partition.minimize`,
  signature refinement, O(n · m) worst case); preserves every CSP model;
- ``wbisim``: the weak bisimulation quotient; divergence-blind (a τ-loop
  disappears), so it preserves traces and stable failures, not divergences;
- ``dbisim``: divergence-respecting weak bisimulation (a τ-loop stays), by the
  finer branching quotient (:func:`procalg.lts.compressions.dbisim_lts`);
  preserves every CSP model; RoboChart's generated models wrap every node
  and machine in it, and merging their hidden steps keeps what their
  partners meet small;
- ``tau_loop_factor``: every τ-SCC merged into one state, which keeps a
  τ-self-loop when the SCC had a cycle (so divergence is kept), O(n + m);
- ``normal``: the normal form (subset construction over τ-closures,
  :class:`procalg.lts.normal.NormalForm`, exponential in the worst case):
  a state per normal node, with a τ to one stable state per minimal
  acceptance and a τ-loop on divergent nodes; failures-divergences equivalent
  to ``P``, and deterministic where ``P`` is;
- ``diamond``: diamond elimination (:func:`diamond_lts`): τ-free but for the
  τ-steps that encode refusals and divergence; failures-divergences
  equivalent to ``P``.

Example:
    >>> from procalg.api import loads
    >>> model = loads("channel a\\nP = a -> a -> P\\nQ = sbisim(P)")
    >>> model.lts("P").num_states, model.lts("Q").num_states
    (2, 1)
"""

from __future__ import annotations

import gc
from collections import abc
from collections.abc import Callable
from typing import Any

from procalg.errors import LimitExceeded, ModelError
from procalg.lts import LTS, TAU, TICK, explore
from procalg.lts.compressions import REDUCTIONS, diamond_lts, normal_lts
from procalg.lts.held import HeldOrder
from procalg.lts.partition import Bisimulation, minimize
from procalg.lts.tau import effective_labels
from procalg.semantics.compiled_operand import operand_lts
from procalg.semantics.deep import with_room
from procalg.semantics.priority import prioritised
from procalg.semantics.sos import Rules
from procalg.source import Span
from procalg.terms import Call, Process, show_process
from procalg.terms.brief_names import brief_name
from procalg.terms.compressed import Compressed, MoveTable

MAX_STATES = 2_000_000
"""Exploration limit for a compressed process (a guard against infinite ones)."""

LOSSLESS_BUDGET = 20_000
"""States explored for a compression that keeps strong bisimulation before it is given up.

``sbisim(P)`` and ``explicate(P)`` are strongly bisimilar to ``P``, so every
check answers the same on ``P`` itself: compressing only pays where ``P`` is
small. Generated models (RoboChart's ``dbisim`` around each node) compress
leaves whose inputs range over wide types, which in isolation have millions
of states but, beside their partners, reach a few; beyond this budget the
argument is kept as it is and the engines explore it where it is used (the
product engine reduces its components modulo strong bisimulation anyway)."""

LOSSLESS = frozenset({"sbisim", "explicate", "dbisim"})
"""The compressions for which the argument itself is an answer: it is strongly
bisimilar to their result (``dbisim``'s quotient is coarser, and strong
bisimilarity implies divergence-respecting weak bisimilarity)."""




class _Recorder:
    """The firing rules as a transition system, remembering each label's object."""

    def __init__(self, rules: Rules, term: Process) -> None:
        self.rules, self.term = rules, term
        self.labels: dict[str, Any] = {TAU: TAU, TICK: TICK}

    def initial_state(self) -> Process:
        return self.rules.normalise(self.term)

    def successors(self, state: Process) -> list[tuple[Any, Process]]:
        moves = self.rules.transitions(state)
        for lab, _ in moves:
            self.labels.setdefault(str(lab), lab)
        return moves


def compress(name: str, term: Process, unfold: Callable[[Call], Process],
             span: Span | None = None, *, evaluator: Any = None) -> Process:
    """``name(term)``: explore, reduce by :data:`REDUCTIONS` ``[name]``, wrap.

    With the model's ``evaluator`` the operand is explored by the compiled
    engines where they apply (:func:`~procalg.semantics.compiled_operand.operand_lts`,
    as FDR compresses the compiled LTS), else by the term rules.
    A lossless compression (:data:`LOSSLESS`) of a process with more than
    :data:`LOSSLESS_BUDGET` states is ``term`` itself: the same process up to
    strong bisimulation, explored only where it is used; but not where ``term``
    is a priority operator under hiding and renaming (FDR's timed idiom
    ``sbisim(pri(P) \\ X)`` per layer: one layer left whole keeps a priority
    over every layer below it inside the outer search, Fischer's protocol with
    20 nodes as a product of all 20).

    Raises:
        ModelError: the argument is not a process, or it has too many states.

    Example:
        >>> from procalg.terms import Event, Prefix, STOP
        >>> tuple(compress("sbisim", Prefix(Event("a"), STOP), None).table.moves)
        (((Event(channel='a', fields=()), 1),), ())
    """
    if not isinstance(term, Process):
        raise ModelError(f"{name} needs a process, got {term!r}", span,
                         hint=f"write {name}(P) with P a process")
    collecting = gc.isenabled()
    gc.disable()  # the reductions make many small objects, all kept: each collection
    try:          # would walk the model's whole heap for nothing (2-3x slower)
        try:  # nested compressions (one per level of a recursive definition) go deep
            lts, events = with_room(lambda: _explored(term, unfold, evaluator,
                                                      _limit(name, term, unfold)))
        except LimitExceeded as err:
            if name in LOSSLESS:
                return term
            raise ModelError(f"{name}({show_process(term)}) has more than {MAX_STATES} "
                             "states", span, hint="compress a smaller part of the model") from err
        reduced = REDUCTIONS[name](lts)
        if name in PRESERVING_STRONG:  # FDR's normal form is minimal too: fewer states onward
            reduced = minimize(reduced, Bisimulation.STRONG)
    finally:
        if collecting:
            gc.enable()
    return wrap(f"{name}({brief_name(term)})", reduced,
                {label: events[code] for code, label in enumerate(lts.labels)})


class _Rows(abc.Sequence):
    """A compressed process's table of moves, made from its LTS when first read: a
    network reads the LTS (``MoveTable.graph``), only the term rules read these."""

    def __init__(self, lts: LTS, events: dict[str, Any]) -> None:
        self._lts, self._events = lts, events
        self._rows: tuple | None = None

    def _table(self) -> tuple:
        if self._rows is None:
            lts, events = self._lts, self._events
            moves: list[list[tuple[Any, int]]] = [[] for _ in range(lts.num_states)]
            for s, lab, d in zip(lts.src.tolist(), effective_labels(lts).tolist(),
                                 lts.dst.tolist(), strict=True):
                moves[s].append((events[lts.labels[lab]], d))
            self._rows = tuple(tuple(m) for m in moves)
        return self._rows

    def __getitem__(self, index: Any) -> Any:
        return self._table()[index]

    def __len__(self) -> int:
        return self._lts.num_states


PRESERVING_STRONG = frozenset({"normal", "normalise", "diamond", "tau_loop_factor"})
"""Reductions whose result is then reduced modulo strong bisimulation (which keeps
every model); ``sbisim`` and ``wbisim`` results are minimal already."""


def _explored(term: Process, unfold: Callable[[Call], Process], evaluator: Any,
              limit: int) -> tuple[LTS, list[Any]]:
    """``term``'s LTS and each label code's object: compiled where it applies."""
    if evaluator is not None:
        try:
            found = operand_lts(term, evaluator, limit)
        except HeldOrder:  # two held errors in one level: the term rules' order says which
            found = None
        if found is not None:
            return found
    recorder = _Recorder(Rules(unfold), term)
    lts = explore(recorder, max_states=limit)
    return lts, [recorder.labels[label] for label in lts.labels]


def _limit(name: str, term: Process, unfold: Callable[[Call], Process]) -> int:
    """The states ``name(term)`` may explore (see :func:`compress`).

    Raises:
        LimitExceeded: a part of ``term`` was given up on (met while normalising it).
    """
    lossless = name in LOSSLESS and not prioritised(term, unfold)
    return LOSSLESS_BUDGET if lossless else MAX_STATES


def wrap(name: str, lts: LTS, events: dict[str, Any]) -> Compressed:
    """``lts`` as a :class:`Compressed` term named ``name``; ``events`` gives each
    label name's object. The table keeps ``lts`` for the product engine's leaves.

    Example:
        >>> from procalg.terms import Event
        >>> wrap("P", LTS.build(2, 0, ["a"], [(0, "a", 1)]), {"a": Event("a")}).show()
        'P'
    """
    table = MoveTable(name, _Rows(lts, events), lts)
    return Compressed(table, lts.initial)


__all__ = ["REDUCTIONS", "compress", "diamond_lts", "normal_lts"]
