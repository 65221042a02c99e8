"""procalg.api.export: minimised exports and pictures chosen by file suffix."""

from __future__ import annotations

from pathlib import Path

import pytest

from procalg.api import loads
from procalg.api.export import draw, export_lts, parse_trace, reduced
from procalg.errors import ProcalgError
from procalg.lts.aut import read_aut

MODEL = loads("channel a\nP = a -> a -> P\nT = (a -> STOP) \\ {a}\n")


def test_reduced_by_strong_bisimulation_folds_the_two_state_cycle_to_one() -> None:
    assert MODEL.lts("P").num_states == 2
    assert reduced(MODEL.lts("P"), "strong").num_states == 1
    assert reduced(MODEL.lts("P"), None).num_states == 2


def test_weak_reduction_removes_the_hidden_step() -> None:
    lts = reduced(MODEL.lts("T"), "weak")
    assert lts.num_states == 1 and lts.num_transitions == 0


def test_unknown_equivalence_and_format_are_errors_with_hints() -> None:
    with pytest.raises(ProcalgError, match="minimise"):
        reduced(MODEL.lts("P"), "trace")
    with pytest.raises(ProcalgError, match="export"):
        export_lts(MODEL.lts("P"), "xml")


def test_aut_export_round_trips() -> None:
    lts = read_aut(export_lts(MODEL.lts("P"), "aut"))
    assert [(s, lab, d) for s, lab, d in lts.triples()] == [(0, "a", 1), (1, "a", 0)]


def test_parse_trace_splits_on_commas() -> None:
    assert parse_trace("left.1 ,right.1") == ("left.1", "right.1")


def test_draw_picks_the_format_from_the_suffix(tmp_path: Path) -> None:
    svg = draw(MODEL.lts("P"), tmp_path / "p.svg")
    assert b"<svg" in svg.read_bytes()
    dot = draw(MODEL.lts("P"), tmp_path / "p.gv")
    assert dot.read_text().startswith("digraph")
