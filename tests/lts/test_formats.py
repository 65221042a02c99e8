"""JSON and GraphML writers and the JSON reader."""

from __future__ import annotations

import json

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import FormatError
from procalg.lts import LTS
from procalg.lts.formats import from_json, json_chunks, to_graphml, to_json, write_graphml
from tests.lts.test_aut import any_lts

LTS_ = LTS.build(3, 1, ["a", "unused"], [(1, "a", 2), (2, "τ", 0), (0, "✓", 0)],
                 hidden=["a"])


def test_json_has_the_documented_shape():
    data = json.loads(to_json(LTS_))
    assert data == {"initial": 1, "states": 3, "labels": ["τ", "✓", "a", "unused"],
                    "transitions": [[0, "✓", 0], [1, "a", 2], [2, "τ", 0]],
                    "hidden": ["a"]}


@st.composite
def random_lts(draw) -> LTS:
    n = draw(st.integers(1, 6))
    state = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(state, st.sampled_from(["τ", "✓", "a", "é b"]), state)))
    return LTS.build(n, draw(state), ["a", "é b", "z"], rows)


@settings(max_examples=60, deadline=None)
@given(lts=random_lts())
def test_json_round_trip_keeps_everything(lts):
    back = from_json(to_json(lts))
    assert (back.num_states, back.initial, back.labels) == (lts.num_states, lts.initial,
                                                            lts.labels)
    assert list(back.triples()) == list(lts.triples())


@pytest.mark.parametrize(("text", "words"), [
    ("{", "not JSON"),
    ("[]", "JSON object"),
    ('{"initial": 0, "states": 1, "labels": []}', "transitions"),
    ('{"initial": 4, "states": 1, "labels": [], "transitions": []}', "initial state 4"),
    ('{"initial": 0, "states": 1, "labels": [], "transitions": [[0, "a", 3]]}', "#0"),
    ('{"initial": true, "states": 1, "labels": [], "transitions": []}', "initial"),
    ('{"initial": 0, "states": 1, "labels": [1], "transitions": []}', "labels"),
    ('{"initial": 0, "states": 1, "labels": [], "transitions": [], "hidden": "a"}', "hidden"),
])
def test_malformed_json_is_a_format_error(text, words):
    with pytest.raises(FormatError, match=words):
        from_json(text)


def test_json_syntax_errors_carry_line_and_column():
    with pytest.raises(FormatError) as err:
        from_json('{\n  "initial": ,\n}')
    assert err.value.span.line == 2


def test_graphml_round_trips_through_networkx(tmp_path):
    path = write_graphml(LTS_, tmp_path / "m.graphml")
    graph = nx.read_graphml(path)
    edges = sorted((int(s), d["label"], int(t)) for s, t, d in graph.edges(data=True))
    assert edges == sorted(LTS_.triples())
    assert graph.graph["initial"] == 1
    assert to_graphml(LTS_) == path.read_text(encoding="utf-8")


@settings(max_examples=100, deadline=None)
@given(any_lts(), st.integers(1, 4))
def test_json_in_pieces_is_the_one_json_dump_whatever_the_piece_size(lts, size):
    data = {"initial": lts.initial, "states": lts.num_states, "labels": list(lts.labels),
            "transitions": [list(t) for t in lts.triples()]}
    if lts.hidden:
        data["hidden"] = sorted(lts.hidden)
    assert "".join(json_chunks(lts, moves=size)) == json.dumps(data, ensure_ascii=False)
    assert from_json(to_json(lts)).num_transitions == lts.num_transitions
