"""Loading models through the API: declarations reach the model, errors carry the source."""

from __future__ import annotations

import pytest

from procalg.api import load, loads
from procalg.errors import ModelError, ParseError, ProcalgError


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
    with pytest.raises(ModelError) as caught:
        model.lts("Q")
    assert "Q" in caught.value.message


def test_an_unreadable_file_is_a_procalg_error(tmp_path) -> None:
    with pytest.raises(ProcalgError, match="cannot read"):
        load(tmp_path / "missing.proc")
