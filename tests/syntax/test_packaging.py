"""An installed wheel carries the grammar and the parser finds it there."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=120,
    )
    (built,) = out.glob("procalg-*.whl")
    return built


def test_wheel_contains_the_grammar_and_error_examples(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "procalg/grammar/procalg.lark" in names
    assert "procalg/notebook/stepper.js" in names  # the notebook stepper's script
    assert any(n.startswith("procalg/grammar/corpus/invalid/missing-at/") for n in names)


def test_installed_package_loads_its_own_grammar(wheel, tmp_path):
    zipfile.ZipFile(wheel).extractall(tmp_path)
    code = (
        "import procalg.syntax.parser as p\n"
        "print(p.grammar_path())\n"
        "m = p.parse('channel a\\nP = a -> P')\n"
        "print(len(m.declarations))\n"
        "try:\n    p.parse('P = [] x : S a -> STOP')\n"
        "except Exception as e:\n    print(e.message)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60, check=True)
    grammar, count, message = run.stdout.splitlines()
    assert Path(grammar) == tmp_path / "procalg" / "grammar" / "procalg.lark"
    assert count == "2"
    assert "'@'" in message
