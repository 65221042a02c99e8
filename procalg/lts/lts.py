"""The labelled transition system: integer states, parallel transition arrays.

Shaped like mCRL2's LTS: ``num_states`` states numbered ``0..n-1``, an
``initial`` state, a label table with τ at index 0 and ✓ at index 1, and the
transitions as three parallel integer arrays ``src``, ``label``, ``dst``,
sorted by source and free of duplicate triples. An LTS is read-only after
construction; algorithms return new LTSs. networkx is used only on demand
(:meth:`LTS.to_networkx`).

Example:
    >>> lts = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2), (1, "b", 2)])
    >>> lts.num_states, lts.num_transitions, lts.labels
    (3, 2, ('τ', '✓', 'a', 'b'))
    >>> [(lts.labels[l], d) for l, d in lts.successors(1)]
    [('b', 2)]
    >>> lts.deadlocks()
    [2]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np

if TYPE_CHECKING:
    import networkx

    from procalg.lts.partition import Bisimulation

from procalg.lts.labels import TAU, TAU_INDEX, TICK, TICK_INDEX  # noqa: F401 - re-exported

S = TypeVar("S")


class TransitionSystem(Protocol[S]):
    """Anything that can be explored: an initial state and a successor function.

    Labels are strings (``TAU`` for τ, ``TICK`` for ✓) or objects whose
    ``str`` is the label's name.
    """

    def initial_state(self) -> S: ...

    def successors(self, state: S) -> Iterable[tuple[Any, S]]: ...


def _frozen(values: Iterable[int] | np.ndarray) -> np.ndarray:
    arr = np.ascontiguousarray(np.asarray(values, dtype=np.int32))
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class LTS:
    """A finite labelled transition system (read-only).

    Use :meth:`build` to construct one from triples; the constructor expects
    arrays that are already sorted by source and deduplicated.

    Attributes:
        num_states: states are ``0 .. num_states - 1``.
        initial: the initial state.
        labels: label names; ``labels[0] == TAU``, ``labels[1] == TICK``.
        src, label, dst: parallel ``int32`` arrays, one entry per transition.
        hidden: label names to treat as τ (kept, as in mCRL2, for export).
        state_names: optional text per state (e.g. the process term).
    """

    num_states: int
    initial: int
    labels: tuple[str, ...]
    src: np.ndarray
    label: np.ndarray
    dst: np.ndarray
    hidden: frozenset[str] = frozenset()
    state_names: Sequence[str] | None = None
    _offsets: np.ndarray = field(init=False, repr=False)
    _label_index: dict[str, int] = field(init=False, repr=False)
    _reached: np.ndarray | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        if self.labels[:2] != (TAU, TICK):
            raise ValueError("labels must start with τ and ✓")
        offsets = np.zeros(self.num_states + 1, dtype=np.int64)
        if len(self.src):
            np.cumsum(np.bincount(self.src, minlength=self.num_states), out=offsets[1:])
        object.__setattr__(self, "_offsets", offsets)
        object.__setattr__(self, "_label_index", {n: i for i, n in enumerate(self.labels)})
        object.__setattr__(self, "_reached", None)

    def found_by_search(self) -> LTS:
        """This LTS, known to have every state reachable (a search from
        ``initial`` numbered them), so :meth:`reachable` need not walk it.
        Not carried over by ``dataclasses.replace``, which may drop transitions.

        Example:
            >>> LTS.build(2, 0, ["a"], [(0, "a", 1)]).found_by_search().reachable().tolist()
            [True, True]
        """
        object.__setattr__(self, "_reached", np.ones(self.num_states, dtype=bool))
        return self

    @classmethod
    def build(
        cls,
        num_states: int,
        initial: int,
        labels: Iterable[str],
        transitions: Iterable[tuple[int, str | int, int]],
        *,
        hidden: Iterable[str] = (),
        state_names: Sequence[str] | None = None,
    ) -> LTS:
        """Build an LTS from ``(src, label, dst)`` triples (labels by name or index).

        ``labels`` lists the visible label names; τ and ✓ are added in front
        if missing. Triples are sorted and deduplicated.
        """
        table = [TAU, TICK, *(n for n in labels if n not in (TAU, TICK))]
        index = {n: i for i, n in enumerate(table)}
        rows = []
        for s, lab, d in transitions:
            if isinstance(lab, str):
                if lab not in index:
                    index[lab] = len(table)
                    table.append(lab)
                lab = index[lab]
            rows.append((s, lab, d))
        return cls.from_arrays(num_states, initial, table, *_columns(rows),
                               hidden=hidden, state_names=state_names)

    @classmethod
    def from_arrays(
        cls,
        num_states: int,
        initial: int,
        labels: Sequence[str],
        src: Any,
        label: Any,
        dst: Any,
        *,
        hidden: Iterable[str] = (),
        state_names: Sequence[str] | None = None,
    ) -> LTS:
        """Build from parallel arrays in any order, with duplicates removed."""
        s, lab, d = (np.asarray(x, dtype=np.int64) for x in (src, label, dst))
        if len(s):
            if min(s.min(), d.min()) < 0 or max(s.max(), d.max()) >= num_states:
                raise ValueError("transition endpoint outside 0..num_states-1")
            # sort-based unique: numpy 2.4's hash-based np.unique is ~25x slower here
            keys = np.sort((s * len(labels) + lab) * num_states + d)
            keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
            d = keys % num_states
            lab = (keys // num_states) % len(labels)
            s = keys // num_states // len(labels)
        return cls(num_states, initial, tuple(labels), _frozen(s), _frozen(lab), _frozen(d),
                   frozenset(hidden), state_names)

    @property
    def num_transitions(self) -> int:
        """The number of distinct ``(src, label, dst)`` triples."""
        return len(self.src)

    def out_range(self, state: int) -> range:
        """Indices into the transition arrays of ``state``'s outgoing transitions."""
        return range(int(self._offsets[state]), int(self._offsets[state + 1]))

    def successors(self, state: int) -> list[tuple[int, int]]:
        """``(label index, target)`` pairs leaving ``state``."""
        lo, hi = int(self._offsets[state]), int(self._offsets[state + 1])
        return list(zip(self.label[lo:hi].tolist(), self.dst[lo:hi].tolist(), strict=True))

    def label_index(self, name: str) -> int | None:
        """The index of the label called ``name``, or ``None``."""
        return self._label_index.get(name)

    def out_degree(self) -> np.ndarray:
        """Outgoing transition count per state."""
        return np.diff(self._offsets)

    def terminated(self) -> np.ndarray:
        """Boolean mask of states entered by ✓ (terminated, never deadlocked)."""
        mask = np.zeros(self.num_states, dtype=bool)
        mask[self.dst[self.label == TICK_INDEX]] = True
        return mask

    def deadlocks(self) -> list[int]:
        """States with no outgoing transition that were not entered by ✓."""
        stuck = (self.out_degree() == 0) & ~self.terminated()
        return np.flatnonzero(stuck).tolist()

    def reachable(self) -> np.ndarray:
        """Boolean mask of the states reachable from ``initial``.

        Breadth-first, one whole level at a time in numpy (the successors of
        a level gathered from the CSR offsets at once): O(S + T) work plus
        a small constant per level.

        Example:
            >>> LTS.build(3, 0, ["a"], [(0, "a", 1), (2, "a", 0)]).reachable().tolist()
            [True, True, False]
        """
        if self._reached is not None:
            return self._reached.copy()
        offsets = self._offsets
        seen = np.zeros(self.num_states, dtype=bool)
        seen[self.initial] = True
        frontier = np.array([self.initial], dtype=np.int64)
        while frontier.size:
            starts = offsets[frontier]
            counts = offsets[frontier + 1] - starts
            total = int(counts.sum())
            if total == 0:
                break
            # positions starts[i] .. starts[i] + counts[i] - 1, for every i, flattened
            shift = np.repeat(starts - (np.cumsum(counts) - counts), counts)
            targets = self.dst[np.arange(total, dtype=np.int64) + shift]
            targets = np.sort(targets[~seen[targets]])  # sort, not np.unique: numpy 2
            if targets.size:  # hashes, several times slower on int arrays
                targets = targets[np.concatenate(([True], targets[1:] != targets[:-1]))]
            seen[targets] = True
            frontier = targets.astype(np.int64, copy=False)
        return seen

    def triples(self) -> Iterator[tuple[int, str, int]]:
        """Every transition as ``(src, label name, dst)``."""
        names = self.labels
        for s, lab, d in zip(self.src.tolist(), self.label.tolist(), self.dst.tolist(),
                             strict=True):
            yield s, names[lab], d

    def to_networkx(self) -> networkx.MultiDiGraph:
        """A ``networkx.MultiDiGraph``: edge attribute ``label`` (the name),
        graph attribute ``initial``; node attribute ``name`` where known."""
        import networkx as nx

        graph = nx.MultiDiGraph(initial=self.initial)
        for s in range(self.num_states):
            attrs = {"name": self.state_names[s]} if self.state_names else {}
            graph.add_node(s, **attrs)
        for s, name, d in self.triples():
            graph.add_edge(s, d, label=name)
        return graph

    def minimize(self, kind: Bisimulation) -> LTS:
        """The quotient by strong, weak or branching bisimulation
        (see :func:`procalg.lts.partition.minimize`)."""
        from procalg.lts.partition import minimize

        return minimize(self, kind)

    def __repr__(self) -> str:
        return f"<LTS {self.num_states} states, {self.num_transitions} transitions>"


def _columns(rows: list[tuple[int, int, int]]) -> tuple[list[int], list[int], list[int]]:
    if not rows:
        return [], [], []
    s, lab, d = zip(*rows, strict=True)
    return list(s), list(lab), list(d)
