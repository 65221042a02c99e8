"""Survey: which model shapes still fall onto the term rules (issue 9).

Builds each shape the network compiler had trouble with (a compressed process
inside a leaf, a wide input beside a lazy partner (within and past the moves
a wide leaf may have explored whole), a priority scope over a
large leaf, a recursion restarting over one, ``THROW`` in one) and a few
compositions of ``;``, ``/\\``, ``[>``, ``\\``, ``[[ ]]``, priority and ``THROW``
over a large leaf (a ``{0..N}`` counter, past the 50,000 states a leaf may
have when it is explored whole), checks each with the default options and
prints which engine ran and why (what ``procalg check --stats`` says), with
the leaves the product left to the term rules.

Run: ``.venv/bin/python -m benchmarks.falls`` (about a minute), ``--size 3000``
for quick rows, ``--only NAME``, ``--engines auto,reference`` to time the
term rules beside the default choice in the same run.
"""

from __future__ import annotations

import argparse
import gc
import time

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.errors import UsageError

HEADER = """channel a, b, c, d, up, down, tock
channel w : {0..1999}
channel num : {0..9}
Count(n) = n < N & up -> Count(n + 1) [] n > 0 & down -> Count(n - 1) [] a -> SKIP
Lim(n) = n < 3 & up -> Lim(n + 1) [] down -> Lim(n) [] a -> Lim(0)
U = up -> U [] down -> U [] a -> U
S = b -> S
"""
INT = "channel log : Int\n"
WIDE = "channel v : {0..199999}\n"  # past network_shape.WIDE_WHOLE_MOVES
SHAPES = {  # name -> (extra header, process, assertion suffix)
    "compressed in a leaf, Int channel": (
        INT + "Leaf(n) = n < N & up -> Leaf(n + 1) [] n == N & c -> SKIP\n",
        "((Leaf(0) ; normal(S)) [| {up} |] U) ; a -> Sys", ":[deadlock free]"),
    "compressed in a leaf, no Int channel": (
        "Leaf(n) = n < N & up -> Leaf(n + 1) [] n == N & c -> SKIP\n",
        "((Leaf(0) ; normal(S)) [| {up} |] U) ; a -> Sys", ":[deadlock free]"),
    "sbisim in a leaf, Int channel": (
        INT + "Leaf(n) = n < N & up -> Leaf(n + 1) [] n == N & c -> SKIP\n",
        "(sbisim(S) [] Leaf(0)) [| {up} |] U", ":[deadlock free]"),
    "wide input beside a lazy partner": (
        "Cnt(n) = n < N & w!(n % 2000) -> Cnt(n + 1)\nW = w?x -> W\n",
        "W [| {|w|} |] Cnt(0)", ":[deadlock free]"),
    "wide input kept, beside a lazy partner": (
        "Cnt(n) = n < N & w!(n % 2000) -> Cnt(n + 1)\nWv = w?x -> Seen(x)\n"
        "Seen(x) = num!(x % 10) -> Wv\n", "Wv [| {|w|} |] Cnt(0)", ":[deadlock free]"),
    "wide input past the whole budget, beside a lazy partner": (
        WIDE + "Cnt(n) = n < N & v!(n % 200000) -> Cnt(n + 1)\nW = v?x -> W\n",
        "W [| {|v|} |] Cnt(0)", ":[deadlock free]"),
    "wide input past the whole budget, kept, beside a lazy partner": (
        WIDE + "Cnt(n) = n < N & v!(n % 200000) -> Cnt(n + 1)\nWv = v?x -> Seen(x)\n"
        "Seen(x) = num!(x % 10) -> Wv\n", "Wv [| {|v|} |] Cnt(0)", ":[deadlock free]"),
    "wide input on both sides": (
        "W = w?x -> d -> W\nV = w?y -> V\n", "W [| {|w|} |] V", ":[deadlock free]"),
    "wide input narrowed by a small partner": (
        "W = w?x -> d -> W\n", "W [| {|w|} |] w!3 -> STOP", ":[deadlock free]"),
    "prioritise over a large leaf, nested": (
        "", "(d -> STOP [] prioritise(Count(0) ||| c -> STOP, <{up}, {c}>)) [| {up} |] Lim(0)",
        ":[deadlock free]"),
    "prioritisepo over a large leaf": (
        "", "prioritisepo(Count(0) [| {up} |] U, {up, down}, {(up, down)}, {up})",
        ":[deadlock free]"),
    "prioritise under ;, over a network": (
        "", "prioritise(Count(0) [| {up} |] U, <{up}, {down}>) ; c -> STOP", ":[deadlock free]"),
    "restart over a large leaf (;)": (
        "Net = (Count(0) [| {up, a} |] U) ; c -> Net\n", "Net", ":[deadlock free]"),
    "THROW in a large leaf": (
        "T(n) = n < N & up -> T(n + 1) [] n == N & THROW\n",
        "T(0) [| {up} |] U", ":[deadlock free]"),
    "THROW, determinism": (
        "T(n) = n < N & up -> T(n + 1) [] n == N & THROW\n",
        "T(0) [| {up} |] U", ":[deterministic]"),
    "interrupt over a large leaf": (
        "", "(Count(0) [| {up} |] U) /\\ c -> STOP", ":[deadlock free]"),
    "timeout over a large leaf": ("", "(Count(0) [| {up} |] U) [> c -> STOP", ":[deadlock free]"),
    "hiding over a large leaf": ("", "(Count(0) [| {up} |] U) \\ {up}", ":[divergence free]"),
    "renaming over a large leaf": (
        "", "(Count(0) [[ up <- d ]]) [| {d} |] (d -> d -> STOP)", ":[deadlock free]"),
    "renamed leaf, Int channel": (
        INT, "(Count(0) [[ up <- d ]]) [| {d} |] (d -> d -> STOP)", ":[deadlock free]"),
    "large leaf, Int channel used elsewhere": (
        INT + "Logger = log?x -> Logger\n",
        "(Count(0) [| {up} |] U) ||| log!1 -> STOP", ":[deadlock free]"),
    "refinement over a large leaf": (
        "", "(Count(0) [| {up} |] U) \\ {up, down}", "[T= (a -> SKIP) |~| STOP"),
}


def survey(name: str, size: int, engine: CheckEngine = CheckEngine.AUTO) -> tuple[str, float, str]:
    """The engine that ran shape ``name``, the seconds, and why (or its term-rule leaves).

    Example:
        >>> survey("THROW in a large leaf", 5, CheckEngine.REFERENCE)[::2]
        ('reference', '--engine reference')
    """
    extra, process, assertion = SHAPES[name]
    if assertion.startswith(":"):
        line = f"Sys {assertion}"
    else:  # a refinement: the process is the implementation
        line = f"{assertion[3:]} {assertion[:3]} Sys"
    text = f"N = {size}\n{HEADER}{extra}Sys = {process}\nassert {line}\n"
    options = SearchOptions(engine=engine, reference_max_states=5_000_000)
    gc.collect()
    gc.disable()  # as `procalg check` runs (cli/main._load_uncollected): what a user sees
    try:  # (with the collector on, a 200,000-value set-up took 18 s instead of 11.4)
        started = time.perf_counter()
        (report,) = check_model(loads(text), options=options)
        seconds = time.perf_counter() - started
    finally:
        gc.enable()
    if report.check is None:
        return "error", seconds, str(report.error)
    extra_stats = report.check.stats.extra
    ran = str(extra_stats.get("engine", "reference"))
    if ran == "product":
        ruled = [str(n) for n in extra_stats.get("notes", ()) if "term rules" in str(n)]
        return ran, seconds, "; ".join(ruled)
    return ran, seconds, str(extra_stats.get("why", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=60_000, help="counter bound N")
    parser.add_argument("--only", help="shapes whose name contains this")
    parser.add_argument("--engines", default="auto", help="comma-separated engines to time")
    args = parser.parse_args()
    try:
        engines = [CheckEngine.parse(e) for e in args.engines.split(",")]
    except UsageError as error:
        parser.error(str(error))
    for name in SHAPES:
        if args.only and args.only not in name:
            continue
        for chosen in engines:
            engine, seconds, why = survey(name, args.size, chosen)
            print(f"{name:<42} {engine:<10} {seconds:7.2f}s  {why}", flush=True)


if __name__ == "__main__":
    main()
