"""Lazy components that make some moves only when a partner asks for them.

A network knows which labels of a lazy component
(:class:`~procalg.lts.lazy.LazyComponent`) a partner must offer; the component
then defers them (:meth:`AskedExpansion.defer`): a state is expanded without
them, and its moves under a label are made when the product asks for that
(state, label) pair, the lazy successor generation of on-the-fly checking
(Holzmann, *The SPIN Model Checker*, 2003, ch. 8) applied to one state's
inputs. A state asked for some labels is kept *partly expanded* (its moves and
the labels asked) until every deferred label has been asked of it.

Over a compiled machine with vectorised definitions
(:mod:`procalg.semantics.linear_vector`), a frontier of :data:`BATCH_MIN` or
more states, and the partly expanded states asked for more, are each one call
of the batch function with the waiting labels and the asks: the moves and the
local numbering of one ``successors_where`` call per state.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.lts.lazy import LazyComponent
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel c : {0..99}\\nP = c?x -> Q(x)\\nQ(n) = c!n -> P")
    >>> machine = Machine(model.spec.evaluator, model.process("P"))
    >>> lazy = LazyComponent(machine, [f"c.{v}" for v in range(100)])
    >>> lazy.defer(range(1, 101))  # every c.v waits for a partner
    >>> lazy.expand(np.array([0]), (np.array([0]), np.array([lazy.code["c.7"]])))
    1
    >>> lazy.num_states, machine.num_states  # one input target made, not 100
    (2, 2)
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from typing import Any

import numpy as np

from procalg.errors import ProcalgError
from procalg.lts.held import holds
from procalg.lts.lazy_batch import BATCH_MIN, BatchExpansion, OmegaState
from procalg.lts.lts import TAU, TICK
from procalg.lts.network import DONE

Run = tuple[int, list[tuple[int, int]], int]
"""A table run to write: local state, its sorted (label code, local id) moves, and how
many moves its previous run had (-1: none, a first expansion)."""


class _Every:
    """Contains every label (to make only the labels asked)."""

    def __contains__(self, label: object) -> bool:
        return True


EVERY_LABEL = _Every()



class AskedExpansion(BatchExpansion):
    """The deferred moves of :class:`~procalg.lts.lazy.LazyComponent` (a mixin: the
    attributes are the component's; see the module)."""

    deferred: frozenset[int]
    _deferring: bool
    _asked_keys: set[int]
    returns: Any  # lazy_returns.Returns, or None
    _moves: Any  # LazyComponent._moves
    _write: Any  # LazyComponent._write

    def _expand_asked(self, todo: list[int], asks: tuple[np.ndarray, np.ndarray] | None
                      ) -> int:
        """Expand never-expanded ``todo`` without the deferred moves not asked in
        ``asks``, and make the ones newly asked of partly expanded states."""
        deferred = self.deferred
        want: dict[int, set[int]] = {}
        if asks is not None and len(asks[0]):
            width = len(self.labels)
            fresh = set((asks[0] * width + asks[1]).tolist())
            fresh -= self._asked_keys  # each (state, label) once, whatever asks again
            for key in fresh:
                if key % width in deferred:
                    want.setdefault(key // width, set()).add(key % width)
        runs: list[Run] = []
        vector = getattr(self.system, "vector", None)
        batched = vector is not None and max(len(todo), len(want)) >= BATCH_MIN and vector()
        one_by_one = todo
        if batched and len(todo) >= BATCH_MIN:
            one_by_one = [loc for loc in todo if isinstance(self.states[loc], OmegaState)]
            batch = [loc for loc in todo if not isinstance(self.states[loc], OmegaState)]
            try:
                if batch:
                    self._expand_vector(batch, [want.get(loc, set()) for loc in batch])
                    for loc in batch:
                        want.pop(loc, None)
            except ProcalgError as err:  # a state's model error: one by one, held there
                if not holds(err):
                    raise
                one_by_one = todo
        try:  # what was made is written even if a later state raises
            for loc in one_by_one:
                ask = want.pop(loc, set())
                moves = self._moves(self.states[loc], asked={self.labels[c] for c in ask})
                self._held[loc], self._asked[loc] = moves, ask
                runs.append((loc, moves, -1))
            grow = [(loc, codes - self._asked[loc]) for loc, codes in want.items()
                    if loc in self._asked and not codes <= self._asked[loc]]
            if batched and len(grow) >= BATCH_MIN:  # asked again by partners: one batch
                runs += self._grow_vector([g for g in grow
                                           if not isinstance(self.states[g[0]], OmegaState)])
                grow = [g for g in grow if isinstance(self.states[g[0]], OmegaState)]
            for loc, codes in grow:
                run = self._grow(loc, codes)
                if run is not None:
                    runs.append(run)
        finally:
            self._write(runs)
        if asks is not None and len(asks[0]):
            self._asked_keys |= fresh
        return len(todo)

    def _grow(self, loc: int, codes: set[int]) -> Run | None:
        """Make partly expanded ``loc``'s moves labelled ``codes``: its new run, if any."""
        names = {self.labels[c] for c in codes}
        return self._merge(loc, codes, self._moves(self.states[loc], asked=names,
                                                   waiting=EVERY_LABEL))

    def _merge(self, loc: int, codes: set[int], more: list[tuple[int, int]]
               ) -> Run | None:
        """Add ``more`` moves, labelled ``codes`` just asked, to partly expanded
        ``loc``'s: its new run, if any."""
        asked = self._asked[loc]
        asked |= codes
        old = self._held[loc]
        moves = sorted(set(old).union(more)) if more else old
        if asked >= self.deferred:  # nothing left to ask: an ordinary expanded state
            del self._asked[loc], self._held[loc]
        else:
            self._held[loc] = moves
        return (loc, moves, len(old)) if len(moves) != len(old) else None

    def defer(self, codes: Iterable[int]) -> None:
        """Let expansions leave out moves labelled ``codes`` until :meth:`expand`
        is asked for them (labels a partner must offer: the network knows which).

        Every network using this component says its set once; the component
        defers only what all of them do (a network whose rules need a label
        from every state gets it, and states expanded before are completed).
        Only a system with ``successors_where(state, waiting, asked)`` can defer, and only
        the labels its ``waits(label)`` accepts, if it has that method; never one with
        returns to its initial state (:mod:`procalg.lts.lazy_returns`: a twin must see
        each state's every move).
        """
        if not hasattr(self.system, "successors_where") or self.returns is not None:
            return
        waits = getattr(self.system, "waits", None)  # which labels inputs make, if it knows
        codes = frozenset(c for c in codes if self.labels[c] not in (TAU, TICK, DONE)
                          and (waits is None or waits(self.labels[c])))
        if not self._deferring:
            self._deferring, self.deferred = True, codes
            self._waiting = frozenset(self.labels[c] for c in codes)
            return
        lost = self.deferred - codes
        if not lost:
            return
        self.deferred = self.deferred & codes
        self._waiting = frozenset(self.labels[c] for c in self.deferred)
        grown = [self._grow(loc, set(lost)) for loc in list(self._asked)]
        self._write([run for run in grown if run is not None])

    def _grow_vector(self, grow: list[tuple[int, set[int]]]
                     ) -> list[Run]:
        """:meth:`~procalg.lts.lazy.LazyComponent._grow` for many partly expanded
        states of a compiled machine at once (``grow``: each one's codes newly asked,
        none Ω): their new runs, numbered as one ``_grow`` call per state numbers them.

        Raises:
            AlphabetError: a move's label is outside the declared alphabet.
            LimitExceeded: more than ``max_states`` states.
        """
        names = self.labels
        collecting = gc.isenabled()
        gc.disable()  # every object made is kept (see linear_vector.VectorMoves.batch)
        try:
            src, label, ids = self._machine_moves(
                [self.states[loc] for loc, _ in grow], EVERY_LABEL,
                [{names[c] for c in codes} for _, codes in grow])
        finally:
            if collecting:
                gc.enable()
        bounds = np.searchsorted(src, np.arange(len(grow) + 1)).tolist()
        pairs = list(zip(label.tolist(), ids.tolist(), strict=True))
        runs = []
        for i, (loc, codes) in enumerate(grow):
            run = self._merge(loc, codes, pairs[bounds[i]:bounds[i + 1]])
            if run is not None:
                runs.append(run)
        return runs
