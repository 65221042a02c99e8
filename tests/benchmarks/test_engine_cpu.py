"""engine_cpu.py measures what its rows say: the new-state runs reach new states only."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.engine_cpu import TARGET_US, bench_cpu, print_cpu

NEW = "pipeline, runs reaching only new states (run k's sum stays k), memory store"
INTERNED = "pipeline, states interned per transition in those runs"


def test_the_new_state_runs_intern_one_state_per_transition_and_no_unused_continuations(
        tmp_path: Path) -> None:
    rows = bench_cpu(tmp_path, n=12, runs=2)
    # each transition reaches a state no run reached; an input state that evaluated
    # all ten continuations would intern ten states per fetch (1.5 per transition)
    assert 0.9 < rows[INTERNED][0] <= 1.0
    assert rows[NEW][3] == 3 * 12 + 5  # fetch, store, audit per item, then the saga
    assert all(len(row) in (1, 2, 4) for row in rows.values())


def test_the_table_puts_each_parameterised_models_cpu_per_step_beside_the_target(
        capsys: pytest.CaptureFixture[str]) -> None:
    print_cpu({"account.proc Account(b), a new b per run, memory store": (120.0, 800.0, 130.0, 7),
               "pipeline Loop(0, s), a new s per run, memory store": (180.0, 270.0, 190.0, 605),
               "chain, memory store": (60.0, 60.0, 61.0, 201)})
    lines = {line.split(" | ")[0].lstrip("| "): line.split(" | ")
             for line in capsys.readouterr().out.splitlines()}
    assert f"≤ {TARGET_US} µs" in lines["CPU per step (time.process_time; fsync wait excluded)"][2]
    assert lines["account.proc Account(b), a new b per run, memory store"][2] == "within (0.80×)"
    assert lines["pipeline Loop(0, s), a new s per run, memory store"][2] == "OVER (1.20×)"
    assert lines["chain, memory store"][2] == ""  # hand-built terms: no parameters
