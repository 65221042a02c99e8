"""The progress line says which assertion its numbers belong to."""

from __future__ import annotations

import io

from procalg.cli.progress import ProgressLine, describe
from procalg.lts.product import Progress

PROGRESS = Progress(states=1_234_567, level=42, states_per_second=1.5e6, memory=64 * 2**20)


def test_the_progress_line_names_the_assertion_being_checked() -> None:
    stream = io.StringIO()
    line = ProgressLine(stream, interval=0)
    line.label = "System :[deadlock free]"
    line(PROGRESS)
    assert stream.getvalue() == ("\rSystem :[deadlock free]: exploring: 1,234,567 states, "
                                 "level 42, 1,500,000 states/s, 64 MiB")


def test_a_long_assertion_is_shortened_so_the_line_stays_under_100_columns() -> None:
    text = describe(PROGRESS, "Spec [FD= " + " ||| ".join(f"Philosopher({i})" for i in range(9)))
    assert len(text) <= 99
    assert text.endswith("…: exploring: 1,234,567 states, level 42, 1,500,000 states/s, 64 MiB")
