"""Summary lines and counts read as English and fit in 100 columns."""

from __future__ import annotations

from pathlib import Path

from procalg.cli.main import main


def test_one_state_is_singular_in_lts_and_check(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.proc"
    path.write_text("channel a\nP = a -> P\nassert P :[deadlock free]\n")
    assert main(["lts", str(path), "P"]) == 0
    assert capsys.readouterr().out == "P: 1 state, 1 transition\n"
    assert main(["check", str(path)]) == 0
    assert " 1 state  " in capsys.readouterr().out


def test_a_long_assertion_puts_its_numbers_on_the_next_line(tmp_path: Path, capsys) -> None:
    long = " [] ".join(f"a -> b{i} -> STOP" for i in range(4))
    path = tmp_path / "m.proc"
    path.write_text(f"channel a, {', '.join(f'b{i}' for i in range(4))}\n"
                    f"P = a -> P\nassert P :[deadlock free]\nassert {long} :[deadlock free]\n")
    assert main(["check", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert all(len(line) < 100 for line in lines if long not in line)
    assert lines[1] == f"✗ {long} :[deadlock free]"
    assert lines[2].strip().endswith("s") and " states " in lines[2]
    assert lines[0].startswith("✓ P :[deadlock free]") and lines[0].endswith("s")
