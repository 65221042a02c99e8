"""Sets of packed codes, as the bulk normal form needs them: keys and τ-closure.

A normal-form node is a set of implementation states (packed codes,
:mod:`procalg.lts.codes`). :func:`set_keys` gives each set one int64 key:
a one-member set's key is its member's code, so such nodes sort and search
with the locality of a deadlock search's states; a larger set's key is a
64-bit hash with the top bit set (codes have at most 62 bits, so the two
kinds never meet), with a second, independent hash to detect a collision
of the first. :class:`Pairs` packs (set, code) pairs into one sortable
int64, :func:`close_sets` τ-closes many sets at once, and
:func:`argsort_small` sorts small non-negative keys by value instead of by
index (numpy's vectorised sort is several times faster).

Example:
    >>> h1, h2, big = set_keys(np.array([0, 1, 1]), np.array([5, 2, 7]), 2)
    >>> int(h1[0]), bool(h1[1] < 0), big.tolist()
    (5, True, [False, True])
    >>> argsort_small(np.array([30, 10, 20])).tolist()
    [1, 2, 0]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from procalg.errors import ProcalgError
from procalg.lts.lts import TAU_INDEX
from procalg.lts.visited import sorted_unique

Moves = Callable[[np.ndarray], "tuple[np.ndarray, np.ndarray, np.ndarray]"]

_SALT1, _SALT2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)
_TOP = np.int64(-(1 << 63))  # the top bit: no 62-bit code has it


@dataclass(frozen=True, slots=True)
class Children:
    """One BFS level's new sets of codes: ``singles`` one-member sets first
    (``h1`` is their code), then the larger ones as (``cid``, ``code``) pairs
    sorted by set. Per set: its order ``key`` and its keys ``h1``, ``h2``
    (:func:`set_keys`)."""

    key: np.ndarray
    h1: np.ndarray
    h2: np.ndarray
    singles: int
    cid: np.ndarray
    code: np.ndarray


def mix(code: np.ndarray, salt: np.uint64) -> np.ndarray:
    """splitmix64's finaliser (Steele, Lea and Flood, OOPSLA 2014) of ``code ^ salt``."""
    x = code.astype(np.uint64) ^ salt
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def argsort_small(values: np.ndarray) -> np.ndarray:
    """``np.argsort`` of non-negative ``values``, by sorting (value, index)
    packed in one int64 where they fit, if need be with the bits every value
    shares cut out (:func:`constant_runs`): numpy's vectorised sort of plain
    values is several times faster than its argsort."""
    packed, shift = _packed_sort(values)
    return np.argsort(values) if packed is None else packed & ((1 << shift) - 1)


def unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct non-negative ``values`` and each value's place
    among them (``np.unique``'s ``return_inverse``), from one sort of packed
    (value, index) pairs (:func:`argsort_small`) and a scatter: no binary
    search of every value (O(n log n) sort, O(n) beside it).

    Example:
        >>> [a.tolist() for a in unique_inverse(np.array([7, 3, 7, 5]))]
        [[3, 5, 7], [2, 0, 2, 1]]
    """
    packed, shift = _packed_sort(values)
    if packed is None:
        out, inverse = np.unique(values, return_inverse=True)
        return out, inverse.reshape(-1)
    index = packed & ((1 << shift) - 1)
    head = np.ones(len(index), bool)
    if len(index) > 1:  # a new value where the packed value bits change
        np.not_equal(packed[1:] >> shift, packed[:-1] >> shift, out=head[1:])
    inverse = np.empty(len(index), np.int64)
    inverse[index] = np.cumsum(head) - 1
    return values[index[head]], inverse


def _packed_sort(values: np.ndarray) -> tuple[np.ndarray | None, int]:
    """``(value << shift) | index`` sorted, values squeezed where they need
    (``None`` where they do not fit 63 bits even so), and ``shift``."""
    shift = max(len(values) - 1, 1).bit_length()
    if not len(values):
        return None, shift
    bits = int(values.max()).bit_length()
    if bits + shift > 63:
        cut, _ = constant_runs(values, bits, bits + shift - 63)
        if not cut:
            return None, shift
        values = squeezed(values, cut)
    return np.sort((values << shift) | np.arange(len(values))), shift


def squeezed(codes: np.ndarray, cut: list[tuple[int, int]]) -> np.ndarray:
    """``codes`` without the bit runs ``cut`` (highest first): the same order
    among codes that agree on those bits."""
    for lo, hi in cut:
        codes = ((codes >> hi) << lo) | (codes & ((1 << lo) - 1))
    return codes


def set_keys(cid: np.ndarray, code: np.ndarray, n: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keys of the ``n`` sets given as (set, code) pairs sorted by set, none
    empty: a one-member set's code, else a sum of mixed members (order-free)
    with the top bit set; a second, independent hash; and which sets have
    more than one member."""
    count = np.bincount(cid, minlength=n)
    starts = np.cumsum(count) - count
    h1 = np.add.reduceat(mix(code, _SALT1), starts).view(np.int64) | _TOP
    h2 = np.add.reduceat(mix(code, _SALT2), starts).view(np.int64)
    big = count > 1
    h1[~big] = code[starts[~big]]
    return h1, h2, big


class Pairs:
    """(set, code) pairs as one int64 key that sorts like the pair: the set
    above the code's bits when both fit in 63 bits; else above the code with
    bits that every code in ``codes`` shares cut out (:func:`constant_runs`);
    else above the code's rank in ``codes``. ``codes`` holds every code the
    keys will hold."""

    def __init__(self, bits: int, sets: int, codes: np.ndarray) -> None:
        room = 63 - sets.bit_length()
        self.cut: list[tuple[int, int]] = []  # bit runs [lo, hi) cut out, highest first
        self.fill = 0  # the cut bits' shared values
        if bits > room and len(codes):
            self.cut, self.fill = constant_runs(codes, bits, bits - room)
            bits -= sum(hi - lo for lo, hi in self.cut)
        self.bits = bits if bits <= room else 0
        self.codes = codes if self.bits else sorted_unique(codes)

    def keys(self, sets: np.ndarray, codes: np.ndarray) -> np.ndarray:
        if self.bits:
            return (sets << self.bits) | squeezed(codes, self.cut)
        return sets * len(self.codes) + np.searchsorted(self.codes, codes)

    def split(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.bits:
            codes = keys & ((1 << self.bits) - 1)
            for lo, hi in reversed(self.cut):
                codes = ((codes >> lo) << hi) | (codes & ((1 << lo) - 1))
            return keys >> self.bits, codes | self.fill if self.cut else codes
        return keys // len(self.codes), self.codes[keys % len(self.codes)]


def constant_runs(codes: np.ndarray, bits: int, need: int) -> tuple[list[tuple[int, int]], int]:
    """Runs ``[lo, hi)`` of the low ``bits`` bits on which all ``codes``
    agree, longest first until they span ``need`` bits (none if they never
    do), highest first; and those bits' values. O(n) for the two reductions.

    Example:
        >>> constant_runs(np.array([0b10010, 0b10111]), 5, 2)
        ([(3, 5)], 16)
    """
    same = ~(int(np.bitwise_or.reduce(codes)) ^ int(np.bitwise_and.reduce(codes)))
    runs, lo = [], None
    for bit in range(bits + 1):
        if bit < bits and same >> bit & 1:
            lo = bit if lo is None else lo
        elif lo is not None:
            runs.append((lo, bit))
            lo = None
    runs.sort(key=lambda r: r[0] - r[1])
    taken: list[tuple[int, int]] = []
    for run in runs:
        if sum(hi - lo for lo, hi in taken) >= need:
            break
        taken.append(run)
    if sum(hi - lo for lo, hi in taken) < need:
        return [], 0
    mask = sum(((1 << hi) - (1 << lo)) for lo, hi in taken)
    return sorted(taken, reverse=True), int(codes[0]) & mask


def sorted_in(table: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Which ``queries`` are in the sorted ``table``."""
    if not len(table):
        return np.zeros(len(queries), bool)
    at = np.minimum(np.searchsorted(table, queries), len(table) - 1)
    return table[at] == queries


def close_sets(moves: Moves | None, bits: int, node: np.ndarray, code: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """The τ-closure of every set at once, given as (set, code) pairs: the
    pairs sorted and distinct; ``moves`` gives codes' moves (``None``: no τ).

    Example:
        >>> close_sets(None, 8, np.array([1, 0, 1]), np.array([4, 3, 4]))
        (array([0, 1]), array([3, 4]))
    """
    sets = int(node.max()) + 1 if len(node) else 1
    code = code.astype(np.int64)
    pack = Pairs(bits, sets, code)
    node, code = pack.split(sorted_unique(pack.keys(node, code)))
    new_node, new_code = node, code
    while len(new_code) and moves is not None:  # one round per τ-step, every set at once
        src, dst, lab = moves(new_code)
        ok = lab == TAU_INDEX
        if not ok.any():
            break
        cand_node, cand_code = new_node[src[ok]], dst[ok].astype(np.int64)
        pack = Pairs(bits, sets, np.concatenate((code, cand_code)))
        old = pack.keys(node, code)  # sorted, as the pairs are
        cand = sorted_unique(pack.keys(cand_node, cand_code))
        fresh = cand[~sorted_in(old, cand)]
        new_node, new_code = pack.split(fresh)
        node, code = pack.split(np.sort(np.concatenate((old, fresh)), kind="stable"))
    return node, code


def distinct(kids: Children) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The children's keys sorted, where each distinct set starts, its first
    discovery (least order key), and one child holding it. The larger sets'
    keys (negative) sort before the one-member sets' codes, each part apart:
    the codes by :func:`argsort_small`, the hashes by one comparison sort."""
    one = kids.singles
    order = np.concatenate((np.argsort(kids.h1[one:]) + one, argsort_small(kids.h1[:one])))
    h1, key = kids.h1[order], kids.key[order]
    head = np.ones(len(h1), bool)
    head[1:] = h1[1:] != h1[:-1]
    if len(h1) > one:  # (one-member sets have no second hash)
        h2 = kids.h2[order[:len(h1) - one]]
        if (~head[1:len(h2)] & (h2[1:] != h2[:-1])).any():
            raise collision()
    starts = np.flatnonzero(head)
    first = np.minimum.reduceat(key, starts) if len(key) else key
    return h1, starts, first, order[starts]


def shrink(kids: Children, first: np.ndarray, rep: np.ndarray) -> Children:
    """Only the children ``rep`` (one per distinct set), keyed by ``first``."""
    one = rep < kids.singles
    many = rep[~one] - kids.singles
    renumber = np.full(len(kids.key) - kids.singles, -1, np.int64)
    renumber[many] = np.arange(len(many))
    mine = renumber[kids.cid] >= 0
    pick = np.concatenate((rep[one], rep[~one]))
    return Children(np.concatenate((first[one], first[~one])), kids.h1[pick], kids.h2[pick],
                    int(one.sum()), renumber[kids.cid[mine]], kids.code[mine])


def joined(parts: list[Children]) -> Children:
    """Several chunks' children as one (one-member sets first, as always)."""
    def cat(name: str, singles: bool) -> np.ndarray:
        return np.concatenate([getattr(p, name)[:p.singles] if singles
                               else getattr(p, name)[p.singles:] for p in parts])
    key, h1, h2 = (np.concatenate((cat(a, True), cat(a, False))) for a in ("key", "h1", "h2"))
    offsets = np.cumsum([0] + [len(p.key) - p.singles for p in parts])
    cid = np.concatenate([p.cid + off for p, off in zip(parts, offsets[:-1], strict=True)])
    return Children(key, h1, h2, sum(p.singles for p in parts), cid,
                    np.concatenate([p.code for p in parts]))


def collision() -> ProcalgError:
    return ProcalgError("two normal-form nodes share a 64-bit hash",
                        hint="use --engine reference for this determinism check")
