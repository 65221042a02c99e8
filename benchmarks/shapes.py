"""Benchmark: procalg against spin's full search on the model shapes of issue 9.

For each family of ``benchmarks/families.py`` and each size, writes the
``.proc`` model and its Promela peer, runs ``procalg check --stats --json``
on the first (a child process: time is its wall clock, start-up included;
memory its peak RSS) and spin on the second (``spin -a``, ``cc -O2
-DNOREDUCE -DSAFETY``, ``./pan``: time is all three, memory pan's peak RSS),
checks both state counts, and prints one table row:

    family, size, states (procalg / spin), procalg s (chk: the check alone,
    as its JSON reports it), procalg MB, spin s (pan: the search alone),
    spin MB, ratio (spin s / procalg s, both whole: above 1, procalg is faster)

The ``milner-determinism``, ``phils-determinism`` and
``milner-refines`` rows check ``:[deterministic]`` and ``ASpec(0) [T=
Scheduler \\ {| b |}`` on the same spaces (issue 17); spin's peers are the
full search (with ``-E`` for the deadlocking philosophers) and the search
with the specification as an asserting monitor (:mod:`benchmarks.families`).

A row prints a ratio only when spin stored exactly procalg's states plus
its ``init``'s first state, and procalg's count equals the family's formula
where it has one; otherwise it is an ``ERROR`` row that says which count is
off. A run past ``--timeout`` seconds is killed and its row says
``timeout``. pan's hash table and search depth are sized from procalg's
count (:func:`pan_sizes`), since a fixed ``-m10000000`` costs spin 4 s and
450 MB before it starts. At the default sizes start-up dominates both
columns (Python's imports, spin's C compilation: about a second each); the
``(chk)`` and ``(pan)`` columns show the searches alone.

procalg runs as an installed package does: from compiled bytecode (``pip``
writes the ``.pyc`` files at install time; an environment that sets
``PYTHONDONTWRITEBYTECODE`` would otherwise make every run recompile its
~150 modules, about 0.9 s of CPU). :func:`procalg_env` keeps that cache in a
directory of its own, outside the source tree, and one untimed warm-up
check fills it before the first row.

Run: ``.venv/bin/python -m benchmarks.shapes`` (default sizes: 1.5 minutes
on the shared 2-core machine), ``--large`` for issue 9's sizes (minutes per row),
``--only abp``, ``--size N=14`` (one row: ``--large --only odometer --size N=14``
is about a minute per tool), ``--no-spin``, ``--keep DIR`` to keep the generated models.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.families import FAMILIES, Family, Size


@dataclass(frozen=True)
class Measured:
    """One child process: its wall clock, peak RSS, exit status and output."""

    seconds: float
    max_rss: int  # bytes
    returncode: int | None  # None: killed at the timeout
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Outcome:
    """One tool's result on one model: a state count, or why there is none."""

    states: int | None
    seconds: float
    max_rss: int
    problem: str = ""  # "timeout", or a one-line error; "" when the run is good
    inner: float | None = None  # the search alone: procalg's check seconds, pan's run


def measure(cmd: list[str], cwd: Path, timeout: float,
            env: dict[str, str] | None = None) -> Measured:
    """Run ``cmd`` to its end or ``timeout`` seconds; its own peak RSS comes
    from ``wait4`` (``RUSAGE_CHILDREN`` would mix in earlier children).

    Example:
        >>> m = measure(["true"], Path("."), 10)
        >>> m.returncode, m.max_rss > 0
        (0, True)
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, start_new_session=True,
                                 env=env)
        status, usage = 0, None
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                os.killpg(child.pid, signal.SIGKILL)  # its own session: pan or cc too
                _, status, usage = os.wait4(child.pid, 0)
                status = None
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - start
        child.returncode = 0  # reaped by wait4; keep Popen from waiting again
        out.seek(0)
        err.seek(0)
        return Measured(seconds, usage.ru_maxrss * 1024,
                        None if status is None else os.waitstatus_to_exitcode(status),
                        out.read().decode(errors="replace"), err.read().decode(errors="replace"))


def _procalg() -> str:
    beside = Path(sys.executable).with_name("procalg")
    return str(beside) if beside.exists() else shutil.which("procalg") or "procalg"


def procalg_env(cache: Path) -> dict[str, str]:
    """This process's environment with Python's bytecode cache on, kept under ``cache``.

    Example:
        >>> env = procalg_env(Path("/tmp/pyc"))
        >>> env["PYTHONPYCACHEPREFIX"], "PYTHONDONTWRITEBYTECODE" in env
        ('/tmp/pyc', False)
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def warm_up(work: Path, env: dict[str, str]) -> None:
    """One untimed check of a tiny model, so the timed runs find every module compiled."""
    path = work / "warm.proc"
    path.write_text("channel a\nP = a -> P\nassert P :[deadlock free]\n")
    measure([_procalg(), "check", path.name], work, 120, env)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:70] if lines else "no output"


def run_procalg(family: Family, size: Size, work: Path, timeout: float,
                env: dict[str, str] | None = None) -> Outcome:
    """``procalg check --stats --json`` on the family's model at ``size``."""
    path = work / f"{family.name}.proc"
    path.write_text(family.proc(size))
    m = measure([_procalg(), "check", path.name, "--stats", "--json"], work, timeout, env)
    if m.returncode is None:
        return Outcome(None, m.seconds, m.max_rss, "timeout")
    try:
        first = json.loads(m.stdout)["assertions"][0]
    except (ValueError, KeyError, IndexError):
        return Outcome(None, m.seconds, m.max_rss, f"procalg: {_last_line(m.stderr)}")
    if first["result"] not in ("pass", "fail"):
        return Outcome(None, m.seconds, m.max_rss, f"procalg: {first.get('message', '')}"[:70])
    return Outcome(first["states"], m.seconds, m.max_rss, inner=first["seconds"])


PAN_DEPTH_CAP = 120_000_000
"""pan's deepest ``-m``: 5.8 GB up front, for the 57.5 M-state row (issue 9's 10^8 goal)."""


def pan_sizes(states: int | None) -> list[str]:
    """pan's search depth and hash table for a space of about ``states``.

    The depth stays below twice the state count (a rendezvous takes pan two
    steps, one stored state), and each level of ``-m`` costs pan 48 bytes up
    front (``-m10000000``: 458 MB and seconds), so small spaces get no more
    than they need; the cap, :data:`PAN_DEPTH_CAP`, lets the largest rows
    (milner N=20 and readers-writers N=15 go deeper than ten million) run
    whole. The hash table gets two to four slots per state. Unknown: the
    ten-million default, and spin's default table.

    Example:
        >>> pan_sizes(3073)
        ['-m6156', '-w13']
        >>> pan_sizes(None)
        ['-m10000000']
    """
    if states is None:
        return ["-m10000000"]
    width = min(30, max(10, math.ceil(math.log2(states + 1)) + 1))
    return [f"-m{min(2 * states + 10, PAN_DEPTH_CAP)}", f"-w{width}"]


def run_spin(family: Family, size: Size, work: Path, timeout: float,
             states_hint: int | None, optimise: str = "-O2") -> Outcome:
    """spin's full search, compilation included; ``states_hint`` sizes pan
    (``optimise="-O0"`` compiles four times faster, for tests of counts)."""
    assert family.promela is not None
    (work / "model.pml").write_text(family.promela(size))
    steps = [["spin", "-a", "model.pml"],
             ["cc", optimise, "-DNOREDUCE", "-DSAFETY", "-o", "pan", "pan.c"],
             ["./pan", *pan_sizes(states_hint), *family.pan_flags]]
    seconds, left = 0.0, timeout
    m = None
    for cmd in steps:
        m = measure(cmd, work, left)
        seconds += m.seconds
        left -= m.seconds
        if m.returncode is None:
            return Outcome(None, seconds, m.max_rss, "timeout")
        if m.returncode != 0:
            return Outcome(None, seconds, m.max_rss,
                           f"{cmd[0]}: {_last_line(m.stderr or m.stdout)}")
    assert m is not None
    stored = re.search(r"(\d+) states, stored", m.stdout)
    errors = re.search(r"errors: (\d+)", m.stdout)
    if stored is None or errors is None:
        return Outcome(None, seconds, m.max_rss, f"pan: {_last_line(m.stdout)}")
    if "max search depth too small" in m.stdout or int(errors.group(1)):
        return Outcome(None, seconds, m.max_rss, "pan: errors or depth too small")
    return Outcome(int(stored.group(1)), seconds, m.max_rss, inner=m.seconds)


def count_problem(family: Family, size: Size, ours: Outcome, peer: Outcome | None) -> str:
    """Why the two counts do not describe the same state space ("" if they do).

    Example:
        >>> f = FAMILIES["fifo"]
        >>> count_problem(f, (3, 4), Outcome(16, 1, 1), Outcome(17, 1, 1))
        ''
        >>> count_problem(f, (3, 4), Outcome(16, 1, 1), Outcome(18, 1, 1))
        'spin 18 != procalg 16 + 1'
    """
    if ours.states is not None and family.expected is not None:
        want = family.expected(size)
        if ours.states != want:
            return f"procalg {ours.states} != formula {want}"
    theirs = None if peer is None else peer.states
    if ours.states is not None and theirs is not None \
            and theirs != ours.states + family.spin_extra:
        return f"spin {theirs} != procalg {ours.states} + {family.spin_extra}"
    return ""


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f}"


def _time(o: Outcome) -> str:
    if o.problem == "timeout":
        return f"{'timeout':>17}"
    inner = "" if o.inner is None else f"{o.inner:.2f}"
    return f"{o.seconds:>10.2f}{inner:>7}"


HEAD = (f"{'family':<20}{'size':<10}{'procalg st':>11}{'spin st':>11}{'procalg s':>10}"
        f"{'(chk)':>7}{'MB':>6}{'spin s':>10}{'(pan)':>7}{'MB':>6}{'ratio':>7}")


def row(family: Family, size: Size, ours: Outcome, peer: Outcome | None) -> str:
    """One table line; a ratio only when both counts describe the same space."""
    def count(o: Outcome | None) -> str:
        return "-" if o is None else str(o.states) if o.states is not None else "?"

    line = (f"{family.name:<20}{family.label(size):<10}{count(ours):>11}{count(peer):>11}"
            f"{_time(ours)}{_mb(ours.max_rss):>6}")
    line += "" if peer is None else f"{_time(peer)}{_mb(peer.max_rss):>6}"
    problems = [p for p in (ours.problem, peer.problem if peer else "") if p]
    mismatch = count_problem(family, size, ours, peer)
    if mismatch:
        return f"{line}  ERROR: {mismatch}"
    if problems:
        return f"{line}  {'; '.join(problems)}"
    if peer is None:
        return f"{line}{'-':>10}{'-':>7}{'-':>6}{'-':>7}"
    return f"{line}{peer.seconds / ours.seconds:>7.2f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="issue 9's sizes (slow)")
    parser.add_argument("--only", action="append", choices=sorted(FAMILIES),
                        help="run only this family (repeatable)")
    parser.add_argument("--no-spin", action="store_true", help="do not run spin")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds per tool and row (default 60, 900 with --large)")
    parser.add_argument("--keep", type=Path, help="write the generated models under DIR")
    parser.add_argument("--size", action="append", metavar="S",
                        help="run only this size, as the table writes it (e.g. N=14 or C=6,V=10; "
                             "repeatable): one row of a slow family")
    args = parser.parse_args(argv)
    timeout = args.timeout or (900.0 if args.large else 60.0)
    has_spin = shutil.which("spin") is not None and shutil.which("cc") is not None
    if not has_spin and not args.no_spin:
        print("spin or cc not installed: procalg only (apt-get install spin)")
    cache = tempfile.TemporaryDirectory(prefix="procalg-pyc-")
    env = procalg_env(Path(cache.name))
    warm_up(Path(cache.name), env)
    print(HEAD)
    print("-" * len(HEAD))
    for family in FAMILIES.values():
        if args.only and family.name not in args.only:
            continue
        for size in family.large if args.large else family.sizes:
            if args.size and family.label(size) not in args.size:
                continue
            with tempfile.TemporaryDirectory() as tmp:
                work = Path(tmp)
                if args.keep:
                    work = args.keep / f"{family.name}-{family.label(size).replace(',', '-')}"
                    work.mkdir(parents=True, exist_ok=True)
                ours = run_procalg(family, size, work, timeout, env)
                peer = None
                if family.promela is not None and has_spin and not args.no_spin:
                    hint = ours.states or (family.expected(size) if family.expected else None)
                    peer = run_spin(family, size, work, timeout,
                                    None if hint is None else hint + family.spin_extra)
                print(row(family, size, ours, peer), flush=True)
    cache.cleanup()


if __name__ == "__main__":
    main()
