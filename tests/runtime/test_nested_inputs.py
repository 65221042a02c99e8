"""States with inputs under operators, compiled lazily, step like the term rules (the oracle).

``runtime/nested_inputs.py`` compiles a state whose inputs stand under ``[]``,
``|||``, ``[| |]``, ``;``, sagas, interrupt, timeout or hiding from the events
those inputs offer, and evaluates a continuation when a run takes its event.
Random workflow-shaped models (those operators nested over input prefixes of
activities, signals and plain channels, one- and two-field inputs,
restrictions, fallible activities, calls) are compared state by state with
the term rules: the batch of calls first, then every target in the canonical
order, the moves and the internal move.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import run as api
from procalg.api.model import loads
from procalg.runtime.clock import VirtualClock
from procalg.runtime.machine import Machine
from procalg.runtime.nested_inputs import NestedTargets
from procalg.runtime.workflow import Workflow
from procalg.semantics.sos import transitions
from tests.runtime.test_machine import _assert_steps_like_the_rules
from tests.runtime.test_machine_inputs import _calls_before_targets

HEADER = """activity a : {0..2}.{0..2}A_FAILS
activity b : {0..2}B_FAILS
signal s : {0..2}
channel c : {0..2}
L(i, x) = if i < 2 then (s?v -> c.((x + v) % 3) -> L(i + 1, v) [] b.x -> SKIP) else SKIP
"""
LEAVES = [
    "s?v -> b.v -> SKIP",
    "a?u?v -> c.((u + v) % 3) -> SKIP",
    "a!1?v -> (b.v -> SKIP [] c.v -> SKIP)",
    "c?v:{0, 1} -> L(1, v)",
    "b?v -> STOP",
    "b?v:{0, 2} -> a.v.v -> SKIP",
    "c.1 -> SKIP",
    "SKIP",
    "L(0, 0)",
    "s?v -> s?w -> c.((v + w) % 3) -> SKIP",
]
BINARY = ["({} [] {})", "({} ||| {})", "({} ; {})", "({} [| {{| c |}} |] {})",
          "({} [| {{| b |}} |] {})", "({} /\\ {})", "({} [> {})"]
UNARY = ["saga ({})", "({} \\ {{| c |}})"]


def _header(a_fails: str, b_fails: str) -> str:
    return HEADER.replace("A_FAILS", a_fails).replace("B_FAILS", b_fails)


processes = st.recursive(
    st.sampled_from(LEAVES),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(BINARY), inner, inner).map(lambda t: t[0].format(t[1], t[2])),
        st.tuples(st.sampled_from(UNARY), inner).map(lambda t: t[0].format(t[1]))),
    max_leaves=4)


@st.composite
def models(draw: st.DrawFn) -> str:
    """A model whose process ``P`` nests input prefixes under random operators."""
    fails = [draw(st.sampled_from(["", " never fails"])) for _ in range(2)]
    return _header(*fails) + f"P = {draw(processes)}\n"


@settings(max_examples=80, deadline=None)
@given(text=models())
def test_random_workflow_shaped_terms_step_alike_through_nested_lazy_states_and_the_rules(
        text: str) -> None:
    model = loads(text)
    wf = api.workflow(model, "P")
    fresh = Workflow(wf.system, wf.channels)  # a machine of its own: nothing compiled yet
    _calls_before_targets(fresh, fresh.machine)
    assert _assert_steps_like_the_rules(wf, Machine(Workflow(wf.system, wf.channels))) >= 1


def test_inputs_under_choice_and_parallel_are_compiled_from_their_events_alone() -> None:
    model = loads("signal s, t : {0..999}\nchannel c : {0..999}\nactivity a : {0..999}\n"
                  "P = (s?x -> a.x -> SKIP [] t?y -> STOP) ||| (c?z -> SKIP ; t?w -> SKIP)\n")
    wf = api.workflow(model, "P")
    machine = Machine(Workflow(wf.system, wf.channels))
    start = machine.initial()
    node = machine.node(start)
    assert type(node.targets) is NestedTargets and len(node.labels) == 3000
    assert len(machine) == 1  # no continuation evaluated yet
    taken = node.labels[7]  # s.7
    (target,) = node.targets[taken]
    assert len(machine) == 2
    expected = [t for lab, t in transitions(machine.term(start), model.spec.unfold)
                if lab == taken]
    assert [machine.term(target)] == expected


def test_a_run_through_nested_lazy_states_ends_as_the_model_says() -> None:
    model = loads(_header(" never fails", " never fails")
                  + "P = saga ((s?v -> a.v.v -> SKIP) ||| (b?w -> SKIP [] c.1 -> SKIP))"
                    " ; c?z -> SKIP\n")
    eng = api.engine("memory:", activities={"a": lambda *given: None, "b": lambda: 1},
                     clock=VirtualClock())
    run = api.start(model, "P", store=eng)
    run.signal("s", 1)
    assert str(run.status) == "completed"
    trace = [str(e) for e in run.result().trace]
    assert "s.1" in trace and "a.1.1" in trace and trace[-1].startswith("c.")
