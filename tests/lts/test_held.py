"""Model errors held in the state that raised them (:mod:`procalg.lts.held`).

The product search raises a held error only where the reference, asking its goal
state by state in breadth-first order, would have expanded that state: not when a
goal's witness comes first, always in a search that must see every state.
"""

from __future__ import annotations

import pytest

from procalg.checks.deadlock import deadlock_goal
from procalg.checks.reachability import reachability_goal
from procalg.errors import LimitExceeded, ModelError
from procalg.lts.held import (
    HeldOrder,
    HeldPending,
    Holding,
    LevelHolds,
    held_error,
    held_label,
    is_held,
)
from procalg.lts.lts import LTS
from procalg.lts.network import close, component, parallel
from procalg.lts.product import count_states, explore_product, find_path


class _Broken:
    """0 -a-> 1, 0 -b-> 2; state ``bad`` raises; the others stop."""

    def __init__(self, bad: int, error: Exception | None = None) -> None:
        self.bad, self.error = bad, error or ModelError("broken here")

    def initial_state(self) -> int:
        return 0

    def successors(self, n: int) -> list[tuple[str, int]]:
        if n == self.bad:
            raise self.error
        return [("a", 1), ("b", 2)] if n == 0 else []


def _leaf(held_at: int, goal_at: int) -> LTS:
    """0 -a-> 1, 0 -b-> 2, 1 and 2 at one level: one of them holds the error,
    the other can do ``c`` (the goal)."""
    bad = held_label(ModelError("broken here"))
    return LTS.build(4, 0, ["a", "b", "c", bad],
                     [(0, "a", 1), (0, "b", 2), (held_at, bad, held_at), (goal_at, "c", 3)])


def test_a_state_whose_expansion_raises_holds_the_error_in_one_move_to_itself() -> None:
    system = Holding(_Broken(bad=1))
    assert system.successors(0) == [("a", 1), ("b", 2)]
    ((label, target),) = system.successors(1)
    assert is_held(label) and target == 1
    assert held_error(label).message == "broken here"


def test_the_same_error_gets_the_same_label_and_another_error_another() -> None:
    assert held_label(ModelError("x")) == held_label(ModelError("x"))
    assert held_label(ModelError("x")) != held_label(ModelError("y"))


def test_a_limit_is_never_held() -> None:
    with pytest.raises(LimitExceeded):
        Holding(_Broken(bad=1, error=LimitExceeded("too many"))).successors(1)


def test_a_goal_met_before_the_held_state_in_its_level_wins() -> None:
    found = find_path(close(component(_leaf(held_at=2, goal_at=1))), reachability_goal("c"))
    assert found.found and found.path == ("a", "c")


def test_a_held_state_before_the_goal_in_its_level_raises_its_error() -> None:
    with pytest.raises(ModelError, match="broken here"):
        find_path(close(component(_leaf(held_at=1, goal_at=2))), reachability_goal("c"))


def test_a_goal_in_an_earlier_level_wins_and_one_in_a_later_level_does_not() -> None:
    bad = held_label(ModelError("broken here"))
    early = LTS.build(3, 0, ["a", "c", bad], [(0, "c", 1), (0, "a", 2), (2, bad, 2)])
    assert find_path(close(component(early)), reachability_goal("c")).found
    late = LTS.build(3, 0, ["a", "c", bad], [(0, "a", 1), (1, "c", 2), (0, bad, 0)])
    with pytest.raises(ModelError, match="broken here"):
        find_path(close(component(late)), reachability_goal("c"))


def test_a_search_that_sees_every_state_raises_the_held_error() -> None:
    net = close(component(_leaf(held_at=2, goal_at=1)))
    with pytest.raises(ModelError, match="broken here"):
        count_states(net)
    with pytest.raises(ModelError, match="broken here"):
        explore_product(net)
    with pytest.raises(ModelError, match="broken here"):
        find_path(net, reachability_goal("d"))  # no goal to stop at first


def test_a_deadlock_search_that_finds_none_before_the_held_state_raises() -> None:
    bad = held_label(ModelError("broken here"))
    lts = LTS.build(2, 0, ["a", bad], [(0, "a", 1), (1, bad, 1)])
    with pytest.raises(ModelError, match="broken here"):
        find_path(close(component(lts)), deadlock_goal)


def test_in_a_network_a_held_error_in_the_goals_level_is_left_to_the_reference() -> None:
    partner = LTS.build(2, 0, ["d"], [(0, "d", 1), (1, "d", 1)])
    net = close(parallel(component(_leaf(held_at=2, goal_at=1)), component(partner), set()))
    with pytest.raises(HeldOrder):
        find_path(net, reachability_goal("c"))


def test_held_moves_pass_an_alphabetised_parallel_and_a_renaming() -> None:
    from procalg.lts.network import alpha_parallel, rename

    lts = _leaf(held_at=1, goal_at=2)
    bad = next(name for name in lts.labels if is_held(name))
    net = alpha_parallel(component(lts), component(lts), {"a", "b", "c"}, {"a", "b", "c"})
    net = rename(net, lambda label: [label.upper()])
    assert bad in close(net).labels


def _pending(message: str) -> HeldPending:
    return HeldPending(held_label(ModelError(message)))


def _raising(error: Exception):
    def result():
        raise error
    return result


def _hit(code: int):
    return lambda: (1, None, (code, "a"), 0)


def test_a_split_level_holding_an_error_and_a_witness_in_any_chunk_order_is_held_order():
    class _Scan:
        pending_held = True

    for first, second in ((_raising(_pending("x")), _hit(3)),
                          (_hit(3), _raising(_pending("x"))),
                          (_raising(_pending("x")), _raising(_pending("y")))):
        holds = LevelHolds(_Scan())
        holds.take(first)
        with pytest.raises(HeldOrder):
            holds.take(second)


def test_a_split_level_ends_with_its_only_error_or_its_first_witness():
    class _Scan:
        pending_held = True

    holds = LevelHolds(_Scan())
    assert holds.take(_raising(_pending("x"))) is None
    assert holds.take(lambda: (1, None, None, 0)) is not None and holds.done
    with pytest.raises(ModelError, match="x"):
        holds.end()
    holds = LevelHolds(_Scan())
    holds.take(_hit(3))
    holds.take(_hit(7))
    assert holds.end() == (3, "a")


def test_the_held_errors_of_a_model_go_when_the_model_goes() -> None:
    import gc

    from procalg.api import check_model, loads
    from procalg.lts import held
    from procalg.semantics.deep import run_deep

    def check() -> str:
        model = loads("channel a, f\nR = R \\ {f}\nP = (a -> R) ||| (a -> STOP)\n"
                      "assert P :[deadlock free]")
        (report,) = check_model(model)
        label = next(name for name in model.network("P").labels if is_held(name))
        assert held_error(label) is not None and report.error is not None
        return label

    def settled() -> int:
        run_deep(lambda: None)  # the evaluating thread keeps its last job until the next
        gc.collect()
        return len(held._BY_NUMBER)

    kept = settled()  # earlier tests' models gone too
    label = check()
    assert settled() == kept
    with pytest.raises(KeyError):
        held_error(label)


def test_the_same_error_of_two_owners_gets_two_labels() -> None:
    class Owner:
        pass

    first, second = Owner(), Owner()
    assert held_label(ModelError("x"), first) == held_label(ModelError("x"), first)
    assert held_label(ModelError("x"), first) != held_label(ModelError("x"), second)
