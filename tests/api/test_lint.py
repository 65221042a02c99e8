"""``procalg lint``: findings as lines and JSON, exit status as for check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procalg.cli.main import main

GAP = "channel a, b\nQ(n) = n < 3 & a -> Q(n + 1) [] n > 3 & b -> Q(0)\n"


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "m.proc"
    path.write_text(text)
    return str(path)


def test_a_finding_is_one_line_with_position_reason_and_witness(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, GAP)
    assert main(["lint", path]) == 1
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith(f"{path}:2:8: hidden STOP: ")
    assert line.endswith("witness: n = 3")


def test_lint_json_lists_the_findings(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--json", _write(tmp_path, GAP)]) == 1
    [finding] = json.loads(capsys.readouterr().out)["findings"]
    assert (finding["kind"], finding["line"], finding["witness"]) == ("stop", 2, {"n": 3})


def test_a_clean_model_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", _write(tmp_path, "channel a\nP = a -> P\n")]) == 0
    assert capsys.readouterr().out.endswith("no findings\n")
