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

:func:`procalg.lts.leaf_choice.leaf` is the per-leaf decision for a network
compiler: explored whole (then reducible modulo bisimulation, with joint
tables) when small, lazily otherwise.

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

from collections.abc import Collection, Container, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from procalg.errors import LimitExceeded, ProcalgError
from procalg.lts.exploration import Edges, Exploration
from procalg.lts.held import holds
from procalg.lts.lazy_asks import AskedExpansion
from procalg.lts.lazy_batch import BATCH_MIN
from procalg.lts.lazy_batch import OmegaState as _Omega
from procalg.lts.lazy_held import HeldWrites
from procalg.lts.lazy_small import FEW
from procalg.lts.lts import LTS, TAU, TICK, TransitionSystem
from procalg.lts.move_columns import Column, View
from procalg.lts.network import DONE
from procalg.lts.visited import sorted_unique

if TYPE_CHECKING:  # lazy_returns makes the components that have them
    from procalg.lts.lazy_returns import Returns


class AlphabetError(ValueError):
    """A lazy component performed a label outside its declared alphabet (the
    network's rules cannot show it: a caller compiles again with ``label``
    declared, or falls back to another engine).

    Example:
        >>> AlphabetError("lazy component P performs 'x'", "x").label
        'x'
    """

    def __init__(self, message: str, label: str = "") -> None:
        super().__init__(message)
        self.label = label


class LazyComponent(HeldWrites, AskedExpansion):
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
        self.whole: LTS | None = None  # an LTS explored whole, numbered as reached: numbered.py
        self.states: list[Any] = []
        self.ids: dict[Any, int] = {}
        self.expanded = 0
        self.transitions = 0
        self._slot = Column(-1)  # local id -> expansion slot, -1 = not expanded
        self._key = Column()  # sorted: slot * len(labels) + label code
        self._src = Column()
        self._dst = Column()
        self._omega: int | None = None
        self.used: set[int] = set()  # label codes of some expanded move
        self.deferred: frozenset[int] = frozenset()  # moves made only when a partner asks
        self._deferring = False  # set by the first network that defers (see defer)
        self._held: dict[int, list[tuple[int, int]]] = {}  # partly expanded: their moves
        self._asked: dict[int, set[int]] = {}  # partly expanded: the deferred codes made
        self._asked_keys: set[int] = set()  # every (state, code) asked, as state * width + code
        self._waiting: frozenset[str] = frozenset()  # the deferred codes' names
        self._records = 0  # table runs written (a state asked again gets a new run)
        self._back: tuple[int, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._views: dict[frozenset[int], View] = {}
        self._codes: np.ndarray | None = None  # see BatchExpansion
        self.calm = 0  # expand calls in a row that changed nothing (see LazyGroup's folding)
        self._pending: list[tuple[int, list[tuple[int, int]], int]] | None = None  # see hold
        self._direct = getattr(system, "direct", None)  # see expand_now
        self._special = frozenset(self.code[n] for n in (TICK, DONE) if n in self.code)
        self.returns: Returns | None = None  # moves back to state 0 a control node needs
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
            slot = self._slot  # Column.pad(1), inlined: a call per new state
            slot.size += 1
            if slot.size > len(slot.data):
                slot.size -= 1
                slot.pad(1)
            if "_local_of" in self.__dict__:
                self._keep_local(state, n)
            if self.max_states is not None and len(self.states) > self.max_states:
                raise LimitExceeded(
                    f"lazy component {self.name or '?'} has more than {self.max_states} states",
                    states=len(self.states), hint="raise the limit, or make data types smaller")
        return n

    def _moves(self, state: Any, pairs: Iterable[tuple[Any, Any]] | None = None,
               asked: Collection[str] | None = None, waiting: Container[str] | None = None
               ) -> list[tuple[int, int]]:
        """The moves of ``state`` as sorted ``(label code, local id)`` pairs
        (from ``pairs`` of label and target if given, else from the system;
        with ``asked``, leaving out the labels ``waiting`` (default: the
        deferred ones) not asked)."""
        if isinstance(state, _Omega):
            moves = [(self.code[DONE], self.ids[state])]
            return moves if self.returns is None else self.returns.added(moves, ended=True)
        if pairs is None:
            pairs = self.system.successors(state) if asked is None else \
                self.system.successors_where(  # type: ignore[attr-defined]
                    state, self._waiting if waiting is None else waiting, asked)
        moves = []
        codes, ids = self.code, self.ids
        for label, target in pairs:
            name = label if type(label) is str else str(label)
            code = codes.get(name)
            if code is None or name == DONE:
                raise AlphabetError(f"lazy component {self.name or '?'} performs {name!r}, "
                                    "outside its declared alphabet", name)
            if name == TICK:
                if self._omega is None:
                    self._omega = self._number(_Omega())
                moves.append((code, self._omega))
            else:
                n = ids.get(target)
                moves.append((code, n if n is not None else self._number(target)))
        moves = moves if len(moves) < 2 else sorted(set(moves))
        return moves if self.returns is None else \
            self.returns.added(moves, ended=self.ids.get(state) == 0)

    def _write(self, runs: list[tuple[int, list[tuple[int, int]], int]]) -> None:
        """Append ``(loc, moves, again)`` runs to the table at once (see :meth:`_record`)."""
        width, first = len(self.labels), self._records
        # flat comprehensions, one numpy write of the slots: a batch of a deep,
        # narrow search holds thousands of one-move runs
        keys = [slot * width + lab
                for slot, (_, moves, _) in enumerate(runs, first) for lab, _ in moves]
        src = [loc for loc, moves, _ in runs for _ in moves]
        dst = [d for _, moves, _ in runs for _, d in moves]
        width_codes = [lab for _, moves, _ in runs for lab, _ in moves]
        fresh = sum(1 for _, _, again in runs if again < 0)
        self.expanded += fresh
        self.transitions += len(keys) - sum(again for _, _, again in runs) - fresh
        slots = {loc: slot for slot, (loc, _, _) in enumerate(runs, first)}  # the last run's
        self._slot.data[list(slots)] = list(slots.values())
        self._records = first + len(runs)
        self._key.extend(keys)
        self._src.extend(src)
        self._dst.extend(dst)
        self.used.update(width_codes)
        for view in self._views.values():
            view.append(keys, src, width_codes, dst)

    def known_moves(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Every move of the component as ``(from, label code, to)`` local ids,
        once its table is whole: every numbered state expanded and no label
        deferred (then the numbered states are closed under moves, so they are
        all the states reachable from the initial one); else None.

        Example:
            >>> from procalg.lts.exploration import ExplicitSystem
            >>> from procalg.lts.lts import LTS
            >>> lazy = LazyComponent(ExplicitSystem(LTS.build(2, 0, ["a"], [(0, "a", 1)])), {"a"})
            >>> lazy.known_moves() is None  # state 0 not expanded yet
            True
            >>> _ = lazy.expand(np.array([0])); _ = lazy.expand(np.array([1]))
            >>> [x.tolist() for x in lazy.known_moves()], lazy.code["a"]
            ([[0], [1], [1]], 1)
        """
        if self.deferred or self.expanded < self.num_states:
            return None
        width, src, dst, key = len(self.labels), self._src.view, self._dst.view, self._key.view
        live = key // width == self._slot.data[src]  # runs rewritten: the current ones
        return src[live], key[live] % width, dst[live]

    @property
    def stamp(self) -> tuple[int, int]:
        """Changes whenever the move table or the numbered states do (table
        runs written, local states numbered): a table folded from this one
        is exact while the stamp stays."""
        return self._records, len(self.states)

    def expand(self, locals_: np.ndarray,
               asks: tuple[np.ndarray, np.ndarray] | None = None) -> int:
        """Expand the never-expanded states among ``locals_`` (local ids);
        returns how many were expanded (:attr:`calm` counts the calls in a row
        that changed nothing).

        Moves with a :attr:`deferred` label are made only where ``asks``
        (local ids and label codes, pairwise: what the partners offer) has
        them, each (state, label) once; every other move is made at once.

        Raises:
            AlphabetError: a move's label is outside the declared alphabet.
            LimitExceeded: more than ``max_states`` local states.
        """
        before = self.stamp
        try:
            return self._expand(locals_, asks)
        finally:
            self.calm = self.calm + 1 if self.stamp == before else 0

    def _expand(self, locals_: np.ndarray, asks: tuple[np.ndarray, np.ndarray] | None) -> int:
        locals_ = np.asarray(locals_, dtype=np.int64)
        if len(locals_) <= FEW:  # a narrow frontier: no numpy call for a state or two
            slot = self._slot.data
            todo = [loc for loc in sorted(set(locals_.tolist())) if slot[loc] < 0]
            if not todo and not self.deferred:
                return 0
            return self._expand_todo(todo, asks)
        if len(locals_) > self._slot.size:  # a whole frontier: a mask beats a sort
            seen = np.zeros(self._slot.size, dtype=bool)
            seen[locals_] = True
            locals_ = np.flatnonzero(seen)
        else:  # sort-based: numpy 2's hashing np.unique is several times slower
            locals_ = sorted_unique(locals_)
        return self._expand_todo(locals_[self._slot.view[locals_] < 0].tolist(), asks)

    def _expand_todo(self, todo: list[int], asks: tuple[np.ndarray, np.ndarray] | None) -> int:
        """Expand ``todo`` (sorted local ids, never expanded), see :meth:`expand`."""
        deferred = self.deferred
        if not deferred:
            batch: list[int] | None = None
            vector = getattr(self.system, "vector", None)
            if hasattr(self.system, "successors_arrays") or (
                    vector and len(todo) >= BATCH_MIN and vector()):
                # a nested network, or a machine with vectorised definitions: one step
                batch = [loc for loc in todo if not isinstance(self.states[loc], _Omega)]
                try:
                    if batch and vector is None:
                        self._expand_arrays(batch)
                    elif batch:
                        self._expand_vector(batch)
                except ProcalgError as err:  # a state's model error: one by one, held there
                    if not holds(err):
                        raise
                    batch = []
                rest = [loc for loc in todo if not batch or isinstance(self.states[loc], _Omega)]
            for loc in rest if batch is not None else todo:
                self._record(loc, self._moves(self.states[loc]))
            return len(todo)
        return self._expand_asked(todo, asks)

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
        lazy.hold()  # one write of every run, not numpy calls per state
        for number, edges in done:
            pairs = [(names[c], states[d]) for c, d in edges]
            lazy._record(number, lazy._moves(states[number], pairs))
        lazy.flush()
        return lazy

    def view(self, codes: Iterable[int]) -> View:
        """The moves with a label in ``codes`` (shared per label set, kept up to date)."""
        key = frozenset(codes)
        if key not in self._views:
            self._views[key] = View(self._key, self._src, self._dst, self._slot,
                                    len(self.labels), key)
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

    def run_at(self, label: int, loc: int, backward: bool) -> tuple[int, int]:
        """:meth:`lookup` at one state in Python ints: two scalar binary searches
        (a narrow level's firing, :mod:`procalg.lts.lazy_small`, not five numpy calls)."""
        width = len(self.labels)
        if backward:
            keys, slot = self._backward()[1], loc
        else:
            keys, slot = self._key.view, int(self._slot.data[loc])
            if slot < 0:  # not expanded: no moves yet
                return 0, 0
        lo = int(keys.searchsorted(slot * width + label))
        return int(keys.searchsorted(slot * width + label + 1)) - lo, lo

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
        if back is None or back[0] != self._records:
            width = len(self.labels)
            src, dst, key = self._src.view, self._dst.view, self._key.view
            if self._records != self.expanded:  # runs rewritten: read only the current ones
                live = key // width == self._slot.data[src]
                src, dst, key = src[live], dst[live], key[live]
            src, dst = src.copy(), dst.copy()
            keys = dst * width + key % width
            order = np.argsort(keys, kind="stable")
            back = (self._records, keys[order], src[order], dst[order])
            self._back = back  # one assignment: concurrent readers see old or new, both whole
        return back

    def __repr__(self) -> str:
        return (f"LazyComponent({self.name or type(self.system).__name__}: "
                f"{self.num_states} states, {self.expanded} expanded)")
