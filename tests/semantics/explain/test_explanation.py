"""Counterexamples explained: hand-derived tables for components that appear and end
along the path, the order workflow's deadlock, the philosophers, and sagas."""

from __future__ import annotations

from pathlib import Path

import pytest

from procalg.api import load, loads
from procalg.errors import ProcalgError
from procalg.lts import TAU
from procalg.semantics.explain import explain
from procalg.semantics.sos import Rules
from procalg.terms import (
    SKIP,
    STOP,
    Event,
    Hide,
    InternalChoice,
    Parallel,
    Prefix,
    Rename,
    Seq,
)

MODELS = Path(__file__).resolve().parents[3] / "models"
PHILOSOPHERS = """\
N = 3
Id = {0..N-1}
channel think, eat : Id
channel pick, put : Id.Id
Phil(i) = think.i -> pick.i.i -> pick.i.((i+1)%N) -> eat.i
          -> put.i.i -> put.i.((i+1)%N) -> Phil(i)
Fork(j) = pick.j.j -> put.j.j -> Fork(j)
       [] pick.((j+N-1)%N).j -> put.((j+N-1)%N).j -> Fork(j)
System = (||| i : Id @ Phil(i)) [| {| pick, put |} |] (||| j : Id @ Fork(j))
"""
a, b, c, h = Event("a"), Event("b"), Event("c"), Event("h")


def stuck(moves) -> bool:
    return not moves


def _explain(model, process: str, path, **kw):
    return explain(model.spec.rules(), model.process(process), path, **kw)


def test_the_broken_order_deadlocks_with_fulfil_finished_and_billing_waiting_for_ship() -> None:
    # Broken = receive -> validate -> ((Fulfil [| {ship} |] BrokenBilling) ; ship -> ...):
    # the parallel appears after validate; Fulfil ends (✓, Ω); BrokenBilling, after charge,
    # wants ship, which needs Fulfil too, and Fulfil never does ship
    model = load(MODELS / "order_workflow.proc")
    path = ("receive", "validate", "pick", "pack", TAU, "charge")
    ex = _explain(model, "Broken", path, goal=stuck)
    assert ex.exact and ex.steps == path
    broken, fulfil, billing = ex.components
    assert (broken.name, broken.trace, broken.span, broken.alive) == (
        "Broken", ("receive", "validate"), (0, 1), False)
    assert (fulfil.name, fulfil.trace, fulfil.final, fulfil.alive) == (
        "Fulfil", ("pick", "pack", "✓"), "Ω", True)
    assert fulfil.span == billing.span == (2, 6)
    assert (billing.name, billing.trace, billing.offers) == ("BrokenBilling", ("charge",),
                                                             ("ship",))
    assert [c[1] for c in ex.columns] == [None, None, "pick", "pack", "✓", None]
    ((blocked,),) = [ex.blocked]
    assert (blocked.event, blocked.wanted_by, blocked.blocked_by, blocked.reason) == (
        "ship", ("BrokenBilling",), ("Fulfil",), "never")


def test_components_of_the_second_part_of_a_sequence_are_new_ones() -> None:
    # a -> ((b -> SKIP ||| c -> SKIP) ; (a -> STOP [| {a} |] b -> STOP)): one component,
    # then two, then (after both ✓ and the τ of ;) two new ones; after b the left one
    # wants a, which the right one (now STOP) never does
    second = Parallel(Prefix(a, STOP), Prefix(b, STOP), frozenset({a}))
    term = Prefix(a, Seq(Parallel(Prefix(b, SKIP), Prefix(c, SKIP)), second))
    path = ("a", "b", "c", TAU, TAU, TAU, "b")
    ex = explain(Rules(None), term, path, goal=stuck)
    spans = [(x.name, x.span, x.alive) for x in ex.components]
    assert ex.components[0].name == str(term)[:39] + "…"  # long terms are cut
    assert spans[1:] == [("b -> SKIP", (1, 5), False),
                     ("c -> SKIP", (1, 5), False), ("a -> STOP", (6, 7), True),
                     ("b -> STOP", (6, 7), True)]
    assert spans[0][1:] == ((0, 0), False)
    assert ex.columns[3] == (None, "✓", None, None, None)
    assert ex.columns[5] == (None,) * 5  # Ω ||| Ω terminates: nobody's event
    assert [(x.event, x.blocked_by, x.reason) for x in ex.blocked] == [
        ("a", ("b -> STOP",), "never")]


def test_the_philosophers_deadlock_is_each_holding_the_left_fork_blocked_by_the_next() -> None:
    path = ("think.0", "pick.0.0", "think.1", "pick.1.1", "think.2", "pick.2.2")
    ex = _explain(loads(PHILOSOPHERS), "System", path, goal=stuck)
    comps = {x.name: x for x in ex.components}
    assert list(comps) == ["Phil(0)", "Phil(1)", "Phil(2)", "Fork(0)", "Fork(1)", "Fork(2)"]
    for i in range(3):
        assert comps[f"Phil({i})"].trace == (f"think.{i}", f"pick.{i}.{i}")
        assert comps[f"Phil({i})"].offers == (f"pick.{i}.{(i + 1) % 3}",)
        assert comps[f"Fork({i})"].offers == (f"put.{i}.{i}",)
    blocked = {(x.event, x.wanted_by, x.blocked_by, x.reason) for x in ex.blocked}
    assert blocked == (
        {(f"pick.{i}.{(i + 1) % 3}", (f"Phil({i})",), (f"Fork({(i + 1) % 3})",), "waits")
         for i in range(3)}
        | {(f"put.{i}.{i}", (f"Fork({i})",), (f"Phil({i})",), "waits") for i in range(3)})
    assert ex.columns[1] == ("pick.0.0", None, None, "pick.0.0", None, None)


def test_a_declared_alphabet_names_the_blocker_and_holds_back_events_outside_it() -> None:
    # (a -> STOP) [{b} || {b}] (b -> STOP): a is outside the left side's alphabet, and
    # b, in both alphabets, waits for the left side, whose declared alphabet has it
    model = loads("channel a, b\nP = a -> STOP\nQ = b -> STOP\nS = P [{b} || {b}] Q\n")
    ex = _explain(model, "S", (), goal=stuck)
    assert [(x.event, x.wanted_by, x.blocked_by, x.reason) for x in ex.blocked] == [
        ("a", ("P",), (), "alphabet"), ("b", ("Q",), ("P",), "waits")]


def test_renaming_inside_the_other_side_is_applied_to_its_alphabet() -> None:
    # c -> STOP [| {c} |] ((x -> a -> STOP)[[a <- c]] ||| b -> STOP): c waits for the renamed
    # component (its a is c here), not for b -> STOP
    model = loads("channel a, b, c, x\nR = x -> a -> STOP\nT = b -> STOP\n"
                  "S = c -> STOP [| {c} |] (R[[a <- c]] ||| T)\n")
    ex = _explain(model, "S", (), goal=lambda moves: True)
    ((blocked,),) = [[x for x in ex.blocked if x.event == "c"]]
    assert (blocked.wanted_by, blocked.blocked_by, blocked.reason) == (
        ("c -> STOP",), ("R",), "waits")


def test_an_event_renamed_or_hidden_outside_the_parallel_gives_its_outer_name() -> None:
    inner = Parallel(Prefix(a, STOP), Prefix(b, STOP), frozenset({a}))
    renamed = explain(Rules(None), Rename(inner, frozenset({(a, c)})), ())
    hidden = explain(Rules(None), Hide(Prefix(h, inner), frozenset({a})), ("h",))
    assert [(x.event, x.outer) for x in renamed.blocked] == [("a", "c")]
    assert [(x.event, x.outer) for x in hidden.blocked] == [("a", TAU)]


def test_the_goal_chooses_among_the_ends_tau_makes_ambiguous() -> None:
    term = InternalChoice(Prefix(a, STOP), Prefix(a, Prefix(b, STOP)))
    done = explain(Rules(None), term, (TAU, "a"), goal=stuck)
    going = explain(Rules(None), term, (TAU, "a"), goal=lambda moves: bool(moves))
    assert done.components[0].final == "STOP" and done.components[0].offers == ()
    assert going.components[0].final == "b -> STOP" and going.components[0].offers == ("b",)


def test_a_path_that_does_not_replay_exactly_is_replayed_by_its_visible_events() -> None:
    term = Hide(Prefix(h, Prefix(a, STOP)), frozenset({h}))
    ex = explain(Rules(None), term, ("a",))
    assert not ex.exact
    assert ex.steps == (TAU, "a") and ex.columns == (("h",), ("a",))


def test_a_divergence_shows_which_component_loops() -> None:
    model = loads("channel a, b\nX = a -> X\nY = b -> Y\n")
    ex = _explain(model, "(X ||| Y) \\ {a}", (), cycle=True)
    assert ex.cycle_steps == (TAU,) and ex.cycle_columns == (("a", None),)
    assert [x.name for x in ex.components] == ["X", "Y"]


def test_renaming_shows_the_components_own_event_names() -> None:
    term = Rename(Parallel(Prefix(a, STOP), Prefix(b, STOP)), frozenset({(a, c)}))
    ex = explain(Rules(None), term, ("c",))
    assert ex.steps == ("c",) and ex.columns == (("a", None),)


def test_an_impossible_path_is_an_error() -> None:
    with pytest.raises(ProcalgError, match="cannot replay"):
        explain(Rules(None), Prefix(a, STOP), ("b",))


def test_a_stranded_saga_step_is_named_in_the_notes() -> None:
    model = load(MODELS / "broken_saga.proc")
    path = ("reserve", TAU, "charge", TAU, "fail.ship", "compensate", "stranded.charge")
    ex = _explain(model, "Order", path, exact=False)
    assert ex.steps[-1] == "stranded.charge"
    assert "activity ship failed (fail.ship)" in ex.notes
    assert ex.notes[-1] == ("the rollback reached step charge, which completed and has no "
                            "undo: it stays done")


def test_a_compensation_that_throws_is_named_with_the_failure_that_made_it_throw() -> None:
    model = load(MODELS / "broken_saga.proc")
    path = ("reserve", "charge", "fail.ship", "compensate", "fail.refund", "unreverted.charge")
    ex = _explain(model, "Shaky", path, exact=False)
    assert ex.notes[-1] == "the compensation of step charge threw (fail.refund): charge stays done"
    (only,) = ex.components
    assert only.trace == path and only.offers == ("throw",)


def test_a_parallel_saga_splits_into_its_branches() -> None:
    # a undo ua ||| b undo ub inside a saga: two components; b fails, the saga rolls back
    model = loads("activity a, b\nactivity ua, ub never fails\n"
                  "S = saga (a undo ua ||| b undo ub)\n")
    ex = _explain(model, "S", ("a", "fail.b", "compensate"), exact=False)
    first, second = ex.components[:2]
    assert (first.name, second.name) == ("step a", "step b")  # not their long terms
    assert first.trace[0] == "a" and "fail.b" in second.trace
    assert not first.alive and not second.alive  # the rollback replaced the body
    assert "the saga rolls back: the compensations of its completed steps run" in ex.notes
