"""Every ``run``/``runs`` command reads a run's history at most once and loads its model
at most once (issue 10): counted on a real store and the real loader, per command."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

import pytest

from procalg.api import run as api_run
from procalg.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
V1 = "signal go, more\nactivity log_ : {0..3}\nP = go -> log_!1 -> more -> P [] cancel -> SKIP\n"
V2 = "-- the same process, changed text: a migration\n" + V1
ACCOUNT = str(ROOT / "models" / "account.proc")


class CountingLog:
    """A real store that counts, per run, the history reads it answers."""

    def __init__(self, log: Any, reads: collections.Counter) -> None:
        self._log, self.reads = log, reads

    def history(self, run_id: str) -> list:
        self.reads[run_id] += 1
        return self._log.history(run_id)

    def tail(self, run_id: str, seq: int) -> list:
        self.reads[run_id] += 1
        return self._log.tail(run_id, seq)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._log, name)


@pytest.fixture
def counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, collections.Counter]:
    """Reads per run and model loads of the current command (both reset by :func:`_cmd`)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(ROOT))  # examples.* importable
    found = {"reads": collections.Counter(), "loads": collections.Counter()}
    store, load, loads = api_run.store, api_run.load, api_run.loads

    def counted(name: str, real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            found["loads"][name] += 1
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(api_run, "store", lambda *a, **k: CountingLog(store(*a, **k),
                                                                       found["reads"]))
    monkeypatch.setattr(api_run, "load", counted("file", load))
    monkeypatch.setattr(api_run, "loads", counted("recorded text", loads))
    monkeypatch.setattr(api_run, "_MODELS", {})
    Path("v1.proc").write_text(V1)
    Path("v2.proc").write_text(V2)
    Path("examples_log.py").write_text("ACTIVITIES = {'log_': lambda n: None}\n")
    return found


def _cmd(counts: dict[str, collections.Counter], *argv: str) -> int:
    """Run one command as a fresh process would (no model loaded yet); check its counts."""
    api_run._MODELS.clear()
    for counter in counts.values():
        counter.clear()
    code = main(list(argv))
    assert max(counts["reads"].values(), default=0) <= 1, (argv, counts["reads"])
    assert sum(counts["loads"].values()) <= 1, (argv, counts["loads"])
    return code


def test_each_runs_command_reads_the_history_once_and_loads_the_model_once(
        counts: dict[str, collections.Counter], capsys: pytest.CaptureFixture) -> None:
    acts = ["--activities", "examples_log"]
    assert _cmd(counts, "run", "v1.proc", "P", "--run-id", "r", *acts) == 3
    assert counts["reads"] == {}  # a run this command started is never read back
    assert _cmd(counts, "runs", "resume", "r", "--model", "v2.proc", *acts) == 3
    assert counts["loads"] == {"file": 1}  # the recorded model is not loaded to compare
    assert _cmd(counts, "runs", "signal", "r", "go", *acts) == 3
    assert counts == {"reads": {"r": 1}, "loads": {"recorded text": 1}}  # V2, off the row
    for argv in (["runs", "show", "r"], ["runs", "show", "r", "--json"],
                 ["runs", "query", "r"], ["runs", "list"], ["runs", "resume", "r", *acts]):
        assert _cmd(counts, *argv) in (0, 3), argv
    assert _cmd(counts, "runs", "signal", "r", "more", *acts) == 3  # back where cancel is
    assert _cmd(counts, "runs", "cancel", "r", *acts) == 1  # cancelled
    assert "cancelled" in capsys.readouterr().out


def test_updates_read_the_history_once_whether_new_or_retried(
        counts: dict[str, collections.Counter]) -> None:
    acts = ["--activities", "examples.bank"]
    assert _cmd(counts, "run", ACCOUNT, "Bank", "--run-id", "b", *acts) == 3
    for _ in range(2):  # a new update (its reply kept by its taker), then its retry
        assert _cmd(counts, "runs", "update", "b", "deposit.3", "--update-id", "k", *acts) == 0
        assert counts["reads"] == {"b": 1}
    assert _cmd(counts, "runs", "signal", "b", "withdraw", "2", *acts) == 3
