"""The visited set of a level-synchronous BFS: sorted runs with level tags.

States live in sorted runs, each an ``int64`` array with a level tag per
state (``uint16``, widened if the search gets deeper), plus the frontier
(the newest level). Membership is a binary search per run
(``np.searchsorted`` on sorted queries), newest run first, each run seeing
only what the newer ones missed. After each level the frontier becomes the
newest run, and while a run holds less than ``_RATIO`` times the run after
it, the two are merged: run sizes fall geometrically, so there are
O(log_R S) runs and each state is merged O(R log_R S) times overall, and a
level's cost is proportional to its size plus the few small runs it merges
into -- not to the size of the whole set. This is the levelled
log-structured merge-tree (O'Neil, Cheng, Gawlick and O'Neil, "The
log-structured merge-tree (LSM-tree)", Acta Informatica 1996), kept in
memory; with a deep, narrow space (thousands of tiny levels) a fixed middle
tier would be rewritten at every level instead.

Large merges are in place: the target is grown with ``ndarray.resize``
(``realloc``, no copy for large arrays) and its old entries are moved
backwards chunk by chunk, so a merge needs only a chunk of scratch memory
(merges of up to ``_SMALL`` entries sort a joined copy, which is faster).
No state is stored twice, and the level tags give shortest counterexamples
by backward search. A search may also add several levels at once
(:meth:`Visited.add_levels`, a tag per state). This is the sorted-merge visited set of FDR's
level-by-level search (Gibson-Robinson et al., "FDR3", TACAS 2014).

Codes are ``int64``, or Python integers in ``object`` arrays when a
network's codes are wider than 62 bits; runs then hold fixed-width byte
keys (:mod:`procalg.lts.wide_keys`), which numpy sorts and searches in C;
:meth:`Visited.recode` re-encodes every state when the code layout changes
(a lazily explored component outgrew its digits).

When the codes leave spare bits in an int64 (:meth:`Visited.pack`), each
run is one array of ``code << shift | tag`` keys (:mod:`procalg.lts.visited_runs`),
merged by timsort, 4-5x faster than the in-place move.

Memory: 8 bytes of code plus 2 of level tag per state (8 in all when packed). Time: O(R S log_R S)
for merges overall plus O(q log S) per batch of q queries.

Example:
    >>> v = Visited(np.array([5]))
    >>> new = v.add_level(np.array([1, 5, 9]))
    >>> new.tolist(), v.level_of(np.array([9, 5, 7])).tolist(), len(v)
    ([1, 9], [1, 0, -1], 3)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from procalg.lts import wide_keys
from procalg.lts.unique_codes import sorted_unique
from procalg.lts.visited_runs import Run, found_in, merged, stored_bytes
from procalg.lts.wide_keys import from_keys, to_keys, widen

__all__ = ["Recode", "Visited", "found_in", "sorted_unique"]

Recode = Callable[[np.ndarray], np.ndarray]

_RATIO = 8  # a run is kept apart only while it is 8x the next: few runs, few merges
_TAG16 = int(np.iinfo(np.uint16).max)
MIN_TAG_BITS = 8  # fewer spare bits than this: tags stay apart (a deep search would soon unpack)


class Visited:
    """A set of codes, each tagged with the BFS level that found it.

    Runs hold int64 codes, or, once any code is wide (a Python integer,
    or already a key), ``words``-word sort keys (:mod:`procalg.lts.wide_keys`):
    queries and the frontier stay in the caller's form and are converted at
    the door (keys of another width are widened: no conversion to integers).
    """

    def __init__(self, initial: np.ndarray) -> None:
        self.runs: list[Run] = []  # largest (oldest) first
        self.depth = 0
        self.words = 0  # 0: runs hold int64 codes; else keys of this many words
        self.shift = 0  # > 0: runs hold packed (code << shift | tag) keys (:meth:`pack`)
        self._fkeys: np.ndarray | None = None  # the frontier in the runs' form
        self._fhash: tuple[np.ndarray, np.ndarray | None] = (np.zeros(0), None)  # its hashes
        self._codes: np.ndarray | None = None
        self._tags = np.zeros(0, np.uint16)
        self._size: tuple[int, int] | None = None  # (states, bytes), until the set changes
        initial = np.asarray(initial)
        self.frontier = sorted_unique(initial if initial.dtype.kind in "OV"
                                      else initial.astype(np.int64))

    def __len__(self) -> int:
        return self._counts()[0]

    @property
    def nbytes(self) -> int:
        """Bytes held by the set."""
        return self._counts()[1]

    def _counts(self) -> tuple[int, int]:
        # asked several times per BFS level: thousands of tiny levels made the sums show
        if self._size is None:
            self._size = (sum(len(r) for r in self.runs) + len(self.frontier),
                          sum(r.nbytes for r in self.runs) + stored_bytes(self.frontier))
        return self._size

    def _stored(self, codes: np.ndarray) -> np.ndarray:
        """``codes`` in the runs' form (re-keying the runs if they need more words)."""
        if codes.dtype.kind not in "OV" and not self.words:
            return codes if codes.dtype == np.int64 else codes.astype(np.int64)
        self._unpack()
        need = wide_keys.stored_words(codes)
        if need > self.words:
            self._rekey(need)
        if codes.dtype.kind == "V":
            return codes if need == self.words else widen(codes, need, self.words)
        return to_keys(codes, self.words)

    def _rekey(self, need: int) -> None:
        for run in self.runs:
            run.codes = (widen(run.codes, self.words, need) if self.words
                         else to_keys(run.codes, need))
            run.codes, run.tags = wide_keys.key_sorted(run.codes, run.tags)  # new words, new hashes
            run._hashes = None
        self.words, self._fkeys, self._size = need, None, None

    def _plain(self, stored: np.ndarray) -> np.ndarray:
        return from_keys(stored, self.words) if self.words else stored

    def _tiers(self) -> list[np.ndarray]:
        """The frontier and the runs in stored form, likeliest hit first
        (successors mostly fall in the newest levels)."""
        return [t.codes for t in self._runs()]

    def _runs(self) -> list[Run]:
        """:meth:`_tiers` as runs (the frontier's tags empty): keys' hashes cached."""
        if self._fkeys is None:
            stored, (front, hashes) = self._stored(self.frontier), self._fhash
            hashed = stored is self.frontier is front and hashes is not None  # key order, hashed
            self._frun = Run(stored if hashed else wide_keys.key_sorted(stored, None)[0],
                             np.zeros(0, np.uint16), hashes=hashes if hashed else None)
            self._fkeys = self._frun.codes
        return [self._frun, *reversed(self.runs)]

    def unseen(self, codes: np.ndarray, *, frontier: bool = True) -> np.ndarray:
        """The ``codes`` not in the set (sorted queries search fastest).

        With ``frontier=False`` the frontier is not searched: the caller knows
        no code is in it (successors in a network whose moves all change the
        level's parity, :mod:`procalg.lts.parity`).

        Example:
            >>> v, codes = Visited(np.array([5])), np.array([5, 6])
            >>> v.unseen(codes).tolist(), v.unseen(codes, frontier=False).tolist()
            ([6], [5, 6])
        """
        return self.unseen_hashed(codes, None, frontier=frontier)[0]

    def unseen_hashed(self, codes: np.ndarray, hashes: np.ndarray | None, *,
                      frontier: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """:meth:`unseen`, keys hashed once (``hashes``: those of the keys
        ``codes``, if known) and their hashes kept beside them (None: not keys)."""
        if not len(codes):
            return codes, hashes
        keys = self._stored(codes)
        same = keys is codes  # int64 codes are their own keys: compress once per tier
        if keys.dtype.kind == "V" and (hashes is None or not same):
            hashes = wide_keys.key_hashes(keys)
        for tier in self._runs()[0 if frontier else 1:]:
            if not len(keys):
                break
            miss = ~tier.found(keys, ordered=True, hashes=hashes)  # sorted: block by block
            keys, hashes = keys[miss], None if hashes is None else hashes[miss]
            codes = keys if same else codes[miss]
        return codes, hashes if same else None

    def fresh(self, codes: np.ndarray) -> np.ndarray:
        """Mask of the ``codes`` not in the set (int64 codes; a few at a time).

        Example:
            >>> Visited(np.array([5])).fresh(np.array([5, 6])).tolist()
            [False, True]
        """
        keys = self._stored(codes)
        miss = np.ones(len(codes), dtype=bool)
        for tier in self._runs():
            miss &= ~tier.found(keys)
        return miss

    def contains(self, codes: np.ndarray) -> np.ndarray:
        """Membership mask for ``codes``."""
        hit = np.zeros(len(codes), dtype=bool)
        if len(codes):
            keys = self._stored(codes)
            for tier in self._runs():
                hit |= tier.found(keys)
        return hit

    def recode(self, recode: Recode) -> None:
        """Re-encode every state with ``recode`` (old codes in the runs' form,
        int64 codes or keys -> new codes, same states, possibly another
        dtype), keeping each state's level; one run at a time, so that the
        set is never held twice, each run re-encoded and sorted in pieces
        (:meth:`Run.recoded_pieces <procalg.lts.visited_runs.Run.recoded_pieces>`)
        and merged back in place.

        Example:
            >>> v = Visited(np.array([1, 2]))
            >>> v.recode(lambda c: 10 - c)
            >>> v.frontier.tolist()
            [8, 9]
        """
        self._unpack()
        self.frontier = sorted_unique(recode(self.frontier))
        self._fkeys = self._codes = self._size = None
        self._fhash = (np.zeros(0), None)
        pieces = [run.recoded_pieces(recode) for run in self.runs]  # each run let go as recoded
        wide = [c for c in (*(p.codes for each in pieces for p in each), self.frontier)
                if c.dtype.kind in "OV"]
        self.words = max((wide_keys.stored_words(c) for c in wide), default=0)
        del wide  # merged pieces are let go: no list may hold them
        for each in pieces:
            for piece in each:
                piece.reorder(self.words)
        self.runs = [merged(each) for each in pieces if each]

    def level_of(self, codes: np.ndarray) -> np.ndarray:
        """The BFS level of each code (``-1`` when not visited)."""
        codes = np.asarray(codes)
        if codes.dtype.kind not in "OV":
            codes = codes.astype(np.int64)
        out = np.full(len(codes), -1, dtype=np.int64)
        if not len(codes):
            return out
        keys = self._stored(codes)
        front = self._runs()[0]
        for run in self.runs:
            hit, tags = run.levels(keys)
            out[hit] = tags
        out[front.found(keys)] = self.depth
        return out

    def at_levels(self, low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
        """The codes found at BFS levels ``low`` to ``high`` - 1 (in the runs' form:
        keys stay keys) and their levels, in no order (a trace: one scan of every run)."""
        front = self._stored(self.frontier)  # one form: the runs' codes
        parts, tags = [front[:0]], [np.zeros(0, np.int64)]
        for run in self.runs:  # a packed run's tags are its low bits
            level = run.codes & ((1 << run.shift) - 1) if run.shift else run.tags
            hit = (level >= low) & (level < high)
            parts.append(run.codes_at(hit))  # a compact run rebuilds only these
            tags.append(level[hit].astype(np.int64))
        if low <= self.depth < high:
            parts.append(front), tags.append(np.full(len(front), self.depth, np.int64))
        return np.concatenate(parts), np.concatenate(tags)

    def add_level(self, candidates: np.ndarray, *, runs: bool = False, checked: bool = False,
                  unique: bool = False, hashes: np.ndarray | None = None) -> np.ndarray:
        """Record the unseen codes among ``candidates`` as the next level.

        Args:
            candidates: codes, in any order.
            runs: ``candidates`` is a concatenation of a few sorted runs
                (timsort then merges them in O(n log runs)).
            checked: no candidate is in the set (only duplicates to drop).
            unique: ``candidates`` are already sorted and distinct.
            hashes: keys' hashes (:func:`~procalg.lts.wide_keys.key_hashes`), if known.

        Returns the new level (sorted, unique), which is also the frontier.
        """
        kind, new = "stable" if runs else "quicksort", candidates
        if not unique and hashes is not None:
            new, hashes = wide_keys.unique_hashed(candidates, kind, hashes)
        elif not unique:
            new = sorted_unique(candidates, kind)
        if not checked:
            new, hashes = self.unseen_hashed(new, hashes)
        self._retire()
        self.depth += 1
        self.frontier, self._fkeys, self._size, self._fhash = new, None, None, (new, hashes)
        return new

    def add_levels(self, codes: np.ndarray, tags: np.ndarray, last: int) -> None:
        """Record several levels found at once (a deep, narrow search).

        Args:
            codes: sorted, distinct int64 codes, none in the set.
            tags: the level of each code, above the current depth, at most ``last``.
            last: the new frontier's level (its codes are those tagged ``last``;
                none: the search is over).

        Example:
            >>> v = Visited(np.array([5]))
            >>> v.add_levels(np.array([1, 7, 9]), np.array([2, 1, 2]), 2)
            >>> v.frontier.tolist(), v.level_of(np.array([7, 5, 9])).tolist()
            ([1, 9], [1, 0, 2])
        """
        self._retire()
        older = tags < last
        if older.any():
            dtype = np.uint16 if last < _TAG16 else np.uint32
            self._push(self._stored(codes[older]), tags[older].astype(dtype), last - 1)
        self.depth = last
        self.frontier, self._fkeys, self._size = codes[~older], None, None

    def _retire(self) -> None:
        """Make the frontier the newest run (see :meth:`_push`)."""
        if len(self.frontier):
            front = self._runs()[0]
            self._push(front.codes, self.depth, self.depth, front.hashes)
        self.frontier, self._fkeys = np.zeros(0, dtype=self.frontier.dtype), None
        self._size = None

    def _push(self, stored: np.ndarray, tags: np.ndarray | int, top: int,
              hashes: np.ndarray | None = None) -> None:
        """Append a newest run (``tags``: an array, or every code's level; at
        most ``top``), then merge runs from the newest while one is less
        than ``_RATIO`` times the next (sizes stay geometric); ``hashes``:
        keys' hashes, the keys then in key order."""
        if self.shift and not _fits(stored, top, self.shift):
            self._unpack()
        if self.shift:
            run = Run.packed(stored, tags, self.shift)
        else:
            if isinstance(tags, int):
                tags = np.full(len(stored), tags, np.uint16 if tags < _TAG16 else np.uint32)
            run = (Run(stored, tags, hashes=hashes) if hashes is not None
                   else Run(*wide_keys.key_sorted(stored, tags)))
        self.runs.append(run.compact())  # keys without first words: 8 bytes a state fewer
        self._size = None
        runs = self.runs
        while len(runs) > 1 and len(runs[-2]) < _RATIO * len(runs[-1]):
            newest = runs.pop()
            runs[-1].merge(newest)

    def pack(self, bits: int) -> None:
        """Hold each code (all below ``2^bits``) and its level tag in one int64
        (:mod:`procalg.lts.visited_runs`: 8 bytes a state, merges by timsort)
        when the codes are int64 and leave ``MIN_TAG_BITS`` bits spare; the
        tags go back apart when the search gets too deep for the spare bits.

        Example:
            >>> v = Visited(np.array([5]))
            >>> v.pack(40)
            >>> _ = v.add_level(np.array([9, 2])); _ = v.add_level(np.array([7]))
            >>> v.shift, v.level_of(np.array([2, 5, 7, 8])).tolist()
            (23, [1, 0, 2, -1])
        """
        shift = 63 - bits
        self._unpack()
        if (self.words or shift < MIN_TAG_BITS or self.frontier.dtype.kind in "OV"
                or not all(_fits(r.codes, self.depth, shift) for r in self.runs)):
            return
        self.runs = [Run.packed(*run.plain(), shift) for run in self.runs]
        self.shift, self._size = shift, None

    def _unpack(self) -> None:
        """Codes and tags apart again (wide codes, a recode, too deep a search)."""
        if self.shift:
            self.runs = [Run(*run.plain()) for run in self.runs]
            self.shift, self._size = 0, None

    def levels(self) -> list[np.ndarray]:
        """Every level's codes (sorted), in BFS order; call after :meth:`finish`."""
        order = np.argsort(self.tags, kind="stable")
        bounds = np.cumsum(np.bincount(self.tags, minlength=self.depth + 1))[:-1]
        return np.split(self.codes[order], bounds)

    def finish(self) -> None:
        """Merge every run into one sorted array (:attr:`codes`, :attr:`tags`)."""
        self._retire()
        while len(self.runs) > 1:
            newest = self.runs.pop()
            self.runs[-1].merge(newest)
        self._unpack()
        if not self.runs:
            self.runs.append(Run(self._stored(self.frontier[:0]), np.zeros(0, np.uint16)))
        self._size = None
        run = self.runs[0]
        self._tags = run.tags
        if (keys := run.codes).dtype.kind == "V":  # key order to the codes' order (a copy), once
            order = np.argsort(keys, kind="stable")
            self._codes, self._tags = self._plain(keys[order]), run.tags[order]
        else:
            self._codes = run.codes

    @property
    def codes(self) -> np.ndarray:
        """All codes, sorted, once :meth:`finish` has run."""
        assert self._codes is not None, "call finish() first"
        return self._codes

    @property
    def tags(self) -> np.ndarray:
        """The level of each of :attr:`codes`, once :meth:`finish` has run."""
        return self._tags


def _fits(codes: np.ndarray, top: int, shift: int) -> bool:
    """Sorted int64 ``codes`` and tags up to ``top`` pack in ``shift`` tag bits."""
    return top >> shift == 0 and (not len(codes) or (int(codes[0]) >= 0
                                                     and int(codes[-1]) >> (63 - shift) == 0))
