"""procalg runs query / runs update end to end on an SQLite store (models/account.proc)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from procalg.api.query import POSITION_SCHEMA, REPLY_SCHEMA
from procalg.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = str(ROOT / "models" / "account.proc")
ORDER = str(ROOT / "models" / "order_saga.proc")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(ROOT))  # examples.* importable


def _bank(capsys) -> None:
    assert main(["run", ACCOUNT, "Bank", "--activities", "examples.bank",
                 "--run-id", "bank-1"]) == 3
    capsys.readouterr()


def test_runs_query_prints_each_branch_with_its_parameters_and_what_the_run_waits_for(
        capsys) -> None:
    _bank(capsys)
    assert main(["runs", "update", "bank-1", "deposit.3"]) == 0
    capsys.readouterr()
    assert main(["runs", "query", "bank-1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ["run bank-1: Bank", "status: waiting after 4 events"]
    assert lines[2].split()[0] == "Account(b=3)" and lines[3].split()[0] == "Clerk(n=1)"
    assert "signals: close, deposit.1, deposit.2, deposit.3, deposit.4, deposit.5, " \
           "withdraw.1, withdraw.2, withdraw.3" in lines
    assert any(re.match(r"timer statement: fires in (30d|29d23h)", line) for line in lines)


def test_runs_query_json_fits_its_schema(capsys) -> None:
    _bank(capsys)
    assert main(["runs", "query", "bank-1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, POSITION_SCHEMA)
    assert data["branches"][0]["params"] == {"b": 0}


def test_runs_query_json_of_a_saga_lists_its_compensations_in_order(capsys, monkeypatch) -> None:
    monkeypatch.setenv("SHOP_FAIL", "ship")
    assert main(["run", ORDER, "Order", "--activities", "examples.shop", "--run-id", "o",
                 "--retry", "ship.maximum_attempts=1"]) == 1
    capsys.readouterr()
    assert main(["runs", "query", "o", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, POSITION_SCHEMA)
    assert data["status"] == "compensated" and data["offered"] == []


def test_runs_update_answers_with_the_position_and_a_retry_with_the_key_repeats_it(
        capsys) -> None:
    _bank(capsys)
    assert main(["runs", "update", "bank-1", "deposit.3", "--update-id", "u1", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    jsonschema.validate(first, REPLY_SCHEMA)
    assert first["event"] == "deposit.3" and first["update_id"] == "u1"
    assert main(["runs", "update", "bank-1", "deposit.3", "--update-id", "u1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert main(["runs", "show", "bank-1", "--json"]) == 0
    kinds = [e["kind"] for e in json.loads(capsys.readouterr().out)]
    assert kinds.count("update_received") == 1


def test_runs_update_rejected_by_the_model_exits_1_and_names_what_it_accepts(capsys) -> None:
    _bank(capsys)
    assert main(["runs", "update", "bank-1", "withdraw.1"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("rejected: run bank-1 does not accept withdraw.1 now; it accepts close")


def test_runs_update_rejected_by_the_validator_of_the_activities_module_exits_1(capsys) -> None:
    _bank(capsys)
    assert main(["runs", "update", "bank-1", "deposit.5", "--activities", "examples.bank"]) == 0
    capsys.readouterr()
    assert main(["runs", "update", "bank-1", "withdraw.5", "--activities", "examples.bank"]) == 1
    assert "withdrawals above 4 need a person" in capsys.readouterr().out


def test_runs_query_and_update_of_an_unknown_run_are_one_line_errors(capsys) -> None:
    _bank(capsys)
    assert main(["runs", "query", "nope"]) == 2
    assert capsys.readouterr().err.startswith("error: no run with id 'nope'")
    assert main(["runs", "update", "bank-1", "deposit.9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
