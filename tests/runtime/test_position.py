"""A run's position (runtime/position.py): branches with parameters, offers, timers,
compensations in order; a read that records nothing."""

from __future__ import annotations

from hypothesis import given, settings

from procalg.api import run as api
from procalg.lts import TAU, TICK
from procalg.runtime.clock import VirtualClock
from procalg.runtime.decide import RunState
from procalg.runtime.position import branches, position
from procalg.runtime.workflow import TermSystem, Workflow
from procalg.semantics.sos import Rules, transitions
from procalg.terms import SKIP, STOP, Call, Event, Parallel, Prefix
from procalg.terms.values import sort_key
from tests.semantics.test_sos_laws import terms

from .conftest import model


def _bank(clock: VirtualClock):
    return api.start(model("account"), "Bank", activities={"payout": lambda b: None},
                     store="memory:", clock=clock, run_id="bank")


def test_a_query_names_each_parallel_branch_with_its_parameter_values(
        clock: VirtualClock) -> None:
    run = _bank(clock)
    run.signal("deposit", 3)
    run.signal("deposit", 2)
    pos = run.query()
    assert [(b.process, b.params, b.args, b.inside) for b in pos.branches] == [
        ("Account", ("b",), (5,), False), ("Clerk", ("n",), (2,), False)]
    assert pos.status == "waiting"


def test_a_query_offers_what_the_term_rules_offer_and_the_timer_with_its_deadline(
        clock: VirtualClock) -> None:
    run = _bank(clock)
    run.signal("deposit", 1)
    clock.advance("1d")
    pos = run.query()
    state = run.engine.state(run.id)
    oracle = sorted({lab for lab, _ in state.workflow.system.successors(state.term)
                     if lab not in (TAU, TICK)}, key=sort_key)
    assert pos.offered == tuple(map(str, oracle))
    assert "withdraw.1" in pos.signals and "withdraw.2" not in pos.signals
    assert pos.timers == (("statement", 30 * 86400.0),)  # started at 0, unmoved by the query


def test_a_query_records_nothing(clock: VirtualClock) -> None:
    run = _bank(clock)
    before = run.history()
    run.query()
    run.query()
    assert run.history() == before


def test_a_branch_part_way_through_a_body_names_the_call_it_is_inside(
        clock: VirtualClock) -> None:
    run = _bank(clock)
    run.signal("deposit", 4)
    state = run.engine.state(run.id)
    after_close = next(t for lab, t in state.moves() if lab == Event("close"))
    there = RunState(state.workflow, state.machine.intern(after_close))  # before payout
    while there.node().internal is not None:  # the clerk's SKIP terminates first (a τ)
        there.sid = there.node().targets[there.node().internal][0]
    pos = position(there, clock.now())
    assert [(b.process, b.args, b.inside) for b in pos.branches] == [
        ("Account", (4,), True), ("", (), False)]  # the clerk's branch has ended
    assert pos.activities == ("payout.4",)


def test_a_saga_waiting_to_retry_shows_the_compensations_a_throw_would_run_last_first(
        clock: VirtualClock) -> None:
    def ship() -> None:
        raise ConnectionError("down")

    acts = {"reserve": lambda: None, "charge": lambda: None, "ship": ship,
            "release": lambda: None, "refund": lambda: None}
    run = api.start(model("order_saga"), "Order", activities=acts, store="memory:",
                    clock=clock, run_id="o")
    pos = run.query()
    assert [(c.step, c.process) for c in pos.compensations] == [
        ("charge", "refund -> SKIP"), ("reserve", "release -> SKIP")]
    assert not pos.rolling_back
    assert pos.retries == (("ship", 2.0),)
    assert [(b.process, b.inside) for b in pos.branches] == [("Order", True)]


def test_a_finished_run_has_no_offers_and_a_terminated_term(clock: VirtualClock) -> None:
    run = _bank(clock)
    run.signal("close")
    pos = run.query()
    assert pos.status == "completed" and pos.offered == () and pos.signals == ()
    assert pos.compensations == ()


def test_a_hand_built_term_without_unfoldings_has_an_unnamed_branch() -> None:
    wf = Workflow(TermSystem(Parallel(Prefix(Event("a"), STOP), Prefix(Event("b"), SKIP))))
    pos = position(RunState.initial(wf), now=0.0)
    assert [(b.process, b.term) for b in pos.branches] == [("", "a -> STOP"), ("", "b -> SKIP")]


def test_branches_split_parallel_left_to_right_and_call_bodies_name_their_call() -> None:
    bodies = {Call("A", (1,)): Prefix(Event("a"), SKIP), Call("B", (2,)): Prefix(Event("b"), SKIP)}
    term = Parallel(Parallel(Call("A", (1,)), Call("B", (2,))), Prefix(Event("c"), STOP))
    system = TermSystem(term, Rules(bodies.get))
    pos = position(RunState.initial(Workflow(system)), now=0.0)
    assert [(b.process, b.args) for b in pos.branches] == [("A", (1,)), ("B", (2,)), ("", ())]
    assert len(branches(system.initial_state())) == 3


@settings(max_examples=80, deadline=None)
@given(term=terms)
def test_on_random_terms_a_position_offers_the_events_the_term_rules_offer(term) -> None:
    state = RunState.initial(Workflow(TermSystem(term)))
    before = (state.sid, state.seq)
    pos = position(state, now=0.0)
    oracle = sorted({lab for lab, _ in transitions(state.term, None) if isinstance(lab, Event)},
                    key=sort_key)
    assert pos.offered == tuple(map(str, oracle))
    assert pos.branches and (state.sid, state.seq) == before  # read only
