"""procalg.api.run: workflows from models, starting with checks, migration, replay, stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from procalg.api import run as api
from procalg.api import workflow as api_workflow
from procalg.api.model import load, loads
from procalg.errors import RunError
from procalg.runtime.clock import VirtualClock
from procalg.runtime.decide import ReplayError
from procalg.runtime.history import EventFired, RunMigrated
from procalg.runtime.workflow import ChannelKind

MODELS = Path(__file__).resolve().parents[2] / "models"
APPROVAL = (MODELS / "approval.proc").read_text()
NOOP = {n: (lambda: None) for n in ("notify_manager", "grant", "revoke")}


def test_declarations_become_channels_with_the_models_retry_options() -> None:
    wf = api.workflow(load(MODELS / "order_saga.proc"), "Order")
    ship, release = wf.channels["ship"], wf.channels["release"]
    assert ship.kind is ChannelKind.ACTIVITY and ship.arity == 0
    assert (ship.retry.maximum_attempts, ship.retry.initial_interval,
            ship.retry.start_to_close_timeout) == (3, 2.0, 30.0)  # attempts 3, 2s, 30s
    assert release.retry.maximum_attempts == 0  # never fails: Temporal's unlimited default
    assert "confirm" not in wf.channels  # a plain channel: the engine fires it itself
    timer = api.workflow(loads(APPROVAL), "Approval").channels["escalate"]
    assert timer.kind is ChannelKind.TIMER and timer.duration == 86400.0


def test_python_retry_overrides_win_over_the_model_and_unknown_names_are_refused() -> None:
    model = load(MODELS / "order_saga.proc")
    wf = api.workflow(model, "Order", retry={"*": {"initial_interval": "10ms"},
                                             "ship": {"maximum_attempts": 7}})
    assert wf.channels["ship"].retry.maximum_attempts == 7
    assert wf.channels["charge"].retry.initial_interval == 0.01
    with pytest.raises(Exception, match="unknown activities: shipp"):
        api.workflow(model, "Order", retry={"shipp": {"maximum_attempts": 1}})


def test_start_refuses_a_failed_assertion_naming_the_first_with_its_line() -> None:
    text = (MODELS / "broken_saga.proc").read_text()  # Order and Shaky fail on purpose
    first = text.splitlines().index("assert Order :[compensation complete]") + 1
    eng = api.engine("memory:", activities={})
    with pytest.raises(RunError, match=r"fails its assertion `Order :\[compensation complete\]` "
                                       r"\(and 1 more\)") as err:
        api.start(MODELS / "broken_saga.proc", "Safe", store=eng)  # Safe passes; Order does not
    assert err.value.span.line == first and err.value.source is not None
    assert eng.log.list_runs() == []  # refused before anything is recorded


def test_a_model_passing_all_its_assertions_starts_without_the_opt_out() -> None:
    acts = {n: (lambda: None) for n in ("reserve", "charge", "ship", "release", "refund")}
    model = load(MODELS / "order_saga.proc")
    run = api.start(model, "Order", activities=acts, store="memory:")
    assert run.status == "completed"
    recorded = run.engine.log.get_run(run.id).verdicts  # every assertion checked, all passed
    assert set(recorded) == {a.text for a in model.assertions}
    assert set(recorded.values()) == {"pass"}


def test_only_the_activities_the_process_can_perform_must_be_bound() -> None:
    acts = {n: (lambda: None) for n in ("reserve", "charge", "ship", "release", "refund")}
    run = api.start(MODELS / "broken_saga.proc", "Shaky", activities=acts, store="memory:",
                    allow_failed_assertions=True)
    assert run.status == "completed"  # ship_retried (used by Safe only) was not asked for
    with pytest.raises(RunError, match="without a bound function: refund"):
        api.start(MODELS / "broken_saga.proc", "Shaky", activities={
            k: v for k, v in acts.items() if k != "refund"}, store="memory:",
            allow_failed_assertions=True)


def test_the_default_store_is_runs_db_in_the_working_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = api.start(loads(APPROVAL), "Approval", activities=NOOP)
    assert run.status == "waiting" and (tmp_path / "runs.db").exists()
    run.engine.close()  # the first process ends (its lease on the timer-waiting run goes)
    again = api.engine(activities=NOOP)  # another process, later: rebuilt from the record
    again.get(run.id).signal("reject")
    assert again.get(run.id).status == "completed"


def _waiting_approval(clock: VirtualClock):
    return api.start(loads(APPROVAL, "approval.proc"), "Approval", activities=NOOP,
                     store="memory:", clock=clock)


def test_a_run_migrates_to_a_model_whose_traces_include_its_history() -> None:
    run = _waiting_approval(VirtualClock())
    changed = loads(APPROVAL.replace("channel request, archive", "channel request, archive, audit")
                    .replace("; archive -> SKIP", "; audit -> archive -> SKIP"))
    assert api.migrate(run.engine, run.id, changed) is True
    run.signal("approve")
    assert run.status == "completed"
    labels = [str(e.label) for e in run.history() if isinstance(e, EventFired)]
    assert labels[-3:] == ["audit", "archive", "✓"]
    assert any(isinstance(e, RunMigrated) for e in run.history())


def test_a_model_that_rejects_the_history_is_refused_naming_the_first_rejected_event() -> None:
    run = _waiting_approval(VirtualClock())
    changed = loads(APPROVAL.replace("Approval = request ->", "Approval = hello ->")
                    .replace("channel request, archive", "channel request, archive, hello"))
    before = run.history()
    with pytest.raises(ReplayError, match=r"history event #1 \(request\) is not possible here"):
        api.migrate(run.engine, run.id, changed)
    assert run.history() == before


def test_replay_says_where_a_history_leaves_the_run_and_rejects_foreign_ones() -> None:
    run = _waiting_approval(VirtualClock())
    report = api.replay(loads(APPROVAL), run.history())
    assert report.status == "waiting" and report.trace == ("request",)
    assert set(report.next) == {"signal approve", "signal reject", "timer escalate"}
    with pytest.raises(ReplayError, match=r"\(request\)"):
        api.replay(MODELS / "order_saga.proc", run.history(), process="Order")


def test_beyond_the_search_limit_every_declared_activity_counts_as_used(
        monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("activity a, b\nchannel tick\n"
            "Count(n) = if n < 100 then tick -> Count(n + 1) else STOP\n"
            "P = a -> Count(0)\nQ = b -> STOP\n")
    model = loads(text)
    assert [c.name for c in api.workflow(model, "P").activities()] == ["a"]  # 102 states
    monkeypatch.setattr(api_workflow, "USED_LIMIT", 50)
    monkeypatch.setattr(api_workflow, "_USED", {})
    assert [c.name for c in api.workflow(model, "P").activities()] == ["a", "b"]
    assert [c.name for c in api.workflow(model, "Q").activities()] == ["b"]  # Q: 2 states


def test_resuming_through_the_api_does_not_import_the_checks() -> None:
    import subprocess
    import sys

    code = ("import sys; from procalg.api import run; "
            "print([m for m in ('procalg.checks', 'procalg.api.check') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
