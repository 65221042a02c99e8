"""FDR's built-ins outside CSPM definitions: BUFFER, the refused ones, timed parallel's event."""

from __future__ import annotations

import pytest

from procalg.api import loads
from procalg.api.check import check_model
from procalg.errors import ModelError

BUFFERS = """
channel c, d : {0, 1}
channel e
B2 = BUFFER(2, {(c.x, d.x) | x <- {0, 1}})
B1 = BUFFER(1, {(c.0, d.0), (e, d.1)})
X = e -> d.1 -> X [] c.0 -> d.0 -> X
"""


def _results(text: str) -> list[str]:
    return [r.result for r in check_model(loads(text))]


@pytest.mark.parametrize(("assertion", "verdict"), [
    # worked by hand: first in, first out, at most two held
    ("B2 :[has trace]: <c.1, c.0, d.1, c.1, d.0, d.1>", "pass"),
    ("B2 :[has trace]: <c.1, c.0, d.0>", "fail"),  # d.0 overtakes d.1
    ("B2 :[has trace]: <c.1, c.0, c.1>", "fail"),  # full: refuses the third input
    ("B2 :[has trace]: <d.0>", "fail"),  # empty: nothing to output
    ("B2 :[deterministic]", "pass"),
    ("B2 :[deadlock free]", "pass"),
    # the input and output events of a pair need not share a channel
    ("B1 :[has trace]: <e, d.1, c.0, d.0>", "pass"),
    ("B1 :[has trace]: <e, c.0>", "fail"),
    # full, it offers its output and refuses every input: a one-place copy
    ("X [F= B1", "pass"),
    ("B1 [F= X", "pass"),
])
def test_buffer_is_a_first_in_first_out_buffer_of_its_capacity(assertion, verdict):
    assert _results(BUFFERS + f"assert {assertion}\n") == [verdict]


def test_buffer_has_the_states_of_its_contents():
    # sequences of at most two of the two outputs: 1 + 2 + 4
    assert loads(BUFFERS).lts("B2").num_states == 7


def test_a_models_own_buffer_is_used_instead_of_fdrs():
    text = "channel a\nBUFFER(n, s) = a -> STOP\nP = BUFFER(0, {})\n" \
           "assert P :[has trace]: <a>\n"
    assert _results(text) == ["pass"]


@pytest.mark.parametrize(("call", "message"), [
    ("BUFFER(0, {(c.0, d.0)})", "BUFFER's capacity is 0; it must be at least 1"),
    ("BUFFER(1, {(c.0, d.0), (c.1, d.0)})", "BUFFER names the event d.0 more than once"),
    ("BUFFER(1, {c.0})", "BUFFER needs a set of (input, output) pairs of events"),
    ("BUFFER(true, {(c.0, d.0)})", "BUFFER's capacity must be an integer"),
])
def test_buffer_errors_point_at_the_call(call, message):
    with pytest.raises(ModelError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        loads(BUFFERS + f"P = {call}\n").lts("P")
    assert (err.value.span.line, err.value.span.column) == (7, 5)


@pytest.mark.parametrize(("call", "name"), [
    ("deter(STOP)", "deter"),
    ("failure_watchdog(STOP, {e}, e)", "failure_watchdog"),
    ("WEAK_BUFFER(2, e, {(c.0, d.0)})", "WEAK_BUFFER"),
    ("SIGNAL_BUFFER(2, e, e, {(c.0, d.0)})", "SIGNAL_BUFFER"),
])
def test_fdr_built_ins_without_a_documented_meaning_are_an_error_naming_them(call, name):
    with pytest.raises(ModelError, match=f"FDR's '{name}' is not built") as err:
        loads(BUFFERS + f"external {name}\nP = a -> {call}\nchannel a\n").lts("P")
    assert (err.value.span.line, err.value.span.column) == (8, 10)
    assert "docs/language.md" in err.value.hint


def test_a_models_own_deter_is_used():
    text = "channel a\ndeter(P) = P\nQ = deter(a -> STOP)\nassert Q :[has trace]: <a>\n"
    assert _results(text) == ["pass"]


def test_the_hidden_event_of_a_timed_parallel_is_not_one_of_the_models_events():
    model = loads("channel a, b\nTimed(\\ _ @ 0) {\n    P = a -> SKIP ||| b -> SKIP\n}\n")
    assert {str(e) for e in model.spec.events} == {"a", "b", "tock"}
    assert set(model.lts("P").labels) == {"τ", "✓", "a", "b", "tock"}


BUILT_INS_AS_VALUES = """
channel a, tock
external prioritise_nocache
prioritise = prioritise_nocache
pri(X) = prioritise(X, <{a}, {tock}>)
Leaf(f)(P) = f(P)
P = a -> a -> P
Q = Leaf(normal)(P)
R = tock -> R [] a -> R
size = card
"""


@pytest.mark.parametrize(("assertion", "verdict"), [
    ("Q [FD= P", "pass"), ("P [FD= Q", "pass"),  # normal(P) passed on is still P
    ("pri(R) [T= tock -> STOP", "fail"),  # a pre-empts tock: pri(R) never does tock
    ("pri(R) [T= a -> STOP", "pass"),
    ("STOP [T= (size({1, 2}) == 2) & a -> STOP", "fail"),
])
def test_a_built_in_function_named_without_arguments_is_a_value_to_pass_on(
        assertion, verdict) -> None:
    assert _results(BUILT_INS_AS_VALUES + f"assert {assertion}\n") == [verdict]


def test_a_built_in_compression_named_as_a_value_has_the_states_of_its_result() -> None:
    # normal(a -> a -> P) is one node once its normal form is reduced modulo strong bisimulation.
    model = loads(BUILT_INS_AS_VALUES + "N = normal(P)\n")
    assert model.lts("Q").num_states == model.lts("N").num_states == 1
    assert model.lts("P").num_states == 2


def test_a_built_in_value_applied_to_too_many_arguments_is_an_error_naming_it() -> None:
    with pytest.raises(ModelError, match="normal takes 1 argument, got 2"):
        loads(BUILT_INS_AS_VALUES + "f = normal\nW = f(P, P)\n").lts("W")
