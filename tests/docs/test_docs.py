"""The user documentation stays true: its examples parse and its outputs are real.

Every fenced block in ``README.md`` and ``docs/*.md`` is checked by its info string:

- ```` ```proc ```` is a whole model: :func:`procalg.syntax.parse` accepts it
  and :func:`procalg.api.loads` evaluates its declarations without error;
- ```` ```proc-fragment ```` is one process or value expression:
  :func:`procalg.syntax.parse_expr` accepts it;
- ```` ```console session ```` blocks are one session per page (``session NAME``
  another one, with its own store): in page order,
  in a scratch directory (so a fresh run store, ``runs.db``) that sees the
  repository's ``models/`` and ``docs/`` and the page's ```` ```proc FILE ````
  blocks as files; each ``$ procalg ...`` line runs (``NAME=value`` before it
  sets the environment, ``> FILE`` after it writes its output there) and its
  output, standard error after standard output, is compared line by line,
  timestamps, durations (``0.019s``, a timer's ``fires in 29d23h59m46s``)
  and worker ids normalised; a line
  ``...`` stands for any number of lines; ``$ echo $?`` compares the exit
  status;
- ```` ```console not run: REASON ```` is shown, not run (interactive, or
  needs what the suite has not got): the reason is required;
- ```` ```console ```` blocks whose first line is ``$ procalg ...`` are run
  (in process, through :func:`procalg.cli.main.main`) and compared with what
  the page shows, and the exit status when the page shows ``$ echo $?``:
  for ``check`` every line, standard error after standard output (as a
  terminal shows a diagnostic printed at the end), with only each summary
  line's timing column (``0.02s``) normalised, so state counts and
  counterexamples are compared; for ``check --json`` the assertions and
  results; for ``lts`` and ``--help`` the whole text;
- ```` ```python ```` blocks run, each page's in order in one IPython shell
  (so ``%load_ext`` and ``%%proc`` work as in a notebook), in a scratch
  directory that sees the repository's ``models/`` and ``docs/``; a block
  that raises fails the page.

A block that should not be checked uses another info string (``text``).
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from procalg.api import loads
from procalg.cli.main import main
from procalg.syntax import parse, parse_expr

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```([\w-]*)(?:[ \t]+(.*?))?\s*$")
# a summary line of the symbolic engine (z3), which shows a depth instead of states
SYMBOLIC = re.compile(r"^[✓✗?] .*\n?\s+depth\s+\d+\s+[\d.]+s$", re.MULTILINE)
# a summary line's timing column (``{seconds:7.2f}s``): the one thing in it that varies
TIMING = re.compile(r"[ \d]{3}\d\.\d\ds$")


@dataclass(frozen=True)
class Block:
    """One fenced block of a page."""

    page: str
    line: int  # of the opening fence
    info: str
    text: str
    args: str = ""  # what follows the info string's first word

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown page, in order."""
    found, info, start, body = [], None, 0, []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fence = FENCE.match(line)
        if info is None and fence:
            info, args, start, body = fence.group(1), fence.group(2) or "", number, []
        elif info is not None and line.strip() == "```":
            found.append(Block(path.name, start, info, "\n".join(body) + "\n", args))
            info = None
        elif info is not None:
            body.append(line)
    assert info is None, f"{path.name}:{start}: unclosed code fence"
    return found


ALL = [b for page in PAGES for b in blocks(page)]
MODELS = [b for b in ALL if b.info == "proc"]
FRAGMENTS = [b for b in ALL if b.info == "proc-fragment"]
CONSOLE = [b for b in ALL if b.info == "console" and not b.args
           and b.text.startswith("$ procalg ")]
SESSION = re.compile(r"session(?: [\w-]+)?")
SESSIONS = sorted({(b.page, b.args) for b in ALL
                   if b.info == "console" and SESSION.fullmatch(b.args)})
PYTHON_PAGES = sorted({b.page for b in ALL if b.info == "python"})
# runs a page's blocks as notebook cells, in order, and says which one raised
CELLS = """
import json, sys
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance(colors="NoColor")
for line, cell in json.load(open(sys.argv[1])):
    if not shell.run_cell(cell, store_history=False).success:
        sys.exit(f"the block at line {line} raised")
"""


def test_the_user_pages_exist_and_have_examples() -> None:
    names = {p.name for p in PAGES}
    assert {"language.md", "semantics.md", "checks.md", "cli.md"} <= names
    fragments = sum(len(_fragments(b.text)) for b in FRAGMENTS)
    assert len(MODELS) >= 5 and fragments >= 5 and len(CONSOLE) >= 10 and len(SESSIONS) >= 5


@pytest.mark.parametrize("block", MODELS, ids=[b.id for b in MODELS])
def test_every_proc_example_parses_as_a_model(block: Block) -> None:
    module = parse(block.text, block.id)
    assert module.declarations, "an empty model teaches nothing"


@pytest.mark.parametrize("block", MODELS, ids=[b.id for b in MODELS])
def test_every_model_example_loads(block: Block) -> None:
    model = loads(block.text, block.id)
    for clauses in model.spec.definitions.values():
        if clauses[0].params is None:  # every constant process and value evaluates
            model.value(clauses[0].body)


@pytest.mark.parametrize("block", FRAGMENTS, ids=[b.id for b in FRAGMENTS])
def test_every_fragment_parses_as_an_expression(block: Block) -> None:
    for line in _fragments(block.text):
        parse_expr(line, block.id)


def _fragments(text: str) -> list[str]:
    """A fragment block holds one expression per paragraph (blank-line separated)."""
    chunks = [c for c in re.split(r"\n\s*\n", text) if c.strip()]
    return chunks


def run_fresh(argv: list[str]) -> tuple[int, str, str]:
    """As :func:`run`, in a new Python process.

    For the symbolic engine: how z3 prints an invariant Spacer found depends
    on the terms the process made before, so the page's text is what a fresh
    ``procalg`` prints, not what follows another example in this process.
    """
    done = subprocess.run([sys.executable, "-m", "procalg.cli", *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                               "COLUMNS": "80"})
    return done.returncode, done.stdout, done.stderr


def untimed(text: str) -> str:
    """The text with each summary line's timing column blanked, nothing else.

    Example:
        >>> untimed("✓ P :[deadlock free]      1 state      0.30s\\n")
        '✓ P :[deadlock free]      1 state      T.TTs'
    """
    return "\n".join(TIMING.sub("   T.TTs", line.rstrip()) for line in text.strip().splitlines())


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The command's exit status, standard output and standard error."""
    try:
        status = main(argv)
    except SystemExit as exit_:  # argparse exits for --help
        status = int(exit_.code or 0)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _command(block: Block) -> tuple[list[str], str, int | None]:
    """The argv after ``procalg``, the shown output, and the shown exit status."""
    first, *rest = block.text.rstrip("\n").split("\n")
    shown, status = [], None
    for i, line in enumerate(rest):
        if line.strip() == "$ echo $?":
            status = int(rest[i + 1])
            break
        shown.append(line)
    return shlex.split(first[len("$ procalg "):]), "\n".join(shown), status


@pytest.mark.parametrize("block", CONSOLE, ids=[b.id for b in CONSOLE])
def test_every_console_example_is_real_output(
    block: Block, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "80")  # argparse wraps help text to the terminal
    argv, shown, status = _command(block)
    if "-o" in argv:  # files the page writes go to a scratch directory
        at = argv.index("-o") + 1
        scratch = str(tmp_path / Path(argv[at]).name)
        shown, argv[at] = shown.replace(argv[at], scratch), scratch
    fresh = argv[0] == "check" and SYMBOLIC.search(shown)
    got_status, out, err = run_fresh(argv) if fresh else run(argv, capsys)
    if status is not None:
        assert got_status == status
    if "--help" in argv or "-h" in argv:
        assert out.strip() == shown.strip()
    elif argv[0] == "check" and "--json" in argv:
        results = [(a["assertion"], a["result"]) for a in json.loads(out)["assertions"]]
        assert results == [(a["assertion"], a["result"])
                           for a in json.loads(shown)["assertions"]]
    elif argv[0] == "check":
        assert shown.strip(), "a check example should show its output"
        assert untimed(out + err) == untimed(shown)
    else:
        assert out.strip() == shown.strip()


def test_a_check_output_is_compared_in_full_but_its_timings() -> None:
    page = "✓ P :[has trace]: <a>      18 states     0.30s\n    trace: a\n"
    assert untimed(page) == untimed(page.replace(" 0.30s", "12.07s"))  # {:7.2f}
    assert untimed(page) != untimed(page.replace("18 states", "15 states"))
    assert untimed(page) != untimed(page.replace("trace: a", "trace: b"))
    assert untimed("✓ P  1 state  0.30s\n") != untimed("✓ P  1 state  0.30s\n\nwarning: w\n")


# what varies from one session to the next: timestamps, durations, worker ids
VARIES = [(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"), "<when>"),
          (re.compile(r" *[+]?\d+\.\d{3}s"), " <time>"),
          (re.compile(r"\bvm:[\w:.-]+"), "<worker>"),
          (re.compile(r"(?<=fires in )\d[\dwdhms]*"), "<time>"),  # left from now
          (re.compile(r'(?<="deadline": )\d+(?:\.\d+)?'), "<when>")]


def unvarying(text: str) -> list[str]:
    """The lines of a session's output with what varies replaced by a placeholder.

    Example:
        >>> unvarying("  1     0.019s  activity_scheduled\\n")
        ['  1 <time>  activity_scheduled']
    """
    lines = []
    for line in text.rstrip().splitlines():
        for pattern, placeholder in VARIES:
            line = pattern.sub(placeholder, line)
        lines.append(line.rstrip())
    return lines


def shows(shown: list[str], real: list[str]) -> bool:
    """Whether the real lines are the shown ones, a ``...`` line standing for any number."""
    parts = [r"(?:[^\n]*\n)*?" if line.strip() == "..." else re.escape(line) + r"\n"
             for line in shown]
    return re.fullmatch("".join(parts), "".join(f"{line}\n" for line in real)) is not None


def commands(block: Block) -> list[tuple[str, list[str]]]:
    """A session block's ``$`` lines, each with the output lines shown under it."""
    found: list[tuple[str, list[str]]] = []
    for line in block.text.rstrip("\n").split("\n"):
        if line.startswith("$ "):
            found.append((line[2:], []))
        else:
            assert found, f"{block.id}: a session block starts with a $ line"
            found[-1][1].append(line)
    return found


def run_line(line: str, capsys: pytest.CaptureFixture[str],
             monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """Run one ``[NAME=value ...] procalg ARGS [> FILE]``; its status and shown output."""
    words = shlex.split(line)
    with monkeypatch.context() as env:
        while "=" in words[0]:
            name, value = words.pop(0).split("=", 1)
            env.setenv(name, value)
        assert words[0] == "procalg", f"a session runs procalg only, not {line!r}"
        target = words[-1] if len(words) > 2 and words[-2] == ">" else None
        status, out, err = run(words[1:-2] if target else words[1:], capsys)
    if target:
        Path(target).write_text(out, encoding="utf-8")
        out = ""
    return status, out + err


@pytest.mark.parametrize("session", SESSIONS, ids=[f"{p}:{s}" for p, s in SESSIONS])
def test_every_console_session_is_real_output(
    session: tuple[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    for shared in ("models", "docs"):
        (tmp_path / shared).symlink_to(ROOT / shared)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    page, name = session
    status = None
    for block in (b for b in ALL if b.page == page):
        if block.info == "proc" and block.args:  # a model the session reads by name
            (tmp_path / block.args).write_text(block.text, encoding="utf-8")
        if block.info != "console" or block.args != name:
            continue
        for line, shown in commands(block):
            if line == "echo $?":
                assert [str(status)] == shown, f"{block.id}: the exit status of the line before"
                continue
            status, out = run_line(line, capsys, monkeypatch)
            if not shows(unvarying("\n".join(shown)), unvarying(out)):
                assert unvarying(out) == unvarying("\n".join(shown)), f"{block.id}: $ {line}"


def test_a_block_that_is_not_run_says_why() -> None:
    skipped = {b.args for b in ALL if b.info == "console" and b.args.startswith("not run")}
    for block in (b for b in ALL if b.args in skipped):
        assert re.fullmatch(r"not run: \S.*", block.args), f"{block.id}: say why it is not run"
    for block in (b for b in ALL if b.info == "console" and b.args not in skipped):
        assert not block.args or SESSION.fullmatch(block.args), f"{block.id}: {block.args}?"


def test_a_session_line_of_dots_stands_for_any_number_of_lines() -> None:
    assert shows(["a", "...", "d"], ["a", "b", "c", "d"])
    assert shows(["a", "...", "d"], ["a", "d"])
    assert not shows(["a", "...", "d"], ["a", "b", "c"])
    assert not shows(["a", "d"], ["a", "b", "d"])
    assert unvarying("x  2026-12-03 19:31:30  10.328s vm:1:2:ab") == ["x  <when> <time> <worker>"]
