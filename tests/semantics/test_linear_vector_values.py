"""Any data value in the batch next-state function: interned codes, closures per distinct row.

A definition whose parameters are sequences, tuples, sets or dotted values
(a FIFO's queue, ABP's media) and whose expressions call functions
(``head(s)``, ``#s``, ``member(x, X)``) expands as columns
(:mod:`procalg.semantics.linear_vector_values`). The batch must give the
per-state path's moves, order and targets (so the same state counts), the
term rules' LTS up to strong bisimulation, and the per-state path's errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.errors import ModelError
from procalg.lts import explore
from procalg.lts.lazy import LazyComponent
from procalg.semantics.linear import Machine
from procalg.semantics.linear_vector_values import decode_values, encode_value, opaque_expr
from procalg.syntax.parser import parse_expr
from procalg.terms import Sequence
from tests.semantics.test_linear_vector import HEADER, _models, _PerState, _same, _vector_lts

DATA = ("channel p : ({0..1}, {0..3})\ndatatype M = m.{0..1} | n\nchannel q : M\n"
        "sw((a, b)) = (b % 2, a)\n")


def _programs(text: str, start: str) -> set[str]:
    model = loads(HEADER + DATA + text)
    vector = Machine(model.spec.evaluator, model.process(start)).vector()
    return set() if vector is None else set(vector.programs)


def test_a_value_is_one_code_per_type_and_decodes_to_itself() -> None:
    one = encode_value(Sequence((1,)))
    assert encode_value(Sequence((1,))) == one != encode_value((1,))
    assert decode_values(np.array([one, encode_value((1,))])) == [Sequence((1,)), (1,)]


def test_an_expression_raising_in_one_row_marks_only_that_row() -> None:
    model = loads("N = 1")
    code = opaque_expr(model.spec.evaluator, parse_expr("head(s) + N"), {"s"})
    s = np.array([encode_value(Sequence((4,))), encode_value(Sequence(()))])
    values, kind, bad = code({"s": (s, "v")}, 2)
    assert kind == "i" and values[0] == 5 and bad is not None and bad.tolist() == [False, True]


def test_a_fifo_queue_expands_as_columns_like_the_per_state_path() -> None:
    text = "Q(s) = #s < 3 & c?x -> Q(s ^ <x>) [] not null(s) & d!head(s) -> Q(tail(s))"
    _same(DATA + text, "Q(<>)")
    assert _programs(text, "Q(<>)") == {"Q"}


def test_tuples_sets_and_dotted_values_expand_as_columns_like_the_per_state_path() -> None:
    text = ("P(t, X) = p!t -> P(sw(t), union(X, {fst(t)})) [] q!m.(card(X) % 2) -> P(t, X)"
            " [] member(1, X) & q!n -> P((0, 3), diff(X, {1})) [] c?x -> P((x % 2, x), X)"
            "\nfst((a, b)) = a")
    _same(DATA + text, "P((0, 1), {})")
    assert _programs(text, "P((0, 1), {})") == {"P"}


def test_a_lazy_queue_numbers_its_states_as_the_per_state_path_does() -> None:
    text = DATA + "Q(s) = #s < 4 & c?x -> Q(s ^ <x>) [] not null(s) & d!head(s) -> Q(tail(s))"
    vector_machine, plain, _ = _models(text, "Q(<>)")
    alphabet = {*(f"c.{i}" for i in range(4)), *(f"d.{i}" for i in range(4))}
    fast, slow = LazyComponent(vector_machine, alphabet), LazyComponent(_PerState(plain), alphabet)
    for lazy in (fast, slow):
        while lazy.expand(np.arange(lazy.num_states)):
            pass
    assert fast.num_states == slow.num_states == 1 + 4 + 16 + 64 + 256
    assert [list(a) for a in fast.entries(False)] == [list(a) for a in slow.entries(False)]


def test_inputs_restricted_by_sets_of_variables_expand_as_columns_like_the_per_state_path(
        ) -> None:
    text = ("S(X, s) = c?x -> S(union({x}, X), s) [] d?x:X -> S(diff(X, {x}),"
            " if #s < 2 then s ^ <x> else <x>)"
            " [] g?i:set(s)?j:{i, (i + 1) % 4} -> S(X, if #s > 1 then <> else s)")
    _same(DATA + text, "S({}, <>)")
    assert _programs(text, "S({}, <>)") == {"S"}


@pytest.mark.parametrize("text", [
    "P(s) = c?x:{head(s)} -> P(<x>)",  # head of <> in one state
    "P(s) = c?x:#s -> P(s ^ <1>)",  # a restriction that is no set
    "P(s) = d!head(s) -> P(tail(s)) [] c?x -> P(<x>)",  # head of <> in one state
    "P(s) = q!m.(#s) -> P(s ^ <1>)",  # m.2 outside M
    "P(s) = c!(#s * 2) -> P(s ^ <1>)",  # 4 outside c's type
])
def test_an_error_in_one_state_is_raised_as_the_per_state_path_raises_it(text: str) -> None:
    vector_machine, plain, _ = _models(DATA + text, "P(<>)")
    _raised_alike(vector_machine, plain)


def _raised_alike(vector_machine: Machine, plain: Machine) -> None:
    """Both paths raise a model error, with one message and one span."""
    with pytest.raises(ModelError) as slow:
        explore(_PerState(plain), max_states=100)
    with pytest.raises(ModelError) as fast:
        _vector_lts(vector_machine, limit=100)
    assert str(fast.value) == str(slow.value) and fast.value.span == slow.value.span


_SEQ = ("s", "<>", "<1>", "tail(s)", "s ^ <x>", "<x, 1>")
_NUM = ("#s", "x", "head(s)", "card(X)", "(if null(s) then 2 else head(s))", "fst(t)")


def _num() -> st.SearchStrategy[str]:
    return st.sampled_from(_NUM).map(lambda e: f"(({e}) % 4)")


def _call() -> st.SearchStrategy[str]:
    seq = st.sampled_from(_SEQ).map(lambda e: f"(if #({e}) < 3 then {e} else <>)")
    tup = st.one_of(st.just("t"), st.just("sw(t)"), _num().map(lambda e: f"({e} % 2, {e})"))
    sets = st.one_of(st.just("X"), _num().map(lambda e: f"union(X, {{{e}}})"),
                     _num().map(lambda e: f"diff(X, {{{e}}})"))
    return st.builds(lambda a, b, c: f"P({a}, {b}, {c})", seq, tup, sets)


def _branch() -> st.SearchStrategy[str]:
    guard = st.sampled_from(["not null(s)", "member(x, X)", "t == (0, 1)", "s != <x>",
                             "elem(x, s)", "#s > 1"])
    return st.one_of(
        st.builds(lambda v, k: f"c!{v} -> {k}", _num(), _call()),
        st.builds(lambda k: f"c?x -> {k}", _call()),
        st.builds(lambda k: f"p!t -> {k}", _call()),
        st.builds(lambda v, k: f"q!m.({v} % 2) -> {k}", _num(), _call()),
        st.builds(lambda g, k: f"({g} & q!n -> {k})", guard, _call()),
        st.builds(lambda k: f"p?y -> {k.replace('t,', 'y,', 1)}", _call()),
        st.builds(lambda v: f"d!{v} -> STOP", st.sampled_from(["head(s)", "#s", "x % 4"])),
        st.builds(lambda r, k: f"c?x:{r} -> {k}", _restriction(), _call()),
        st.builds(lambda k: f"g?x?j:{{x, #s}} -> {k.replace('X)', 'union(X, {j}))', 1)}",
                  _call()),
    )


def _restriction() -> st.SearchStrategy[str]:
    return st.sampled_from(["X", "{0..#s}", "set(s)", "{head(s)}", "diff({0..3}, X)",
                            "(if null(s) then {} else {1, 2})"])


@settings(max_examples=40, deadline=None)
@given(st.lists(_branch(), min_size=1, max_size=3), st.sampled_from(["<>", "<2>", "<0, 3>"]),
       st.sampled_from(["{}", "{1}", "{0, 2}"]))
def test_random_definitions_over_sequences_tuples_and_sets_explore_alike(
        branches: list[str], s: str, x: str) -> None:
    text = DATA + "fst((a, b)) = a\nx = 1\nP(s, t, X) = " + " [] ".join(
        ["e -> P(s, sw(t), X)", *branches])
    start = f"P({s}, (1, 2), {x})"
    vector_machine, plain, _ = _models(text, start)
    assert vector_machine.vector() is not None and "P" in vector_machine.vector().programs
    try:
        explore(_PerState(plain), max_states=20_000)
    except ModelError as err:
        with pytest.raises(ModelError) as fast_err:
            _vector_lts(vector_machine)
        assert str(fast_err.value) == str(err) and fast_err.value.span == err.span
        return
    _same(text, start)


_ABP = """D = 16
channel left, right : {0..D-1}
channel send, recv : {0, 1}.{0..D-1}
channel ack, getack : {0, 1}
channel lose, loseack
Sender(b) = left?x -> Sending(b, x)
Sending(b, x) = send.b.x -> Sending(b, x) [] getack.b -> Sender(1 - b)
             [] getack.(1 - b) -> Sending(b, x)
Receiver(b) = recv.b?x -> right!x -> ack.b -> Receiver(1 - b)
           [] recv.(1 - b)?x -> ack.(1 - b) -> Receiver(b)
DataMedium(s) = #s < 3 & send?b?x -> DataMedium(s ^ <b * D + x>)
             [] not null(s) & recv.(head(s) / D).(head(s) % D) -> DataMedium(tail(s))
             [] not null(s) & lose -> DataMedium(tail(s))
AckMedium(s) = #s < 3 & ack?b -> AckMedium(s ^ <b>)
            [] not null(s) & getack.head(s) -> AckMedium(tail(s))
            [] not null(s) & loseack -> AckMedium(tail(s))
Protocol = ((Sender(0) ||| Receiver(0)) [| {| send, recv, ack, getack |} |]
            (DataMedium(<>) ||| AckMedium(<>))) \\ {| send, recv, ack, getack, lose, loseack |}
assert Protocol :[deadlock free [F]]
"""


def test_abp_with_lazy_media_queues_expands_them_as_columns_in_the_product() -> None:
    from procalg.api.check import check_assertion

    model = loads(_ABP)
    report = check_assertion(model, model.assertions[0])
    stats = report.check.stats
    assert report.result.value == "pass" and stats.states == 94 * 16 * 16 + 278 * 16 + 16
    notes = stats.extra["notes"]
    assert any(n.startswith("leaf send?b?x") and n.endswith("1 of 1 definitions expanded as "
                                                             "columns") for n in notes)
    assert any("explored lazily" in n for n in notes)  # the batch after per-state expansions
