"""A child run on another worker process, on PostgreSQL: the parent's engine only starts it.

The starting engine leaves its children to others (``children_here = False``)
and goes away; a real ``procalg worker`` process claims the child (due at
once), runs it, and its end wakes the waiting parent, which the same worker
then finishes.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from procalg.api import run as api
from procalg.runtime.history import ChildTaken, RunCompleted
from procalg.store import store_from_url

ROOT = Path(__file__).resolve().parents[2]
ORDER = ROOT / "models" / "order_children.proc"


def test_a_worker_process_runs_the_child_and_its_end_finishes_the_parent(
    fresh_postgres: str, monkeypatch
) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    monkeypatch.delenv("PAY_FAIL", raising=False)
    import examples.payments as pay

    acts = {n: getattr(pay, n) for n in ("charge", "ship", "refund", "notify")}
    starter = api.engine(fresh_postgres, activities=acts)
    starter.children_here = False
    run = api.start(ORDER, "Order", 1, store=starter, run_id="o")
    assert run.status == "waiting"
    starter.close()
    worker = subprocess.Popen([sys.executable, "-m", "procalg.cli", "worker", "--db",
                               fresh_postgres, "--activities", "examples.payments"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    log = store_from_url(fresh_postgres)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and log.get_run("o").status != "completed":
        time.sleep(0.1)
    worker.send_signal(signal.SIGTERM)
    _, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert log.get_run("o").status == "completed" and log.children("o") == ["o.0"]
    taken = [e for e in log.history("o.0") if isinstance(e, ChildTaken)]
    assert len(taken) == 1 and taken[0].owner != starter.owner  # the worker ran the child
    assert isinstance(log.history("o")[-1], RunCompleted)
