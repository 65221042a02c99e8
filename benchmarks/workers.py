"""Workers sharing one store: steps/s with 1, 2, 4 worker processes, and takeover time.

R runs of K activities each (every activity sleeps ``--sleep`` ms, standing
for real work) are recorded as ``running`` with no owner; then W worker
processes (:func:`procalg.runtime.serve.serve`, each driving ``--concurrency``
runs at once) drive them until every run has completed. Steps/s = R*K / wall
time from the workers' start. Takeover: a worker is SIGKILLed inside a 30 s
activity; the time until a second, live worker on the same host has recorded
the run's next event (a worker on another host waits for the lease to expire:
``--lease`` seconds). Signal latency: ``engine.send`` to the signal consumed,
while two workers are busy with other runs.

    .venv/bin/python benchmarks/workers.py [--db sqlite|postgresql://...] [--runs 40]
        [--steps 5] [--sleep 10] [--concurrency 1] [--workers 1,2,4] [--trials 1]

Workers start together (each waits for a "go" after it is ready), and the
time runs to the last run's recorded completion, so neither process start-up
nor exit counts as the runs' work. With ``--trials N`` each figure is the
median of N fresh measurements (this machine's load varies from second to
second).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from procalg.runtime.history import RunStarted
from procalg.runtime.ports import RunRecord
from procalg.store import store_from_url

_WORKER = r"""
import os, sys, threading, time
from procalg.runtime.engine import Engine
from procalg.runtime.retry import RetryPolicy
from procalg.runtime.serve import serve
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.store import store_from_url
from procalg.terms import SKIP, Event, Prefix
url, sleep, concurrency, total = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def chain(k):
    term = SKIP
    for i in reversed(range(k)):
        term = Prefix(Event("step", (i,)), term)
    return Workflow(TermSystem(term), {"step": Channel("step", ChannelKind.ACTIVITY, 1,
                                                       RetryPolicy())}, process=f"C{k}")
def step(i):
    time.sleep(sleep)
engine = Engine(store_from_url(url), {"step": step},
                loader=lambda r: chain(int(r.process[1:])), lease=5.0)
stop = threading.Event()
def watch():
    log = store_from_url(url)
    while not stop.is_set():
        if sum(r.status == "completed" for r in log.list_runs()) >= total:
            stop.set()
        time.sleep(0.2)  # only ends the process: the time measured is the runs'
print("ready", flush=True)
sys.stdin.readline()  # every worker starts at once: none drains runs while others boot
threading.Thread(target=watch, daemon=True).start()
serve(engine, concurrency, stop, poll=0.02)
"""


def _fill(url: str, runs: int, steps: int) -> None:
    log = store_from_url(url)
    for i in range(runs):
        log.create_run(RunRecord(f"b{i:04}", f"C{steps}", created=float(i)),
                       [RunStarted(time=0.0, process=f"C{steps}")])
    log.close()


def _spawn(args: list[str], workers: int = 1) -> list[subprocess.Popen[str]]:
    """Start worker processes, wait until each is ready, then let them all go at once."""
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, *args], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True) for _ in range(workers)]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.close()
    return procs


def steps_per_second(url: str, workers: int, runs: int, steps: int, sleep: float,
                     concurrency: int) -> float:
    """Steps/s of ``workers`` worker processes draining ``runs`` runs of ``steps`` steps:
    from the moment all start together to the last run's completion as recorded (the
    workers' exit afterwards is not the runs' work)."""
    _fill(url, runs, steps)
    procs = _spawn([url, str(sleep / 1000), str(concurrency), str(runs)], workers)
    began = time.time()  # the engine's clock: run events carry time.time()
    for p in procs:
        p.wait(timeout=600)
    log = store_from_url(url)
    ended = max(log.history(r.run_id)[-1].time for r in log.list_runs())
    log.close()
    return runs * steps / (ended - began)


def takeover(url: str) -> float:
    """Seconds from SIGKILL of a worker inside an activity to a live worker's next record."""
    _fill(url, 1, 2)
    slow = _WORKER.replace("def step(i):\n    time.sleep(sleep)",
                           "def step(i):\n    time.sleep(30 if i == 0 else 0)")
    victim = subprocess.Popen([sys.executable, "-c", slow, url, "0", "1", "1"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert victim.stdout is not None and victim.stdout.readline().strip() == "ready"
    victim.stdin.write("go\n")  # type: ignore[union-attr]
    victim.stdin.close()  # type: ignore[union-attr]
    log = store_from_url(url)
    while not log.get_run("b0000").owner:
        time.sleep(0.01)
    time.sleep(0.2)  # inside the 30 s activity
    [helper] = _spawn([url, "0", "1", "1"])
    length = log.length("b0000")
    victim.kill()
    killed = time.perf_counter()
    while log.length("b0000") == length:
        time.sleep(0.005)
    took = time.perf_counter() - killed
    helper.wait(timeout=60)
    return took


def signal_latency(url: str, signals: int = 10) -> float:
    """Mean seconds from ``engine.send`` to the signal's consumption, while 2 workers are
    busy with 40 runs of 5 sleeping steps."""
    from procalg.runtime.engine import Engine
    from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
    from procalg.terms import SKIP, Event, Prefix

    waiting = Workflow(TermSystem(Prefix(Event("go"), SKIP)),
                       {"go": Channel("go", ChannelKind.SIGNAL)}, process="Wait")
    _fill(url, 40, 5)
    engine = Engine(store_from_url(url), loader=lambda record: waiting)
    for i in range(signals):
        engine.start(waiting, run_id=f"s{i}")
    procs = _spawn([url, "0.01", "1", "40"], 2)
    took = []
    for i in range(signals):
        began = time.perf_counter()
        engine.send(f"s{i}", "go")
        while engine.log.get_run(f"s{i}").status != "completed":
            time.sleep(0.001)
        took.append(time.perf_counter() - began)
        time.sleep(0.05)
    for p in procs:
        p.wait(timeout=600)
    engine.close()
    return sum(took) / len(took)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--sleep", type=float, default=10.0, help="ms per activity")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--trials", type=int, default=1, help="median of this many")
    args = parser.parse_args()

    def fresh() -> str:
        if args.db != "sqlite":  # a new database on the server for each measurement
            import psycopg

            name = "bench" + os.urandom(4).hex()
            with psycopg.connect(args.db, autocommit=True) as db:
                db.execute(f"CREATE DATABASE {name}")
            return args.db.rsplit("/", 1)[0] + "/" + name
        return "sqlite:///" + os.path.join(tempfile.mkdtemp(), "runs.db")

    print(f"{args.runs} runs x {args.steps} steps, activities sleep {args.sleep:g} ms, "
          f"{args.concurrency} run(s) at once per worker, store {args.db}, "
          f"median of {args.trials}")
    counts = [int(x) for x in args.workers.split(",")]
    rates: dict[int, list[float]] = {w: [] for w in counts}
    for _ in range(args.trials):  # interleaved: a burst of load hits every count alike
        for w in counts:
            rates[w].append(steps_per_second(fresh(), w, args.runs, args.steps, args.sleep,
                                             args.concurrency))
    base = statistics.median(rates[counts[0]])
    for w in counts:
        rate = statistics.median(rates[w])
        spread = f"  [{min(rates[w]):.1f}..{max(rates[w]):.1f}]" if args.trials > 1 else ""
        print(f"  {w} worker(s): {rate:8.1f} steps/s  ({rate / base:.2f}x){spread}")
    took = statistics.median(takeover(fresh()) for _ in range(args.trials))
    print(f"  takeover of a SIGKILLed worker's run (same host): {took:.2f} s")
    print(f"  signal latency (send to consumed) under load: "
          f"{1000 * signal_latency(fresh()):.1f} ms")


if __name__ == "__main__":
    main()
