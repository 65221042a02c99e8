"""Inputs of compiled machines: offers shared by the states whose prefix reads the same values.

The machine's LTS is checked against the term rules on random models in
``test_linear.py``; here, what the sharing adds: states that differ only in
values the input does not read share one enumeration of its offers, a value
it reads gives offers of its own, a fallible activity's failures come with
them, and a pattern named like a local binds as before.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.lts import explore
from procalg.semantics.linear import Machine
from procalg.semantics.linear_offers import _key
from tests.semantics.test_linear import _bisimilar


def _entry(machine: Machine, state: int) -> tuple:
    (name, entry), = machine.deferred(state)
    assert name is None  # the state is one deferred input
    return entry


def test_states_differing_only_in_values_the_input_does_not_read_share_its_offers() -> None:
    model = loads("channel c : {0..1}.{0..2}\nP(i, s) = c!i?x -> P(i, s + x)\nQ = P(0, 0)")
    machine = Machine(model.spec.evaluator, model.process("Q"))
    first = _entry(machine, 0)
    later = machine.input_targets(first, "c.0.2")[0]  # P(0, 2)
    assert later != 0
    assert _entry(machine, later)[0] is first[0]


def test_a_value_the_input_reads_gives_offers_of_its_own() -> None:
    model = loads("channel c : {0..1}.{0..2}\nP(i) = c!i?x -> P(1 - i)\nQ = P(0)")
    machine = Machine(model.spec.evaluator, model.process("Q"))
    first = _entry(machine, 0)
    other = machine.input_targets(first, "c.0.1")[0]  # P(1)
    assert sorted(_entry(machine, other)[0]) == ["c.1.0", "c.1.1", "c.1.2"]
    assert sorted(first[0]) == ["c.0.0", "c.0.1", "c.0.2"]


def test_a_fallible_activitys_shared_offers_keep_each_failure_after_its_event() -> None:
    model = loads("activity c : {0..1}.{0..1} attempts 2\n"
                  "P(i, s) = c!i?x -> P(i, (s + x) % 3)\nQ = P(1, 0)")
    machine = Machine(model.spec.evaluator, model.process("Q"))
    labels = machine.labels(0)
    assert labels == ["c.1.0", "fail.c.1.0", "c.1.1", "fail.c.1.1"]
    target = machine.input_targets(_entry(machine, 0), "c.1.1")[0]
    assert machine.labels(target) == labels


def test_an_offers_key_tells_a_bool_from_the_int_equal_to_it() -> None:
    assert _key(1, ("b",), {"b": True}) != _key(1, ("b",), {"b": 1})
    assert _key(1, ("b",), {"b": 1}) == _key(1, ("b",), {"b": 1})
    assert _key(1, ("b",), {"b": (1, 2)}) is None  # a tuple could hide a bool: not shared


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 3), st.integers(0, 3))
def test_sharing_offers_keeps_the_machine_bisimilar_to_the_term_rules(start: int, bound: int
                                                                      ) -> None:
    model = loads(f"""channel c : {{0..3}}.{{0..3}}
channel d : {{0..3}}
x = 2
P(i, s) = c!i?x:{{y | y <- {{0..3}}, y <= {bound} or y < s}} -> d!((s + x) % 4) -> P(i, (s + x) % 4)
       [] c?j!s -> P((i + j) % 4, s)
Q = P({start}, {start})
""")
    call = model.process("Q")
    reference = explore(model.spec.system(call))
    compiled = explore(Machine(model.spec.evaluator, call))
    assert _bisimilar(compiled, reference)


INC = "channel c, d : {0..3}\nInc = c?x -> d!(x + 1) -> Inc\n"
"""``d!(x + 1)`` leaves ``d``'s type after ``c.3`` only (inc2.proc's ``Inc``)."""


def test_an_input_value_whose_continuation_raises_leads_to_a_state_raising_when_expanded(
) -> None:
    from procalg.errors import ModelError

    model = loads(INC)
    machine = Machine(model.spec.evaluator, model.process("Inc"))
    moves = dict(machine.successors(0))
    assert sorted(moves) == ["c.0", "c.1", "c.2", "c.3"]
    assert machine.successors(moves["c.2"]) == [("d.3", 0)]
    with pytest.raises(ModelError, match="value 4 is outside channel d's field 1"):
        machine.successors(moves["c.3"])


def test_an_input_value_no_partner_asks_for_makes_no_failed_state() -> None:
    model = loads(INC)
    machine = Machine(model.spec.evaluator, model.process("Inc"))
    every = {f"c.{v}" for v in range(4)}
    ((label, target),) = machine.successors_where(0, every, {"c.1"})
    assert label == "c.1" and machine.num_states == 2
    assert machine.successors(target) == [("d.2", 0)]


def _counting_states(machine: Machine) -> list[int]:
    """Counts (in the list returned) each continuation state the machine makes."""
    made = [0]
    make = machine._state

    def counted(node: object, env: object) -> int:
        made[0] += 1
        return make(node, env)  # type: ignore[arg-type]

    machine._state = counted  # type: ignore[method-assign]
    return made


def test_a_wide_input_whose_continuation_reads_no_binding_makes_its_target_once() -> None:
    model = loads("channel v : {0..999}\nW = v?x -> W")
    machine = Machine(model.spec.evaluator, model.process("W"))
    made = _counting_states(machine)
    moves = machine.successors(0)
    assert len(moves) == 1000 and {t for _, t in moves} == {0}
    assert made[0] == 1  # one state made for 1,000 values, not one a value


def test_an_input_whose_continuation_reads_its_binding_makes_a_target_a_value() -> None:
    model = loads("channel v : {0..9}\nW = v?x -> P(x)\nP(n) = v!n -> W")
    machine = Machine(model.spec.evaluator, model.process("W"))
    made = _counting_states(machine)
    assert len({t for _, t in machine.successors(0)}) == 10
    assert made[0] == 10


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 5), st.integers(1, 6), st.sampled_from([
    "W", "STOP", "SKIP", "P(0)", "P(x)", "P(y)", "v!x -> W", "(W [] P(1))", "W \\ {|v|}"]),
    st.booleans())
def test_inputs_whose_continuation_may_read_the_binding_stay_bisimilar_to_the_term_rules(
        low: int, width: int, then: str, pattern: bool) -> None:
    field = "(x, y)" if pattern else "x"
    ty = f"{{{low}..{low + width - 1}}}"
    model = loads(f"channel v : {ty}\nchannel w : {ty}.{{0..1}}\nchannel e\ny = 1\n"
                  f"W = {'w?' + field if pattern else 'v?x'} -> {then}\n"
                  f"P(n) = n >= {low} & n < {low + width} & v!n -> e -> W [] e -> STOP")
    call = model.process("W")
    reference = explore(model.spec.system(call))
    compiled = explore(Machine(model.spec.evaluator, call))
    assert _bisimilar(compiled, reference)
    assert sorted(compiled.labels) == sorted(reference.labels)
