"""``procalg runs list --model``: the model a run is on now, after a migration."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from procalg.cli.main import main

ASK = """signal answer : {0..2}
activity work
channel done
P = answer?x -> work -> done -> SKIP
"""
MOVED = ASK + "-- the same process, another text: another model hash\n"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _listed(capsys, model: str) -> list[str]:
    assert main(["runs", "list", "--model", model]) == 0
    return [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:] if line]


def test_runs_list_by_model_hash_matches_the_model_a_run_migrated_to(capsys) -> None:
    Path("ask.proc").write_text(ASK)
    Path("moved.proc").write_text(MOVED)
    # a module name of its own: another test imports a module called acts
    Path("acts_runs_list.py").write_text("def work():\n    pass\nACTIVITIES = {'work': work}\n")
    assert main(["run", "ask.proc", "P", "--activities", "acts_runs_list"]) == 3
    run_id = capsys.readouterr().out.split()[1].rstrip(":")
    assert _listed(capsys, _hash(ASK)) == [run_id]
    assert _listed(capsys, _hash(MOVED)) == []
    assert main(["runs", "resume", run_id, "--model", "moved.proc",
                 "--activities", "acts_runs_list"]) == 3
    capsys.readouterr()
    assert _listed(capsys, _hash(MOVED)) == [run_id]
    assert _listed(capsys, _hash(ASK)) == []
    assert _listed(capsys, "ask.proc") == [run_id]  # the path it was started from
