"""Generated keys of body-keyed calls against the machine's own rules and the term rules.

:mod:`procalg.semantics.linear_step_keys` writes a function per called definition that
keys ``Cnt(n + 1)`` as ``_guarded_body_key`` does. A key shared wrongly merges two
states, a key split wrongly splits one: so a machine with its generated steps must
number exactly the keys, in the order, that one without them numbers, and both be
strongly bisimilar to the term rules. Random counters:
guards that fail, that are no boolean, that divide by zero; events outside their type;
continuations into the same call, another guarded call, a plain call, ``STOP``,
``SKIP``.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.errors import ModelError, ProcalgError
from procalg.lts import explore
from procalg.semantics.linear import Machine
from tests.semantics.test_linear import assert_compiles_like_its_terms
from tests.semantics.test_linear_step import _plain

HEADER = "N = 5\nchannel c : {0..3}\nchannel d, e\n"
_GUARDS = st.sampled_from(["n < N", "m != 0", "(n / m) < 2", "(n % 3) == m", "n", "true",
                           "false", "n + m > 1", "m < 3"])
_VALUES = st.sampled_from(["n + 1", "m", "n - 1", "(n + m) % 4", "n / m", "0", "n"])
_HEADS = st.sampled_from(["d", "c!n", "c!m", "c!(n % 4)", "c!(n + m)"])
_THENS = st.sampled_from(["P({x}, {y})", "Q({x})", "R({x})", "STOP", "SKIP", "P(n, m)"])
_STARTS = st.sampled_from(["P(0, 1)", "P(1, 0)", "P(2, 2)", "Q(0)", "Q(3)"])


@st.composite
def _counters(draw: st.DrawFn) -> str:
    """P over two numbers, Q over one: each one clause of guards before a prefix into
    a call, ``STOP`` or ``SKIP`` (a lazy counter's shape); R a call keyed otherwise."""
    guards = " & ".join(draw(st.lists(_GUARDS, min_size=1, max_size=3)))
    then = draw(_THENS).format(x=draw(_VALUES), y=draw(_VALUES))
    q_then = draw(st.sampled_from(["Q(n + 1)", "P(n, 1)", "Q(n)", "STOP"]))
    q_guard = draw(st.sampled_from(["n < N", "n > 1", "n / (n - 2) < 3", "n"]))
    return (f"P(n, m) = {guards} & {draw(_HEADS)} -> {then}\n"
            f"Q(n) = {q_guard} & c!(n % 4) -> {q_then}\n"
            f"R(n) = e -> (d -> R(n) [] c!0 -> STOP)\n")


def _explored(model, start: str, steps: bool):
    """The LTS and keys of ``start``'s machine, or the error raised (not its unfoldings:
    a key the rules remember at the top, ``_looked``, the generated function makes again)."""
    try:
        machine = Machine(model.spec.evaluator, model.process(start))
    except ProcalgError as err:
        return type(err), str(err)
    if not steps:
        _plain(machine)
    try:
        lts = explore(machine, max_states=2_000)
    except (ProcalgError, RecursionError) as err:
        return type(err), str(err)
    return sorted(lts.triples()), machine.keys


@given(_counters(), _STARTS)
@settings(max_examples=150, deadline=None)
def test_generated_keys_number_exactly_the_states_the_machines_rules_number(text, start):
    model = loads(HEADER + text)
    try:
        model.process(start)
    except ModelError:
        return
    assert _explored(model, start, True) == _explored(model, start, False)


@given(_counters(), _STARTS)
@settings(max_examples=60, deadline=None)
def test_counters_with_generated_keys_are_bisimilar_to_their_terms(text, start):
    assert_compiles_like_its_terms(loads(HEADER + text), start, 2_000)


CNT = "N = 50\nchannel w : {0..9}\nCnt(n) = n < N & w!(n % 10) -> Cnt(n + 1)\n"


def test_a_lazy_counters_next_state_is_keyed_without_the_machines_rules():
    model = loads(CNT)
    machine = Machine(model.spec.evaluator, model.process("Cnt(0)"))
    asked = []
    rules = machine._prefix_target
    machine._prefix_target = lambda *a: asked.append(a) or rules(*a)  # type: ignore[method-assign]
    lts = explore(machine)
    assert lts.num_states == 51 and not asked
    assert machine.keys[1] == ("→", machine.keys[1][1], ("call", "Cnt", (2,)))
    assert machine.keys[-1] == ("STOP",)


def test_a_counter_whose_guard_divides_by_zero_fails_where_the_rules_fail():
    text = "channel c : {0..3}\nP(n) = 1 / (2 - n) < 5 & c!n -> P(n + 1)\n"
    model = loads(text)
    assert _explored(model, "P(0)", True) == _explored(model, "P(0)", False)
