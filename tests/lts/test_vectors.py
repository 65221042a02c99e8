"""Firing every single-table group in one gather gives the moves of firing them in turn."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import vectors
from procalg.lts.factor_tables import table_of_arrays
from procalg.lts.lts import LTS
from procalg.lts.network import Network, close, component, hide, rename
from procalg.lts.vectors import Tables
from tests.lts.test_product import EVENTS, _network, _philosophers, leaves, trees


def _moves(tables: Tables, codes: np.ndarray, backward: bool) -> list[tuple[int, int, int]]:
    src, dst, lab = tables.successors(codes, backward=backward)
    return sorted(zip(src.tolist(), dst.tolist(), lab.tolist(), strict=True))


def _reachable(tables: Tables) -> np.ndarray:
    seen = np.array([tables.initial], dtype=np.int64)
    while True:
        more = np.union1d(seen, tables.successors(seen)[1])
        if len(more) == len(seen):
            return seen
        seen = more


def _check_batch_matches_one_by_one(net: Network) -> None:
    tables = Tables(net)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(vectors, "_BATCH_CELLS", 0)  # every group fired on its own
        codes = _reachable(tables)
        alone = [_moves(tables, codes, backward) for backward in (False, True)]
    assert [_moves(tables, codes, backward) for backward in (False, True)] == alone


@settings(max_examples=60, deadline=None)
@given(trees())
def test_batched_groups_give_the_moves_of_firing_each_group(tree):
    _check_batch_matches_one_by_one(close(_network(tree)))


def test_philosophers_batch_their_single_table_groups_and_keep_every_move():
    net = _philosophers(4)
    batch = Tables(net)._batch[0]
    assert batch is not None and len(batch.groups) >= 2
    _check_batch_matches_one_by_one(net)


def _one_by_one(tables: Tables, c: int, rules, backward: bool):
    """The table a group of rules moving component ``c`` alone should get: each
    rule's moves in turn, in the component's transition order."""
    lts = tables.network.components[c]
    src, dst, tag = [], [], []
    for rule in rules:
        local = dict(rule.parts)[c]
        for s, lab, d in lts.triples():
            if lab == local:
                src.append(d if backward else s)
                dst.append(s if backward else d)
                tag.append(tables.tag(rule))
    s, d = np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64)
    return table_of_arrays(s, (d - s) * tables.layout.stride[c], np.array(tag, dtype=np.int64),
                           tables.layout.radix[c], (c,), (1,))


@settings(max_examples=80, deadline=None)
@given(leaves(), st.frozensets(st.tuples(st.sampled_from(EVENTS), st.sampled_from(EVENTS)),
                               max_size=4),
       st.frozensets(st.sampled_from(EVENTS)))
def test_a_group_moving_one_component_gets_each_rules_moves_in_turn(leaf, pairs, hidden):
    # one gather for a whole group (procalg/lts/local_moves) must give the rows,
    # in the order, that asking rule by rule gave: renamings make one local label
    # two rules, hiding makes rules with labels the component may lack
    net = close(hide(rename(component(leaf), pairs), hidden))
    tables = Tables(net)
    rules = list(net.rules)
    assert len(tables.forward) == (1 if rules else 0)
    for backward in (False, True) if rules else ():
        (built,) = tables.backward[0] if backward else tables.forward[0]
        want = _one_by_one(tables, 0, rules, backward)
        assert built.offsets.tolist() == want.offsets.tolist()
        assert built.delta.tolist() == want.delta.tolist()
        assert built.label.tolist() == want.label.tolist()


def test_a_wide_input_builds_its_tables_in_one_gather():
    # 10,000 rules on one component: rule by rule this took seconds
    n = 10_000
    leaf = LTS.build(2, 0, [f"c.{i}" for i in range(n)], [(0, f"c.{i}", 1) for i in range(n)])
    tables = Tables(close(component(leaf)))
    src, dst, lab = tables.successors(np.array([tables.initial]))
    assert len(src) == n and set(dst.tolist()) == {1}
    assert sorted(tables.labels[i] for i in lab.tolist()) == sorted(f"c.{i}" for i in range(n))


@pytest.mark.parametrize("parts", [((1, "a"), (1, "b")), ((0, "a"), (2, "b"), (0, "c"))])
def test_a_rule_moving_one_component_twice_is_refused_by_its_grouping(parts) -> None:
    from procalg.lts.network import SyncRule
    from procalg.lts.rule_groups import by_components

    with pytest.raises(ValueError, match="moves one component twice"):
        by_components((SyncRule("a", ((0, "a"),)), SyncRule("x", parts)))


def test_grouping_keeps_rule_order_within_each_component_set() -> None:
    from procalg.lts.network import SyncRule
    from procalg.lts.rule_groups import by_components

    rules = (SyncRule("a", ((2, "a"), (0, "a"))), SyncRule("b", ((0, "b"),)),
             SyncRule("c", ((0, "c"), (2, "c"))), SyncRule("d", ((3, "d"), (1, "d"), (2, "d"))))
    groups = {k: [r.label for r in v] for k, v in by_components(rules).items()}
    assert groups == {(0, 2): ["a", "c"], (0,): ["b"], (1, 2, 3): ["d"]}
