"""DOT output: start arrow, deadlocks, τ edges, highlighted traces."""

from __future__ import annotations

import re

import pytest

from procalg.errors import ProcalgError
from procalg.lts import LTS
from procalg.lts.dot import to_dot, trace_path

# 0 -τ-> 1 -a-> 2 (deadlock);  0 -b-> 3 -✓-> 4 (terminated)
LTS_ = LTS.build(5, 0, ["a", "b"], [(0, "τ", 1), (1, "a", 2), (0, "b", 3), (3, "✓", 4)],
                 state_names=["P", "Q", "STOP", 'say "x"', "Ω"])


def _node(text: str, state: int) -> str:
    return re.search(rf"^  s{state} \[(.*)\];$", text, re.M).group(1)


def _edge(text: str, src: int, dst: int) -> str:
    return re.search(rf"^  s{src} -> s{dst} \[(.*)\];$", text, re.M).group(1)


def test_initial_state_gets_an_arrow_from_an_invisible_start_node():
    lts = LTS.build(2, 1, ["a"], [(1, "a", 0)])
    text = to_dot(lts)
    assert "__start -> s1;" in text and 'shape=none, label=""' in text


def test_deadlocks_are_octagons_and_terminated_states_double_circles():
    text = to_dot(LTS_)
    assert "octagon" in _node(text, 2)
    assert "doublecircle" in _node(text, 4) and "octagon" not in _node(text, 4)
    assert "octagon" not in _node(text, 0)


def test_tau_edges_are_dashed_and_others_not():
    text = to_dot(LTS_)
    assert "style=dashed" in _edge(text, 0, 1)
    assert "dashed" not in _edge(text, 1, 2)
    assert 'label="✓"' in _edge(text, 3, 4)


def test_state_names_become_escaped_tooltips():
    assert 'tooltip="say \\"x\\""' in _node(to_dot(LTS_), 3)


def test_a_weak_trace_highlights_its_path_through_tau_steps():
    text = to_dot(LTS_, highlight_trace=["a"])
    for src, dst in ((0, 1), (1, 2)):
        assert "penwidth" in _edge(text, src, dst)
    assert "penwidth" not in _edge(text, 0, 3)
    assert all("penwidth" in _node(text, s) for s in (0, 1, 2))


def test_a_trace_spelling_tau_is_matched_step_by_step():
    edges, nodes = trace_path(LTS_, ["τ", "a"])
    assert nodes == {0, 1, 2} and len(edges) == 2
    with pytest.raises(ProcalgError):
        trace_path(LTS_, ["τ", "b"])


def test_impossible_trace_is_a_procalg_error():
    with pytest.raises(ProcalgError, match="cannot perform"):
        to_dot(LTS_, highlight_trace=["b", "a"])
