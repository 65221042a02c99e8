"""Where each component's digit lies in a product state's code.

A :class:`~procalg.lts.codes.Layout` asks one of these for its strides: the
weight of every component's digit in the integer code, components placed from
the least significant digit up in ``order``. Three placements:

- :func:`plain_places`: consecutive bit fields, or mixed-radix digits (the
  weight of a digit the product of the radices below it);
- :func:`aligned_fields`: bit fields packed word by word, none straddling two
  64-bit words (word-aligned keys, :mod:`procalg.lts.wide_keys`);
- :func:`mixed_words`: mixed-radix digits packed word by word, each word a
  mixed-radix number below its room. A mixed-radix layout that a lazy digit
  grows past 2^62 takes this one: its lower digits keep their weights in the
  least significant word, so the eager tables' int64 deltas stay right there,
  and a move adds an int64 delta per word without carries, as with bit fields.

Each is O(components).

Example:
    >>> mixed_words((3, 5, 7), (0, 1, 2), room=16)
    ([1, 3, 18446744073709551616], 2, [1, 1, 0])
"""

from __future__ import annotations

Places = tuple[list[int], int, list[int]]
"""(stride per component, words (0: a plain code), key column per component)."""


def width(radix: int) -> int:
    """Bits of a field holding ``radix`` values (at least one)."""
    return max(1, (int(radix) - 1).bit_length())


def plain_places(radix: tuple[int, ...], order: tuple[int, ...], packed: bool
                 ) -> tuple[Places, int]:
    """Strides of consecutive bit fields or mixed-radix digits, and the space
    (one more than the largest code)."""
    stride = [0] * len(radix)
    space = 1
    for c in order:
        stride[c] = space
        space *= (1 << width(radix[c])) if packed else radix[c]
    return (stride, 0, [0] * len(radix)), space


def aligned_fields(radix: tuple[int, ...], order: tuple[int, ...], fill: int) -> Places:
    """Bit fields placed first-fit, ``fill`` bits a word: strides, the number of
    words, and each field's word as a key column (most significant first).

    Each field (in ``order``) goes into the first word with room, at its
    lowest free bit: placed by the fields before it alone, so a lazy digit
    growing (they come last) moves no eager field, and fields that fitted one
    int64 word keep their bits in the lowest word. First-fit bin packing
    (Johnson et al. 1974): fields in a row left Tokeneer's 251 bits in 5
    words, first-fit fills 4. O(fields x words).

    Example:
        >>> stride, words, col = aligned_fields((1 << 40, 1 << 30, 1 << 20), (0, 1, 2), 64)
        >>> words, col, stride[2] == 1 << 40
        (2, [1, 0, 1], True)
    """
    stride, word_of = [0] * len(radix), [0] * len(radix)
    used: list[int] = []  # bits filled in each word, least significant word first
    for c in order:
        bits = width(radix[c])
        word = next((w for w, at in enumerate(used) if at + bits <= fill), len(used))
        if word == len(used):
            used.append(0)
        stride[c], word_of[c] = 1 << (64 * word + used[word]), word
        used[word] += bits
    words = max(1, len(used))
    return stride, words, [words - 1 - w for w in word_of]


def mixed_words(radix: tuple[int, ...], order: tuple[int, ...], room: int) -> Places:
    """Mixed-radix digits placed word by word, a word's radices multiplying
    to at most ``room`` (a digit that would pass it starts the next word)."""
    return _in_words(radix, order, lambda used, r: used * r <= room,
                     lambda used, r: used * r, lambda used: used, 1)


def _in_words(radix: tuple[int, ...], order: tuple[int, ...], fits, grow, weight,
              empty: int) -> Places:
    """Components placed in ``order`` word after word: ``used`` (what a word
    holds so far; ``empty`` when it holds nothing) gives the next digit's
    in-word ``weight`` while the digit ``fits``, else a new word starts."""
    stride, word_of = [0] * len(radix), [0] * len(radix)
    word, used = 0, empty
    for c in order:
        if used != empty and not fits(used, radix[c]):
            word, used = word + 1, empty
        stride[c], word_of[c] = weight(used) << (64 * word), word
        used = grow(used, radix[c])
    return stride, word + 1, [word - w for w in word_of]
