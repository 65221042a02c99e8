"""benchmarks/engine.py's command line: arguments read by argparse, usage errors not tracebacks."""

from __future__ import annotations

import pytest

from benchmarks.engine import arguments


def test_the_arguments_are_the_step_count_the_dbos_interpreter_and_cpu_only() -> None:
    args = arguments(["250", "--dbos", "/tmp/venv/bin/python", "--cpu-only"])
    assert (args.n, args.dbos, args.cpu_only) == (250, "/tmp/venv/bin/python", True)
    assert (arguments([]).n, arguments([]).cpu_only, arguments([]).dbos) == (1000, False, None)


def test_help_says_what_each_argument_is_and_exits_cleanly(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        arguments(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "--cpu-only" in text and "--dbos PYTHON" in text and "N" in text


def test_a_step_count_that_is_not_a_number_is_a_usage_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        arguments(["many"])
    assert done.value.code == 2
    assert "invalid int value: 'many'" in capsys.readouterr().err
