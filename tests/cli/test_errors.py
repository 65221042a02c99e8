"""Diagnostics at the command line: they name the cause (the command, the
process named on it, the definition) and carry it into ``--json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procalg.cli.main import main

NAMES = "channel a : {0..3}\nId = {0..3}\nPay(n) = a.n -> STOP\nP = a.0 -> P\n"
UNGUARDED = ("channel a\nP = P [] a -> STOP\n"
             "assert P :[deadlock free]\nassert P :[divergence free]\n")


@pytest.fixture
def model(tmp_path: Path):
    def write(text: str, name: str = "f.proc") -> str:
        path = tmp_path / name
        path.write_text(text)
        return str(path)
    return write


def test_a_set_named_on_the_command_line_is_a_command_line_error(model, capsys) -> None:
    assert main(["lts", model(NAMES), "Id"]) == 2
    assert capsys.readouterr().err == (
        "procalg: error: Id is a set, {0, 1, 2, 3}, not a process\n"
        "  hint: name a process, e.g. one of: Pay(n), P\n")


def test_a_process_named_without_its_arguments_says_which_it_needs(model, capsys) -> None:
    assert main(["graph", model(NAMES), "Pay", "-o", "x.dot"]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        "procalg: error: process Pay needs 1 argument: Pay(n)")


def test_a_missing_file_is_the_commands_error_not_an_inputs(tmp_path, capsys) -> None:
    assert main(["check", str(tmp_path / "nope.proc")]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"procalg: error: cannot read {tmp_path / 'nope.proc'}: No such file or directory")


def test_an_option_missing_its_partner_is_the_commands_error(model, capsys) -> None:
    assert main(["lts", model(NAMES), "P", "-o", "out.aut"]) == 2
    assert capsys.readouterr().err == (
        "procalg: error: -o needs --format to say what to write\n"
        "  hint: add --format aut, dot, json or graphml\n")


def test_a_missing_file_still_prints_json_with_json(tmp_path, capsys) -> None:
    assert main(["check", "--json", str(tmp_path / "nope.proc")]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["message"].startswith("cannot read")
    assert error["hint"] == "check the path"
    assert (error["file"], error["line"]) == (None, None)


def test_json_errors_carry_the_position_and_the_hint(model, capsys) -> None:
    path = model(UNGUARDED, "m.proc")
    assert main(["check", "--json", path]) == 2
    item = json.loads(capsys.readouterr().out)["assertions"][0]
    assert item["error"] == {
        "message": "unguarded recursion: P calls itself before any event",
        "file": path, "line": 2, "column": 1,
        "hint": "put an event before the recursive call, e.g. P = a -> P"}


def test_unguarded_recursion_via_check_has_a_position_and_is_said_once(model, capsys) -> None:
    path = model(UNGUARDED, "m.proc")
    assert main(["check", path]) == 2
    err = capsys.readouterr().err
    assert err.count("error: unguarded recursion") == 1
    assert f"{path}:2:1: error: unguarded recursion: P calls itself before any event" in err


@pytest.mark.parametrize("engine", ["product", "reference"])
def test_unguarded_recursion_via_lts_has_a_position_with_either_engine(
        model, capsys, engine) -> None:
    path = model(UNGUARDED, "m.proc")
    assert main(["lts", path, "P", "--engine", engine]) == 2
    assert capsys.readouterr().err.startswith(f"{path}:2:1: error: unguarded recursion")


@pytest.mark.parametrize("verb", [["list"], ["show", "some-run"]])
def test_runs_list_and_show_refuse_retry_which_means_nothing_to_them(
        tmp_path, capsys, verb) -> None:
    argv = ["runs", *verb, "--db", str(tmp_path / "runs.db"), "--retry", "ship.maximum_attempts=5"]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"procalg: error: --retry means nothing to 'procalg runs {verb[0]}'\n"
        "  hint: retry policies apply where a run executes: run, runs resume, runs signal\n")
