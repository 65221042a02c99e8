"""Colour on a terminal, plain text anywhere else."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from procalg.cli.style import Style, wants_colour

MODEL = "channel a, b\nP = a -> b -> STOP\nQ = a -> Q\nassert P :[deadlock free]\n" \
        "assert Q :[deadlock free]\n"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_is_on_for_a_terminal_and_off_for_a_pipe(monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert wants_colour(Terminal()) and not wants_colour(io.StringIO())


def test_no_color_turns_colour_off_even_on_a_terminal(monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert not wants_colour(Terminal())


def test_a_diagnostic_keeps_its_words_and_colours_error_caret_and_hint() -> None:
    text = "m.proc:1:10: error: undefined name 'Q'\n    1 | P = a -> Q\n      |          ^\n" \
           "  hint: define Q"
    painted = Style(True).diagnostic(text)
    assert "\x1b[1;31merror:\x1b[0m undefined name 'Q'" in painted
    assert painted.splitlines()[2] == "      |          \x1b[1;31m^\x1b[0m"
    assert "\x1b[36mhint:\x1b[0m define Q" in painted
    assert Style(False).diagnostic(text) == text


def _run_on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """The command's output as a terminal shows it (stdout and stderr on a pty)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "procalg.cli", *args], stdin=follower,
                            stdout=follower, stderr=follower, env=env, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode()


@pytest.mark.parametrize("no_color", [False, True])
def test_check_colours_its_marks_on_a_terminal_unless_no_color(
        tmp_path: Path, no_color: bool) -> None:
    path = tmp_path / "m.proc"
    path.write_text(MODEL)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"TERM": "xterm"}
    if no_color:
        env["NO_COLOR"] = "1"
    shown = _run_on_a_terminal(["check", str(path)], env)
    assert ("\x1b[1;31m✗\x1b[0m P :[deadlock free]" in shown) is not no_color
    assert ("\x1b[1;32m✓\x1b[0m Q :[deadlock free]" in shown) is not no_color
    assert "P :[deadlock free]" in shown
