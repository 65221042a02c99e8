"""The benchmark families describe the state spaces they claim to.

Each generated ``.proc`` model, checked in-process at tiny sizes, has the
state count of its family's formula (or, for the philosophers, of the
hand-built network in ``benchmarks/networks.py``); with spin installed,
each Promela peer stores exactly procalg's states plus its ``init``'s first.
"""

from __future__ import annotations

import doctest
import shutil
from pathlib import Path

import pytest

from benchmarks import families, families_wide, networks, shapes
from benchmarks.families import FAMILIES
from procalg.api import loads
from procalg.api.check import check_model
from procalg.lts.product import count_states

TINY = {
    "readers-writers": [(1,), (2,), (3,)],
    "readers-writers-net": [(2,), (3,)],
    "abp": [(1,), (2,)],
    "fifo": [(1, 2), (2, 3), (3, 4)],
    "wide": [(5,), (50,)],
    "wide-sync": [(5, 2), (1500, 3)],  # K=1,500: past WIDE_INPUT, narrowed by the writer
    "milner": [(3,), (4,), (5,)],
    "buffers": [(2,), (4,)],
    "philosophers-fixed": [(3,), (4,)],
    "odometer": [(2,), (4,)],
    "counter": [(1,), (7,), (1100,)],  # 1,100: past 2,000 states, a lazy leaf
    "milner-determinism": [(3,), (4,)],
    "milner-refines": [(3,), (4,)],
    "phils-determinism": [(3,), (4,)],
    "fischer-tock": [(2,), (4,)],  # 4: past 2,000 states, a priority scope
    "wide-ring": [(4, 2, 3), (32, 1, 4)],  # 32 stations: 66-bit codes, keys of two words
}


def procalg_states(text: str) -> tuple[str, int]:
    """The verdict and state count of the model's one assertion."""
    (report,) = list(check_model(loads(text, "<benchmark>")))
    return report.result, report.stats.states


def test_every_family_has_tiny_sizes_under_test():
    assert set(TINY) == set(FAMILIES)


@pytest.mark.parametrize(("name", "size"),
                         [(name, size) for name, sizes in TINY.items() for size in sizes])
def test_generated_model_has_the_familys_state_count(name, size):
    family = FAMILIES[name]
    verdict, states = procalg_states(family.proc(size))
    if family.expected is not None:
        want = family.expected(size)
    else:  # the philosophers: the hand-built network is the oracle
        want = count_states(networks.philosophers(size[0], fixed="fixed" in name)).states
    assert states == want
    assert verdict == ("fail" if name == "wide" else "pass")


def test_formulas_grow_as_derived():
    # issue 9's rows: readers-writers N=10 (and its network, N=15), ABP D=16, D=19
    assert FAMILIES["readers-writers"].expected((10,)) == 240_294
    assert FAMILIES["readers-writers-net"].expected((15,)) == 57_526_700
    assert FAMILIES["abp"].expected((16,)) == 28_528
    assert FAMILIES["abp"].expected((19,)) == 39_232
    assert FAMILIES["fifo"].expected((6, 10)) == 70


@pytest.mark.skipif(shutil.which("spin") is None or shutil.which("cc") is None,
                    reason="spin and a C compiler are needed")
@pytest.mark.parametrize("name", [n for n, f in FAMILIES.items() if f.promela is not None])
def test_promela_peer_stores_procalg_states_plus_init(name, tmp_path: Path):
    family = FAMILIES[name]
    size = TINY[name][-1]
    _, states = procalg_states(family.proc(size))
    peer = shapes.run_spin(family, size, tmp_path, timeout=60, states_hint=states,
                            optimise="-O0")
    assert peer.problem == ""
    assert peer.states == states + family.spin_extra


def test_benchmark_docstring_examples_run():
    for module in (families, families_wide, shapes, networks):
        assert doctest.testmod(module).failed == 0


def test_the_leader_election_model_past_62_bits_checks():
    text = (Path(__file__).resolve().parents[2] / "benchmarks" / "leader_election.proc").read_text()
    reports = list(check_model(loads(text, "<leader>")))
    assert [r.result for r in reports] == ["fail", "pass"]  # every node ends in STOP
    assert reports[1].stats.states == 16_528
    assert reports[0].check.counterexample.trace[-1].startswith(("leader", "lost"))


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_stats_counted_as_the_search_goes_are_those_of_the_built_lts_for_every_family(name):
    from procalg.api.export import lts_stats, process_lts, process_stats
    from procalg.api.search import CheckEngine

    text = FAMILIES[name].proc(TINY[name][-1])
    process = next(line for line in text.splitlines() if line.startswith("assert"))
    process = process.split("[T=")[-1].split(":[")[0].removeprefix("assert").strip()
    model = loads(text, "<benchmark>")
    stats = process_stats(model, process)
    assert stats == lts_stats(process, process_lts(model, process))
    reference = lts_stats(process, process_lts(model, process, engine=CheckEngine.REFERENCE))
    assert stats == reference  # the term rules count the same states and moves
