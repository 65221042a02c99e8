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
    # p moves by τ while the choice is open; q's b resolves it from either p state
    p = LTS.build(3, 0, ["t"], [(0, "τ", 1), (1, "τ", 0), (1, "t", 2)])
    q = LTS.build(2, 0, ["b"], [(0, "b", 1)])
    lts = explore_product(close(sync_choice(component(p), component(q), frozenset({"t"}))))
    assert lts.num_states == 3  # (0,0), (1,0) open; one state after b, p back at its start


def test_the_interrupter_takes_over_by_an_event_outside_the_set_only():
    p = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)])
    q = LTS.build(3, 0, ["t", "i"], [(0, "t", 1), (1, "i", 2)])
    lts = explore_product(close(sync_interrupt(component(p), component(q), frozenset({"t"}))))
    assert _first_labels(lts) == ["a"]  # t needs p too, which never offers it
