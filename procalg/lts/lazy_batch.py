"""Expanding many states of a lazy component at once, from arrays.

A :class:`~procalg.lts.lazy.LazyComponent` over a system with
``successors_arrays(states)`` -- a nested network (:mod:`procalg.lts.nested`),
whose states are integer codes and whose moves come out of one product step
as numpy arrays -- expands a whole frontier here: the targets are numbered
in one pass and the moves written as one sorted block (:class:`BatchExpansion`,
a mixin of the component), instead of one
Python list of moves per state (about 10× less work per state).

Example:
    >>> from procalg.lts import LTS
    >>> from procalg.lts.lazy import LazyComponent
    >>> from procalg.lts.nested import NestedNetwork
    >>> from procalg.lts.network import close, component
    >>> p = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)])
    >>> lazy = LazyComponent(NestedNetwork(close(component(p)), None), ["a"])
    >>> lazy.expand(np.array([0])), lazy.num_states, lazy.entries(False)[1].tolist()
    (1, 2, [1])
"""

from __future__ import annotations

import gc
from collections.abc import Container
from typing import Any

import numpy as np

from procalg.errors import LimitExceeded
from procalg.lts.lts import TICK
from procalg.lts.visited import sorted_unique

BATCH_MIN = 16
"""Fewer states than this a compiled machine expands one by one (as
:data:`procalg.semantics.linear_vector.BATCH_MIN`: a batch costs a few hundred µs)."""


class OmegaState:
    """The one local state of a lazy component after ✓."""

    def __repr__(self) -> str:
        return "Ω"


class BatchExpansion:
    """The batch expansion of :class:`~procalg.lts.lazy.LazyComponent` (a mixin:
    the attributes are the component's)."""

    system: Any
    states: list[Any]
    ids: dict[Any, int]
    code: dict[str, int]
    labels: tuple[str, ...]
    name: str
    max_states: int | None
    expanded: int
    transitions: int
    used: set[int]
    _held: dict[int, list[tuple[int, int]]]
    _asked: dict[int, set[int]]
    _waiting: frozenset[str]
    _omega: int | None
    _records: int
    returns: Any  # lazy_returns.Returns, or None

    def _expand_arrays(self, todo: list[int]) -> None:
        """Expand local states ``todo`` (never expanded, none of them Ω) from one
        call of the system's ``successors_arrays``.

        Raises:
            AlphabetError: a move's label is outside the declared alphabet.
            LimitExceeded: more than ``max_states`` states.
        """
        from procalg.lts.lazy import AlphabetError

        if self._codes is None:  # the system's label index -> the component's code
            self._codes = np.array([self.code.get(n, -1) for n in self.system.labels],
                                   dtype=np.int64)
        src, dst, lab = self.system.successors_arrays([self.states[loc] for loc in todo])
        label = self._codes[lab]
        if (label < 0).any():
            name = self.system.labels[int(lab[np.argmax(label < 0)])]
            raise AlphabetError(f"lazy component {self.name or '?'} performs {name!r}, "
                                "outside its declared alphabet", name)
        ids = self._numbered(dst)
        tick = self.code.get(TICK)
        if tick is not None and (label == tick).any():
            if self._omega is None:
                self._omega = self._number(OmegaState())
            ids[label == tick] = self._omega
        self._write_block(todo, src, label, ids)

    def _expand_vector(self, todo: list[int], asks: list[set[int]] | None = None) -> None:
        """Expand local states ``todo`` (never expanded, none Ω) of a compiled machine
        by its batch next-state function
        (:class:`~procalg.semantics.linear_vector.VectorMoves`): the same moves,
        and the same local numbering, as one ``successors`` call per state; with
        ``asks`` (the deferred label codes asked, per state of ``todo``), as one
        ``successors_where`` call per state, the states kept partly expanded.

        Raises:
            AlphabetError: a move's label is outside the declared alphabet.
            LimitExceeded: more than ``max_states`` states.
        """
        collecting = gc.isenabled()
        gc.disable()  # every object made is kept (see linear_vector.VectorMoves.batch)
        try:
            self._expand_machine(todo, asks)
        finally:
            if collecting:
                gc.enable()

    def _expand_machine(self, todo: list[int], asks: list[set[int]] | None) -> None:
        states = [self.states[loc] for loc in todo]
        if asks is None:
            src, label, ids = self._machine_moves(states, None, ())
        else:
            names = self.labels
            src, label, ids = self._machine_moves(
                states, self._waiting, [{names[c] for c in ask} for ask in asks])
        written = self._write_block(todo, src, label, ids)
        if asks is not None:  # partly expanded: their moves and asks (see LazyComponent._grow)
            self._hold(todo, asks, *written)

    def _machine_moves(self, states: list[Any], waiting: Container[str] | None,
                       asked: list[set[str]] | list[tuple]
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The moves of machine ``states`` by its batch function (per move: its
        source's position, label code and local id, new targets numbered), made
        as ``successors`` makes them, or with ``waiting`` as ``successors_where``.

        Raises:
            AlphabetError: a move's label is outside the declared alphabet.
            LimitExceeded: more than ``max_states`` states.
        """
        from procalg.lts.lazy import AlphabetError
        from procalg.lts.network import DONE

        vector = self.system.vector()
        src, lab, dst = vector.batch(states) if waiting is None else \
            vector.batch(states, waiting, asked)
        names = vector.labels
        known = 0 if self._codes is None else len(self._codes)
        if known < len(names):  # the machine's label index -> the component's code
            more = [-1 if n == DONE else self.code.get(n, -1) for n in names[known:]]
            self._codes = np.concatenate([np.zeros(0, dtype=np.int64) if self._codes is None
                                          else self._codes, np.array(more, dtype=np.int64)])
        label = self._codes[lab]
        if (label < 0).any():
            name = names[int(lab[np.argmax(label < 0)])]
            raise AlphabetError(f"lazy component {self.name or '?'} performs {name!r}, "
                                "outside its declared alphabet", name)
        tick = self.code.get(TICK)
        ticks = label == tick if tick is not None else np.zeros(len(label), dtype=bool)
        ids = np.empty(len(dst), dtype=np.int64)
        if ticks.any():  # Ω numbered where the per-state path meets it: its first ✓
            at = int(np.argmax(ticks))
            head = ~ticks[:at]
            ids[:at][head] = self._local_ids(dst[:at][head])
            if self._omega is None:
                self._omega = self._number(OmegaState())
            rest = ~ticks[at:]
            ids[at:][rest] = self._local_ids(dst[at:][rest])
            ids[ticks] = self._omega
        else:
            ids[:] = self._local_ids(dst)
        return src, label, ids

    def _hold(self, todo: list[int], asks: list[set[int]], src: np.ndarray,
              label: np.ndarray, ids: np.ndarray) -> None:
        """Keep each state's moves (sorted ``(label code, local id)`` pairs, as
        written) and the deferred codes asked of it."""
        bounds = np.searchsorted(src, np.arange(len(todo) + 1)).tolist()
        pairs = list(zip(label.tolist(), ids.tolist(), strict=True))
        for i, (loc, ask) in enumerate(zip(todo, asks, strict=True)):
            self._held[loc] = pairs[bounds[i]:bounds[i + 1]]
            self._asked[loc] = ask

    def _write_block(self, todo: list[int], src: np.ndarray, label: np.ndarray,
                     ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Write the moves of ``todo`` (``src``: positions in it) as one sorted block;
        the moves written (positions, label codes, local ids), sorted, each once."""
        width, first = len(self.labels), self._records
        if self.returns is not None:  # moves back to state 0 a control node needs
            src, label, ids = self.returns.added_columns(todo, src, label, ids)
        key = (first + src) * width + label
        order = np.lexsort((ids, key))
        key, ids, src = key[order], ids[order], src[order]
        fresh = np.ones(len(key), dtype=bool)  # a move twice (two rules, one label): once
        fresh[1:] = (key[1:] != key[:-1]) | (ids[1:] != ids[:-1])
        key, ids, src = key[fresh], ids[fresh], src[fresh]
        locs = np.asarray(todo, dtype=np.int64)
        self._slot.data[locs] = first + np.arange(len(todo))
        self._records += len(todo)
        self.expanded += len(todo)
        self.transitions += len(key)
        sources = locs[src]
        self._key.extend(key)
        self._src.extend(sources)
        self._dst.extend(ids)
        used = key % width
        self.used.update(sorted_unique(used).tolist())
        for view in self._views.values():
            view.append_arrays(key, sources, used, ids)
        return src, used, ids

    def _local_ids(self, targets: np.ndarray) -> np.ndarray:
        """:meth:`_numbered` for a machine's int states, through an array from state
        to local id (kept in step with :attr:`ids` by :meth:`_number` and here), so
        the new states are numbered in one block, in order of first appearance.

        Raises:
            LimitExceeded: more than ``max_states`` states.
        """
        cache = self.__dict__.get("_local_of")
        need = int(targets.max()) + 1 if len(targets) else 0
        if cache is None or len(cache) < need:
            known = [] if cache is not None else \
                [(s, n) for s, n in self.ids.items() if type(s) is int]
            if known:  # first use: the states numbered so far (a resumed exploration's too)
                need = max(need, max(s for s, _ in known) + 1)
            size = max(need, 2 * (0 if cache is None else len(cache)), 16)
            grown = np.full(size, -1, dtype=np.int64)
            if cache is not None:
                grown[:len(cache)] = cache
            elif known:
                at, local = np.array(known, dtype=np.int64).T
                grown[at] = local
            cache = self._local_of = grown
        found = cache[targets]
        miss = found < 0
        if miss.any():
            missed = targets[miss]
            distinct, first = np.unique(missed, return_index=True)
            order = np.argsort(first, kind="stable")  # new states numbered as they come
            base, fresh = len(self.states), distinct[order]
            if self.max_states is not None and base + len(fresh) > self.max_states:
                raise LimitExceeded(f"lazy component {self.name or '?'} has more than "
                                    f"{self.max_states} states", states=base + len(fresh),
                                    hint="raise the limit, or make data types smaller")
            numbers = np.arange(base, base + len(fresh))
            states = fresh.tolist()
            self.states.extend(states)
            self.ids.update(zip(states, numbers.tolist(), strict=True))
            self._slot.extend([-1] * len(fresh))
            cache[fresh] = numbers
            found[miss] = cache[missed]
        return found

    def _keep_local(self, state: Any, n: int) -> None:
        """Keep :meth:`_local_ids`'s array in step with a state numbered one by one."""
        cache = self.__dict__.get("_local_of")
        if cache is not None and type(state) is int:
            if state >= len(cache):
                self._local_of = cache = np.concatenate(
                    [cache, np.full(max(state + 1, 2 * len(cache)) - len(cache), -1)])
            cache[state] = n

    def _numbered(self, targets: np.ndarray) -> np.ndarray:
        """The local ids of ``targets`` (codes), numbering the new ones in order
        of first appearance; one dictionary look-up per distinct target.

        Raises:
            LimitExceeded: more than ``max_states`` states.
        """
        distinct, first, back = np.unique(targets, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")  # new states numbered as they come
        found = np.empty(len(distinct), dtype=np.int64)
        ids, states = self.ids, self.states
        new = 0
        for i, code in zip(order.tolist(), distinct[order].tolist(), strict=True):
            n = ids.get(code)
            if n is None:
                n = ids[code] = len(states)
                states.append(code)
                new += 1
            found[i] = n
        self._slot.extend([-1] * new)
        if self.max_states is not None and len(states) > self.max_states:
            raise LimitExceeded(f"lazy component {self.name or '?'} has more than "
                                f"{self.max_states} states", states=len(states),
                                hint="raise the limit, or make data types smaller")
        return found[back.ravel()]
