"""Fixed-width sort keys for codes wider than 62 bits.

Wide codes are Python integers in ``object`` arrays, and numpy sorts and
binary-searches those one Python comparison at a time (about 9 µs per
``searchsorted`` query on a million codes). As keys of ``k`` big-endian
64-bit words viewed as one ``V{8k}`` void item, the same order is plain
byte order (``memcmp``), so ``np.sort``, ``np.searchsorted`` and ``==``
run in C: about 6x faster sorts and 5x faster searches, for a conversion
of about 0.2 µs per code. The visited set keeps wide runs as keys.

Example:
    >>> codes = np.array([1 << 70, 5, (1 << 64) + 1], dtype=object)
    >>> k = words(codes)
    >>> keys = to_keys(codes, k)
    >>> k, from_keys(np.sort(keys), k).tolist() == sorted(codes.tolist())
    (2, True)
"""

from __future__ import annotations

import numpy as np

_MASK = (1 << 64) - 1


def words(codes: np.ndarray) -> int:
    """64-bit words needed for the largest of ``codes`` (non-negative), at least 1."""
    if not len(codes):
        return 1
    return max(1, -(-int(codes.max()).bit_length() // 64))


def to_keys(codes: np.ndarray, k: int) -> np.ndarray:
    """Keys of ``k`` words ordered as the non-negative ``codes`` are (an owning array)."""
    out = np.empty(len(codes), dtype=f"V{8 * k}")
    w = out.view(">u8").reshape(len(codes), k)
    rest = codes.astype(object)
    for i in range(k - 1, -1, -1):
        w[:, i] = (rest & _MASK).astype(np.uint64)
        if i:
            rest = rest >> 64
    return out


def from_keys(keys: np.ndarray, k: int) -> np.ndarray:
    """The codes (Python integers, ``object`` array) of ``k``-word keys."""
    w = keys.view(">u8").reshape(len(keys), k)
    out = w[:, 0].astype(object)
    for i in range(1, k):
        out = (out << 64) | w[:, i].astype(object)
    return out.astype(object)


def widen(keys: np.ndarray, k: int, new: int) -> np.ndarray:
    """``k``-word keys as ``new``-word keys (zero words in front: same order)."""
    out = np.zeros(len(keys), dtype=f"V{8 * new}")
    out.view(np.uint8).reshape(len(keys), 8 * new)[:, 8 * (new - k):] = \
        keys.view(np.uint8).reshape(len(keys), 8 * k)
    return out


_M1 = np.uint64(0xBF58476D1CE4E5B9)  # splitmix64's finaliser (Steele, Lea & Flood,
_M2 = np.uint64(0x94D049BB133111EB)  # "Fast splittable pseudorandom number generators", 2014)


def key_hashes(keys: np.ndarray) -> np.ndarray:
    """A 64-bit hash (uint64) of each ``V{8k}`` key's words.

    Keys are ordered by (hash, bytes), *key order*: numpy sorts and searches
    ``V{8k}`` items with a compare call each (about 0.7 µs per key sorted),
    but uint64 in C; equal hashes of different keys (collisions, about one
    in 2^64 per pair) fall back to the bytes, so the order stays exact.

    Each word goes through splitmix64's finaliser (a bijection in which
    every input bit flips about half the output bits) before the next is
    mixed in. The words are read as native integers, so a big-endian field
    value's low byte is a native word's high byte: a bare multiply (which
    carries only upwards) left such a word a few bits of influence, and keys
    differing in two words' fields collided thousands of times in a
    71-bit search of 12 M states (each collision sorts the keys by bytes,
    one Python compare each). O(n·k).

    Example:
        >>> keys = np.array([5, 7], dtype=">u8").view("V8")
        >>> key_hashes(keys).dtype.name, len(set(key_hashes(keys).tolist()))
        ('uint64', 2)
    """
    words = native_words(keys)  # the bytes as native words: no byte swap, same hash per key
    h = words[:, 0].copy()
    _mix(h)
    for i in range(1, words.shape[1]):  # mix each word in (a plain xor of words cancels)
        h ^= words[:, i]
        _mix(h)
    return h


def _mix(h: np.ndarray) -> None:
    """splitmix64's finaliser on uint64 ``h``, in place."""
    h ^= h >> np.uint64(30)
    h *= _M1
    h ^= h >> np.uint64(27)
    h *= _M2
    h ^= h >> np.uint64(31)


_U1 = np.uint64(pow(0xBF58476D1CE4E5B9, -1, 1 << 64))  # the multipliers' inverses mod 2^64
_U2 = np.uint64(pow(0x94D049BB133111EB, -1, 1 << 64))


def _unmix(h: np.ndarray) -> None:
    """The inverse of :func:`_mix`, in place (an xor-shift by ``s`` is undone by
    xoring in the shifts by ``s``, ``2s``, ... below 64; a multiply by the odd
    multiplier's inverse)."""
    h ^= (h >> np.uint64(31)) ^ (h >> np.uint64(62))
    h *= _U2
    h ^= (h >> np.uint64(27)) ^ (h >> np.uint64(54))
    h *= _U1
    h ^= (h >> np.uint64(30)) ^ (h >> np.uint64(60))


def first_words(hashes: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """The first word (native uint64, as :func:`key_hashes` reads it) of the
    keys whose hashes are ``hashes`` and whose other words are ``rest`` (an
    (n, k - 1) native uint64 view): :func:`key_hashes` run backwards, each
    step a bijection of the hash given the word mixed in. O(n·k).

    Example:
        >>> keys = np.array([[1, 2], [3, 4]], dtype=">u8").view("V16").ravel()
        >>> w = native_words(keys)
        >>> bool((first_words(key_hashes(keys), w[:, 1:]) == w[:, 0]).all())
        True
    """
    h = hashes.copy()
    for i in range(rest.shape[1] - 1, -1, -1):
        _unmix(h)
        h ^= rest[:, i]
    _unmix(h)
    return h


def key_order(keys: np.ndarray, kind: str = "quicksort",
              hashes: np.ndarray | None = None) -> np.ndarray:
    """The permutation sorting ``keys`` in key order (see :func:`key_hashes`)."""
    return _sorted_keys(keys, kind, hashes)[0]


def key_sort(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The key order of unsorted ``keys``, the keys in it and their hashes
    (one sort: no second gather of the keys by the order).

    Example:
        >>> keys = np.array([9, 5], dtype=">u8").view("V8")
        >>> order, ks, hs = key_sort(keys)
        >>> bool((ks == keys[order]).all() and (hs == key_hashes(ks)).all())
        True
    """
    order, ks, hs, _ = _sorted_keys(keys, "quicksort")
    return order, ks, hs


def _sorted_keys(keys: np.ndarray, kind: str, hashes: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The key order of ``keys``, the sorted keys, their hashes, and the
    positions ``i`` where sorted key ``i + 1`` equals key ``i``. The order is
    stable whatever ``kind``; ``"stable"`` says the keys are a few sorted
    runs, which a timsort of their hashes merges (2x faster than
    :func:`hash_order` for two runs), anything else that they are unsorted."""
    h = key_hashes(keys) if hashes is None else hashes
    if kind == "stable":
        order = np.argsort(h, kind="stable")
        hs = h[order]
    else:
        order, hs = hash_order(h)
    ks = keys.take(order)  # take: a V{8k} fancy index copies 2x slower
    tie = np.flatnonzero(hs[1:] == hs[:-1])
    same = _same(ks.take(tie), ks.take(tie + 1))
    if not same.all():  # a collision: break hash ties by bytes (exact, rare)
        rank = np.empty(len(keys), dtype=np.int64)
        rank[np.argsort(keys, kind="stable")] = np.arange(len(keys))
        order = np.lexsort((rank, h))
        hs, ks = h[order], keys.take(order)
        tie = np.flatnonzero(hs[1:] == hs[:-1])
        same = _same(ks.take(tie), ks.take(tie + 1))
    return order, ks, hs, tie[same]


def hash_order(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stable permutation sorting the uint64 hashes ``h``, and ``h`` sorted.

    ``np.argsort`` of uint64 is a comparison sort of indices (about 100 ns
    a key), ``np.sort`` of uint64 a vectorised one, 5x faster on this
    machine: so the index goes into the low bits of its hash, in place of
    the hash's own low bits, and the packed words are sorted. Keys then
    follow their hashes' high bits, and, among equal high bits, their
    positions; a tie of high bits with different low bits (about
    n²/2^(65-b) pairs for n hashes and b index bits) leaves a nearly sorted
    result, which a stable sort of the hashes (timsort: linear on nearly
    sorted data) puts right. O(n log n).

    Example:
        >>> h = np.array([7, 3, 7, 1 << 63], dtype=np.uint64)
        >>> [x.tolist() for x in hash_order(h)]
        [[1, 0, 2, 3], [3, 7, 7, 9223372036854775808]]
    """
    n = len(h)
    if n < 2:
        return np.arange(n, dtype=np.intp), h.copy()
    bits = np.uint64((n - 1).bit_length())
    packed = h >> bits
    packed <<= bits
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort()
    packed &= (np.uint64(1) << bits) - np.uint64(1)
    order = packed.astype(np.intp)
    hs = h[order]
    if (hs[1:] < hs[:-1]).any():  # high bits tied, low bits out of order: rare
        fix = np.argsort(hs, kind="stable")
        order, hs = order[fix], hs[fix]
    return order, hs


def unique_keys(keys: np.ndarray, kind: str) -> np.ndarray:
    """Distinct ``keys`` in key order."""
    return unique_hashed(keys, kind)[0]


def unique_hashed(keys: np.ndarray, kind: str, hashes: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ``keys`` in key order, with their hashes (``hashes``: those of
    ``keys``, if known: a state is hashed once, when it is made, and its hash
    travels with it through deduplication, the visited set's look-ups and its
    runs, instead of being re-mixed word by word at each step).

    Example:
        >>> keys = np.array([9, 5, 9], dtype=">u8").view("V8")
        >>> out, h = unique_hashed(keys, "quicksort")
        >>> len(out), bool((h == key_hashes(out)).all())
        (2, True)
    """
    if len(keys) < 2:
        return keys.copy(), key_hashes(keys) if hashes is None else hashes.copy()
    _, out, hs, dup = _sorted_keys(keys, kind, hashes)
    keep = np.ones(len(out), dtype=bool)
    keep[dup + 1] = False
    return out[keep], hs[keep]


def native_words(keys: np.ndarray) -> np.ndarray:
    """The bytes of ``V{8k}`` keys as a (n, k) native uint64 view (for
    hashing and equality only: the numbers are not the words' values)."""
    keys = np.ascontiguousarray(keys)  # a view changes item size only on contiguous data
    return keys.view(np.uint64).reshape(len(keys), keys.dtype.itemsize // 8)


def moved(dst: np.ndarray, src: np.ndarray) -> np.ndarray:
    """Mask of the moves whose target code differs from their source code,
    pairwise (int64 codes, or keys compared as words).

    Example:
        >>> keys = np.array([5, 7], dtype=">u8").view("V8")
        >>> moved(keys, keys[[0, 0]]).tolist(), moved(np.array([1, 2]), np.array([1, 1])).tolist()
        ([False, True], [False, True])
    """
    if dst.dtype.kind == "V":
        return ~_same(dst, src)
    return np.asarray(dst != src, dtype=bool)


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mask of equal keys, pairwise (a few uint64 compares, not a call per key;
    the words' masks and-ed column by column: ``all(axis=1)`` over a few
    words a row is a slow reduction, 3x slower)."""
    eq = native_words(a) == native_words(b)
    out = eq[:, 0].copy()
    for i in range(1, eq.shape[1]):
        out &= eq[:, i]
    return out


def key_positions(tier: np.ndarray, hashes: np.ndarray, keys: np.ndarray,
                  asked: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``keys`` (whose hashes are ``asked``, if known) is, or
    would go, in the key-ordered ``tier`` (whose hashes are ``hashes``; an
    array, or keys held without their first words:
    :class:`~procalg.lts.visited_keys.CompactKeys`), and whether it is there."""
    if not len(tier):
        return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
    qh = key_hashes(keys) if asked is None else asked
    pos = hashes.searchsorted(qh)
    at = np.minimum(pos, len(tier) - 1)
    hit = hashes[at] == qh
    same = getattr(tier, "same", None)  # a run held without its first words compares the rest
    hit[hit] = same(at[hit], keys[hit]) if same else _same(tier[at[hit]], keys[hit])
    odd = np.flatnonzero(~hit & (hashes[at] == qh))  # a hash shared with another key
    for i in odd.tolist():  # rare: walk the run of equal hashes in byte order
        j = int(pos[i])
        while j < len(tier) and hashes[j] == qh[i] and tier[j].tobytes() < keys[i].tobytes():
            j += 1
        pos[i] = j
        hit[i] = j < len(tier) and tier[j] == keys[i]
    return pos, hit


def key_sorted(stored: np.ndarray, tags: np.ndarray | None
                ) -> tuple[np.ndarray, np.ndarray | None]:
    """Stored codes (and their tags) in the runs' order: keys in key order
    (a no-op sort when they are already), int64 codes as they are (sorted)."""
    if stored.dtype.kind != "V" or len(stored) < 2:
        return stored, tags
    order = key_order(stored, "stable")
    return stored[order], None if tags is None else tags[order]


def stored_words(codes: np.ndarray) -> int:
    """Key words ``codes`` need (Python integers), or have (keys)."""
    return codes.dtype.itemsize // 8 if codes.dtype.kind == "V" else words(codes)


def least_position(codes: np.ndarray) -> int:
    """The position of the least of ``codes`` (int64, Python integers, or keys:
    by their words, most significant first, as the codes compare).

    Example:
        >>> keys = np.array([[1, 0], [0, 9], [0, 2]], dtype=">u8").view("V16").ravel()
        >>> least_position(keys), least_position(np.array([4, 2, 9]))
        (2, 1)
    """
    if codes.dtype.kind != "V":
        return int(np.argmin(codes))
    w = np.ascontiguousarray(codes).view(">u8").reshape(len(codes), -1).astype(np.uint64)
    return int(np.lexsort(w.T[::-1])[0])


def code_at(codes: np.ndarray, i: int) -> int:
    """Code ``i`` of ``codes`` (int64, Python integers, or keys) as a Python
    integer: a goal reads keys and turns only its witness into an integer.

    Example:
        >>> code_at(to_keys(np.array([1 << 70, 5], dtype=object), 2), 0) == 1 << 70
        True
    """
    if codes.dtype.kind == "V":
        return int(from_keys(np.ascontiguousarray(codes[i: i + 1]), codes.dtype.itemsize // 8)[0])
    return int(codes[i])
