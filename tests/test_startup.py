"""Start-up: ``procalg check`` loads only what its assertions need.

Most of a small model's check is Python importing modules (issue 9: start-up
dominated ABP's wall time), so what the command line imports is guarded here
by module name, not by a timing: each test runs a fresh interpreter and reads
its ``sys.modules``. A module named below may still be imported where it is
used (a picture, a determinism check, ``--explain``), just not on every start.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

NEVER_ON_START = (
    "z3",  # the symbolic engine (procalg.symbolic), only for Int data or `procalg lint`
    "networkx",
    "graphviz",  # pictures (procalg.lts.render)
    "rich",  # colours, only on a terminal (procalg.cli.style)
    "hypothesis",
    "IPython",
    "sqlite3",  # the run stores
    "procalg.runtime",
    "procalg.store",
    "procalg.symbolic",
    "procalg.notebook",
    "procalg.cli.run",  # the engine's subcommands register only when one may be asked for
)
"""Packages a check of a plain model never needs."""

ONLY_WHEN_ASKED = (
    "procalg.checks.determinism",  # normal forms: `:[deterministic]`
    "procalg.lts.normal_product",
    "procalg.checks.refinement",  # `[T=` and co.
    "procalg.checks.equivalence",  # `:[weak]` and co.
    "procalg.checks.liveness",  # `:[terminates]`, `:[ltl]:`
    "procalg.checks.ltl_product",
    "procalg.semantics.explain",  # --explain
    "procalg.api.explain",
)
"""Checks' machinery loaded by the assertion (or option) that needs it."""

ENGINES = (
    "numpy",
    "lark",
    "procalg.syntax",
    "procalg.semantics",
    "procalg.checks",
    "procalg.lts.lts",
    "procalg.api.model",
    "procalg.api.search",
    "procalg.cli.commands",
)
"""What a command runs on: loaded when one runs, not to parse a command line."""

EXPORTS = (
    "procalg.api.export",  # `procalg lts --format`, `procalg graph`
    "procalg.lts.sketch",
    "procalg.lts.render",
    "procalg.lts.formats",
    "procalg.lts.aut",
)
"""The LTS's formats and pictures: `lts` and `graph` load them, `check` never."""

SMALL = """channel think, eat : {0..1}
Phil(i) = think.i -> eat.i -> Phil(i)
Table = eat?i -> Table
System = (Phil(0) ||| Phil(1)) [| {| eat |} |] Table
assert System :[deadlock free]
assert System :[divergence free]
assert System :[reachable eat.1]
assert System :[has trace]: <think.0, think.1>
"""


def _loaded(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code`` (which must
    leave stdout to this function: it prints their names last)."""
    script = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=300, check=False, cwd=Path(__file__).parent)
    assert run.returncode == 0, run.stderr
    return set(json.loads(run.stdout.strip().splitlines()[-1]))


def _under(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules
                  if any(m == p or m.startswith(p + ".") for p in packages))


def test_importing_the_command_line_loads_no_engine_solver_or_drawing_package() -> None:
    assert _under(_loaded("import procalg.cli.main"), NEVER_ON_START + ONLY_WHEN_ASKED) == []


def test_importing_the_command_line_loads_no_parser_engine_or_numpy() -> None:
    assert _under(_loaded("import procalg.cli.main"), ENGINES) == []


def test_asking_for_the_version_loads_no_parser_engine_or_numpy() -> None:
    code = ("from procalg.cli.main import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit as stop:\n"
            "    assert stop.code == 0\n")
    assert _under(_loaded(code), ENGINES + NEVER_ON_START) == []


def test_checking_a_small_model_loads_no_machinery_its_assertions_do_not_ask_for(
        tmp_path) -> None:
    path = tmp_path / "small.proc"
    path.write_text(SMALL)
    code = ("from procalg.cli.main import main\n"
            f"assert main(['check', {str(path)!r}]) == 0")
    loaded = _loaded(code)
    assert "procalg.checks.deadlock" in loaded  # it did check
    assert _under(loaded, NEVER_ON_START + ONLY_WHEN_ASKED + EXPORTS) == []


NOT_FOR_A_SMALL_CHECK = (
    "numpy.ma",  # a plain np.unique's first call imports it (~7 ms): procalg.lts.unique_codes
    "pathlib",  # with urllib.parse and ipaddress (~3 ms): file names by os.path
    "importlib.resources",  # the grammar's file: only where the parser is built anew
    "difflib",  # "did you mean": an undefined name's or an unknown assertion's error
    "concurrent.futures",  # with logging (~3 ms; lark needs it too): a level of one
    # chunk needs no worker thread (procalg.lts.thread_pool)
)
"""Modules a small model's check has no use for, by the numpy or standard library
shortcut that pulled them in before (session 34)."""

NOT_FOR_DEADLOCK = ("procalg.checks.divergence", "procalg.checks.reachability",
                    "procalg.lts.census")  # --stats' counts
"""Other assertions' checks: loaded by the one that runs (procalg.api.search)."""

SHAPES = {  # the benchmark's default rows whose checks imported numpy.ma
    "deadlock": SMALL.replace("assert System :[divergence free]\n", "")
                     .replace("assert System :[reachable eat.1]\n", ""),
    "a hidden network": "channel a, b, c : {0..2}\n"
                        "P(i) = a.i -> b.i -> P((i + 1) % 3)\n"
                        "Q = b?i -> c.i -> Q\n"
                        "System = (P(0) [| {| b |} |] Q) \\ {| b |}\n"
                        "assert System :[deadlock free [F]]\n",
    "a buffer of data": "channel left, right : {0..3}\n"
                        "B(s) = #s < 2 & left?x -> B(s ^ <x>) [] #s > 0 & right!head(s) -> "
                        "B(tail(s))\nassert B(<>) :[deadlock free [F]]\n",
    "determinism": "channel a, b, c : {0..3}\nCycler(i) = a.i -> c.((i + 1) % 4) -> b.i "
                   "-> c.i -> Cycler(i)\nSystem = Cycler(0) ||| Cycler(1)\n"
                   "assert System :[deterministic]\n",
}


@pytest.mark.parametrize("model", sorted(SHAPES))
def test_a_check_of_a_small_model_loads_no_module_it_has_no_use_for(tmp_path, model) -> None:
    other, path = tmp_path / "other.proc", tmp_path / "small.proc"
    other.write_text("channel a\nP = a -> P\nassert P :[deadlock free]\n")
    path.write_text(SHAPES[model])
    env = {**os.environ, "PROCALG_CACHE_DIR": str(tmp_path / "cache")}
    # another model's check first (the parser is built from the grammar and kept); then
    # a first check of this model (parsed by the parser read back), and one read back
    for checked in (other, path, path):
        code = ("import sys\nfrom procalg.cli.main import main\n"
                f"sys.argv = ['procalg', 'check', {str(checked)!r}]\nassert main() in (0, 1)\n"
                "import json\nprint(json.dumps(sorted(sys.modules)))")
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=300, check=False, env=env)
        assert run.returncode == 0, run.stderr
        loaded = set(json.loads(run.stdout.strip().splitlines()[-1]))
        if checked is other:
            continue
        assert "procalg.lts.level_search" in loaded  # it searched
        assert _under(loaded, NOT_FOR_A_SMALL_CHECK) == []
        assert model == "determinism" or _under(loaded, NOT_FOR_DEADLOCK) == []


def test_exporting_an_lts_loads_the_formats(tmp_path) -> None:
    path = tmp_path / "small.proc"
    path.write_text(SMALL)
    code = ("from procalg.cli.main import main\n"
            f"assert main(['lts', {str(path)!r}, 'System', '--format', 'aut', "
            f"'-o', {str(tmp_path / 'out.aut')!r}]) == 0")
    assert "procalg.api.export" in _loaded(code)


@pytest.mark.parametrize(("assertion", "module"), [
    ("System :[deterministic]", "procalg.checks.determinism"),
    ("Phil(0) [T= System", "procalg.checks.refinement"),
    ("System :[terminates]", "procalg.checks.liveness"),
])
def test_an_assertion_that_needs_more_machinery_loads_it_and_checks(tmp_path, assertion,
                                                                      module) -> None:
    path = tmp_path / "more.proc"
    path.write_text(SMALL + f"assert {assertion}\n")
    code = ("from procalg.cli.main import main\n"
            f"assert main(['check', {str(path)!r}]) in (0, 1)")
    assert module in _loaded(code)


def test_only_the_process_own_command_line_freezes_its_objects_for_the_exit(
        tmp_path) -> None:
    path = tmp_path / "small.proc"
    path.write_text(SMALL)
    called = ("import gc\nfrom procalg.cli.main import main\n"
              f"assert main(['check', {str(path)!r}]) == 0\nprint(gc.get_freeze_count())")
    own = ("import gc, sys\nfrom procalg.cli.main import main\n"
           f"sys.argv = ['procalg', 'check', {str(path)!r}]\n"
           "assert main() == 0\nprint(gc.get_freeze_count())")
    counts = []
    for code in (called, own):
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=300, check=True)
        counts.append(int(run.stdout.split()[-1]))
    assert counts[0] == 0 and counts[1] > 10_000


def _own_command_line(path: Path, before: str = "", after: str = "") -> str:
    """Run ``procalg check path`` as the process's own command line (``main()``,
    as the installed script calls it); return what it prints, ``after``'s last."""
    code = (f"import sys\n{before}\nfrom procalg.cli.main import main\n"
            f"sys.argv = ['procalg', 'check', {str(path)!r}]\n"
            f"assert main() == 0\n{after}")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, check=False, env=env)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_a_check_loads_its_modules_and_runs_without_collecting_them_over_and_over(
        tmp_path) -> None:
    # collecting while ~400k objects of modules and parser tables load, then again
    # in every full collection, cost 0.03-0.04 s of a small check's CPU: the own
    # command line loads them with the collector off and freezes them (165
    # collections before, about 25 after); the check's objects live until the exit
    # too (counter N=30000: 340 collections, 0.18 s of CPU, 115 objects found), so
    # the collector stays off for the command
    path = tmp_path / "small.proc"
    path.write_text(SMALL)
    count = ("import gc\ncollections = []\n"
             "gc.callbacks.append(lambda phase, info: collections.append(phase))")
    out = _own_command_line(path, count, "print(collections.count('start'), gc.isenabled())")
    count, enabled = out.split()[-2:]
    assert int(count) < 60 and enabled == "False"  # the ones before the command's imports


def test_a_caller_of_main_keeps_its_collector_on(tmp_path) -> None:
    path = tmp_path / "small.proc"
    path.write_text(SMALL)
    code = ("import gc\nfrom procalg.cli.main import main\n"
            f"assert main(['check', {str(path)!r}]) == 0\nprint(gc.isenabled())")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, check=True)
    assert run.stdout.split()[-1] == "True"


def test_a_check_asks_openblas_for_one_thread_unless_the_user_chose(tmp_path) -> None:
    # OpenBLAS starts a thread per core with its buffers when numpy loads; a check
    # runs no linear algebra
    path = tmp_path / "small.proc"
    path.write_text(SMALL)
    show = "import os\nprint(os.environ.get('OPENBLAS_NUM_THREADS'))"
    assert _own_command_line(path, after=show).split()[-1] == "1"
    chosen = "import os\nos.environ['OPENBLAS_NUM_THREADS'] = '2'"
    assert _own_command_line(path, chosen, show).split()[-1] == "2"


def test_checking_a_model_with_unbounded_data_loads_the_solver(tmp_path) -> None:
    # the counterpart of the small model's check: z3 is imported where it runs
    path = tmp_path / "counter.proc"
    path.write_text("channel c : Int\nP(n) = c!n -> P(n + 1)\nassert P(0) :[invariant]: n >= 0\n")
    code = ("from procalg.cli.main import main\n"
            f"assert main(['check', {str(path)!r}]) == 0")
    loaded = _loaded(code)
    assert "z3" in loaded and "procalg.symbolic.engine" in loaded


READ_BACK_NEVER = ("lark", "shutil", "tempfile", "json", "hashlib")
"""Not imported by a check whose model is read back: the parser (and tempfile, for
lark's cache), shutil (argparse's width: cli/help_width), json (--json), hashlib
(OpenSSL: the cache names entries by CRC; a run's content hash imports it)."""


def _own_check(path: Path, cache: Path) -> tuple[str, list[str]]:
    """``procalg check path`` as the process's own command line with its parse
    cache in ``cache``: what it printed, and which of :data:`READ_BACK_NEVER` it
    imported."""
    code = ("import sys\nfrom procalg.cli.main import main\n"
            f"sys.argv = ['procalg', 'check', {str(path)!r}]\n"
            f"code = main()\nprint(code, *(m for m in {READ_BACK_NEVER!r} if m in sys.modules))")
    env = {**os.environ, "PROCALG_CACHE_DIR": str(cache)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, check=False, env=env, cwd=path.parent)
    assert run.returncode == 0, run.stderr
    *printed, last = re.sub(r"\d+\.\d+s", "", run.stdout).splitlines()  # not the times
    code, *loaded = last.split()
    return "\n".join([*printed, code]), loaded


def test_a_second_check_of_an_unchanged_model_reads_it_back_and_never_imports_lark(
        tmp_path) -> None:
    # lark's import, its tables and the first parse's lexers: ~40 ms of a check
    path = tmp_path / "small.proc"
    path.write_text(SMALL + "assert BUFF :[deadlock free]\nBUFF = RUN({| think |})\n")
    first, loaded_first = _own_check(path, tmp_path / "cache")
    second, loaded_second = _own_check(path, tmp_path / "cache")
    assert "lark" in loaded_first and loaded_second == []
    assert second == first


def test_a_check_of_an_edited_model_parses_it_again(tmp_path) -> None:
    path = tmp_path / "small.proc"
    path.write_text(SMALL)
    passed, _ = _own_check(path, tmp_path / "cache")
    path.write_text(SMALL.replace("Table = eat?i -> Table", "Table = eat?i -> STOP"))
    failed, loaded = _own_check(path, tmp_path / "cache")
    assert "lark" in loaded and passed.endswith("0") and failed.endswith("1")
