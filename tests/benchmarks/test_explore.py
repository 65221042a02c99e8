"""benchmarks/explore.py: the counts it times are the written LTS's."""

from __future__ import annotations

from benchmarks.explore import bench


def test_the_counted_stats_and_the_written_lts_agree_and_every_command_has_a_row(capsys):
    bench(3, 1)
    out = capsys.readouterr().out
    assert "System: 96 states, 232 transitions" in out and "WRONG" not in out
    rows = [line.split()[0] for line in out.splitlines()[2:]]
    assert rows == ["check", "lts", "lts"]
