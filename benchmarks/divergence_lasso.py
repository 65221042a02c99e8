"""Benchmark: what a failing divergence check's τ-lasso costs, A/B between trees.

The models: three counters ``{0..K}`` (``up1``, ``up2``, ``up3``; a shared
``reset`` sends all three back to 0), ``(K+1)³ + (K+1)²`` states (97,336 +
2,116 at ``K = 45``); once the third is full it may τ-cycle (a hidden ``h``)
between two states, so the divergence is found after the whole space is
explored and every state stays reachable from the cycle (``reset``). In
``told`` the two cycle states differ in the events they offer (``x`` in
one); in ``deep`` both offer ``x`` and differ only after it (``y`` or ``z``),
so the region's own moves cannot tell them apart. In ``twin`` the third
counter carries a bit it never shows, flipped on each step (``--no-reduce``
keeps it): the cycle's states reach distinct but bisimilar states, which
only the whole partition can tell, the lasso's worst case. The ``pass`` row is the
same as ``told`` with ``h`` visible: the search alone, what a failing check
cost before its lasso was counted in the minimised graph. The ``trace`` row
is another witness: ``:[has trace]:`` of 20 ``e`` through ten cells that each
take two hidden steps between them (59,049 states, 1.2M pairs walked).
The ``det`` row (only with ``--only det``) is ``told`` asserted
``:[deterministic]``: ``reset`` is ``|||``'s choice of C1 or C2, so the
normal form's nodes are sets and their number grows ~1.9x per level
(2.1M nodes for 1,540 states at ``K = 20``: 8 s, 1.1 GB; past 4 GB at ``K = 25``),
so pairs of states race it after 20,000 nodes and answer (``K = 45``: 17,297
states, 1.7M pairs, 1.9 s, 165 MB; ``benchmarks/determinism_switch.py`` has
models where the normal form should win instead). Opt-in, since a tree older than the pairs
search cannot finish it past ``--k 20``.

Each tree runs ``procalg check`` as a fresh process (``/usr/bin/time``: user
+ system CPU seconds, peak resident memory), the trees interleaved round by
round; medians are printed.

Run: ``python -m benchmarks.divergence_lasso --trees /work/wt-a /work/wt-b
[--k 45] [--runs 5] [--only told]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

HEAD = """channel up1, up2, up3, reset, h, x, y, z
K = {k}
C1(n) = n < K & up1 -> C1(n + 1) [] reset -> C1(0)
C2(n) = n < K & up2 -> C2(n + 1) [] reset -> C2(0)
"""
TAIL = """Sys = ((C1(0) ||| C2(0)) [| {{reset}} |] C3(0)){hide}
assert Sys :[divergence free]
"""
THIRD = {
    "told": """C3(n) = n < K & up3 -> C3(n + 1) [] n == K & h -> D3 [] reset -> C3(0)
D3 = h -> C3(K) [] x -> C3(0) [] reset -> C3(0)
""",
    "deep": """C3(n) = n < K & up3 -> C3(n + 1) [] n == K & h -> D3
   [] n == K & x -> y -> C3(0) [] reset -> C3(0)
D3 = h -> C3(K) [] x -> z -> C3(0) [] reset -> C3(0)
""",
    "twin": """C3(n, b) = n < K & up3 -> C3(n + 1, 1 - b) [] n == K & h -> D3(b)
   [] reset -> C3(0, 1 - b)
D3(b) = h -> C3(K, 1 - b) [] x -> C3(0, b) [] reset -> C3(0, b)
""",
}
FLAGS = {"twin": ["--no-reduce"]}


TRACE = """channel h : {0..9}
channel e
Cell(i, n) = n < 2 & h.i -> Cell(i, n + 1) [] n == 2 & e -> Cell(i, 0)
Sys = ([| {e} |] i : {0..9} @ Cell(i, 0)) \\ {| h |}
assert Sys :[has trace]: <""" + ", ".join(["e"] * 20) + """>
"""


def model(name: str, k: int) -> str:
    """The ``.proc`` text of row ``name`` (``told``, ``deep``, ``twin``, ``pass``
    or ``det`` at ``K = k``; ``trace``).

    Example:
        >>> "\\\\ {h}" in model("told", 3), "\\\\ {h}" in model("pass", 3)
        (True, False)
        >>> model("det", 3).splitlines()[-1]
        'assert Sys :[deterministic]'
    """
    if name == "trace":
        return TRACE
    if name == "det":
        return model("told", k).replace(":[divergence free]", ":[deterministic]")
    third = THIRD["told" if name == "pass" else name]
    tail = TAIL.format(hide="" if name == "pass" else " \\ {h}")
    return HEAD.format(k=k) + third + tail.replace("C3(0))", "C3(0, 0))" if name == "twin" else
                                                  "C3(0))")


def measure(tree: Path, file: Path) -> tuple[float, float]:
    """CPU seconds (user + system) and peak MiB of one ``procalg check`` in ``tree``."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", str(tree / ".venv/bin/procalg"),
                           "check", *FLAGS.get(file.stem, []), str(file)], env=env,
                          capture_output=True, text=True, check=False)
    user, system, peak = done.stderr.strip().splitlines()[-1].split()
    return float(user) + float(system), int(peak) / 1024


def main(argv: list[str] | None = None) -> None:
    """Print, per row and tree, the median CPU seconds and peak MiB."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", nargs="+", type=Path, default=[Path.cwd()])
    parser.add_argument("--k", type=int, default=45)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*", default=["pass", "told", "deep", "twin", "trace"])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        files = {name: Path(work) / f"{name}.proc" for name in args.only}
        for name, file in files.items():
            file.write_text(model(name, args.k))
        got: dict[tuple[str, Path], list[tuple[float, float]]] = {}
        for _ in range(args.runs):  # interleaved: every tree once per round
            for name, file in files.items():
                for tree in args.trees:
                    got.setdefault((name, tree), []).append(measure(tree, file))
    print(f"{'row':6} {'tree':32} {'CPU s':>7} {'peak MiB':>9}   (K={args.k}, "
          f"median of {args.runs})")
    for (name, tree), runs in got.items():
        cpu = statistics.median(r[0] for r in runs)
        mib = statistics.median(r[1] for r in runs)
        print(f"{name:6} {tree!s:32} {cpu:7.2f} {mib:9.1f}")


if __name__ == "__main__":
    main()
