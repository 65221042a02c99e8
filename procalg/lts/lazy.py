"""Lazily explored network components: a leaf is expanded only where the product goes.

A :class:`LazyComponent` wraps any
:class:`~procalg.lts.lts.TransitionSystem` and stands wherever a network
takes a component LTS (:func:`procalg.lts.network.component`). Its local
states are numbered as the product search reaches them: at each BFS level
the search asks it to :meth:`~LazyComponent.expand` the local states in the
frontier that were never expanded, and their moves are appended to a table
sorted by ``(expansion slot, local label)``, so lookups stay binary searches
and nothing is rebuilt (O(new moves) per level). A queue of 1.1 M states of
which the product reaches 70 costs 70 expansions, not 1.1 M. This is the
on-the-fly product of FDR's lazily compiled leaves (Gibson-Robinson et al.,
"FDR3", TACAS 2014) and of LTSmin's partitioned next-state interface
(Blom, van de Pol, Weber, "LTSmin", CAV 2010).

Termination follows Roscoe's rule: every ✓ enters one shared Ω local state
(the term after ✓ is Ω, whatever the system calls it), which has the
network's internal ``DONE`` self-loop. The component's alphabet must be
declared up front, because synchronisation rules are built before any
exploration; a superset is fine (unused rules never fire), a label outside
it is an error.

:func:`leaf` is the per-leaf decision for a network compiler: explored
whole (then reducible modulo bisimulation, with joint tables) when small,
lazily otherwise.

Example:
    >>> class Counter:
    ...     def initial_state(self): return 0
    ...     def successors(self, n): return [("inc", n + 1)]  # infinite
    >>> lazy = LazyComponent(Counter(), {"inc"})
    >>> lazy.expand(np.array([0]))
    1
    >>> lazy.num_states, lazy.expanded, lazy.labels
    (2, 1, ('τ', 'inc'))
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from typing import Any

import numpy as np

from procalg.errors import LimitExceeded
from procalg.lts.exploration import Edges, Exploration
from procalg.lts.lts import LTS, TAU, TICK, TransitionSystem
from procalg.lts.network import DONE

EAGER_LIMIT = 2_000
"""Leaves with at most this many states are explored whole by :func:`leaf`."""


class AlphabetError(ValueError):
    """A lazy component performed a label outside its declared alphabet (the
    network's rules cannot show it: a caller should fall back to another engine)."""


class _Omega:
    """The one local state after ✓."""

    def __repr__(self) -> str:
        return "Ω"


class _Column:
    """A growable int64 array (doubling; readers hold views of old buffers safely)."""

    def __init__(self, fill: int = 0) -> None:
        self.data = np.full(16, fill, dtype=np.int64)
        self.size = 0
        self.fill = fill

    def extend(self, values: list[int]) -> None:
        end = self.size + len(values)
        if end > len(self.data):
            grown = np.full(max(end, 2 * len(self.data)), self.fill, dtype=np.int64)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size: end] = values
        self.size = end

    @property
    def view(self) -> np.ndarray:
        return self.data[: self.size]


class _View:
    """The moves of a :class:`LazyComponent` with a label in ``codes``, kept
    in step with it (appended at each expansion): a rule group reading it
    touches only the moves it can use."""

    def __init__(self, lazy: LazyComponent, codes: frozenset[int]) -> None:
        self.lazy, self.codes = lazy, codes
        self.wanted = np.zeros(len(lazy.labels), dtype=bool)
        self.wanted[sorted(codes)] = True
        width = len(lazy.labels)
        keep = self.wanted[lazy._key.view % width]
        self._key, self._src, self._dst = _Column(), _Column(), _Column()
        for column, source in ((self._key, lazy._key), (self._src, lazy._src),
                               (self._dst, lazy._dst)):
            column.extend(source.view[keep].tolist())

    def append(self, keys: list[int], loc: int, moves: list[tuple[int, int]]) -> None:
        mine = [i for i, (lab, _) in enumerate(moves) if lab in self.codes]
        self._key.extend([keys[i] for i in mine])
        self._src.extend([loc] * len(mine))
        self._dst.extend([moves[i][1] for i in mine])

    def lookup_all(self, locs: np.ndarray, backward: bool = False
                   ) -> tuple[np.ndarray, np.ndarray]:
        width = len(self.lazy.labels)
        keys, k = self._key.view, self.lazy._slot.data[locs] * width
        k[k < 0] = -width  # unexpanded: an empty run
        lo = np.searchsorted(keys, k)
        return np.searchsorted(keys, k + width) - lo, lo

    def entry_labels(self, entry: np.ndarray, backward: bool = False) -> np.ndarray:
        return self._key.view[entry] % len(self.lazy.labels)

    def entries(self, backward: bool = False) -> tuple[np.ndarray, np.ndarray]:
        return self._src.view, self._dst.view


class LazyComponent:
    """A network component explored on demand from a transition system.

    Args:
        system: ``initial_state()`` and ``successors(state)`` yielding
            ``(label, state)``; labels are names or objects whose ``str`` is one.
        alphabet: every label the system may perform (a superset is fine);
            include ✓ if it may terminate. τ is always allowed.
        max_states: raise :class:`~procalg.errors.LimitExceeded` past this
            many numbered local states.
        name: shown in the search's notes.
    """

    def __init__(self, system: TransitionSystem[Any], alphabet: Iterable[str], *,
                 max_states: int | None = None, name: str = "") -> None:
        names = {str(a) for a in alphabet}
        terminates = TICK in names
        visible = sorted(names - {TAU, TICK, DONE})
        self.labels: tuple[str, ...] = (TAU, *([TICK] if terminates else []), *visible,
                                        *([DONE] if terminates else []))
        self.code = {n: i for i, n in enumerate(self.labels)}
        self.system = system
        self.max_states = max_states
        self.name = name
        self.states: list[Any] = []
        self.ids: dict[Any, int] = {}
        self.expanded = 0
        self.transitions = 0
        self._slot = _Column(-1)  # local id -> expansion slot, -1 = not expanded
        self._key = _Column()  # sorted: slot * len(labels) + label code
        self._src = _Column()
        self._dst = _Column()
        self._omega: int | None = None
        self.used: set[int] = set()  # label codes of some expanded move
        self._back: tuple[int, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._views: dict[frozenset[int], _View] = {}
        self._number(system.initial_state())

    initial = 0
    """The initial state is local state 0."""

    @property
    def num_states(self) -> int:
        """Local states numbered so far (expanded or only reached as targets)."""
        return len(self.states)

    def _number(self, state: Any) -> int:
        n = self.ids.get(state)
        if n is None:
            n = self.ids[state] = len(self.states)
            self.states.append(state)
            self._slot.extend([-1])
            if self.max_states is not None and len(self.states) > self.max_states:
                raise LimitExceeded(
                    f"lazy component {self.name or '?'} has more than {self.max_states} states",
                    states=len(self.states), hint="raise the limit, or make data types smaller")
        return n

    def _moves(self, state: Any, pairs: Iterable[tuple[Any, Any]] | None = None
               ) -> list[tuple[int, int]]:
        """The moves of ``state`` as sorted ``(label code, local id)`` pairs
        (from ``pairs`` of label and target if given, else from the system)."""
        if isinstance(state, _Omega):
            return [(self.code[DONE], self.ids[state])]
        moves = set()
        for label, target in self.system.successors(state) if pairs is None else pairs:
            name = label if isinstance(label, str) else str(label)
            code = self.code.get(name)
            if code is None or name == DONE:
                raise AlphabetError(f"lazy component {self.name or '?'} performs {name!r}, "
                                 f"outside its declared alphabet")
            if name == TICK:
                if self._omega is None:
                    self._omega = self._number(_Omega())
                moves.add((code, self._omega))
            else:
                moves.add((code, self._number(target)))
        return sorted(moves)

    def _record(self, loc: int, moves: list[tuple[int, int]]) -> None:
        slot = self.expanded
        self._slot.data[loc] = slot
        width = len(self.labels)
        keys = [slot * width + lab for lab, _ in moves]
        self._key.extend(keys)
        for view in self._views.values():
            view.append(keys, loc, moves)
        self._src.extend([loc] * len(moves))
        self._dst.extend([d for _, d in moves])
        self.used.update(lab for lab, _ in moves)
        self.expanded += 1
        self.transitions += len(moves)

    def expand(self, locals_: np.ndarray) -> int:
        """Expand the never-expanded states among ``locals_`` (local ids);
        returns how many were expanded.

        Raises:
            AlphabetError: a move's label is outside the declared alphabet.
            LimitExceeded: more than ``max_states`` local states.
        """
        locals_ = np.unique(np.asarray(locals_, dtype=np.int64))
        todo = locals_[self._slot.view[locals_] < 0].tolist()
        for loc in todo:
            self._record(loc, self._moves(self.states[loc]))
        return len(todo)

    @classmethod
    def resume(cls, walk: Exploration, done: list[tuple[int, Edges]], alphabet: Iterable[str],
               *, max_states: int | None = None, name: str = "") -> LazyComponent:
        """A lazy component that starts where a breadth-first exploration
        stopped: ``walk``'s states keep their numbers and the states in
        ``done`` (with their edges) count as expanded, so their successor
        calls are not repeated."""
        lazy = cls(walk.system, alphabet, max_states=max_states, name=name)
        lazy.states = list(walk.states)
        lazy.ids = dict(walk.index)
        lazy._slot.extend([-1] * (len(lazy.states) - 1))
        names, states = walk.labels, walk.states
        for number, edges in done:
            pairs = [(names[c], states[d]) for c, d in edges]
            lazy._record(number, lazy._moves(states[number], pairs))
        return lazy

    def view(self, codes: Iterable[int]) -> _View:
        """The moves with a label in ``codes`` (shared per label set, kept up to date)."""
        key = frozenset(codes)
        if key not in self._views:
            self._views[key] = _View(self, key)
        return self._views[key]

    def lookup(self, label: int, locs: np.ndarray, backward: bool
               ) -> tuple[np.ndarray, np.ndarray]:
        """Per local state, how many moves labelled ``label`` it has (into it,
        with ``backward``) and where they start in :meth:`entries`."""
        width = len(self.labels)
        if backward:
            keys = self._backward()[1]
            k = locs * width + label
        else:
            keys = self._key.view
            k = self._slot.data[locs] * width + label  # unexpanded: -1 -> no key matches
            k[k < 0] = -1
        lo = np.searchsorted(keys, k)
        return np.searchsorted(keys, k + 1) - lo, lo

    def lookup_all(self, locs: np.ndarray, backward: bool) -> tuple[np.ndarray, np.ndarray]:
        """Like :meth:`lookup` for every label at once (one contiguous run per state)."""
        width = len(self.labels)
        if backward:
            keys, k = self._backward()[1], locs * width
        else:
            keys, k = self._key.view, self._slot.data[locs] * width
            k[k < 0] = -width  # unexpanded: an empty run
        lo = np.searchsorted(keys, k)
        return np.searchsorted(keys, k + width) - lo, lo

    def entry_labels(self, entry: np.ndarray, backward: bool) -> np.ndarray:
        """The local label code of each move in :meth:`entries` order."""
        keys = self._backward()[1] if backward else self._key.view
        return keys[entry] % len(self.labels)

    def entries(self, backward: bool) -> tuple[np.ndarray, np.ndarray]:
        """``(from, to)`` local ids of every move, in :meth:`lookup` order."""
        if backward:
            _, _, src, dst = self._backward()
            return dst, src
        return self._src.view, self._dst.view

    def _backward(self) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        """Moves sorted by ``(target, label)``, rebuilt only after new expansions
        (backward lookups serve trace rebuilding and dead states: rare)."""
        back = self._back
        if back is None or back[0] != self.transitions:
            width = len(self.labels)
            src, dst = self._src.view.copy(), self._dst.view.copy()
            keys = dst * width + self._key.view % width
            order = np.argsort(keys, kind="stable")
            back = (self.transitions, keys[order], src[order], dst[order])
            self._back = back  # one assignment: concurrent readers see old or new, both whole
        return back

    def __repr__(self) -> str:
        return (f"LazyComponent({self.name or type(self.system).__name__}: "
                f"{self.num_states} states, {self.expanded} expanded)")


def leaf(system: TransitionSystem[Any], alphabet: Iterable[str] | None, *,
         eager_limit: int = EAGER_LIMIT, max_states: int | None = None,
         name: str = "") -> LTS | LazyComponent:
    """The network component for one sequential leaf, whole or lazy.

    A leaf of at most ``eager_limit`` states is explored whole (an
    :class:`~procalg.lts.lts.LTS`: the network can reduce it and give it
    joint tables, which pays when the product is large); a larger one
    becomes a :class:`LazyComponent` that resumes where the exploration
    stopped (only the expansion the limit interrupted is made again). Pass the result to
    :func:`procalg.lts.network.component`.

    Args:
        system: the leaf's transition system.
        alphabet: a superset of its labels (✓ included if it may
            terminate); ``None`` when unknown: then the leaf is always
            explored whole (up to ``max_states``).
        eager_limit: the largest leaf explored whole.
        max_states: the most local states either way.
        name: shown in the search's notes.

    Raises:
        LimitExceeded: the leaf has more than ``max_states`` states.

    Example:
        >>> class Counter:
        ...     def initial_state(self): return 0
        ...     def successors(self, n): return [("inc", (n + 1) % 10)]
        >>> leaf(Counter(), {"inc"}).num_states
        10
        >>> leaf(Counter(), {"inc"}, eager_limit=5)
        LazyComponent(Counter: 5 states, 4 expanded)
    """
    bounds = [b for b in (None if alphabet is None else eager_limit, max_states)
              if b is not None]
    walk = Exploration(system, max_states=max(1, min(bounds)) if bounds else None)
    done: list[tuple[int, Edges]] = []
    try:
        done.extend(walk)
    except LimitExceeded:
        if alphabet is None or (max_states is not None and max_states <= eager_limit):
            raise
        name = name or type(system).__name__
        return LazyComponent.resume(walk, done, alphabet, max_states=max_states, name=name)
    triples = [(n, c, d) for n, edges in done for c, d in edges]
    src, lab, dst = (array("i", column) for column in zip(*triples, strict=True)) \
        if triples else (array("i"), array("i"), array("i"))
    return LTS.from_arrays(walk.num_states, 0, list(walk.labels), src, lab, dst)
