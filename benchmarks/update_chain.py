"""Milliseconds to answer an update sent to the newest run of a long continue-as-new chain,
and to send a signal to the chain's first id.

A run that loops for ever continues as new every few thousand events, so its chain
grows without bound; an update key must be applied once per chain, so every update
looks for its key in the runs before (runtime/update_replies.py). The chain is
written directly (:func:`write_chain`: each continuation's final commit and the new
run's first, as ``runtime/continuation.py`` writes them), so a 1,000-run chain exists
in a second; its first run recorded update ``u0``. Then, on a fresh engine each time
(the model parsed once, as a worker has it): a new update to the newest run (the key
looked up along the whole chain, not found, then applied), and a retry of ``u0`` sent
to the newest run (found in the first run); a signal sent to the first id, ``acct``
(the newest run found along the chain, then the signal buffered and taken there).
Median of ``--repeat`` tries each.

    PYTHONPATH=$PWD .venv/bin/python -m benchmarks.update_chain [--runs 1000]
        [--postgres postgresql://...]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from procalg.api import loads
from procalg.api import run as api
from procalg.runtime.continuation import next_id
from procalg.runtime.history import ContinuedFrom, RunContinued, RunStarted
from procalg.runtime.memory import MemoryLog
from procalg.runtime.ports import EventLog, RunRecord, Write
from procalg.runtime.updates import update

ACCOUNT = """-- benchmarks/update_chain.py: an account that continues as new
signal deposit : {0..9}
signal close
Account(b) = deposit?x -> Account((b + x) % 10) [] close -> SKIP
"""


def write_chain(log: EventLog, runs: int) -> str:
    """Start ``acct``, apply update ``u0`` to it, and continue it as new ``runs - 1`` times
    (written directly, one transaction per continuation); the newest run's id."""
    eng = api.engine(log)
    api.start(loads(ACCOUNT, "account.proc"), "Account", 1, store=eng, run_id="acct")
    update(eng, "acct", "deposit", 3, update_id="u0")
    eng.close()
    old = log.get_run("acct")
    run_id, balance = "acct", 4
    for _ in range(runs - 1):
        new = next_id(run_id)
        record = RunRecord(new, "Account", (balance,), old.model_hash, old.model_text, {})
        first = (RunStarted(time=0.0, process="Account", args=(balance,),
                            model_hash=old.model_hash),
                 ContinuedFrom(time=0.0, previous_run=run_id))
        errors = log.write_many([
            Write(run_id, log.length(run_id), (RunContinued(time=0.0, next_run=new),),
                  "continued", carry=new),
            Write(new, 0, first, "waiting", record=record)])
        assert errors == [None, None], errors
        run_id = new
    return run_id


def _timed(url: Any, newest: str, key: str) -> float:
    eng = api.engine(url)
    began = time.perf_counter()
    update(eng, newest, "deposit", 3, update_id=key)
    spent = time.perf_counter() - began
    eng.close()
    return spent


def _signalled(eng: Any, run_id: str) -> float:
    began = time.perf_counter()
    eng.send(run_id, "deposit", 1)
    return time.perf_counter() - began


def bench(url: Any, runs: int, repeat: int) -> dict[str, float]:
    """Median ms of a new update and of a retry of the first run's key, on store ``url``
    (a URL, or a log object for the memory store)."""
    log = api.engine(url).log
    newest = write_chain(log, runs)
    api._model(ACCOUNT, "<warm-up>")
    fresh = [_timed(url, newest, f"new{i}") for i in range(repeat)]
    retried = [_timed(url, newest, "u0") for _ in range(repeat)]
    eng = api.engine(url)
    _signalled(eng, "acct")  # the run loaded once, as a worker has it
    signalled = [_signalled(eng, "acct") for _ in range(repeat)]
    eng.close()
    return {"new key": 1e3 * statistics.median(fresh),
            "retry of the first run's key": 1e3 * statistics.median(retried),
            "signal to the first id": 1e3 * statistics.median(signalled)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs in the chain")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", help="a URL to an EMPTY PostgreSQL database")
    args = parser.parse_args()
    stores: list[tuple[str, Any]] = [
        ("memory", MemoryLog()),
        ("sqlite", f"sqlite:///{Path(tempfile.mkdtemp()) / 'chain.db'}")]
    if args.postgres:
        stores.append(("postgresql", args.postgres))
    print(f"update on a {args.runs}-run chain, ms (median of {args.repeat})")
    for name, url in stores:
        for what, ms in bench(url, args.runs, args.repeat).items():
            print(f"  {name:<11} {what:<30} {ms:9.2f}")


if __name__ == "__main__":
    main()
