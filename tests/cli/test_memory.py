"""The address-space cap and the CPU-time guard of exploring commands (procalg/cli/memory.py)."""

from __future__ import annotations

import resource
import subprocess
import sys
import threading
from pathlib import Path

from procalg.cli.memory import cpu_limit, guard_cpu, guard_memory


def test_an_unlimited_process_is_capped_below_physical_memory(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(resource, "getrlimit",
                        lambda _: (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    monkeypatch.setattr(resource, "setrlimit", lambda kind, limits: calls.append(limits))
    limit = guard_memory(0.5)
    assert limit is not None and limit > 0
    assert calls == [(limit, resource.RLIM_INFINITY)]


def test_a_tighter_limit_set_by_the_caller_is_kept(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(resource, "getrlimit", lambda _: (1000, resource.RLIM_INFINITY))
    monkeypatch.setattr(resource, "setrlimit", lambda kind, limits: calls.append(limits))
    assert guard_memory() == 1000 and calls == []


BIG = """\
channel up, zero : {0..11}
Cnt(i, n) = up.i -> Cnt(i, (n + 1) % 8) [] n == 0 & zero.i -> Cnt(i, n)
Big = ||| i : {0..11} @ Cnt(i, 0)
Small = up.0 -> Small
assert Small :[deadlock free]
assert Big :[deadlock free]
"""
"""8^12 states in Big: no check ends within a few CPU seconds."""


def _check_under_limits(path: Path, cpu: int) -> subprocess.CompletedProcess:
    code = ("import resource, sys; "
            f"resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu})); "
            f"sys.argv = ['procalg', 'check', {str(path)!r}]; "
            "from procalg.cli.main import main; sys.exit(main())")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600, check=False)


def test_a_check_past_its_cpu_time_limit_says_which_assertion_and_how_far_it_got(
        tmp_path: Path) -> None:
    path = tmp_path / "big.proc"
    path.write_text(BIG)
    run = _check_under_limits(path, cpu=6)
    assert run.returncode == 2, run.stderr  # not the kernel's SIGKILL (-9)
    assert run.stdout.startswith("✓ Small :[deadlock free]")  # the verdicts before it stand
    assert "error: CPU time limit (6 s) reached while checking Big :[deadlock free] " \
           "(its search had reached " in run.stderr
    assert "Traceback" not in run.stderr


def test_cpu_limit_is_the_lower_of_the_soft_and_hard_limits(monkeypatch) -> None:
    monkeypatch.setattr(resource, "getrlimit", lambda _: (30, 60))
    assert cpu_limit() == 30
    monkeypatch.setattr(resource, "getrlimit", lambda _: (resource.RLIM_INFINITY, 60))
    assert cpu_limit() == 60
    monkeypatch.setattr(resource, "getrlimit",
                        lambda _: (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    assert cpu_limit() is None


def test_no_cpu_guard_starts_without_a_limit_or_off_the_main_thread(monkeypatch) -> None:
    monkeypatch.setattr(resource, "getrlimit",
                        lambda _: (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    assert guard_cpu() is None
    found = []
    worker = threading.Thread(target=lambda: found.append(guard_cpu(limit=1000.0)))
    worker.start()
    worker.join()
    assert found == [None]
