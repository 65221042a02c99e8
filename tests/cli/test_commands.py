"""``procalg lts --format`` and ``procalg graph``: exports that parse back, real pictures."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from procalg.cli.main import main
from procalg.lts.aut import read_aut
from procalg.lts.formats import from_json
from procalg.lts.partition import Bisimulation, minimize

# Two interleaved copies of a -> b -> P [] c -> STOP with b hidden: 9 states;
# its branching quotient has 3 (how many copies stopped: 0, 1 or 2).
MODEL = """\
channel a, b, c
P = a -> b -> P [] c -> STOP
Q = (P ||| P) \\ {b}
Big(n) = a -> Big((n + 1) % 400)
"""


@pytest.fixture
def path(tmp_path: Path) -> str:
    target = tmp_path / "m.proc"
    target.write_text(MODEL)
    return str(target)


def test_lts_format_aut_on_stdout_parses_back_with_the_same_transitions(path, capsys) -> None:
    assert main(["lts", path, "P", "--format", "aut"]) == 0
    lts = read_aut(capsys.readouterr().out)
    # P: 0 -a-> 1 -b-> 0, 0 -c-> 2 (STOP)
    assert lts.num_states == 3
    assert sorted((lab for _, lab, _ in lts.triples())) == ["a", "b", "c"]
    assert lts.deadlocks() == [next(d for _, lab, d in lts.triples() if lab == "c")]


def test_lts_minimize_branching_writes_the_three_state_quotient_to_a_file(path, tmp_path,
                                                                          capsys) -> None:
    out = tmp_path / "q.aut"
    assert main(["lts", path, "Q", "--format", "aut", "--minimize", "branching",
                 "-o", str(out)]) == 0
    quotient = read_aut(out)
    assert quotient.num_states == 3
    assert "tau" not in out.read_text()  # the hidden b is inert once both copies are merged
    assert capsys.readouterr().out == ""


def test_lts_without_minimize_keeps_hidden_steps_as_tau(path, capsys) -> None:
    assert main(["lts", path, "Q", "--format", "aut"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("des (0,") and '"tau"' in text
    lts = read_aut(text)
    assert lts.num_states == 9
    assert minimize(lts, Bisimulation.BRANCHING).num_states == 3


def test_lts_json_and_graphml_exports_are_well_formed(path, capsys) -> None:
    assert main(["lts", path, "P", "--format", "json"]) == 0
    assert from_json(capsys.readouterr().out).num_transitions == 3
    assert main(["lts", path, "P", "--format", "graphml"]) == 0
    root = ET.fromstring(capsys.readouterr().out)
    assert root.tag.endswith("graphml")
    assert len([e for e in root.iter() if e.tag.endswith("edge")]) == 3


def test_lts_stats_with_an_export_go_to_stderr_so_stdout_stays_parseable(path, capsys) -> None:
    assert main(["lts", path, "P", "--format", "aut", "--stats", "--json"]) == 0
    captured = capsys.readouterr()
    assert read_aut(captured.out).num_states == 3
    assert json.loads(captured.err) == {"process": "P", "states": 3, "transitions": 3,
                                        "outcomes": {"deadlocked": 1}}


def test_lts_output_without_a_format_is_a_clear_error(path, tmp_path, capsys) -> None:
    assert main(["lts", path, "P", "-o", str(tmp_path / "x.aut")]) == 2
    assert "--format" in capsys.readouterr().err


def test_graph_svg_is_a_real_svg_with_a_node_per_state(path, tmp_path, capsys) -> None:
    out = tmp_path / "q.svg"
    assert main(["graph", path, "Q", "-o", str(out), "--highlight-trace", "a, a, c"]) == 0
    root = ET.fromstring(out.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    nodes = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "node"]
    assert len(nodes) == 9 + 1  # the states plus the invisible start node
    assert "#1f5fbf" in out.read_text()  # the highlighted path
    assert "9 states" in capsys.readouterr().out


def test_graph_png_has_the_png_signature(path, tmp_path) -> None:
    out = tmp_path / "p.png"
    assert main(["graph", path, "P", "-o", str(out), "--minimize", "strong"]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_graph_dot_output_is_dot_text_and_needs_no_graphviz(path, tmp_path,
                                                            monkeypatch) -> None:
    monkeypatch.setenv("PATH", "")
    out = tmp_path / "p.dot"
    assert main(["graph", path, "P", "-o", str(out)]) == 0
    text = out.read_text()
    assert text.startswith('digraph "lts" {') and text.count(" -> s") == 3 + 1


def test_graph_without_dot_says_how_to_install_it(path, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PATH", "")
    assert main(["graph", path, "P", "-o", str(tmp_path / "p.svg")]) == 2
    err = capsys.readouterr().err
    assert "apt-get install graphviz" in err and ".dot" in err and "Traceback" not in err


def test_graph_of_a_large_lts_draws_its_quotient_and_says_so(path, tmp_path, capsys) -> None:
    assert main(["graph", path, "Big(0)", "-o", str(tmp_path / "b.svg")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("b.svg (1 state, 1 transition)")
    assert out[1] == ("the LTS has 400 states, too many to draw: drew the "
                      "branching-bisimulation quotient: 1 of 400 states")
    assert len(re.findall(r"<title>s\d+</title>", (tmp_path / "b.svg").read_text())) == 1


def test_graph_rejects_a_trace_the_process_cannot_do(path, tmp_path, capsys) -> None:
    assert main(["graph", path, "P", "-o", str(tmp_path / "p.dot"),
                 "--highlight-trace", "a, c"]) == 2
    assert "cannot perform the trace" in capsys.readouterr().err


def test_graph_with_an_unknown_suffix_names_the_formats(path, tmp_path, capsys) -> None:
    assert main(["graph", path, "P", "-o", str(tmp_path / "p.txt")]) == 2
    assert ".svg" in capsys.readouterr().err
