"""The ``procalg`` command end to end: exit codes, output lines, JSON shape, diagnostics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procalg.cli.main import main

DEADLOCK = """\
channel a, b
P = a -> b -> STOP
Q = a -> Q
assert P :[deadlock free]
assert Q :[deadlock free]
assert not P :[deadlock free]
"""


@pytest.fixture
def model(tmp_path: Path):
    def write(text: str, name: str = "m.proc") -> str:
        path = tmp_path / name
        path.write_text(text)
        return str(path)
    return write


def test_check_exits_one_and_prints_a_line_per_assertion_when_one_fails(model, capsys) -> None:
    code = main(["check", model(DEADLOCK)])
    out = capsys.readouterr().out
    assert code == 1
    lines = [line for line in out.splitlines() if line[:1] in "✓✗"]
    assert [line[0] for line in lines[:3]] == ["✗", "✓", "✓"]
    assert "P :[deadlock free]" in lines[0] and "states" in lines[0]
    assert "trace: a, b" in out


def test_check_exits_zero_when_every_assertion_passes(model, capsys) -> None:
    code = main(["check", model("channel a\nP = a -> P\nassert P :[deadlock free]\n")])
    assert code == 0
    assert capsys.readouterr().out.startswith("✓ P :[deadlock free]")


def test_check_json_has_the_documented_shape(model, capsys) -> None:
    path = model(DEADLOCK)
    assert main(["check", "--json", path]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["file"] == path
    assert doc["summary"] == {"passed": 2, "failed": 1, "unknown": 0, "errors": 0}
    first = doc["assertions"][0]
    assert first["assertion"] == "P :[deadlock free]"
    assert first["line"] == 4
    assert first["result"] == "fail"
    assert first["counterexample"] == {"trace": ["a", "b"]}
    assert first["states"] == 3 and first["transitions"] == 2
    assert isinstance(first["seconds"], float) and isinstance(first["message"], str)
    assert doc["assertions"][1]["counterexample"] is None


def test_a_syntax_error_is_a_located_diagnostic_with_exit_two(model, capsys) -> None:
    path = model("channel a\nP = a -> \nassert P :[deadlock free]\n")
    assert main(["check", path]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:")
    first = err.splitlines()[0]
    assert ": error: " in first and "Traceback" not in err
    assert "^" in err


def test_an_undefined_name_points_at_its_use(model, capsys) -> None:
    path = model("channel a\nP = a -> Qx\nQ = a -> Q\nassert P :[deadlock free]\n")
    assert main(["check", path]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2:10: error:" in err
    assert "Qx" in err and "Traceback" not in err


def test_a_value_outside_a_channel_type_is_an_error_naming_both(model, capsys) -> None:
    path = model("channel c : {0..3}\nP = c.5 -> STOP\nassert P :[deadlock free]\n")
    assert main(["check", path]) == 2
    err = capsys.readouterr().err
    assert "5" in err and "c" in err and "{0..3}" in err.replace("{0, 1, 2, 3}", "{0..3}")


def test_division_by_zero_is_a_model_error(model, capsys) -> None:
    path = model("channel c : {0..3}\nP = c.(1/0) -> STOP\nassert P :[deadlock free]\n")
    assert main(["check", path]) == 2
    assert "zero" in capsys.readouterr().err


def test_the_state_limit_stops_cleanly_and_says_how_far_it_got(model, capsys) -> None:
    path = model("channel c : {0..99}\nP(n) = c.n -> P((n+1)%100)\nassert P(0) :[deadlock free]\n")
    assert main(["check", "--max-states", "10", path]) == 2
    err = capsys.readouterr().err
    assert "state limit" in err and "10" in err


def test_a_missing_file_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert main(["check", str(tmp_path / "nope.proc")]) == 2
    err = capsys.readouterr().err
    assert "cannot read" in err and "Traceback" not in err


@pytest.mark.parametrize(("argv", "named", "choices"), [
    (["check", "{f}", "--engine", "fast"], "no engine called 'fast'", "auto, product"),
    (["lts", "{f}", "P", "--minimize", "trace"], "no bisimulation called 'trace'",
     "strong, weak or branching"),
    (["graph", "{f}", "P", "-o", "x.dot", "--minimize", "fast"], "no bisimulation", "strong"),
    (["lts", "{f}", "P", "--engine", "symbolic"], "the symbolic engine builds no LTS",
     "auto, product, reference"),
])
def test_an_unknown_option_name_is_a_one_line_error_naming_the_choices(
        model, capsys, argv, named, choices) -> None:
    path = model(DEADLOCK)
    assert main([path if arg == "{f}" else arg for arg in argv]) == 2
    err = capsys.readouterr().err
    first, hint = err.splitlines()[:2]
    assert first.startswith("procalg: error: ") and named in first
    assert "hint:" in hint and choices in hint and "Traceback" not in err


def test_an_option_name_is_read_in_any_case(model, capsys) -> None:
    assert main(["lts", model(DEADLOCK), "P", "--minimize", "Strong", "--engine", "Reference",
                 "--stats"]) == 0
    assert capsys.readouterr().out.startswith("P: 3 states")


def test_lts_stats_json_counts_states_and_distinct_transitions(model, capsys) -> None:
    path = model("channel a, b\nP = a -> P [] a -> P [] b -> STOP\n")
    assert main(["lts", path, "P", "--stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "process": "P", "states": 2, "transitions": 2, "outcomes": {"deadlocked": 1}}


def test_lts_stats_say_how_runs_end(model, capsys) -> None:
    path = model("channel a, b\nP = a -> SKIP [] b -> STOP [] a -> THROW\n")
    assert main(["lts", path, "P", "--stats"]) == 0
    out = capsys.readouterr().out
    assert "terminal states: 1 completed, 1 deadlocked, 1 failed" in out


def test_lts_accepts_a_process_expression(model, capsys) -> None:
    path = model("channel a, b\nP = a -> b -> P\n")
    assert main(["lts", path, "P \\ {b}", "--stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["states"] == 2


def test_an_infinite_model_runs_out_of_memory_with_a_message_not_a_traceback(tmp_path) -> None:
    import subprocess
    import sys

    path = tmp_path / "inf.proc"
    # each state doubles a sequence: memory runs out within a few dozen states
    path.write_text("channel a\nP(s) = a -> P(s ^ s)\nassert P(<0>) :[deadlock free]\n")
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, "
            "resource.RLIM_INFINITY)); from procalg.cli.main import main; "
            f"sys.exit(main(['check', '--max-states', '0', {str(path)!r}]))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=600, check=False)
    assert run.returncode == 2
    assert "out of memory" in run.stderr and "Traceback" not in run.stderr
    assert "while checking P(<0>) :[deadlock free]" in run.stderr  # which one ran out


def test_out_of_memory_in_a_spec_normalisation_says_which_assertion_and_why(
        model, monkeypatch, capsys) -> None:
    from procalg.checks import refinement

    def out_of_memory(*_args, **_kwargs):
        raise MemoryError

    monkeypatch.setattr(refinement, "normal_table", out_of_memory)
    path = model("channel a\nP = a -> P\nassert P :[deadlock free]\nassert P [T= P\n")
    assert main(["check", path]) == 2
    out, err = capsys.readouterr()
    assert out.startswith("✓ P :[deadlock free]")
    assert "out of memory" in err and "while checking P [T= P" in err
    assert "  normalising the specification (1 state, 1 transition) ran out\n" in err


def test_lts_limits_only_the_reference_engine_by_default_as_check_does(
        tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setattr("procalg.cli.main.DEFAULT_MAX_STATES", 10)
    path = tmp_path / "net.proc"
    path.write_text("channel a, b : {0..3}\nP(i) = a.i -> P((i + 1) % 4)\n"
                    "Q(i) = b.i -> Q((i + 1) % 4)\nN = P(0) ||| Q(0)\n")
    assert main(["lts", str(path), "N", "--stats"]) == 0  # product engine: memory-bound
    assert capsys.readouterr().out.startswith("N: 16 states")
    assert main(["lts", str(path), "N", "--stats", "--engine", "reference"]) == 2
    assert "more than 10 states" in capsys.readouterr().err


def test_check_marks_an_unknown_verdict_with_a_question_mark_and_exits_3(tmp_path, capsys) -> None:
    model = tmp_path / "far.proc"
    model.write_text("channel c : Int\nchannel bad\n"
                     "P(n) = c!n -> (if n == 60 then bad -> STOP else P(n + 1))\n"
                     "assert not P(0) :[reachable bad]\n")
    # finite data, so auto's explicit engines would answer: the symbolic engine alone
    code = main(["check", str(model), "--bmc-depth", "2", "--timeout", "1", "--engine", "symbolic"])
    out = capsys.readouterr().out
    assert code == 3
    assert out.startswith("? not P(0) :[reachable bad]")
    assert "(line 4): unknown after depth 2" in out
    code = main(["check", str(model), "--bmc-depth", "2", "--timeout", "1", "--json",
                 "--engine", "symbolic"])
    report = json.loads(capsys.readouterr().out)
    assert code == 3 and report["assertions"][0]["result"] == "unknown"
    assert report["summary"]["unknown"] == 1


def test_check_does_not_import_the_engine_but_help_and_typos_list_every_command(
        model, capsys) -> None:
    import subprocess
    import sys

    code = ("import sys; from procalg.cli.main import main; main(['check', sys.argv[1]]); "
            "print('procalg.runtime.engine' in sys.modules, 'procalg.cli.run' in sys.modules)")
    found = subprocess.run([sys.executable, "-c", code, model(DEADLOCK)],
                           capture_output=True, text=True, check=False)
    assert found.stdout.splitlines()[-1] == "False False"
    with pytest.raises(SystemExit):
        main(["chek", "x.proc"])
    listed = capsys.readouterr().err
    assert all(name in listed for name in ("'check'", "'run'", "'worker'", "'schedule'"))


def _chain_file(tmp_path, n: int) -> str:
    """The brief's generated model: one process, a chain of ``n`` prefixes."""
    body = " ".join(f"step.{i} ->" for i in range(n))
    path = tmp_path / "deep.proc"
    path.write_text(f"channel step : {{0..{n}}}\nP = {body} SKIP\nassert P :[deadlock free]\n")
    return str(path)


def test_check_of_a_deep_chain_passes_without_a_traceback(tmp_path, capsys) -> None:
    # 500 used to crash; 10,000 deep: tests/api/test_deep_models.py (loaded once there)
    assert main(["check", _chain_file(tmp_path, 5_000)]) == 0
    out = capsys.readouterr().out
    assert "✓ P :[deadlock free]" in out and "5,002 states" in out


def test_lts_of_a_deep_chain_counts_its_states(tmp_path, capsys) -> None:
    assert main(["lts", _chain_file(tmp_path, 3_000), "P", "--stats"]) == 0
    assert capsys.readouterr().out.startswith("P: 3002 states, 3001 transitions")


def test_a_model_nested_past_the_limit_is_one_error_at_its_place(tmp_path, capsys,
                                                                 monkeypatch) -> None:
    from procalg.syntax import parser

    monkeypatch.setattr(parser, "MAX_NESTING", 1_000)
    path = _chain_file(tmp_path, 1_200)
    assert main(["check", path]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:2:") and "nests more than 1,000 operators deep here" in err
    assert "Traceback" not in err and "hint: procalg follows up to 1,000" in err


def test_check_stats_of_an_unknown_says_there_is_no_answer_and_why(tmp_path, capsys) -> None:
    model = tmp_path / "far.proc"
    model.write_text("channel c : Int\nchannel bad\n"
                     "P(n) = c!n -> (if n == 60 then bad -> STOP else P(n + 1))\n"
                     "assert not P(0) :[reachable bad]\n")
    code = main(["check", str(model), "--bmc-depth", "2", "--timeout", "1", "--engine",
                 "symbolic", "--stats"])
    out = capsys.readouterr().out
    assert code == 3
    assert "    no answer: no counterexample up to depth 2 (--bmc-depth)" in out
    assert "found by" not in out and "replayed" not in out


@pytest.mark.parametrize("columns", [None, "100", "7", "0", "-3", "wide"])
def test_the_help_width_is_the_one_shutil_gives(monkeypatch, columns):
    # argparse asks shutil; the CLI asks terminal_columns, which must agree
    import shutil

    from procalg.cli.help_width import terminal_columns

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert terminal_columns() == shutil.get_terminal_size().columns
