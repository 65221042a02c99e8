"""Benchmark: the bulk determinism check's choice between normal form and pairs.

Three models where ``reset`` is ``|||``'s choice of two counters, so the
normal form's nodes are sets of counter values (~2x more per level), and a
third counter may take hidden steps; each fails at depth ``K + 1``:

- ``sets``: ``benchmarks/divergence_lasso.py``'s ``det`` row (no hidden
  chain; a τ-cycle at the end): the pairs win by far.
- ``chain``: the third counter's ``up3`` is followed by ``L`` hidden steps
  (τ-closures of up to ``L + 1`` states): the pairs win, by ~2x.
- ``chains``: the first and third counters both take ``L`` hidden steps
  (closures of up to ``(L + 1)²`` states, each pair widened to their
  product): the normal form wins; pairs alone take minutes.
- ``late``: Milner's scheduler (``N = K``, its token hidden) beside a
  process that, after ``L`` rounds of ``a.0``, may take a hidden step to
  refusing ``a.0``: the τ-confluence screen (:mod:`procalg.lts.determinism_confluence`)
  would fail late (1.7 s for nothing); its look-ahead walks
  (:mod:`procalg.lts.determinism_probe`) give it up after 0.08 s, and the
  normal form runs (``auto`` 4.31 -> 3.01 s, ``noscreen`` 3.10 s).

Each ``(row, method)`` runs as a fresh process (``/usr/bin/time``: user +
system CPU seconds, peak MiB; killed past ``--timeout``), the methods
interleaved round by round; medians are printed. ``auto`` is the check as
shipped; ``noscreen`` is ``auto`` with the screen off (``normal_product.SCREEN``:
the screen's share); ``normal`` and ``pairs`` run one search alone
(``normal_product.METHODS``, set in the child). ``--methods`` picks among them;
``--trees`` adds
``auto`` of other trees (A/B).

Run: ``python -m benchmarks.determinism_switch [--runs 3] [--only chain]
[--methods auto noscreen] [--trees /work/wt-base]``.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.divergence_lasso import model as lasso_model
from benchmarks.families import FAMILIES

COUNTERS = """channel up1, up2, up3, reset, t
K = {k}
L = {l}
C2(n) = n < K & up2 -> C2(n + 1) [] reset -> C2(0)
C3(n) = n < K & up3 -> T3(n + 1, L) [] reset -> C3(0)
T3(n, i) = i > 0 & t -> T3(n, i - 1) [] i == 0 & C3(n)
"""
FIRST = {
    "chain": "C1(n) = n < K & up1 -> C1(n + 1) [] reset -> C1(0)\n",
    "chains": "C1(n) = n < K & up1 -> T1(n + 1, L) [] reset -> C1(0)\n"
              "T1(n, i) = i > 0 & t -> T1(n, i - 1) [] i == 0 & C1(n)\n",
}
TAIL = """Sys = ((C1(0) ||| C2(0)) [| {reset} |] C3(0)) \\ {t}
assert Sys :[deterministic]
"""
LATE = """
Late(n) = n < L & a.0 -> Late(n + 1) [] n == L & (a.0 -> Late(n) [] h -> done -> Late(n))
Sys = (Scheduler [| {a.0} |] Late(0)) \\ {h}
assert Sys :[deterministic]
"""
SIZES = {"sets": (22, 0), "chain": (15, 10), "chains": (14, 5), "late": (14, 6)}
"""Each row's default ``(K, L)``."""
METHODS = ("auto", "noscreen", "normal", "pairs")
"""How a row may be checked (the module's docstring)."""


def model(name: str, k: int, length: int) -> str:
    """The ``.proc`` text of row ``name`` at ``K = k`` and chains of ``length``.

    Example:
        >>> "T1(n + 1, L)" in model("chains", 3, 2), "T1" in model("chain", 3, 2)
        (True, False)
    """
    if name == "sets":
        return lasso_model("det", k)
    if name == "late":
        milner = FAMILIES["milner-determinism"].proc((k,))
        body = [line for line in milner.splitlines() if not line.startswith("assert")]
        return "\n".join([*body, f"L = {length}", "channel h, done"]) + LATE
    return COUNTERS.format(k=k, l=length) + FIRST[name] + TAIL


def forced(method: str, file: str) -> None:
    """Check ``file`` with the switch forced (in this process)."""
    from procalg.cli.main import main
    from procalg.lts import normal_product

    if method == "noscreen":  # as shipped but for the screen: its share of ``auto``
        normal_product.SCREEN = False
    elif method == "normal":
        normal_product.METHODS = ("normal form",)
    elif method == "pairs":
        normal_product.METHODS = ("pairs",)
    main(["check", file])


def measure(tree: Path, method: str, file: Path, timeout: float) -> tuple[float, float] | None:
    """CPU seconds and peak MiB of one check (``None``: past ``timeout``)."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    how = (["procalg", "check"] if method == "auto" else  # as shipped: any tree has it
           ["python", "-m", "benchmarks.determinism_switch", "--forced", method])
    cmd = ["/usr/bin/time", "-f", "%U %S %M", str(tree / ".venv/bin" / how[0]), *how[1:],
           str(file)]
    with subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, cwd=tree, start_new_session=True) as child:
        try:
            _, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:  # the whole group: time's child is the check
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            return None
    user, system, peak = err.strip().splitlines()[-1].split()
    return float(user) + float(system), int(peak) / 1024


def main(argv: list[str] | None = None) -> None:
    """Print, per row and method, the median CPU seconds and peak MiB."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forced", nargs=2, metavar=("METHOD", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--trees", nargs="*", type=Path, default=[])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--only", nargs="*", default=list(SIZES))
    parser.add_argument("--methods", nargs="*", default=list(METHODS), choices=METHODS)
    args = parser.parse_args(argv)
    if args.forced:
        forced(*args.forced)
        return
    here = Path.cwd()
    runs = [(here, m) for m in args.methods] + [(t, "auto") for t in args.trees]
    got: dict[tuple[str, Path, str], list[tuple[float, float] | None]] = {}
    with tempfile.TemporaryDirectory() as work:
        for _ in range(args.runs):  # interleaved: every (tree, method) once per round
            for name in args.only:
                file = Path(work) / f"{name}.proc"
                file.write_text(model(name, *SIZES[name]))
                for tree, method in runs:
                    got.setdefault((name, tree, method), []).append(
                        measure(tree, method, file, args.timeout))
    print(f"{'row':7} {'K, L':7} {'method':7} {'tree':24} {'CPU s':>7} {'peak MiB':>9}"
          f"   (median of {args.runs})")
    for (name, tree, method), out in got.items():
        done = [r for r in out if r is not None]
        if len(done) <= len(out) // 2:
            cpu, mib = f"{'>' + str(int(args.timeout)):>7}", f"{'':>9}"
        else:  # a timed-out run counts as slower than any finished one
            cpu = f"{statistics.median([r[0] for r in done] + [1e9] * (len(out) - len(done))):7.2f}"
            mib = f"{statistics.median(r[1] for r in done):9.1f}"
        size = "{}, {}".format(*SIZES[name])
        print(f"{name:7} {size:7} {method:7} {tree!s:24} {cpu} {mib}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
