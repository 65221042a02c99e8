"""Synchronising choice and interrupt as control components (lts/control_sync.py)."""

from __future__ import annotations

from procalg.lts import LTS
from procalg.lts.control_sync import sync_choice, sync_interrupt
from procalg.lts.network import close, component
from procalg.lts.product import explore_product


def _first_labels(lts: LTS) -> list[str]:
    return sorted(lts.labels[lab] for lab, _ in lts.successors(lts.initial))


def test_a_shared_event_moves_both_sides_and_leaves_the_choice_open():
    p = LTS.build(3, 0, ["t", "a"], [(0, "t", 1), (1, "a", 2)])
    q = LTS.build(3, 0, ["t", "b"], [(0, "t", 1), (1, "b", 2)])
    lts = explore_product(close(sync_choice(component(p), component(q), frozenset({"t"}))))
    assert _first_labels(lts) == ["t"]  # once, together
    (after,) = [d for _, d in lts.successors(lts.initial)]
    assert sorted(lts.labels[lab] for lab, _ in lts.successors(after)) == ["a", "b"]


def test_the_losing_side_is_reset_so_each_resolved_state_is_one():
    # both sides loop on the shared t; a or b resolves from either phase of the loop
    p = LTS.build(3, 0, ["t", "a"], [(0, "t", 1), (1, "t", 0), (0, "a", 2), (1, "a", 2)])
    q = LTS.build(2, 0, ["t", "b"], [(0, "t", 1), (1, "t", 0), (1, "b", 1)])
    lts = explore_product(close(sync_choice(component(p), component(q), frozenset({"t"}))))
    # (0,0), (1,1) undecided; after a: p's 2 with q reset; after b: q's 1 with p
    # reset, and q goes on alone with t (to its 0): 5, not a copy per stale p state
    assert lts.num_states == 5


def test_the_interrupter_takes_over_by_an_event_outside_the_set_only():
    p = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)])
    q = LTS.build(3, 0, ["t", "i"], [(0, "t", 1), (1, "i", 2)])
    lts = explore_product(close(sync_interrupt(component(p), component(q), frozenset({"t"}))))
    assert _first_labels(lts) == ["a"]  # t needs p too, which never offers it
