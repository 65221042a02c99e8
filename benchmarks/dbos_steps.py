"""The engine benchmark's workflow on DBOS (run by benchmarks/engine.py with --dbos PYTHON).

``python dbos_steps.py N DB`` prints DBOS's durable no-op steps per second on
SQLite and the seconds from a killed worker to its workflow moving again in a
fresh process. It needs only ``dbos`` in the interpreter that runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

MODE = os.environ.get("DBOS_BENCH_MODE", "measure")


def setup(db: str):  # returns the DBOS workflow (dbos is not a procalg dependency)
    from dbos import DBOS

    DBOS(config={"name": "procalg-bench", "system_database_url": f"sqlite:///{db}"})

    @DBOS.step()
    def noop(i: int) -> None:
        if MODE == "crash" and i == int(os.environ["DBOS_CRASH_AT"]):
            os._exit(9)
        if MODE == "resume":
            print(time.time(), flush=True)
            os._exit(0)

    @DBOS.workflow()
    def chain(n: int) -> None:
        for i in range(n):
            noop(i)

    DBOS.launch()  # recovers this executor's pending workflows
    return chain


def main() -> None:
    n, db = int(sys.argv[1]), sys.argv[2]
    if MODE in ("crash", "resume"):
        chain = setup(db)
        if MODE == "crash":
            chain(n)
        time.sleep(30)  # resume: the recovered workflow exits the process
        return
    chain = setup(db)
    began = time.perf_counter()
    chain(n)
    steps = n / (time.perf_counter() - began)
    crash_db = db + ".crash"
    env = dict(os.environ, DBOS_BENCH_MODE="crash", DBOS_CRASH_AT=str(n // 2))
    subprocess.run([sys.executable, __file__, str(n), crash_db], env=env, check=False)
    died = time.time()
    env["DBOS_BENCH_MODE"] = "resume"
    out = subprocess.run([sys.executable, __file__, str(n), crash_db], env=env,
                         capture_output=True, text=True, timeout=120, check=False).stdout
    print(steps, float(out.split()[0]) - died)


if __name__ == "__main__":
    main()
