"""The Aldebaran (.aut) reader and writer."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import FormatError
from procalg.lts import LTS
from procalg.lts.aut import aut_chunks, read_aut, write_aut
from procalg.lts.partition import Bisimulation

FIXTURES = Path(__file__).parent.parent / "fixtures" / "aut"

# fixture -> (states, transitions, minimised states for strong, weak, branching), by hand
EXPECTED = {
    "third_tau_law.aut": (11, 13, 9, 5, 6),
    "tau_chain.aut": (6, 5, 6, 3, 3),
    "cadp_style.aut": (3, 4, 3, 2, 2),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixtures_read_with_their_sizes_and_minimise_to_hand_computed_sizes(name):
    lts = read_aut(FIXTURES / name)
    states, transitions, strong, weak, branching = EXPECTED[name]
    assert (lts.num_states, lts.num_transitions) == (states, transitions)
    sizes = tuple(lts.minimize(k).num_states for k in Bisimulation)
    assert sizes == (strong, weak, branching)


def test_cadp_conventions_i_is_tau_and_unquoted_labels_work():
    lts = read_aut(FIXTURES / "cadp_style.aut")
    assert sorted(lts.triples()) == [(0, "out !1", 2), (0, "τ", 1), (1, "out !1", 2),
                                     (2, "exit", 0)]
    ticked = read_aut(FIXTURES / "cadp_style.aut", tick="exit")
    assert (2, "✓", 0) in set(ticked.triples())


def test_writer_matches_mcrl2_byte_for_byte():
    lts = LTS.build(3, 0, ["a", "b"], [(1, "b", 2), (0, "a", 1), (0, "τ", 2), (2, "✓", 2)])
    assert write_aut(lts) == ('des (0,4,3)\n(0,"tau",2)\n(0,"a",1)\n(1,"b",2)\n'
                              '(2,"✓",2)\n')


def test_writer_renumbers_so_the_initial_state_is_zero():
    lts = LTS.build(3, 2, ["a"], [(2, "a", 0), (0, "a", 1)])
    assert write_aut(lts) == 'des (0,2,3)\n(0,"a",2)\n(2,"a",1)\n'


def test_hidden_labels_are_written_as_tau_and_tick_can_be_renamed():
    lts = LTS.build(2, 0, ["h"], [(0, "h", 1), (1, "✓", 1)], hidden=["h"])
    assert write_aut(lts, tick="exit") == 'des (0,2,2)\n(0,"tau",1)\n(1,"exit",1)\n'


@pytest.mark.parametrize(("text", "line", "words"), [
    ("digraph {\n}\n", 1, "header"),
    ("des (0,1,2)\n(0,\"a\",1\n", 2, "transition"),
    ("des (0,1,2)\n(0,\"a\",5)\n", 2, "state 5"),
    ("des (0,2,2)\n(0,\"a\",1)\n", 1, "announces 2"),
    ("des (3,0,2)\n", 1, "initial state 3"),
    ("des (0,1,2)\n(0,\"a,1)\n", 2, "quoted"),
    ("des (0,1,2)\n(0,,1)\n", 2, "empty label"),
])
def test_malformed_input_is_a_format_error_with_the_line(text, line, words):
    with pytest.raises(FormatError) as err:
        read_aut(text)
    assert err.value.span is not None and err.value.span.line == line
    assert words in err.value.message


def test_missing_file_is_a_format_error():
    with pytest.raises(FormatError, match="cannot read"):
        read_aut(FIXTURES / "no_such.aut")


def test_labels_with_quotes_cannot_be_written():
    with pytest.raises(FormatError):
        write_aut(LTS.build(2, 0, ['say "hi"'], [(0, 'say "hi"', 1)]))


def _canonical(lts: LTS) -> list[tuple[int, str, int]]:
    """Triples after renumbering reachable states in BFS order (labels sorted)."""
    number, queue = {lts.initial: 0}, deque([lts.initial])
    while queue:
        s = queue.popleft()
        for _name, d in sorted((lts.labels[lab], d) for lab, d in lts.successors(s)):
            if d not in number:
                number[d] = len(number)
                queue.append(d)
    return sorted((number[s], x, number[d]) for s, x, d in lts.triples() if s in number)


@st.composite
def deterministic_lts(draw) -> LTS:
    # deterministic per label, so BFS renumbering is canonical
    n = draw(st.integers(1, 7))
    rows = [(s, lab, draw(st.integers(0, n - 1)))
            for s in range(n) for lab in ("a", "b c", "τ", "✓") if draw(st.booleans())]
    return LTS.build(n, draw(st.integers(0, n - 1)), ["a", "b c"], rows)


@settings(max_examples=100, deadline=None)
@given(lts=deterministic_lts())
def test_write_then_read_is_isomorphic(lts):
    back = read_aut(write_aut(lts))
    assert back.initial == 0 and back.num_states == lts.num_states
    assert _canonical(back) == _canonical(lts)


@st.composite
def any_lts(draw) -> LTS:
    """Any small LTS: nondeterministic, any initial state, some labels hidden."""
    n = draw(st.integers(1, 6))
    names = ["a", "b", "c"]
    rows = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from([*names, "τ", "✓"]),
                                   st.integers(0, n - 1)), max_size=14))
    hidden = draw(st.sets(st.sampled_from(names)))
    return LTS.build(n, draw(st.integers(0, n - 1)), names, rows, hidden=hidden)


@settings(max_examples=150, deadline=None)
@given(any_lts(), st.integers(1, 4))
def test_the_text_in_pieces_is_the_sorted_renumbered_lines_whatever_the_piece_size(lts, size):
    swap = {lts.initial: 0, 0: lts.initial}
    rows = sorted((swap.get(s, s), 0 if x == "τ" or x in lts.hidden else lts.labels.index(x),
                   swap.get(d, d)) for s, x, d in lts.triples())
    names = ["tau", "✓", *lts.labels[2:]]
    want = [f"des (0,{lts.num_transitions},{lts.num_states})\n"]
    want += [f'({s},"{names[a]}",{d})\n' for s, a, d in rows]
    pieces = list(aut_chunks(lts, lines=size))
    assert "".join(pieces) == "".join(want) == write_aut(lts)
    assert all(p.count("\n") <= size for p in pieces[1:])


def test_a_label_with_quotes_is_refused_before_any_piece_is_written():
    lts = LTS.build(2, 0, ['say "hi"'], [(0, 'say "hi"', 1)])
    with pytest.raises(FormatError):
        aut_chunks(lts)  # not when the first piece is asked for: a file would be open
