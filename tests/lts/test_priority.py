"""Priority over a network (lts/priority.py): the product's moves, both ways."""

from __future__ import annotations

import numpy as np
import pytest

from procalg.lts import LTS
from procalg.lts.network import close, component, hide, parallel
from procalg.lts.priority import prioritise
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
