"""``procalg step``: the animator at a prompt, driven through a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

MODEL = "channel a, b, c\nP = a -> (b -> P [] c -> SKIP |~| c -> STOP)\n"


class Session:
    """``procalg step`` on a pseudo-terminal: type lines, read up to the next prompt."""

    def __init__(self, path: Path, process: str) -> None:
        self.leader, follower = pty.openpty()
        env = {k: v for k, v in os.environ.items()} | {"NO_COLOR": "1", "TERM": "xterm"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "procalg.cli", "step", str(path), process],
            stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True)
        os.close(follower)

    def read(self, until: str = "> ", timeout: float = 30) -> str:
        """Output up to and including ``until`` (the prompt), CRs removed."""
        data, deadline = b"", time.monotonic() + timeout
        while not data.decode(errors="replace").endswith(until):
            ready, _, _ = select.select([self.leader], [], [], deadline - time.monotonic())
            if not ready:
                raise AssertionError(f"no {until!r} after: {data.decode()!r}")
            try:
                chunk = os.read(self.leader, 4096)
            except OSError:  # the command ended
                break
            if not chunk:
                break
            data += chunk
        return data.decode().replace("\r", "")

    def type(self, line: str) -> str:
        """Send one line; the output it caused (the echoed line excluded)."""
        os.write(self.leader, (line + "\n").encode())
        return self.read().split("\n", 1)[1]

    def close(self) -> int:
        code = self.proc.wait(timeout=30)
        os.close(self.leader)
        return code


@pytest.fixture
def session(tmp_path: Path):
    path = tmp_path / "m.proc"
    path.write_text(MODEL)
    started = Session(path, "P")
    yield started
    if started.proc.poll() is None:
        started.proc.kill()
        started.proc.wait()


def test_step_numbers_the_offered_events_and_follows_a_number_or_a_name(session) -> None:
    first = session.read()
    assert first.endswith("state: a -> (b -> P [] c -> SKIP |~| c -> STOP)\n   1  a\n> ")
    assert session.type("1") == ("state: b -> P [] c -> SKIP |~| c -> STOP\n"
                                 "   1  τ  -> b -> P [] c -> SKIP\n"
                                 "   2  τ  -> c -> STOP\n> ")
    assert session.type("tau") == "state: b -> P [] c -> SKIP\n   1  b\n   2  c\n> "
    assert session.type("c").startswith("state: SKIP\n   1  ✓\n")


def test_back_undoes_a_step_and_trace_shows_the_visible_events(session) -> None:
    session.read()
    session.type("a")
    session.type("2")
    assert session.type("trace") == "trace: a\n> "
    assert session.type("back").startswith("state: b -> P [] c -> SKIP |~| c -> STOP\n")
    assert session.type("1") == "state: b -> P [] c -> SKIP\n   1  b\n   2  c\n> "
    session.type("b")
    assert session.type("trace") == "trace: a, b\n> "


def test_an_event_not_offered_is_refused_and_quit_ends_with_status_zero(session) -> None:
    session.read()
    assert session.type("b") == "b is not offered here; type help for the commands\n> "
    assert session.type("7") == "no move 7: the state offers 1; type help for the commands\n> "
    os.write(session.leader, b"quit\n")
    assert session.close() == 0


def test_a_name_that_is_not_a_process_is_an_error_before_any_prompt(tmp_path: Path) -> None:
    path = tmp_path / "m.proc"
    path.write_text(MODEL + "N = 3\n")
    done = subprocess.run([sys.executable, "-m", "procalg.cli", "step", str(path), "N"],
                          capture_output=True, text=True, input="", timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("procalg: error: N is an integer, 3, not a process\n")


def test_a_step_into_a_state_with_an_error_reports_it_and_stays_before_it(tmp_path) -> None:
    path = tmp_path / "g.proc"
    path.write_text("channel a : {0..2}\nP(n) = a.n -> P(n+1)\n")
    session = Session(path, "P(1)")
    session.read()
    # P(2)'s move leads to P(3), whose a.3 is the error: P(2) itself is a state
    assert session.type("1").endswith("state: a.2 -> P(3)\n   1  a.2\n> ")
    shown = session.type("1")
    assert f"{path}:2:10: error: value 3 is outside channel a's field 1 type {{0..2}}" in shown
    assert shown.endswith("stayed before that step: the state it leads to is an error\n"
                          "state: a.2 -> P(3)\n   1  a.2\n> ")
    os.write(session.leader, b"quit\n")
    assert session.close() == 0


def test_the_step_example_of_docs_cli_is_what_step_prints() -> None:
    root = Path(__file__).resolve().parents[2]
    page = (root / "docs" / "cli.md").read_text(encoding="utf-8")
    example = page.split("```console not run: interactive;", 1)[1].split("\n", 1)[1]
    command, *transcript = example.split("\n```", 1)[0].split("\n")
    _, _, _, model, process = command.split()
    typed, shown = [], [[]]  # what the page types; what it shows before each prompt
    for line in transcript:
        if line.startswith("> "):
            typed.append(line[2:])
            shown.append([])
        else:
            shown[-1].append(line)
    started = Session(root / model, process)
    try:
        got = [started.read()] + [started.type(line) for line in typed]
    finally:
        if started.proc.poll() is None:
            started.proc.kill()
    assert started.close() == 0
    printed = [text.removesuffix("> ").rstrip("\n").split("\n") for text in got]
    assert printed == [lines or [""] for lines in shown]
