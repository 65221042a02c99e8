"""procalg.api.runs: the `runs` verbs as functions (follow, signal, resume, history)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procalg.api import run as api
from procalg.api import runs
from procalg.api.model import loads
from procalg.errors import FormatError, UsageError
from procalg.runtime.status import RunStatus

WAITS = "channel out : {0..9}\nsignal go : {0..9}\nP(a, b) = go?x -> out.a -> out.x -> SKIP"


def test_follow_stops_at_a_signal_wait_and_gives_up_the_lease() -> None:
    eng = runs.open_engine("memory:")
    run = api.start(loads(WAITS), "P", 1, 2, store=eng)
    followed = runs.follow(eng, run.id)
    assert followed.status is RunStatus.WAITING and "go.3" in followed.signals
    assert eng.log.get_run(run.id).owner == ""  # whoever signals it drives it on


def test_a_signal_given_as_text_is_read_in_the_runs_model_and_consumed() -> None:
    eng = runs.open_engine("memory:")
    run = api.start(loads(WAITS), "P", 1, 2, store=eng)
    runs.follow(eng, run.id)
    sent = runs.send_signal(eng, run.id, "go", "1 + 2")
    assert sent == runs.Sent(consumed=True, run_id=run.id)
    assert [str(e) for e in eng.get(run.id).result().trace] == ["go.3", "out.1", "out.3"]


def test_a_signal_to_a_run_another_live_worker_holds_is_buffered_and_names_it() -> None:
    first = runs.open_engine("memory:")
    run = api.start(loads("signal go\nchannel a\nP = a -> go -> SKIP"), "P", store=first)
    first.claim(run.id)  # a live worker holds it
    other = api.engine(first.log)
    sent = runs.send_signal(other, run.id, "go")
    assert not sent.consumed and sent.owner == first.owner


def test_the_process_call_is_built_from_values_not_from_printed_text() -> None:
    model = loads(WAITS)
    by_values = api.workflow(model, "P", 1, 2)
    by_text = model.process("P(1, 2)")
    assert by_values.system.initial_state() == model.system(by_text).initial_state()
    with pytest.raises(UsageError, match="has no process named Q"):
        api.workflow(model, "Q", 1)
    with pytest.raises(Exception, match="P takes 2 arguments, got 1"):
        api.workflow(model, "P", 1)


def test_resume_moves_a_run_to_a_changed_model_and_drives_it() -> None:
    eng = runs.open_engine("memory:")
    run = api.start(loads(WAITS), "P", 1, 2, store=eng)
    runs.follow(eng, run.id)
    changed = loads(WAITS + "\n-- a comment changes the text, not the traces")
    resumed = runs.resume(eng, run.id, changed)
    assert resumed == runs.Resumed(migrated=True, status=RunStatus.WAITING)
    assert runs.resume(eng, run.id, changed).migrated is False  # already on it


def test_the_history_table_shows_fields_in_model_notation_from_the_start() -> None:
    eng = runs.open_engine("memory:")
    run = api.start(loads(WAITS), "P", 1, 2, store=eng)
    table = runs.history_table(eng, run.id)
    assert table.rows[0].kind == "run_started" and "args=(1, 2)" in table.rows[0].detail
    assert table.rows[0].offset == 0.0 and table.status is RunStatus.WAITING


def test_a_history_file_that_is_not_a_list_is_a_format_error(tmp_path: Path) -> None:
    bad = tmp_path / "h.json"
    bad.write_text(json.dumps({"kind": "run_started"}))
    with pytest.raises(FormatError, match="is not a list of history events"):
        runs.read_history(bad)
    with pytest.raises(FormatError, match="cannot read history"):
        runs.read_history(tmp_path / "missing.json")


def test_a_store_row_status_is_parsed_into_the_enum_once() -> None:
    eng = runs.open_engine("memory:")
    run = api.start(loads("channel a\nP = a -> SKIP"), "P", store=eng)
    status = eng.log.get_run(run.id).status
    assert status is RunStatus.COMPLETED and json.dumps(status) == '"completed"'


def test_two_activity_modules_in_one_process_keep_their_own_functions(tmp_path,
                                                                       monkeypatch) -> None:
    from procalg.api.runs import activities_module

    for name, field in (("first_acts", "a"), ("second_acts", "b")):
        (tmp_path / f"{name}.py").write_text(
            "import procalg\n\n"
            f"@procalg.activity('charge')\ndef charge({field}):\n    return {field!r}\n")
    monkeypatch.chdir(tmp_path)
    first, second = activities_module("first_acts"), activities_module("second_acts")
    # both decorate 'charge' into the default registry; each module still gets its own
    assert first.lookup("charge")(0) == "a" and second.lookup("charge")(0) == "b"
    assert activities_module("first_acts").lookup("charge")(0) == "a"  # imported before
