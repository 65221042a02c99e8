"""A run of a parallel over narrow channels steps on the compiled machine, as on terms.

A run's compiled machine steps ``P [| A |] Q`` and ``P ||| Q`` (``semantics/
linear_parallel``) when every channel has at most ``linear_parallel.RUN_EVENTS``
events; with a wider one the parallel stays on the term path, which makes only
the taken label's target (``tests/runtime/test_nested_inputs.py``). The oracle is
the term path (``CompiledStates.of`` returning None): every reachable state has the
same labels and each label's targets the same terms in the same order, and runs
driven by random signals record the same histories and answer the same queries,
through synchronised inputs, interleaved equal events (a label with two targets),
activities on both sides and distributed termination.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import run as api
from procalg.api import workflow as api_workflow
from procalg.api.model import loads
from procalg.runtime.clock import VirtualClock
from procalg.runtime.memory import MemoryLog
from tests.runtime.test_compiled_states_choices import _on_terms, walk_beside_the_term_rules

PARALLEL = """signal go : {0..3}
signal stop
activity log : {0..3} never fails
Left(n) = go?x:{y | y <- {0..3}, y != n} -> log.x -> Left(x) [] stop -> SKIP
Right(m) = go?x -> Right(x) [] go.m -> log.m -> Right(m) [] stop -> SKIP
Both = Left(0) [| {| go, stop |} |] Right(1)
Apart = Left(0) ||| Right(2)
Nested = (Left(1) [| {| stop |} |] Right(0)) ; log.0 -> SKIP
"""
PROCESSES = ["Both", "Apart", "Nested"]


def _engine() -> api.Engine:
    return api.engine(MemoryLog(), activities={"log": lambda *a: None}, clock=VirtualClock())


def _drive(run: api.Run, moves: list[int]) -> None:
    for x in moves:
        if f"go.{x}" in run.query().signals:
            run.signal("go", x)
    while "stop" in run.query().signals:
        run.signal("stop")


@settings(max_examples=10, deadline=None)
@given(process=st.sampled_from(PROCESSES))
def test_every_state_of_a_parallel_run_has_the_term_rules_targets_in_their_order(
        process: str) -> None:
    api_workflow._MACHINES.clear()
    seen, several = walk_beside_the_term_rules(api.workflow(loads(PARALLEL), process), 200)
    assert seen > 5
    assert several > 0 or process != "Apart"  # go.2 of both sides: two targets
    api_workflow._MACHINES.clear()


@settings(max_examples=20, deadline=None)
@given(process=st.sampled_from(PROCESSES), moves=st.lists(st.integers(0, 3), max_size=8))
def test_parallel_runs_record_the_same_history_on_both_paths(
        process: str, moves: list[int]) -> None:
    api_workflow._MACHINES.clear()
    compiled = api.start(loads(PARALLEL), process, store=_engine())
    _drive(compiled, moves)
    state = compiled.engine.state(compiled.id)
    assert state.machine.is_compiled(state.machine.initial(state.workflow))
    patch = _on_terms()
    try:
        on_terms = api.start(loads(PARALLEL), process, store=_engine())
        _drive(on_terms, moves)
    finally:
        patch.undo()
        api_workflow._MACHINES.clear()
    assert [repr(e) for e in compiled.history()] == [repr(e) for e in on_terms.history()]
    assert compiled.query() == on_terms.query()
    assert str(compiled.status) == str(on_terms.status) == "completed"


def test_a_parallel_over_a_wide_channel_stays_on_the_term_path() -> None:
    wide = PARALLEL.replace("signal go : {0..3}", "signal go : {0..999}")
    wf = api.workflow(loads(wide), "Both")
    node = wf.machine.node(wf.machine.initial(wf))
    assert node.term is not None  # the term rules' state: only a taken label's target made
    api_workflow._MACHINES.clear()
