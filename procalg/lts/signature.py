"""Signature refinement engines (Blom & Orzan 2003/2005) for strong and branching.

**Strong** (:func:`strong_refinement`): rounds of ``π_{k+1} = split π_k by
sig_{π_k}`` where ``sig(s) = {(a, π_k(t)) | s -a-> t}``, as in plain
signature refinement, but incremental: block numbers are stable (when a
block splits, the part holding its untouched members — or else the largest
part — keeps the number) and a round only recomputes the signatures of
*dirty* states, those with a successor that changed block in the previous
round; every other member of a block still has the block's signature. A
round costs O(m) numpy work plus O(d log d) Python work for d dirty
transitions, so long chains of splits (counters, buffers) stay cheap.
The result, and every intermediate partition, equals plain signature
refinement's, which the :class:`History` records as a change log
(state, round, new block) for explanations (:mod:`procalg.checks.hml`).

**Branching** (:func:`branching_refinement`, divergence-blind; Groote &
Vaandrager 1990, Blom & Orzan 2005): the LTS must have no τ-cycles
(collapse τ-SCCs first); ``sig(s)`` is every ``(a, B(t))`` reachable as
``s ⇒ s' -a-> t`` along inert τ-steps, except inert τ itself. It is
incremental in the same way, with the dirty set also closed under
τ-predecessors; O(d · |sig|) Python work per round for d dirty states.

Both loops end when no block splits; at most n rounds.

Example:
    >>> chain = LTS.build(4, 0, ["a"], [(0, "a", 1), (1, "a", 2), (2, "a", 3)])
    >>> blocks, history = strong_refinement(chain)
    >>> len(set(blocks.tolist())), history.rounds
    (4, 3)
    >>> history.blocks_at(1).tolist()
    [0, 0, 0, 1]
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from typing import Any

import numpy as np

from procalg.lts.lts import LTS, TAU_INDEX


class History:
    """Which block each state was in after each round, as a change log.

    Round 0 is the single initial block (number 0); ``blocks_at(k)`` is the
    partition after round ``k``.
    """

    def __init__(self, n: int, changes: list[tuple[int, int, int]], rounds: int) -> None:
        self.n = n
        self.rounds = rounds
        self._changes = changes  # (state, round, block), rounds ascending
        self._per_state: dict[int, tuple[list[int], list[int]]] | None = None
        self._cache: dict[int, np.ndarray] = {}

    def blocks_at(self, k: int) -> np.ndarray:
        """The block of every state after round ``k``."""
        if k not in self._cache:
            blocks = np.zeros(self.n, dtype=np.int64)
            for s, r, b in self._changes:
                if r > k:
                    break
                blocks[s] = b
            self._cache[k] = blocks
        return self._cache[k]

    def first_split(self, p: int, q: int) -> int | None:
        """The first round after which ``p`` and ``q`` are in different blocks."""
        if self._per_state is None:
            per: dict[int, tuple[list[int], list[int]]] = {}
            for s, r, b in self._changes:
                rounds, blocks = per.setdefault(s, ([0], [0]))
                rounds.append(r)
                blocks.append(b)
            self._per_state = per
        logs = [self._per_state.get(x, ([0], [0])) for x in (p, q)]
        for r in sorted(set(logs[0][0]) | set(logs[1][0])):
            ids = [blocks[bisect_right(rounds, r) - 1] for rounds, blocks in logs]
            if ids[0] != ids[1]:
                return r
        return None


def strong_refinement(lts: LTS) -> tuple[np.ndarray, History]:
    """The coarsest strong bisimulation of ``lts`` (labels taken as they are)."""
    n, width = lts.num_states, max(lts.num_states, 1)
    src, dst = lts.src.astype(np.int64), lts.dst.astype(np.int64)
    lab = lts.label.astype(np.int64)
    block = np.zeros(n, dtype=np.int64)
    sizes, block_sig = [n], [()]
    sig: list[tuple[int, ...]] = [()] * n
    dirty = np.ones(n, dtype=bool)
    changes: list[tuple[int, int, int]] = []
    rounds = 0
    while dirty.any():
        rounds += 1
        states = np.flatnonzero(dirty)
        _recompute(sig, states, dirty[src], src, lab * width + block[dst], len(lts.labels) * width)
        moved = _split_round(states, block, sizes, block_sig, sig)
        if not moved:
            rounds -= 1
            break
        for s in moved:
            changes.append((s, rounds, int(block[s])))
        was_moved = np.zeros(n, dtype=bool)
        was_moved[moved] = True
        dirty = np.zeros(n, dtype=bool)
        dirty[src[was_moved[dst]]] = True
    return block, History(n, changes, rounds)


def _recompute(sig: list[tuple[int, ...]], states: np.ndarray, mask: np.ndarray,
               src: np.ndarray, keys: np.ndarray, stride: int) -> None:
    """Signatures of the sorted ``states`` from the transitions selected by ``mask``."""
    codes = np.sort(src[mask] * stride + keys[mask])  # sort-based: np.unique hashes slowly
    codes = codes[np.concatenate(([True], codes[1:] != codes[:-1]))] if len(codes) else codes
    owner = codes // stride
    values = (codes % stride).tolist()
    lo = np.searchsorted(owner, states, "left").tolist()
    hi = np.searchsorted(owner, states, "right").tolist()
    for i, s in enumerate(states.tolist()):
        sig[s] = tuple(values[lo[i]:hi[i]])


def _split_round(states: np.ndarray, block: np.ndarray, sizes: list[int],
                 block_sig: list[Any], sig: list[Any]) -> list[int]:
    """Split every block holding dirty states by signature; return moved states."""
    by_block: dict[int, dict[Any, list[int]]] = {}
    for s, b in zip(states.tolist(), block[states].tolist(), strict=True):
        by_block.setdefault(b, {}).setdefault(sig[s], []).append(s)
    moved: list[int] = []
    for b, groups in by_block.items():
        rest = sizes[b] - sum(len(g) for g in groups.values())
        # untouched members keep the block's signature (and number); else the largest part
        keeper = block_sig[b] if rest > 0 else max(groups, key=lambda k: len(groups[k]))
        for key, members in groups.items():
            if key == keeper:
                continue
            new = len(sizes)
            sizes.append(len(members))
            block_sig.append(key)
            sizes[b] -= len(members)
            block[members] = new
            moved.extend(members)
        block_sig[b] = keeper
    return moved


def branching_refinement(lts: LTS) -> np.ndarray:
    """The coarsest divergence-blind branching bisimulation of a τ-cycle-free ``lts``.

    Incremental like :func:`strong_refinement`: a signature can only change
    if some state on an inert τ-path from it moved block or has a successor
    that moved, so the dirty set is ``moved ∪ pred(moved)`` closed under
    τ-predecessors; dirty signatures are recomputed in τ-topological order,
    reusing the cached signatures of clean τ-successors.
    """
    n = lts.num_states
    order = np.asarray(_tau_topological_order(lts), dtype=np.int64)
    out = [lts.successors(s) for s in range(n)]
    tau_preds: list[list[int]] = [[] for _ in range(n)]
    for s, moves in enumerate(out):
        for a, t in moves:
            if a == TAU_INDEX:
                tau_preds[t].append(s)
    src, dst = lts.src.astype(np.int64), lts.dst.astype(np.int64)
    block = np.zeros(n, dtype=np.int64)
    sizes, block_sig = [n], [frozenset()]
    sig: list[frozenset[int]] = [frozenset()] * n
    dirty = np.ones(n, dtype=bool)
    while dirty.any():
        b = block.tolist()
        for s in order[dirty[order]].tolist():  # τ-successors first
            acc: set[int] = set()
            for a, t in out[s]:
                if a == TAU_INDEX and b[t] == b[s]:
                    acc |= sig[t]  # inert: inherit what t can reach
                else:
                    acc.add(a * n + b[t])
            sig[s] = frozenset(acc)
        moved = _split_round(np.flatnonzero(dirty), block, sizes, block_sig, sig)
        if not moved:
            break
        dirty = np.zeros(n, dtype=bool)
        dirty[moved] = True
        dirty[src[dirty[dst]]] = True
        _close_under(dirty, tau_preds)
    return block


def _close_under(mask: np.ndarray, preds: list[list[int]]) -> None:
    """Add every state that reaches a marked state backwards through ``preds``."""
    todo = np.flatnonzero(mask).tolist()
    while todo:
        t = todo.pop()
        for s in preds[t]:
            if not mask[s]:
                mask[s] = True
                todo.append(s)


def _tau_topological_order(lts: LTS) -> list[int]:
    """States ordered so that every τ-successor comes before its source (Kahn)."""
    taus = lts.label == TAU_INDEX
    preds: list[list[int]] = [[] for _ in range(lts.num_states)]
    pend = [0] * lts.num_states
    for s, d in zip(lts.src[taus].tolist(), lts.dst[taus].tolist(), strict=True):
        preds[d].append(s)
        pend[s] += 1
    ready = deque(s for s in range(lts.num_states) if pend[s] == 0)
    order: list[int] = []
    while ready:
        d = ready.popleft()
        order.append(d)
        for s in preds[d]:
            pend[s] -= 1
            if pend[s] == 0:
                ready.append(s)
    if len(order) != lts.num_states:
        raise ValueError("τ-cycle left after collapsing τ-SCCs")
    return order
