"""Normalisation of a specification: nodes, acceptances, divergence."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.assertion_kinds import RefinementModel
from procalg.checks.refinement import check_refinement
from procalg.lts import LTS
from procalg.lts.normal import NormalForm

# a -> STOP |~| b -> STOP
INTERNAL = LTS.build(5, 0, ["a", "b"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 3), (2, "b", 4)])


def test_internal_choice_root_has_two_minimal_acceptances():
    nf = NormalForm(INTERNAL)
    root = nf.node(nf.root)
    assert root.states == frozenset({0, 1, 2})
    assert set(root.acceptances) == {frozenset({"a"}), frozenset({"b"})}
    assert not root.divergent


def test_only_minimal_acceptances_are_kept():
    # τ to a state offering {a} and to one offering {a, b}: only {a} is minimal
    lts = LTS.build(4, 0, ["a", "b"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 3), (2, "a", 3),
                                       (2, "b", 3)])
    nf = NormalForm(lts)
    assert nf.node(nf.root).acceptances == (frozenset({"a"}),)


def test_nondeterministic_branches_merge_into_one_node():
    # a -> b -> STOP [] a -> c -> STOP: after a, one node covering both branches
    lts = LTS.build(5, 0, ["a", "b", "c"], [(0, "a", 1), (0, "a", 2), (1, "b", 3), (2, "c", 4)])
    nf = NormalForm(lts)
    after_a = nf.node(nf.after(nf.root, "a"))
    assert after_a.states == frozenset({1, 2})
    assert after_a.initials == frozenset({"b", "c"})
    assert set(after_a.acceptances) == {frozenset({"b"}), frozenset({"c"})}


def test_divergent_node_is_flagged_and_terminating_state_accepts_only_tick():
    lts = LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "τ", 0), (0, "a", 2), (2, "✓", 2)])
    nf = NormalForm(lts)
    assert nf.node(nf.root).divergent
    assert nf.node(nf.root).acceptances == ()  # no stable state at all
    after = nf.node(nf.after(nf.root, "a"))
    assert not after.divergent and after.acceptances == (frozenset({"✓"}),)


def test_hidden_labels_are_tau_for_normalisation():
    lts = LTS.build(3, 0, ["h", "a"], [(0, "h", 1), (1, "a", 2)], hidden=["h"])
    nf = NormalForm(lts)
    assert nf.node(nf.root).states == frozenset({0, 1})
    assert nf.after(nf.root, "h") is None


@st.composite
def random_lts(draw) -> LTS:
    n = draw(st.integers(1, 5))
    state = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(state, st.sampled_from(["τ", "a", "b"]), state),
                         max_size=3 * n))
    return LTS.build(n, 0, ["a", "b"], rows)


@settings(max_examples=100, deadline=None)
@given(lts=random_lts())
def test_normal_lts_is_deterministic_tau_free_and_trace_equivalent(lts):
    normal = NormalForm(lts).to_lts()
    seen = set()
    for s, lab, _ in normal.triples():
        assert lab != "τ" and (s, lab) not in seen
        seen.add((s, lab))
    assert check_refinement(lts, normal, RefinementModel.TRACES).passed
    assert check_refinement(normal, lts, RefinementModel.TRACES).passed
