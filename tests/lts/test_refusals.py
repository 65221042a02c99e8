"""Which normal-form nodes hold a member refusing what another accepts."""

from __future__ import annotations

import numpy as np

from procalg.lts import LTS
from procalg.lts.lts import TAU_INDEX, TICK_INDEX
from procalg.lts.network import close, component
from procalg.lts.refusals import clash_event, clashes
from procalg.lts.vectors import Tables

A, B = 2, 3  # label indices after τ and ✓


def _clash(node, moves, n):
    node = np.array(node)
    src = np.array([m for m, _ in moves], dtype=np.int64)
    lab = np.array([x for _, x in moves], dtype=np.int64)
    alone = np.bincount(node, minlength=n)[node] == 1
    return clashes(node, src, lab, n, alone, 4).tolist()


def test_a_stable_member_offering_less_than_its_node_clashes():
    assert _clash([0, 0], [(0, A), (0, B), (1, A)], 1) == [True]


def test_an_unstable_member_refuses_nothing():
    assert _clash([0, 0], [(0, A), (0, B), (1, A), (1, TAU_INDEX)], 1) == [False]


def test_a_member_that_can_terminate_refuses_every_other_event_even_alone():
    assert _clash([0], [(0, A), (0, TICK_INDEX)], 1) == [True]
    assert _clash([0], [(0, TICK_INDEX)], 1) == [False]


def test_the_clash_event_is_the_least_by_name_that_one_member_refuses():
    # 0 offers a and b, 1 offers b only: b is offered by both, so a (named after b in
    # the label table, before it by name) is the clash; with 2 (offering c), b clashes too
    lts = LTS.build(3, 0, ["c", "b", "a"], [(0, "a", 0), (0, "b", 0), (1, "b", 1),
                                            (2, "c", 2)])
    tables = Tables(close(component(lts)))
    assert clash_event(tables, tables.layout.cast([0, 1])) == "a"
    assert clash_event(tables, tables.layout.cast([1, 2])) == "b"


def test_a_member_that_can_terminate_makes_every_other_event_a_clash():
    lts = LTS.build(3, 0, ["b"], [(0, "b", 0), (1, "τ", 1), (1, "✓", 2)])
    tables = Tables(close(component(lts)))
    assert clash_event(tables, tables.layout.cast([0, 1])) == "b"
