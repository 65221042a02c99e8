"""Word-aligned layouts fill every bit of a word, first-fit.

Fields go into the first 64-bit word with room for them, up to the word's top
bit, so a word's delta wraps in int64 (the sign bit is a field's bit). Keys
must still sort as their codes do, moves must still land on the target
state's key, and the product over such keys must still be Roscoe's rules'.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import LTS, explore
from procalg.lts.codes import Layout
from procalg.lts.digit_places import width as _width
from procalg.lts.network import close
from procalg.lts.product import explore_product
from tests.lts.test_product import Tree, _bisimilar, _network, trees

TOKENEER_WIDTHS = [2, 2, 2, 2, 6, 1, 1, 2, 3, 2, 2, 3, 2, 2, 2, 2, 2, 2, 5, 1, 1, 5, 1, 1, 2, 2,
                   2, 2, 5, 1, 1, 3, 2, 3, 5] + [1] * 25 + [2] * 72
"""Tokeneer's fields (No_Cannot_Happens_SPEC [T= SYSTEM), least significant first: 251 bits."""


def test_tokeneers_251_bits_of_fields_fill_four_words():
    lay = Layout.choose([1 << w for w in TOKENEER_WIDTHS], order=range(len(TOKENEER_WIDTHS)))
    assert sum(TOKENEER_WIDTHS) == 251
    assert lay.words == 4 and lay.key_dtype.itemsize == 32


def _fields(lay: Layout) -> list[tuple[int, int]]:
    """Each field's (first bit, width) in the code."""
    return [((s.bit_length() - 1), _width(r)) for s, r in zip(lay.stride, lay.radix, strict=True)]


radices = st.lists(st.integers(1, 20).map(lambda w: 1 << w), min_size=2, max_size=40).filter(
    lambda rs: sum(_width(r) for r in rs) > 62)
"""Radices of power-of-two fields past 62 bits (so never a mixed-radix int64 layout)."""


@settings(max_examples=200, deadline=None)
@given(radices, st.data())
def test_first_fit_fields_stay_inside_one_word_and_never_overlap(radix, data):
    order = data.draw(st.permutations(range(len(radix))))
    lay = Layout.choose(radix, order=order)
    assert lay.words
    bits = 0
    for at, width in _fields(lay):
        assert at // 64 == (at + width - 1) // 64 < lay.words  # inside one word
        mask = ((1 << width) - 1) << at
        assert not bits & mask
        bits |= mask
    assert lay.words <= -(-sum(w for _, w in _fields(lay)) // 64) + 1


@settings(max_examples=200, deadline=None)
@given(radices, st.data())
def test_a_move_of_any_field_up_to_a_words_top_bit_lands_on_the_targets_key(radix, data):
    lay = Layout.choose(radix, order=range(len(radix)))
    n = 6
    digits = {c: np.array(data.draw(st.lists(st.integers(0, r - 1), min_size=n, max_size=n)))
              for c, r in enumerate(radix)}
    keys = lay.keys(lay.encode(digits))
    c = data.draw(st.integers(0, len(radix) - 1))
    target = np.array(data.draw(st.lists(st.integers(0, radix[c] - 1), min_size=n, max_size=n)))
    moved = lay.add(keys, lay.word_delta(c, target - digits[c]))
    assert lay.decode(moved, [c])[c].tolist() == target.tolist()
    back = lay.decode(moved, range(len(radix)))
    assert all(back[d].tolist() == digits[d].tolist() for d in range(len(radix)) if d != c)
    # byte order of keys is the integer codes' order
    codes = lay.cast(keys).tolist()
    assert [codes[i] for i in np.argsort(keys, kind="stable")] == sorted(codes)


def _pads(k: int) -> tuple:
    """``k`` three-state leaves ``p -> p -> STOP`` in step on ``p`` (3 states): from
    40 of them on, their fields fill a first word to its top bit and go on in a second."""
    pad = ("leaf", LTS.build(3, 0, ["p"], [(0, "p", 1), (1, "p", 2)]))
    node = pad
    for _ in range(k - 1):
        node = ("par", node, pad, frozenset({"p"}))
    return node


@settings(max_examples=60, deadline=None)
@given(trees(), st.integers(40, 48))
def test_a_product_whose_fields_fill_words_to_the_top_bit_is_roscoes(tree, pads):
    node = ("par", tree, _pads(pads), frozenset())
    reference = explore(Tree(node))
    product = explore_product(close(_network(node)))
    assert (product.num_states, product.num_transitions) == \
        (reference.num_states, reference.num_transitions)
    assert _bisimilar(reference, product)
