"""Code layouts: every local state survives encode, decode and re-encoding."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts.codes import Layout, headroom

radices = st.lists(st.integers(1, 1 << 20), min_size=1, max_size=8)


@st.composite
def layouts(draw):
    radix = draw(radices)
    order = draw(st.permutations(range(len(radix))))
    bits = draw(st.sampled_from([2, 20, 62]))
    return Layout.choose(radix, order, max_bits=bits, max_code=1 << bits)


def _states(draw, radix, n=5):
    return {c: np.array([draw(st.integers(0, r - 1)) for _ in range(n)], dtype=np.int64)
            for c, r in enumerate(radix)}


@settings(max_examples=200, deadline=None)
@given(layouts(), st.data())
def test_decoding_an_encoded_state_gives_back_every_local_state(layout, data):
    digits = _states(data.draw, layout.radix)
    codes = layout.encode(digits)
    assert codes.dtype == (object if layout.wide else np.int64)
    back = layout.decode(codes, range(len(layout.radix)))
    assert all(back[c].tolist() == digits[c].tolist() for c in digits)


@settings(max_examples=200, deadline=None)
@given(layouts(), st.data())
def test_codes_are_distinct_exactly_when_the_states_are(layout, data):
    digits = _states(data.draw, layout.radix, 8)
    codes = layout.encode(digits).tolist()
    states = list(zip(*(digits[c].tolist() for c in sorted(digits)), strict=True))
    assert len(set(codes)) == len(set(states))


@settings(max_examples=200, deadline=None)
@given(layouts(), st.data())
def test_a_grown_layout_recodes_old_codes_to_the_same_states(layout, data):
    digits = _states(data.draw, layout.radix)
    top = layout.order[-1]  # lazy components sit on top
    radix = list(layout.radix)
    radix[top] = headroom(radix[top]) * data.draw(st.sampled_from([1, 1 << 40]))
    grown = layout.grown(radix, max_bits=62)
    codes = grown.recoder(layout)(layout.encode(digits))
    back = grown.decode(codes, range(len(radix)))
    assert all(back[c].tolist() == digits[c].tolist() for c in digits)
    below = [c for c in layout.order[:-1]]
    assert [grown.stride[c] for c in below] == [layout.stride[c] for c in below]


def test_wide_layouts_are_chosen_only_past_62_bits():
    assert not Layout.choose([1 << 31, 1 << 31], [0, 1]).wide
    assert Layout.choose([1 << 31, 1 << 32], [0, 1]).wide
    mixed = Layout.choose([3] * 39, list(range(39)))  # 78 bits as fields, 62 mixed radix
    assert not mixed.packed and not mixed.wide


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(1, 1 << 40), min_size=1, max_size=8), st.sampled_from([0, 6, 20, 62]),
       st.sampled_from([1, 1 << 16, 1 << 40, 1 << 62]), st.integers(0, 62))
def test_every_wide_layout_chosen_or_grown_is_word_aligned_so_no_move_adds_python_integers(
        radix, bits, room, top):
    # firing, lazy folding and Layout.shifted/decode keep no path for wide codes
    # without words (Python-integer deltas): this is why none is needed
    order = list(range(len(radix)))
    layout = Layout.choose(radix, order, max_bits=bits, max_code=room)
    grown = layout.grown([*radix[:-1], max(radix[-1], 1 << top)], max_bits=bits, max_code=room)
    for lay in (layout, grown):
        assert not lay.wide or lay.words
        assert lay.shifted(0, np.array([1])).dtype == np.int64


@settings(max_examples=200, deadline=None)
@given(radices, st.sampled_from([0, 20, 62]), st.data())
def test_a_word_aligned_move_adds_per_word_deltas_and_gives_the_target_states_key(
        radix, bits, data):
    layout = Layout.choose(radix, list(range(len(radix))), max_bits=bits, max_code=1)
    if not layout.words:  # fits in 62 bits as fields: not wide
        return
    assert layout.wide and all(layout.radix[c] <= 1 << 62 for c in range(len(radix)))
    here, there = _states(data.draw, radix), _states(data.draw, radix)
    keys = layout.keys(layout.encode(here))
    assert keys.dtype == np.dtype(f"V{8 * layout.words}")
    back = layout.decode(keys, range(len(radix)))
    assert all(back[c].tolist() == here[c].tolist() for c in here)
    delta = sum(layout.word_delta(c, there[c] - here[c]) for c in here)
    moved = layout.add(keys, delta)
    assert moved.tolist() == layout.keys(layout.encode(there)).tolist()
    assert layout.cast(moved).tolist() == layout.encode(there).tolist()
    # keys compare as bytes in the order of the integer codes
    assert sorted(moved.tolist()) == layout.keys(sorted(layout.cast(moved).tolist())).tolist()


def test_keys_of_python_integers_past_2_to_the_63_keep_every_bit():
    # a one-word layout whose last field reaches bit 63 (a dev-run hypothesis draw):
    # numpy read a list of such ints as float64 and dropped their low bits
    layout = Layout.choose([65, 257, 513, 4097, 32769, 257], list(range(6)), max_bits=62,
                           max_code=1)
    codes = [3535457283473552901, 9237136451072951199]
    assert layout.cast(layout.keys(codes)).tolist() == codes


@settings(max_examples=200, deadline=None)
@given(radices, st.sampled_from([0, 20, 62]), st.data())
def test_a_decoder_gives_any_group_of_components_as_decode_does(radix, bits, data):
    layout = Layout.choose(radix, list(range(len(radix))), max_bits=bits, max_code=1)
    codes = layout.encode(_states(data.draw, radix))
    held = layout.keys(codes) if layout.words else codes  # as the search holds them
    decode = layout.decoder(held)
    for _ in range(3):  # groups in turn, a component asked again
        group = data.draw(st.lists(st.integers(0, len(radix) - 1), max_size=4))
        got, want = decode(group), layout.decode(held, group)
        assert {c: d.tolist() for c, d in got.items()} == {c: d.tolist() for c, d in want.items()}


@settings(max_examples=200, deadline=None)
@given(radices, st.sampled_from([6, 20, 62]), st.data())
def test_bit_fields_grown_past_max_bits_become_word_aligned_keys_with_the_lower_fields_in_place(
        radix, bits, data):
    order = list(range(len(radix)))
    narrow = Layout.choose([*radix, 4], [*order, len(radix)], max_bits=bits)
    if not narrow.packed or narrow.wide:
        return
    grown = narrow.grown([*radix, 1 << data.draw(st.integers(bits, 62))], max_bits=bits)
    assert grown.words and grown.key_dtype.kind == "V" and grown.dtype == object
    assert [grown.stride[c] for c in order] == [narrow.stride[c] for c in order]
    digits = _states(data.draw, narrow.radix)
    keys = grown.recoder(narrow)(narrow.encode(digits))
    assert keys.dtype == grown.key_dtype  # no Python integers on the way
    assert keys.tobytes() == grown.keys(grown.encode(digits)).tobytes()
    # an int64 delta of the narrow layout moves the same fields in the last word
    there = _states(data.draw, narrow.radix)
    _moved_by_narrow_deltas(narrow, grown, keys, digits, there)


def _moved_by_narrow_deltas(narrow: Layout, grown: Layout, keys: np.ndarray,
                            digits: dict, there: dict) -> np.ndarray:
    """``keys`` (of ``digits``) moved to ``there``: the lower components by the
    narrow layout's int64 deltas in the last word, the grown top one by its
    word delta; asserts they land on ``there``'s keys."""
    top = len(narrow.radix) - 1
    step = sum(narrow.shifted(c, there[c] - digits[c]) for c in range(top))
    rows = np.zeros((len(step), grown.words), dtype=np.int64)
    rows[:, -1] = step
    moved = grown.add(keys, rows + grown.word_delta(top, there[top] - digits[top]))
    assert moved.tobytes() == grown.keys(grown.encode(there)).tobytes()
    return moved


def _mixed_grown(radix: list[int], room: int, top: int) -> tuple[Layout, Layout]:
    """A narrow mixed-radix layout with a lazy top digit (4 states), and the
    layout it grows into when that digit gets ``top`` states, past ``room``."""
    narrow = Layout.choose([*radix, 4], list(range(len(radix) + 1)), max_bits=0,
                           max_code=room)
    return narrow, narrow.grown([*radix, top], max_bits=0, max_code=room)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 1 << 12), min_size=1, max_size=8),
       st.sampled_from([1 << 16, 1 << 40, 1 << 62]), st.integers(3, 62), st.data())
def test_mixed_radix_digits_grown_past_the_code_limit_become_words_with_the_lower_digits_in_place(
        radix, room, top, data):
    narrow, grown = _mixed_grown(radix, room, 1 << top)
    if narrow.packed or narrow.wide or not grown.wide:
        return
    order = list(range(len(radix)))
    assert grown.words and not grown.packed and grown.key_dtype.kind == "V"
    assert [grown.stride[c] for c in order] == [narrow.stride[c] for c in order]
    digits = _states(data.draw, narrow.radix)
    keys = grown.recoder(narrow)(narrow.encode(digits))
    assert keys.dtype == grown.key_dtype  # no Python integers on the way
    assert keys.tobytes() == grown.keys(grown.encode(digits)).tobytes()
    words = keys.view(">u8").reshape(len(keys), grown.words)
    assert int(words.max()) < room  # each word a mixed-radix number below the limit
    # an int64 delta of the narrow layout moves the same digits in the last word
    there = {**_states(data.draw, narrow.radix), len(radix): np.array(
        [data.draw(st.integers(0, (1 << top) - 1)) for _ in range(5)])}
    moved = _moved_by_narrow_deltas(narrow, grown, keys, digits, there)
    back = grown.decode(moved, range(len(radix) + 1))
    assert all(back[c].tolist() == there[c].tolist() for c in there)
    # growing again: keys to keys, the same states
    again = grown.grown([*radix, 1 << (top + 1)], max_bits=0, max_code=room)
    assert again.recoder(grown)(moved).tobytes() == again.keys(again.encode(there)).tobytes()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 1 << 5), min_size=1, max_size=3), st.data())
def test_a_decoder_of_mixed_radix_words_gives_any_group_as_decode_does(radix, data):
    _, layout = _mixed_grown(radix, 1 << 20, 1 << 20)  # 2^17 codes at most, then 2^20 more
    assert layout.words and not layout.packed
    keys = layout.keys(layout.encode(_states(data.draw, layout.radix)))
    decode = layout.decoder(keys)
    for _ in range(4):  # groups in turn, components asked again and twice in one group
        group = data.draw(st.lists(st.integers(0, len(radix)), max_size=5))
        got, want = decode(group), layout.decode(keys, group)
        assert {c: d.tolist() for c, d in got.items()} == {c: d.tolist() for c, d in want.items()}
