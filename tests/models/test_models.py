"""Every bundled model gives the verdicts and state counts its header pins.

A model file states what ``procalg check`` must answer in comment lines::

    -- expect: System :[deadlock free] => fail
    -- expect-states: System = 10053

The test runs the command line's own entry point in this process
(``procalg check --json`` and ``procalg lts --stats --json`` through
:func:`procalg.cli.main.main`: a fresh interpreter per command cost half a
second of start-up each; ``tests/test_startup.py`` covers the installed
command) and compares.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from procalg.cli.main import main

ROOT = Path(__file__).resolve().parents[2] / "models"
# models/symbolic/: unbounded data, only the symbolic engine checks them (docs/symbolic.md)
MODELS = sorted(ROOT.glob("*.proc")) + sorted(ROOT.glob("symbolic/*.proc"))
EXPECT = re.compile(r"^-- expect:\s*(.+?)\s*=>\s*(pass|fail)\s*$")
STATES = re.compile(r"^-- expect-states:\s*(\S+)\s*=\s*(\d+)\s*$")


def _procalg(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The exit status, standard output and standard error of ``procalg ARGS``."""
    capsys.readouterr()
    status = main(list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


def _expectations(path: Path) -> tuple[dict[str, str], dict[str, int]]:
    verdicts, states = {}, {}
    for line in path.read_text().splitlines():
        if m := EXPECT.match(line):
            verdicts[" ".join(m.group(1).split())] = m.group(2)
        elif m := STATES.match(line):
            states[m.group(1)] = int(m.group(2))
    return verdicts, states


def test_every_model_pins_at_least_one_verdict() -> None:
    assert MODELS, "models/ is empty"
    for path in MODELS:
        assert _expectations(path)[0], f"{path.name} has no '-- expect:' lines"


@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_model_verdicts_match_its_header(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected, _ = _expectations(path)
    # a proof's time limit must not make a pinned verdict depend on the machine's load
    slack = ["--timeout", "600"] if path.parent.name == "symbolic" else []
    status, out, err = _procalg(capsys, "check", "--json", *slack, str(path))
    assert status in (0, 1), err
    report = json.loads(out)
    got = {" ".join(a["assertion"].split()): a["result"] for a in report["assertions"]}
    assert got == expected
    assert status == (1 if "fail" in got.values() else 0)


@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_model_state_counts_match_its_header(path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _, states = _expectations(path)
    for process, count in states.items():
        status, out, err = _procalg(capsys, "lts", str(path), process, "--stats", "--json")
        assert status == 0, err
        assert json.loads(out)["states"] == count
