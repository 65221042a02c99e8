"""shapes.py prints a ratio only for equal state spaces, and never hangs."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from benchmarks.families import FAMILIES
from benchmarks.shapes import Outcome, measure, row

FIFO = FAMILIES["fifo"]


def test_matching_counts_print_spins_time_over_procalgs():
    line = row(FIFO, (3, 4), Outcome(16, 2.0, 2**20), Outcome(17, 5.0, 2**20))
    assert line.endswith(" 2.50")
    assert "ERROR" not in line


def test_a_spin_count_other_than_procalgs_plus_init_is_an_error_row_without_a_ratio():
    line = row(FIFO, (3, 4), Outcome(16, 2.0, 2**20), Outcome(20, 5.0, 2**20))
    assert "ERROR: spin 20 != procalg 16 + 1" in line
    assert not line.endswith("2.50")


def test_a_procalg_count_off_the_formula_is_an_error_row_even_without_spin():
    line = row(FIFO, (3, 4), Outcome(15, 2.0, 2**20), None)
    assert "ERROR: procalg 15 != formula 16" in line


def test_a_timed_out_run_says_timeout_and_gives_no_ratio():
    line = row(FIFO, (3, 4), Outcome(16, 2.0, 2**20), Outcome(None, 9.0, 0, "timeout"))
    assert "timeout" in line
    assert not line.rstrip().endswith(("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"))


def test_a_child_past_its_timeout_is_killed_promptly(tmp_path: Path):
    start = time.perf_counter()
    m = measure(["sleep", "30"], tmp_path, timeout=0.3)
    assert m.returncode is None
    assert time.perf_counter() - start < 5


def test_a_childs_peak_memory_is_its_own(tmp_path: Path):
    # Linux keeps a forked child's high-water mark across exec, so a child of this
    # (large) test process would report our pages: measure from a fresh interpreter,
    # as the benchmark runs when started from the command line.
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from benchmarks.shapes import measure\n"
        "big = measure([sys.executable, '-c', \"b = b'x' * (200 * 2**20)\"], Path('.'), 30)\n"
        "small = measure(['true'], Path('.'), 30)\n"
        "print(big.returncode, big.max_rss, small.max_rss)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True,
                          text=True, timeout=60, check=True)
    code, big, small = map(int, done.stdout.split())
    assert code == 0
    assert big > 200 * 2**20 > small
