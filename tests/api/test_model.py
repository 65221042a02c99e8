"""Loading models through the API: declarations reach the model, errors carry the source."""

from __future__ import annotations

import pytest

from procalg.api import load, loads
from procalg.api.check import check_model
from procalg.errors import ModelError, ParseError, ProcalgError, UsageError


def test_activity_options_are_kept_on_the_model() -> None:
    model = loads(
        "activity charge attempts 3 backoff 2s timeout 30s\n"
        "activity refund never fails\n"
        "signal approve : {0, 1}\n"
        "timer escalate = 24h\n"
    )
    assert model.activities["charge"].attempts == 3
    assert model.activities["charge"].backoff_ms == 2000
    assert model.activities["charge"].timeout_ms == 30_000
    assert model.activities["refund"].never_fails
    assert not model.activities["charge"].never_fails
    assert "approve" in model.signals
    assert model.timers["escalate"].duration_ms == 24 * 3600 * 1000


def test_the_content_hash_changes_with_the_text() -> None:
    one = loads("channel a\nP = a -> P\n")
    two = loads("channel a\nP = a -> a -> P\n")
    assert one.content_hash != two.content_hash
    assert one.content_hash == loads("channel a\nP = a -> P\n").content_hash


def test_parse_errors_carry_the_source_for_their_caret() -> None:
    with pytest.raises(ParseError) as caught:
        loads("channel a\nP = a ->\n", "m.proc")
    assert caught.value.source is not None and caught.value.source.name == "m.proc"


def test_a_process_named_on_the_command_line_is_checked_against_the_model() -> None:
    model = loads("channel a\nP = a -> P\n")
    with pytest.raises(UsageError) as caught:
        model.lts("Q")
    assert caught.value.message == "<input> has no process named Q"
    assert caught.value.hint == "name a process, e.g. one of: P"


NAMES = "channel a : {0..3}\nId = {0..3}\nN = 3\nPay(n) = a.n -> STOP\nP = a.0 -> P\n"


def test_a_set_named_as_a_process_is_called_a_set_in_the_models_notation() -> None:
    with pytest.raises(UsageError) as caught:
        loads(NAMES, "f.proc").process("Id")
    assert caught.value.render() == (
        "procalg: error: Id is a set, {0, 1, 2, 3}, not a process\n"
        "  hint: name a process, e.g. one of: Pay(n), P")


def test_a_process_that_needs_arguments_is_named_with_its_parameters() -> None:
    with pytest.raises(UsageError) as caught:
        loads(NAMES, "f.proc").process("Pay")
    assert caught.value.render() == (
        "procalg: error: process Pay needs 1 argument: Pay(n)\n"
        "  hint: give it on the command line, e.g. 'Pay(...)' (quoted for the shell)")


def test_a_mistake_inside_a_process_expression_points_into_the_command_line() -> None:
    with pytest.raises(ProcalgError) as caught:
        loads(NAMES, "f.proc").process("a.7 -> STOP")
    assert caught.value.render().splitlines()[0] == (
        "<command line>:1:3: error: value 7 is outside channel a's field 1 type {0..3}")


def test_a_mistake_inside_a_definition_still_points_into_the_file() -> None:
    with pytest.raises(ProcalgError) as caught:
        loads(NAMES, "f.proc").lts("Pay(9)")
    assert caught.value.render().splitlines()[0].startswith("f.proc:4:")


def test_unguarded_recursion_found_by_the_product_engine_points_at_its_definition() -> None:
    model = loads("channel a\nQ = a -> Q\nP = P [] a -> STOP\n", "m.proc")
    with pytest.raises(ModelError) as caught:
        model.network("P")
    assert caught.value.render().splitlines()[0] == (
        "m.proc:3:1: error: unguarded recursion: P calls itself before any event")


def test_an_unreadable_file_is_a_procalg_error(tmp_path) -> None:
    with pytest.raises(ProcalgError, match="cannot read"):
        load(tmp_path / "missing.proc")


def test_an_error_in_an_included_file_quotes_that_file_and_line(tmp_path):
    (tmp_path / "lib.csp").write_text("-- a library\n\nW(P) = P [] undefinedthing\n")
    main = tmp_path / "main.csp"
    main.write_text('channel a\ninclude "lib.csp"\nQ = W(a -> STOP)\nassert Q :[deadlock free]\n')
    model = load(main)
    (result,) = check_model(model)
    shown = model.locate(result.error).render()
    assert shown.splitlines()[0] == (
        f"{tmp_path / 'lib.csp'}:3:13: error: undefined name 'undefinedthing'")
    assert "W(P) = P [] undefinedthing" in shown


def test_an_error_after_an_include_still_quotes_the_including_file(tmp_path):
    (tmp_path / "lib.csp").write_text("channel b\n")
    main = tmp_path / "main.csp"
    main.write_text('channel a\ninclude "lib.csp"\nQ = a -> nothere\nassert Q :[deadlock free]\n')
    model = load(main)
    (result,) = check_model(model)
    shown = model.locate(result.error).render()
    assert shown.splitlines()[0] == f"{main}:3:10: error: undefined name 'nothere'"
    assert "Q = a -> nothere" in shown


def test_an_assertions_event_is_quoted_on_its_whole_line(tmp_path):
    main = tmp_path / "m.csp"
    main.write_text("channel a\nP = a -> STOP\nassert P :[reachable nothere]\n")
    model = load(main)
    (result,) = check_model(model)
    shown = model.locate(result.error).render()
    assert shown.splitlines()[0] == f"{main}:3:22: error: undefined name 'nothere'"
    assert "3 | assert P :[reachable nothere]" in shown


def test_a_model_written_in_windows_1252_loads_as_fdr_reads_it(tmp_path) -> None:
    (tmp_path / "lib.csp").write_bytes("-- fa\xe7ade\nchannel b\n".encode("cp1252"))
    main = tmp_path / "m.csp"
    main.write_bytes('-- gar\xe7on \x81\ninclude "lib.csp"\nchannel a\nP = a -> b -> P\n'
                     "assert P :[deadlock free]\n".encode("latin-1"))
    model = load(main)
    assert "garçon" in model.source.text
    assert [r.result for r in check_model(model)] == ["pass"]


@pytest.mark.parametrize(("text", "expected"), [
    ("channel c : Int\nP = c?x -> P", True),
    ("channel c : {0..3}\nP = c?x:Int -> P", True),  # an input restricted to Int
    ("Int = {0..3}\nchannel c : Int\nP = c?x -> P", False),  # the model's own Int
    ("channel c : {0..3}\nP = c?x -> P", False),
])
def test_int_data_says_whether_a_channel_or_an_input_ranges_over_int(text, expected) -> None:
    assert loads(text).int_data is expected


def test_int_data_is_walked_once_however_many_assertions_ask() -> None:
    model = loads("channel c : {0..1}\nP = c?x -> P\n" + "assert P :[deadlock free]\n" * 3)
    assert [r.result for r in check_model(model)] == ["pass"] * 3
    assert model.__dict__["int_data"] is False  # computed by the first, kept for the rest
