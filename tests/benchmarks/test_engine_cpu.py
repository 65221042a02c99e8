"""engine_cpu.py measures what its rows say: the new-state runs reach new states only."""

from __future__ import annotations

from pathlib import Path

from benchmarks.engine_cpu import bench_cpu

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
