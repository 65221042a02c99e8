"""Every bundled model gives the verdicts and state counts its header pins.

A model file states what ``procalg check`` must answer in comment lines::

    -- expect: System :[deadlock free] => fail
    -- expect-states: System = 10053

The test runs the real command line (``procalg check --json`` and
``procalg lts --stats --json``) and compares.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "models"
# models/symbolic/: unbounded data, only the symbolic engine checks them (docs/symbolic.md)
MODELS = sorted(ROOT.glob("*.proc")) + sorted(ROOT.glob("symbolic/*.proc"))
EXPECT = re.compile(r"^-- expect:\s*(.+?)\s*=>\s*(pass|fail)\s*$")
STATES = re.compile(r"^-- expect-states:\s*(\S+)\s*=\s*(\d+)\s*$")


def _procalg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "procalg.cli", *args], capture_output=True, text=True, check=False
    )


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
def test_model_verdicts_match_its_header(path: Path) -> None:
    expected, _ = _expectations(path)
    # a proof's time limit must not make a pinned verdict depend on the machine's load
    slack = ["--timeout", "600"] if path.parent.name == "symbolic" else []
    run = _procalg("check", "--json", *slack, str(path))
    assert run.returncode in (0, 1), run.stderr
    report = json.loads(run.stdout)
    got = {" ".join(a["assertion"].split()): a["result"] for a in report["assertions"]}
    assert got == expected
    assert run.returncode == (1 if "fail" in got.values() else 0)


@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_model_state_counts_match_its_header(path: Path) -> None:
    _, states = _expectations(path)
    for process, count in states.items():
        run = _procalg("lts", str(path), process, "--stats", "--json")
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout)["states"] == count
