"""Views of workflow runs: status, waits and the recorded history."""

from __future__ import annotations

import re
from html import unescape

import pytest

from procalg.api import loads
from procalg.api.run import start
from procalg.notebook.runs import history_rows, run_html, run_text
from procalg.runtime.clock import VirtualClock

MODEL = """activity pay attempts 2 backoff 5s
signal ok
P = pay -> ok -> SKIP
"""


@pytest.fixture
def run_and_clock():
    def pay():
        if clock.now() < 105:  # down for the first 5 seconds of the run
            raise ConnectionError("bank down")

    clock = VirtualClock(start=100.0)
    return start(loads(MODEL), "P", activities={"pay": pay}, store="memory:", clock=clock), clock


def test_waiting_run_shows_the_retry_with_its_deadline(run_and_clock):
    run, _ = run_and_clock
    text = run_text(run)
    assert text.splitlines()[:2] == ["run P: waiting", "  waiting for retry pay (at 105s)"]


def test_text_view_tells_events_with_their_offsets_and_no_engine_rows(run_and_clock):
    run, clock = run_and_clock
    clock.advance("5s")
    run.signal("ok")
    told = [line.split(None, 1) for line in run_text(run).splitlines()[1:]]
    assert told[-3:] == [["+5s", "activity pay (attempt 2)"], ["+5s", "signal ok"],
                         ["+5s", "completed"]]
    assert not any("τ" in text or "label=" in text for _, text in told)


def test_history_rows_are_numbered_with_offsets_from_the_start(run_and_clock):
    run, clock = run_and_clock
    clock.advance("5s")
    rows = history_rows(run)
    assert [r.seq for r in rows] == list(range(len(rows)))
    assert rows[0].kind == "run_started" and rows[0].offset == 0.0
    failed = next(r for r in rows if r.kind == "attempt_failed")
    assert "message=bank down" in failed.detail and "retry_at=+5.000s" in failed.detail
    assert rows[-1].offset == 5.0


def test_html_view_tells_the_history_in_the_models_words_and_shows_the_waits(run_and_clock):
    run, clock = run_and_clock
    clock.advance("5s")
    page = run_html(run)
    cells = [unescape(re.sub(r"<[^>]+>", "", c))
             for c in re.findall(r"<td[^>]*>(.*?)</td>", page)]
    assert list(zip(cells[::2], cells[1::2], strict=True)) == [
        ("+0s", "started P"),
        ("+0s", "activity pay attempt 1 failed: ConnectionError: bank down; retry in 5s"),
        ("+5s", "activity pay (attempt 2)"),
    ]
    text = unescape(re.sub(r"<[^>]+>", " ", page))
    assert "waiting for:" in text and "signal ok" in text
    run.signal("ok")
    assert "completed" in run_html(run) and "waiting for" not in run_html(run)
