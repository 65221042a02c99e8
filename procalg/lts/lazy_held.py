"""A lazy component's table writes held back and made in one go.

:class:`~procalg.lts.lazy.LazyComponent` appends each expanded state's
moves to its move table (three int64 columns and every label view: some
eight numpy calls). A search that makes its levels one state at a time
(one lazy leaf's deep, narrow space, :mod:`procalg.lts.leaf_levels`)
holds the writes (:meth:`HeldWrites.hold`), keeps the moves itself, and
writes a whole batch of states' runs with one set of calls
(:meth:`HeldWrites.flush`): the same table, in the same slot order, as
state-by-state writes.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np

from procalg.errors import ProcalgError
from procalg.lts.unique_codes import sorted_unique

MANY = 64
"""Held runs past which :meth:`HeldWrites.flush` writes them by numpy."""

CHAIN = -1
"""The place of a held run's state that marks a block of :meth:`HeldWrites.hold_chain`."""


class HeldWrites:
    """The held writes of :class:`~procalg.lts.lazy.LazyComponent` (a mixin: the
    attributes are the component's)."""

    _pending: list[tuple[int, list[tuple[int, int]], int]] | None
    _direct: Any  # the held system's own successors, or None (see expand_now)
    _special: frozenset[int]  # label codes of ✓ and DONE
    code: dict[str, int]
    ids: dict[Any, int]
    _number: Any  # LazyComponent._number
    states: list[Any]
    max_states: int | None
    labels: tuple[str, ...]
    _slot: Any  # move_columns.Column
    _key: Any
    _dst: Any
    _moves: Any  # LazyComponent._moves
    _write: Any  # LazyComponent._write
    lookup_all: Any  # LazyComponent.lookup_all
    returns: Any  # lazy_returns.Returns or None

    def _record(self, loc: int, moves: list[tuple[int, int]], again: int = -1) -> None:
        """Write ``loc``'s moves as a new run of the table (``again``: how many
        it had in its old run, now left unread, when it was asked for more;
        kept back while :meth:`hold` is in force)."""
        if self._pending is not None:
            self._pending.append((loc, moves, again))
        else:
            self._write([(loc, moves, again)])

    def hold(self) -> None:
        """Keep new runs back until :meth:`flush`, which writes them in one go:
        a search making a level of one state at a time (a deep, narrow space,
        :mod:`procalg.lts.leaf_levels`) pays the table's numpy calls per batch
        of levels, not per state. Until then the held states read as not
        expanded: the holder keeps their moves (:meth:`expand_held`)."""
        if self._pending is None:
            self._pending = []

    def flush(self) -> None:
        """Write the runs held since :meth:`hold`, and stop holding."""
        pending, self._pending = self._pending, None
        if not pending:
            return
        if not self.__dict__.pop("_chained", False):  # no hold_chain block held
            self._write_runs(pending)
            return
        start = 0
        for at, (loc, block, _) in enumerate(pending):
            if loc == CHAIN:  # held by hold_chain: the runs before it, then the block
                self._write_runs(pending[start:at])
                self._write_chain(*block)  # type: ignore[misc]
                start = at + 1
        self._write_runs(pending[start:] if start else pending)

    def _write_runs(self, runs: list[tuple[int, list[tuple[int, int]], int]]) -> None:
        if len(runs) >= MANY:
            self._write_many(runs)
        elif runs:
            self._write(runs)

    def hold_chain(self, locs: list[int], labels: list[int], targets: list[int]) -> None:
        """Under :meth:`hold`, hold the fresh one-move runs of ``locs`` (never
        expanded, each once): ``locs[i]`` moves by label code ``labels[i]`` to
        ``targets[i]``. The table :meth:`flush` writes is that of
        ``_record(loc, [(label, target)])`` for each in turn; kept as three lists,
        not a run per state (a deep chain's walk, :mod:`procalg.lts.leaf_chain`).

        Example:
            >>> from procalg.lts.exploration import ExplicitSystem
            >>> from procalg.lts.lazy import LazyComponent
            >>> from procalg.lts.lts import LTS
            >>> ring = ExplicitSystem(LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)]))
            >>> lazy = LazyComponent(ring, {"a"}); _ = lazy._number(1)
            >>> lazy.hold(); lazy.hold_chain([0, 1], [1, 1], [1, 0]); lazy.flush()
            >>> lazy.expanded, lazy.transitions, lazy.written_moves(1)
            (2, 2, [(1, 0)])
        """
        self._pending.append((CHAIN, (locs, labels, targets), 0))  # type: ignore[union-attr]
        self._chained = True

    def _write_chain(self, locs: list[int], labels: list[int], targets: list[int]) -> None:
        """:meth:`_write_many` for fresh one-move runs held by :meth:`hold_chain`."""
        count = len(locs)
        if not count:
            return
        width, first = len(self.labels), self._records
        slots = np.arange(first, first + count, dtype=np.int64)
        src = np.array(locs, dtype=np.int64)
        labs = np.array(labels, dtype=np.int64)
        dst = np.array(targets, dtype=np.int64)
        keys = slots * width + labs
        self.expanded += count  # each a fresh run of one move (as _write_many counts)
        self.transitions += count
        self._slot.data[src] = slots
        self._records = first + count
        self._key.extend(keys)  # type: ignore[arg-type]
        self._src.extend(src)  # type: ignore[arg-type]
        self._dst.extend(dst)  # type: ignore[arg-type]
        self.used.update(sorted_unique(labs).tolist())  # not np.unique: numpy.ma
        for view in self._views.values():
            view.append_arrays(keys, src, labs, dst)

    def _write_many(self, runs: list[tuple[int, list[tuple[int, int]], int]]) -> None:
        """:meth:`~procalg.lts.lazy.LazyComponent._write` for a long batch of runs:
        the columns made by numpy from the flattened moves (a deep, narrow walk
        holds tens of thousands of one-move runs; seven comprehensions over them
        cost 2.5 µs a run, this 0.5). The same table, slots and counts.

        Example:
            >>> from procalg.lts.exploration import ExplicitSystem
            >>> from procalg.lts.lazy import LazyComponent
            >>> from procalg.lts.lts import LTS
            >>> ring = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2), (1, "a", 2)])
            >>> def table(write):
            ...     lazy = LazyComponent(ExplicitSystem(ring), {"a", "b"})
            ...     lazy.hold(); _ = [lazy.expand_held(n) for n in range(3)]
            ...     write(lazy)(lazy._pending); lazy._pending = None
            ...     return lazy.expanded, lazy.transitions, lazy._slot.view.tolist(), [
            ...         c.view.tolist() for c in (lazy._key, lazy._src, lazy._dst)]
            >>> table(lambda lazy: lazy._write_many)
            (3, 3, [0, 1, 2], [[1, 2, 4], [0, 0, 1], [1, 2, 2]])
            >>> table(lambda lazy: lazy._write_many) == table(lambda lazy: lazy._write)
            True
        """
        width, first, count = len(self.labels), self._records, len(runs)
        moves = [m for _, m, _ in runs]
        sizes = np.fromiter(map(len, moves), dtype=np.int64, count=count)
        total = int(sizes.sum())
        flat = np.fromiter(chain.from_iterable(chain.from_iterable(moves)), dtype=np.int64,
                           count=2 * total)
        labels, dst = flat[0::2], flat[1::2]
        locs = np.fromiter([loc for loc, _, _ in runs], dtype=np.int64, count=count)
        again = np.fromiter([a for _, _, a in runs], dtype=np.int64, count=count)
        slots = np.arange(first, first + count, dtype=np.int64)
        keys = np.repeat(slots, sizes) * width + labels
        src = np.repeat(locs, sizes)
        fresh = int(np.count_nonzero(again < 0))
        self.expanded += fresh
        self.transitions += total - int(again.sum()) - fresh
        if fresh == count:  # each state once (a fresh expansion is made once)
            self._slot.data[locs] = slots
        else:  # a state asked again: its last run's slot
            last = {loc: slot for slot, (loc, _, _) in enumerate(runs, first)}
            self._slot.data[list(last)] = list(last.values())
        self._records = first + count
        self._key.extend(keys)  # type: ignore[arg-type]
        self._src.extend(src)  # type: ignore[arg-type]
        self._dst.extend(dst)  # type: ignore[arg-type]
        self.used.update(sorted_unique(labels).tolist())
        for view in self._views.values():
            view.append_arrays(keys, src, labels, dst)

    def expand_held(self, loc: int) -> list[tuple[int, int]]:
        """Expand ``loc`` (never expanded, nor held) under :meth:`hold`; its moves
        as sorted ``(label code, local id)`` pairs.

        Example:
            >>> from procalg.lts.exploration import ExplicitSystem
            >>> from procalg.lts.lazy import LazyComponent
            >>> from procalg.lts.lts import LTS
            >>> lazy = LazyComponent(ExplicitSystem(LTS.build(2, 0, ["a"], [(0, "a", 1)])), {"a"})
            >>> lazy.hold(); lazy.expand_held(0), lazy.expanded
            ([(1, 1)], 0)
            >>> lazy.flush(); lazy.expanded, lazy.written_moves(0)
            (1, [(1, 1)])
        """
        moves = self._moves(self.states[loc])
        pending = self._pending  # _record, inlined: a call per state of a narrow walk
        if pending is not None:
            pending.append((loc, moves, -1))
        else:
            self._write([(loc, moves, -1)])
        return moves

    def expand_now(self, loc: int) -> list[tuple[int, int]]:
        """:meth:`expand_held`, asking a held system's own next-state function
        straight (:attr:`~procalg.lts.held.Holding.direct`): no held-error wrapper
        per state, and each move's label and target numbered in one pass. A state
        whose expansion raises a model error, or whose moves need more than a
        code and a number (✓, a label outside the alphabet), takes the general
        path, which holds the error where :meth:`expand_held` would.

        Example:
            >>> from procalg.lts.exploration import ExplicitSystem
            >>> from procalg.lts.held import Holding
            >>> from procalg.lts.lazy import LazyComponent
            >>> from procalg.lts.lts import LTS
            >>> ring = ExplicitSystem(LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)]))
            >>> lazy = LazyComponent(Holding(ring), {"a"})
            >>> lazy.hold(); lazy.expand_now(0), lazy.expand_now(1)
            ([(1, 1)], [(1, 0)])
        """
        direct, state = self._direct, self.states[loc]
        if direct is None or type(state) is not int:
            return self.expand_held(loc)
        try:
            pairs = direct(state)
        except ProcalgError:
            return self.expand_held(loc)  # again, through the holding wrapper
        codes, ids, special, states, slot = self.code, self.ids, self._special, self.states, \
            self._slot
        # states numbered inline up to this many (_number's limit, the slots' room)
        top = -1 if "_local_of" in self.__dict__ else len(states) + len(slot.data) - slot.size
        if self.max_states is not None:
            top = min(top, self.max_states)
        moves = []
        for label, target in pairs:
            code = codes.get(label)
            if code is None or code in special:
                moves = self._moves(state, pairs)
                break
            n = ids.get(target)
            if n is None:
                if len(states) < top:  # _number, inlined: a deep walk numbers one a level
                    n = ids[target] = len(states)
                    states.append(target)
                    slot.size += 1
                else:
                    n = self._number(target)
            moves.append((code, n))
        else:
            if len(moves) > 1:
                moves = sorted(set(moves))
            if self.returns is not None:  # as _moves adds them (a control node's restarts)
                moves = self.returns.added(moves, ended=loc == 0)
        pending = self._pending
        if pending is not None:
            pending.append((loc, moves, -1))
        else:
            self._write([(loc, moves, -1)])
        return moves

    def is_expanded(self, loc: int) -> bool:
        """Whether ``loc``'s moves are in the table (held ones are not yet)."""
        return bool(self._slot.data[loc] >= 0)

    def written_moves(self, loc: int) -> list[tuple[int, int]]:
        """The moves of ``loc`` in the table (expanded, none deferred), as
        :meth:`expand_held` gives them."""
        width = len(self.labels)
        count, lo = self.lookup_all(np.array([loc], dtype=np.int64), False)
        at = slice(int(lo[0]), int(lo[0] + count[0]))
        return list(zip((self._key.view[at] % width).tolist(), self._dst.view[at].tolist(),
                        strict=True))
