"""A lazy component a control node can send back to its initial state.

A control node (:mod:`procalg.lts.control`) restarts or discards a side by moves
back to the side's initial state: a *reset* from anywhere, a *settle* from Ω or
the initial state, and an "ℓ, then initial" *twin* of a local label ℓ
(:mod:`procalg.lts.control_node`). A component explored whole gets them as
transitions added to its LTS. A :class:`~procalg.lts.lazy.LazyComponent` has
no whole list of states to add them to; it makes them as it expands each state
instead, beside the state's own moves (:meth:`Returns.added`). Its states stay
one lazy table: a restart re-enters it at local state 0, a state it has already
numbered, so a recursion that restarts the operator above a large leaf
(``Sys = (Big ||| tick -> SKIP) ; Sys``) needs no whole exploration of it
(FDR's lazily compiled leaves under a recursive supercombinator:
Gibson-Robinson et al., "FDR3", TACAS 2014, section 3).

Cost: one to a few extra moves per expanded state, O(1) each (and a vectorised
batch of states stays one batch: the returns are columns too).

Example:
    >>> from procalg.lts.exploration import ExplicitSystem
    >>> from procalg.lts.lts import LTS
    >>> ring = ExplicitSystem(LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "a", 2)]))
    >>> lazy = returning(LazyComponent(ring, {"a"}), {RESET, INIT + "a"})
    >>> _ = lazy.expand(np.array([0])); _ = lazy.expand(np.array([1]))
    >>> [(lazy.labels[c], d) for c, d in lazy.written_moves(1)]
    [('\\x00init:a', 0), ('\\x00reset', 0), ('a', 2)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from procalg.lts.lazy import LazyComponent

RESET = "\x00reset"
"""Internal label: every state of a component moves to its initial state."""
SETTLE = "\x00settle"
"""Internal label: a terminated component (in a ``DONE`` state, or initial)
moves to its initial state."""
INIT = "\x00init:"
"""How the label of a twin starts: ``INIT + ℓ`` is "ℓ, then the initial state"."""


@dataclass(frozen=True, slots=True)
class Returns:
    """The label codes of a lazy component's moves back to its initial state.

    Attributes:
        reset: the code of :data:`RESET`, if the component has it.
        settle: the code of :data:`SETTLE`, if it has it.
        twins: per local label code ℓ, the code of its twin ``INIT + ℓ``.
        labels: the return labels themselves (to extend the component again).
    """

    reset: int | None
    settle: int | None
    twins: Mapping[int, int]
    labels: frozenset[str]

    @classmethod
    def of(cls, code: Mapping[str, int], labels: Iterable[str]) -> Returns:
        """The returns named by ``labels`` in a component whose codes are ``code``.

        Example:
            >>> Returns.of({"τ": 0, "a": 1, RESET: 2, INIT + "a": 3}, [RESET, INIT + "a"]).twins
            {1: 3}
        """
        kept = frozenset(labels)
        twins = {code[name[len(INIT):]]: code[name] for name in kept
                 if name.startswith(INIT) and name[len(INIT):] in code}
        return cls(code.get(RESET) if RESET in kept else None,
                   code.get(SETTLE) if SETTLE in kept else None, twins, kept)

    def added(self, moves: list[tuple[int, int]], *, ended: bool) -> list[tuple[int, int]]:
        """``moves`` (sorted ``(label code, local id)`` pairs of one state) with the
        state's returns to local state 0 (``ended``: the state is Ω or the initial
        one, which settles), sorted.

        Example:
            >>> Returns(5, 6, {1: 7, 5: 8}, frozenset()).added([(1, 3), (2, 4)], ended=False)
            [(1, 3), (2, 4), (5, 0), (7, 0), (8, 0)]
        """
        back = [(self.reset, 0)] if self.reset is not None else []
        if ended and self.settle is not None:
            back.append((self.settle, 0))
        # a twin of a reset or settle too: a restart after a node that resets this side
        extra = back + [(self.twins[c], 0) for c, _ in moves + back if c in self.twins]
        return sorted(set(moves).union(extra)) if extra else moves


    def added_columns(self, todo: list[int], src: np.ndarray, label: np.ndarray,
                      ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`added` for a batch of states ``todo`` (none Ω) whose moves are
        columns (``src``: positions in ``todo``; label codes; local ids), as the batch
        expansion writes them (:mod:`procalg.lts.lazy_batch`); unsorted.

        Example:
            >>> cols = Returns(5, 6, {1: 7}, frozenset()).added_columns(
            ...     [0, 4], np.array([0, 1]), np.array([1, 2]), np.array([3, 4]))
            >>> [c.tolist() for c in cols]
            [[0, 1, 0, 1, 0, 0], [1, 2, 5, 5, 6, 7], [3, 4, 0, 0, 0, 0]]
        """
        count = len(todo)
        back_src = [np.arange(count)] if self.reset is not None else []
        back_label = [np.full(count, self.reset)] if self.reset is not None else []
        if self.settle is not None:
            first = np.flatnonzero(np.asarray(todo, dtype=np.int64) == 0)
            back_src.append(first)
            back_label.append(np.full(len(first), self.settle))
        src_all = np.concatenate([src, *back_src]).astype(np.int64)
        label_all = np.concatenate([label, *back_label]).astype(np.int64)
        if self.twins:  # each move's twin, a reset's or settle's too (see added)
            twin_of = np.full(max(max(self.twins), int(label_all.max(initial=0))) + 1, -1)
            twin_of[list(self.twins)] = list(self.twins.values())
            twin = twin_of[label_all]
            has = twin >= 0
            src_all = np.concatenate([src_all, src_all[has]])
            label_all = np.concatenate([label_all, twin[has]])
        back = len(src_all) - len(src)
        return src_all, label_all, np.concatenate([ids, np.zeros(back, dtype=np.int64)])


def returning(lazy: LazyComponent, labels: Iterable[str] = ()) -> LazyComponent:
    """A lazy component over ``lazy``'s system that also makes the return moves
    ``labels`` name (:data:`RESET`, :data:`SETTLE`, twins), besides any ``lazy``
    made already; with none, one a control node may reset (else it leaves a lazy
    side stale: :mod:`procalg.lts.control_node`). Built before any search: it starts
    unexplored (``lazy``'s first walk, at most
    :data:`~procalg.lts.leaf_choice.EAGER_LIMIT` states, is made again as the
    product reaches them).

    Each state's returns are made beside its moves, one by one
    (:meth:`Returns.added`) or for a batch of columns (:meth:`Returns.added_columns`);
    no direct walk, and no move deferred until a partner asks (a twin must see every
    move of its state). The held expansion asks the system straight as for any
    leaf (:meth:`~procalg.lts.lazy_held.HeldWrites.expand_now`) and adds them.
    """
    kept = frozenset(labels) | (lazy.returns.labels if lazy.returns is not None else frozenset())
    made = LazyComponent(lazy.system, [*lazy.labels, *kept], max_states=lazy.max_states,
                         name=lazy.name)
    made.returns = Returns.of(made.code, kept)  # expand_now adds them too; leaf_chain's walks
    return made  # take no returning leaf
