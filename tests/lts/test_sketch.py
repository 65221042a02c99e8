"""What a picture of a big LTS shows: the whole, its quotient, or a neighbourhood."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import LTS
from procalg.lts.dot import to_dot, trace_path
from procalg.lts.partition import Bisimulation, minimize
from procalg.lts.sketch import sketch


@st.composite
def random_lts(draw) -> LTS:
    n = draw(st.integers(1, 30))
    state = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(state, st.sampled_from(["τ", "a", "b", "c"]), state),
                         max_size=3 * n))
    return LTS.build(n, 0, ["a", "b", "c"], rows)


@settings(max_examples=150, deadline=None)
@given(random_lts(), st.integers(1, 12))
def test_a_sketch_fits_the_limit_and_is_the_whole_the_quotient_or_a_true_part(
        lts: LTS, limit: int) -> None:
    drawn = sketch(lts, limit)
    if lts.num_states <= limit:
        assert drawn.lts is lts and drawn.note == ""
        return
    assert drawn.lts.num_states <= limit
    if drawn.origin is None:
        assert drawn.lts.num_states == minimize(lts, Bisimulation.BRANCHING).num_states
        assert "quotient" in drawn.note
        return
    origin, original = drawn.origin, set(lts.triples())
    assert origin[drawn.lts.initial] == lts.initial
    assert {(origin[s], a, origin[d]) for s, a, d in drawn.lts.triples()} == {
        (s, a, d) for s, a, d in original if s in origin and d in origin}
    cut = {i for i, s in enumerate(origin)
           if any(d not in origin for d in lts.dst[lts.out_range(s)].tolist())}
    assert drawn.frontier == cut


def test_cut_off_states_are_drawn_dashed_and_never_as_deadlocks() -> None:
    chain = LTS.build(10, 0, ["a"], [(i, "a", i + 1) for i in range(9)] + [(9, "b", 9)])
    drawn = sketch(chain, 4)
    assert drawn.frontier == {3} and "the states nearest the initial state: 4 of 10" in drawn.note
    dot = to_dot(drawn.lts, frontier=drawn.frontier)
    assert "s3 [label=\"3\", style=dashed]" in dot and "octagon" not in dot


def test_a_highlighted_trace_keeps_its_whole_path_in_the_sketch() -> None:
    chain = LTS.build(10, 0, ["a", "b"], [(i, "a", i + 1) for i in range(9)] + [(9, "b", 9)])
    trace = ["a"] * 9 + ["b"]
    drawn = sketch(chain, 4, trace=trace)
    assert drawn.lts.num_states == 10 and drawn.note == ""
    branchy = LTS.build(12, 0, ["a", "b"], [(i, "a", i + 1) for i in range(9)]
                        + [(0, "b", 10), (10, "b", 11), (11, "a", 10)])
    drawn = sketch(branchy, 3, trace=["b", "b", "a"])
    assert drawn.note.startswith("the highlighted trace's path and the states one step off it: ")
    edges, _ = trace_path(drawn.lts, ["b", "b", "a"])
    assert len(edges) == 3
