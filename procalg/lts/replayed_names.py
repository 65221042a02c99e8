"""Names for a compiled LTS's states, read off a bisimilar system on demand.

The product engine explores a process fast but its states are packed codes;
a picture names each state by its process term, which only the term-level
rules know. :class:`ReplayedNames` is a lazy ``Sequence[str]`` of names for
the compiled LTS: asked for state ``s``, it walks the compiled LTS's
breadth-first tree from the initial state to ``s`` and replays those moves
on the term system (``TransitionSystem``), one term-level step per state on
the way. So only the states drawn get names (a picture's sketch asks for a
few hundred of millions), and each costs what the term rules would spend on
it once.

A move the term system can make to several different states with one label
(nondeterminism, τ-moves under hiding) is matched by behaviour: the compiled
targets and the term candidates are compared by their classes of Milner's
approximants ``~k`` (*Communication and Concurrency*, ch. 4: equal moves
into equal ``~(k-1)`` classes), ``k`` the least depth that tells the
candidates apart, at most :data:`SIGNATURE_DEPTH`, or deeper while the
candidates fall in fewer classes than the compiled targets' strong
bisimulation blocks (computed once, when a match first needs them: two
chains of τ-moves under hiding may part only after many steps); distinct
compiled targets get distinct candidates while there are any. A name is
therefore the term of a state that behaves alike for that many steps and
lies in the target's block: exactly the term the term rules give unless two
candidates are strongly bisimilar, e.g. the mirror states of ``R ||| R``;
then either is a faithful name, a term no state is named by yet is
preferred, but two such states can still share one name.

Example:
    >>> from procalg.lts.lts import LTS
    >>> class Words:  # a system whose states are strings
    ...     def initial_state(self): return ""
    ...     def successors(self, w): return [("a", w + "a")] if len(w) < 2 else []
    >>> lts = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "a", 2)])
    >>> list(ReplayedNames(lts, Words(), repr))
    ["''", "'a'", "'aa'"]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar, overload

import numpy as np

from procalg.lts.lts import LTS, TransitionSystem
from procalg.lts.partition import Bisimulation, partition
from procalg.lts.tau import effective_labels

T = TypeVar("T")

SIGNATURE_DEPTH = 8
"""How many steps ahead candidate terms are compared (deeper only where blocks differ)."""


class ReplayError(ValueError):
    """The system cannot follow the compiled LTS: the two are not bisimilar (a bug)."""


def _direct(action: Callable[[], T]) -> T:
    return action()


def breadth_first_tree(lts: LTS) -> tuple[np.ndarray, np.ndarray]:
    """Each state's parent in a breadth-first tree from the initial state, and the
    label index of the move from it (``-1`` for the root and unreached states).

    Level by level in numpy (a state's moves are a slice of the sorted arrays),
    so millions of states cost a fraction of a second.

    Example:
        >>> lts = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2), (1, "b", 2)])
        >>> [a.tolist() for a in breadth_first_tree(lts)]
        [[-1, 0, 0], [-1, 2, 3]]
    """
    n = lts.num_states
    offsets = np.searchsorted(lts.src, np.arange(n + 1))
    labels = effective_labels(lts)
    parent = np.full(n, -1, dtype=np.int64)
    via = np.full(n, -1, dtype=np.int64)
    seen = np.zeros(n, dtype=bool)
    seen[lts.initial] = True
    frontier = np.array([lts.initial], dtype=np.int64)
    while frontier.size:
        starts, counts = offsets[frontier], offsets[frontier + 1] - offsets[frontier]
        total = int(counts.sum())
        if total == 0:
            break
        # every move of every frontier state: each slice's start, then 0, 1, 2 ...
        edges = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(total)
        targets = lts.dst[edges]
        fresh = ~seen[targets]
        targets, edges = targets[fresh], edges[fresh]
        frontier, first = np.unique(targets, return_index=True)
        parent[frontier] = lts.src[edges[first]]
        via[frontier] = labels[edges[first]]
        seen[frontier] = True
    return parent, via


class ReplayedNames(Sequence[str]):
    """A name per state of ``lts``, computed when asked for (see the module).

    Args:
        lts: the compiled LTS; every state reachable from its initial state.
        system: a system bisimilar to ``lts`` whose states have names (the terms).
        name: a ``system`` state's name.
        run: runs each replay (``semantics.deep.run_deep``: terms nest deeply).
    """

    def __init__(self, lts: LTS, system: TransitionSystem[Any], name: Callable[[Any], str],
                 run: Callable[[Callable[[], Any]], Any] = _direct) -> None:
        self._lts = lts
        self._system = system
        self._name = name
        self._run = run
        self._states: dict[int, Any] = {}
        self._moves: dict[Any, list[tuple[str, Any]]] = {}
        self._tree: tuple[np.ndarray, np.ndarray] | None = None
        self._matched: dict[tuple[int, str], dict[int, Any]] = {}
        self._witnesses: set[Any] = set()
        self._signatures: dict[tuple[str, Any, int], int] = {}
        self._classes: dict[frozenset, int] = {}
        self._labels = effective_labels(lts)
        self._offsets = np.searchsorted(lts.src, np.arange(lts.num_states + 1))
        self._blocks: np.ndarray | None = None

    def __len__(self) -> int:
        return self._lts.num_states

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        state = index % len(self)
        return self._run(lambda: self._name(self.witness(state)))

    def __iter__(self) -> Iterator[str]:
        """Every name, computed in one ``run`` (a DOT file names every state)."""
        return iter(self._run(lambda: [self._name(self.witness(s)) for s in range(len(self))]))

    def witness(self, state: int) -> Any:
        """The ``system`` state that names ``state`` (replayed from the nearest named one)."""
        if not self._states:
            self._states[self._lts.initial] = self._system.initial_state()
            self._witnesses.add(self._states[self._lts.initial])
        if self._tree is None:
            self._tree = breadth_first_tree(self._lts)
        parent, via = self._tree
        wanted, chain = state, []
        while state not in self._states:
            if parent[state] < 0:
                raise ReplayError(f"state {state} is not reachable from the initial state")
            chain.append(state)
            state = int(parent[state])
        for child in reversed(chain):
            self._states[child] = self._step(int(parent[child]), self._lts.labels[via[child]],
                                             child)
        return self._states[wanted]

    def _step(self, source: int, label: str, target: int) -> Any:
        """The successor by ``label`` of ``source``'s witness that behaves as ``target``."""
        matched = self._matched.get((source, label))
        if matched is None:
            matched = self._matched[source, label] = self._match(source, label)
        return matched[target]

    def _match(self, source: int, label: str) -> dict[int, Any]:
        """Pair the compiled moves by ``label`` from ``source`` with its witness's:
        each target with a candidate alike to the least depth that tells the
        candidates apart (see :meth:`_depth_apart`), distinct targets with
        distinct candidates while there are any (the term rules merge only equal
        terms, the compiled LTS keeps some apart)."""
        term = self._states[source]
        candidates = list(dict.fromkeys(t for lab, t in self._term_moves(term) if lab == label))
        if not candidates:
            raise ReplayError(f"the term rules cannot follow the compiled move {label!r}")
        lo, hi = int(self._offsets[source]), int(self._offsets[source + 1])
        siblings = list(dict.fromkeys(int(self._lts.dst[i]) for i in range(lo, hi)
                                      if self._lts.labels[self._labels[i]] == label))
        depth = self._depth_apart(candidates, siblings)
        # targets named already (the source itself, an earlier level) keep their witness
        matched = {t: self._states[t] for t in siblings if self._states.get(t) in candidates}
        used = set(matched.values())
        for sibling in (t for t in siblings if t not in matched):
            wanted = self._compiled_signature(sibling, depth)
            alike = [t for t in candidates if self._term_signature(t, depth) == wanted]
            fresh = [t for t in alike if t not in used] or alike or candidates
            # of terms alike (symmetric sides of |||), one no other state is named by yet
            chosen = next((t for t in fresh if t not in self._witnesses), fresh[0])
            matched[sibling] = chosen
            used.add(chosen)
        self._witnesses.update(matched.values())
        return matched

    def _depth_apart(self, candidates: list[Any], siblings: list[int]) -> int:
        """The depth the candidates are compared to: the least that tells them all
        apart, up to :data:`SIGNATURE_DEPTH`; past it, the least that splits them
        into as many classes as the siblings have strong bisimulation blocks (the
        systems are bisimilar, so some depth does, at most the state count)."""
        def classes(depth: int) -> int:
            return len({self._term_signature(t, depth) for t in candidates})

        depth = 0
        while depth < SIGNATURE_DEPTH and classes(depth) < len(candidates):
            depth += 1
        if classes(depth) == len(candidates) or len(siblings) < 2:
            return depth
        if self._blocks is None:
            self._blocks = partition(self._lts, Bisimulation.STRONG)
        blocks = len({int(self._blocks[t]) for t in siblings})
        while classes(depth) < blocks and depth <= self._lts.num_states:
            depth += 1
        return depth

    def _term_moves(self, term: Any) -> list[tuple[str, Any]]:
        moves = self._moves.get(term)
        if moves is None:
            moves = self._moves[term] = [(str(lab), t) for lab, t in self._system.successors(term)]
        return moves

    def _term_signature(self, term: Any, depth: int) -> int:
        """Milner's ``~depth`` class of a term, as a number shared with the compiled side."""
        if depth == 0:
            return 0
        key = ("term", term, depth)
        found = self._signatures.get(key)
        if found is None:
            found = self._signatures[key] = self._class(frozenset(
                (lab, self._term_signature(t, depth - 1)) for lab, t in self._term_moves(term)))
        return found

    def _compiled_signature(self, state: int, depth: int) -> int:
        """Milner's ``~depth`` class of a compiled state (numbered as terms' are)."""
        if depth == 0:
            return 0
        key = ("compiled", state, depth)
        found = self._signatures.get(key)
        if found is None:
            lo, hi = int(self._offsets[state]), int(self._offsets[state + 1])
            found = self._signatures[key] = self._class(frozenset(
                (self._lts.labels[self._labels[i]],
                 self._compiled_signature(int(self._lts.dst[i]), depth - 1))
                for i in range(lo, hi)))
        return found

    def _class(self, moves: frozenset) -> int:
        return self._classes.setdefault(moves, len(self._classes) + 1)
