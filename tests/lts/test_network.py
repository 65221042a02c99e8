"""Network builders: each operator becomes the synchronisation rules of UCS ch. 9."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import LTS, TAU, TICK
from procalg.lts.network import (
    DONE,
    HELD,
    Network,
    SyncRule,
    alpha_parallel,
    close,
    component,
    hide,
    parallel,
    reduce_components,
    rename,
)


def _leaf(*labels: str) -> Network:
    return component(LTS.build(2, 0, [], [(0, a, 1) for a in labels]))


def _rules(net: Network) -> set[tuple[str, tuple]]:
    return {(r.label, r.parts) for r in net.rules}


def test_synchronised_events_need_both_sides_and_the_rest_interleave():
    net = close(parallel(_leaf("a", "b"), _leaf("a", "c"), {"a"}))
    assert _rules(net) == {("a", ((0, "a"), (1, "a"))), ("b", ((0, "b"),)),
                           ("c", ((1, "c"),))}


def test_a_synchronised_event_one_side_lacks_is_blocked():
    net = close(parallel(_leaf("a", "b"), _leaf("c"), {"a"}))
    assert _rules(net) == {("b", ((0, "b"),)), ("c", ((1, "c"),))}


def test_alphabetised_parallel_confines_each_side_to_its_alphabet():
    net = close(alpha_parallel(_leaf("a", "b"), _leaf("a", "c"), {"a"}, {"a", "c"}))
    assert _rules(net) == {("a", ((0, "a"), (1, "a"))), ("c", ((1, "c"),))}


def test_hiding_turns_events_into_tau_but_never_tick():
    net = close(hide(_leaf("a", "b", TICK), {"a", TICK}))
    assert _rules(net) == {(TAU, ((0, "a"),)), ("b", ((0, "b"),)), (TICK, ((0, TICK),))}


def test_renaming_is_a_relation_and_leaves_unmentioned_events_alone():
    net = close(rename(_leaf("a", "b"), {("a", "x"), ("a", "y")}))
    assert _rules(net) == {("x", ((0, "a"),)), ("y", ((0, "a"),)), ("b", ((0, "b"),))}


def test_a_sides_tick_is_a_tau_and_both_done_make_the_nodes_tick():
    net = parallel(_leaf(TICK), _leaf(TICK), set())
    assert len(net) == 3  # two leaves and the node's termination component
    assert (TAU, ((0, TICK),)) in _rules(net) and (TAU, ((1, TICK),)) in _rules(net)
    assert (TICK, ((0, DONE), (1, DONE), (2, TICK))) in _rules(net)
    assert all(r.label != DONE for r in close(net).rules)


def test_no_termination_component_when_one_side_cannot_terminate():
    assert len(parallel(_leaf(TICK), _leaf("a"), set())) == 2


def test_omega_gets_a_done_loop_so_reduction_keeps_it_apart_from_stop():
    # a -> STOP [] b -> SKIP: after a (STOP) and after b's ✓ (Ω) differ only by Ω
    lts = LTS.build(4, 0, [], [(0, "a", 1), (0, "b", 2), (2, TICK, 3)])
    reduced = reduce_components(close(component(lts)))
    assert reduced.components[0].num_states == 4
    assert "strong bisimulation" in reduced.notes[-1]


def test_rules_naming_missing_components_are_rejected():
    with pytest.raises(ValueError, match="component 3"):
        Network((LTS.build(1, 0, [], []),), (SyncRule("a", ((3, "a"),)),))


class _CountedLabel(str):
    """A label counting the comparisons and hashes made of it: the work of composing."""

    calls = 0

    def __eq__(self, other: object) -> bool:
        _CountedLabel.calls += 1
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        _CountedLabel.calls += 1
        return str.__ne__(self, other)

    def __hash__(self) -> int:
        _CountedLabel.calls += 1
        return str.__hash__(self)


def test_composing_on_many_shared_labels_does_work_linear_in_the_rules() -> None:
    # each shared label used to scan every rule of both sides: 30 s for 2 000 labels.
    # Counted, not timed (a time ratio failed under load): the scan compared n x n labels
    def work(n: int) -> int:
        labels = [_CountedLabel(f"e.{i}") for i in range(n)]
        left, right = _leaf(*labels), _leaf(*labels)
        _CountedLabel.calls = 0
        net = parallel(left, right, labels)
        assert len([r for r in net.rules if r.label.startswith("e.")]) == n
        return _CountedLabel.calls

    small, big = work(300), work(3000)
    assert 0 < big < 20 * small  # linear: 10x the labels, about 10x the work (quadratic: 100x)


def test_a_network_lists_its_labels_once() -> None:
    net = parallel(_leaf("a", "b"), _leaf("b", "c"), {"b"})
    assert net.labels is net.labels
    assert net.labels[:2] == (TAU, TICK) and set(net.labels[2:]) == {"a", "b", "c"}


def test_a_chain_of_compositions_numbers_each_leafs_parts_as_a_checked_network() -> None:
    # the compositions skip the range check (their parts come from checked networks)
    # the result must be what a checked network holds
    net = _leaf("a", "x")
    for i in range(1, 6):
        net = alpha_parallel(_leaf("a", f"y{i}"), net, {"a", f"y{i}"}, {"a", "x"} | {
            f"y{j}" for j in range(1, i)})
    joint = [r.parts for r in net.rules if r.label == "a"]
    assert joint == [tuple((c, "a") for c in range(6))]
    assert {r.parts for r in net.rules if r.label != "a"} == {
        ((5, "x"),), *(((5 - i, f"y{i}"),) for i in range(1, 6))}
    checked = Network(net.components, net.rules, net.notes, net.loose)
    assert checked == net and hide(net, {"a"}).labels == hide(checked, {"a"}).labels


def _omega_loops_by_triples(lts: LTS) -> set[tuple[int, str, int]]:
    """Roscoe's Ω rule written out on triples: ✓ leads to a sink that loops on DONE."""
    triples = set(lts.triples())
    targets = {d for _, lab, d in triples if lab == TICK}
    if targets & {s for s, _, _ in triples}:
        triples = {(s, lab, lts.num_states if lab == TICK else d) for s, lab, d in triples}
        targets = {lts.num_states}
    return triples | {(t, DONE, t) for t in targets}


@settings(max_examples=120, deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(st.just(n), st.lists(st.tuples(
    st.integers(0, n - 1), st.sampled_from(["a", TAU, TICK]), st.integers(0, n - 1)),
    max_size=8))))
def test_a_component_gives_its_tick_targets_done_loops_as_roscoes_rule_says(drawn) -> None:
    n, triples = drawn
    lts = LTS.build(n, 0, ["a"], triples)
    (leaf,) = component(lts).components
    assert set(leaf.triples()) == _omega_loops_by_triples(lts)
    assert leaf.num_states == n + (leaf.num_states > n)


def _composed_as_written(left: Network, right: Network, shared: set[str],
                         left_alpha: set[str] | None, right_alpha: set[str] | None
                         ) -> tuple[SyncRule, ...]:
    """UCS ch. 9's rules in the order s30-base made them: each side's passing rules
    (a ✓ as τ), the joint ones by sorted label, then termination; duplicates once."""
    by, scopes = len(left), len(left.scopes)
    rshift = [SyncRule(r.label, tuple((c + by, a) for c, a in r.parts), r.rank,
                       tuple((k + scopes, b) for k, b in r.guards)) for r in right.rules]
    rules = []
    for side, alpha in ((list(left.rules), left_alpha), (rshift, right_alpha)):
        for r in side:
            if r.label == TICK:
                rules.append(SyncRule(TAU, r.parts, None, r.guards))
            elif r.label == TAU or (r.label not in shared and r.label != DONE and (
                    alpha is None or r.label in alpha or r.label.startswith(HELD))):
                rules.append(r)
    for a in sorted(shared):
        rules += [SyncRule(a, lr.parts + rr.parts, None, lr.guards + rr.guards)
                  for lr in left.rules if lr.label == a for rr in rshift if rr.label == a]
    ldone = [r for r in left.rules if r.label == DONE]
    rdone = [r for r in rshift if r.label == DONE]
    if ldone and rdone:
        t = len(left) + len(right)
        rules += [SyncRule(TICK, lr.parts + rr.parts + ((t, TICK),)) for lr in ldone
                  for rr in rdone]
        rules.append(SyncRule(DONE, ((t, DONE),)))
    return tuple(dict.fromkeys(rules))


_LABELS = ["a", "b", "c", TAU, TICK, DONE, f"{HELD}x"]


@st.composite
def _hand_made(draw: st.DrawFn) -> Network:
    """A network of 1-2 one-state components whose rules repeat labels, parts and
    ranks (a ✓ beside a τ of the same parts, two ranks of one move, guards)."""
    n = draw(st.integers(1, 2))
    comps = tuple(LTS.build(1, 0, [], []) for _ in range(n))
    rules = draw(st.lists(st.builds(
        SyncRule, st.sampled_from(_LABELS),
        st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(_LABELS)),
                 min_size=1, max_size=2).map(tuple),
        st.sampled_from([None, 0, 1]),
        st.lists(st.tuples(st.integers(0, 0), st.sampled_from("ab")), max_size=1).map(tuple)),
        max_size=8))
    return Network(comps, tuple(rules))


@settings(max_examples=300, deadline=None)
@given(_hand_made(), _hand_made(), st.sets(st.sampled_from("abc")),
       st.sampled_from([None, {"a"}, {"a", "b"}]), st.sampled_from([None, {"b"}, {"a", "c"}]))
def test_composing_makes_the_rules_ucs_writes_in_the_same_order(
        left, right, shared, left_alpha, right_alpha) -> None:
    # s30 dedupes only what can repeat and shifts only the right rules that pass:
    # the rules, and their order (POR seeds, fired order), must be what they were
    from procalg.lts.network import _compose

    composed = _compose(left, right, set(shared), left_alpha, right_alpha)
    assert composed.rules == _composed_as_written(left, right, set(shared), left_alpha,
                                                  right_alpha)
