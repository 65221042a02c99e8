"""Priority over a network (lts/priority.py): the product's moves, both ways."""

from __future__ import annotations

import numpy as np
import pytest

from procalg.lts import LTS, explore
from procalg.lts.network import close, component, hide, parallel
from procalg.lts.priority import Filtered, Preemption, prioritise
from procalg.lts.product import explore_product
from procalg.lts.vectors import Tables

P = LTS.build(3, 0, ["a", "b", "c"], [(0, "a", 1), (0, "b", 1), (0, "c", 2), (1, "b", 2)])


def _labels(tables: Tables, codes, *, backward: bool = False) -> list[str]:
    _, _, lab = tables.successors(np.array(codes), backward=backward)
    return sorted(tables.labels[i] for i in lab)


def test_a_move_of_a_later_class_is_dropped_where_an_earlier_one_is_enabled():
    tables = Tables(close(prioritise(component(P), {"a": 0, "b": 1})))
    assert _labels(tables, [0]) == ["a", "c"]  # c is in no class: never held back
    assert _labels(tables, [1]) == ["b"]  # nothing better enabled there


def test_a_backward_step_follows_only_moves_priority_allows_in_their_source():
    tables = Tables(close(prioritise(component(P), {"a": 0, "b": 1})))
    assert _labels(tables, [1], backward=True) == ["a"]  # 0 -b-> 1 is pre-empted by a
    assert _labels(tables, [2], backward=True) == ["b", "c"]


def test_hiding_above_priority_keeps_each_rule_s_rank():
    # b hidden after the filter: its τ is still pre-empted by a, unlike a real τ
    net = close(hide(prioritise(component(P), {"a": 0, "b": 1}), {"b"}))
    lts = explore_product(net)
    assert sorted(lts.labels[lab] for lab, _ in lts.successors(lts.initial)) == ["a", "c"]


def test_tau_ranks_with_the_first_class():
    q = LTS.build(2, 0, ["a"], [(0, "τ", 1), (0, "a", 1)])
    tables = Tables(close(prioritise(component(q), {"a": 1})))
    assert _labels(tables, [0]) == ["τ"]


def test_a_network_is_prioritised_once():
    net = prioritise(parallel(component(P), component(P), {"a"}), {"a": 0})
    with pytest.raises(ValueError, match="once"):
        prioritise(net, {"b": 0})


LABELS = ("τ", "✓", "a", "b", "c")


def _kept(order: Preemption, moves: list[tuple[int, str]]) -> list[tuple[int, str]]:
    src = np.array([s for s, _ in moves], dtype=np.int64)
    lab = np.array([LABELS.index(x) for _, x in moves], dtype=np.int64)
    keep = order.allowed(LABELS, 1 + max(s for s, _ in moves), src, lab)
    return [m for m, k in zip(moves, keep, strict=True) if k]


def test_prioritise_as_a_relation_lets_tau_pre_empt_later_classes_only():
    order = Preemption.ranks({"a": 0, "b": 1})
    assert _kept(order, [(0, "τ"), (0, "a"), (0, "b"), (0, "c")]) == [(0, "τ"), (0, "a"),
                                                                      (0, "c")]
    assert _kept(order, [(0, "b"), (1, "a")]) == [(0, "b"), (1, "a")]  # per source state


def test_a_partial_order_pre_empts_only_the_events_it_relates():
    order = Preemption({"b": frozenset({"a"}), "c": frozenset({"τ", "✓"})})
    assert _kept(order, [(0, "a"), (0, "b"), (0, "c")]) == [(0, "a"), (0, "c")]
    assert _kept(order, [(0, "✓"), (0, "b"), (0, "c")]) == [(0, "✓"), (0, "b")]


def test_chase_keeps_each_state_s_first_tau_and_nothing_else_there():
    moves = [(0, "a"), (0, "τ"), (0, "τ"), (1, "b"), (1, "c"), (2, "τ")]
    assert _kept(Preemption.chasing(), moves) == [(0, "τ"), (1, "b"), (1, "c"), (2, "τ")]


def test_keep_filters_one_state_s_moves_as_the_array_filter_does():
    order = Preemption.ranks({"a": 0, "b": 1})
    labels = ("τ", "✓", "a", "b", "c")
    for offered in (["a", "b", "c"], ["b", "c"], ["τ", "b"], ["✓", "b", "c"], []):
        lab = np.array([labels.index(x) for x in offered], dtype=np.int64)
        mask = order.allowed(labels, 1, np.zeros(len(lab), dtype=np.int64), lab)
        kept = order.keep([(x, i) for i, x in enumerate(offered)])
        assert [x for x, _ in kept] == [x for x, ok in zip(offered, mask, strict=True) if ok]


def test_a_filtered_system_never_asks_for_the_states_only_pre_empted_moves_reach():
    asked: list[int] = []

    class Chain:  # 0 -a-> 1 -a-> ... and 0 -b-> 100 -b-> 101 ... (b is pre-empted at 0)
        def initial_state(self):
            return 0

        def successors(self, n):
            asked.append(n)
            if n == 0:
                return [("b", 100), ("a", 1)]
            return [("a", n + 1)] if n < 3 else [("b", n + 1)] if 100 <= n < 200 else []

    lts = explore(Filtered(Chain(), Preemption.ranks({"a": 0, "b": 1})))
    assert lts.num_states == 4 and sorted(asked) == [0, 1, 2, 3]
