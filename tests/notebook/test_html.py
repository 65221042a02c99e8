"""HTML and SVG views: one row per assertion, the evidence on the page, escaped text,
pictures whose nodes and edges are the LTS's."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import check_model, loads
from procalg.checks.result import CheckResult, Counterexample, Stats, Verdict
from procalg.errors import ProcalgError
from procalg.lts import LTS
from procalg.notebook import draw
from procalg.notebook.html import (
    can_draw,
    error_html,
    lts_bundle,
    model_html,
    report_html,
    reports_html,
    result_html,
)

MODEL = """channel a, b
P = a -> b -> STOP
Q = a -> Q
assert P :[deadlock free]
assert Q :[deadlock free]
assert P :[has trace]: <a, b>
assert Q :[reachable b]
assert R :[deadlock free]
"""


def visible_text(page: str) -> str:
    """What a reader sees: tags dropped, entities decoded."""
    return unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def reports():
    return list(check_model(loads(MODEL, "m.proc")))


def test_reports_table_has_one_row_per_assertion_in_file_order(reports):
    page = reports_html(reports)
    rows = re.findall(r'<tr class="procalg-(\w+)">', page)
    assert rows == ["fail", "pass", "pass", "fail", "error"]
    marks = re.findall(r"font-weight: bold\">(.)</span>", page)
    assert marks == ["✗", "✓", "✓", "✗", "!"]
    assert "2 passed, 2 failed, 1 errors" in page


def test_failing_row_shows_its_counterexample_trace(reports):
    text = visible_text(report_html(reports[0]))
    assert "P :[deadlock free]" in text
    assert "trace: a, b" in text and "deadlock" in text


def test_error_row_shows_the_message_not_a_traceback(reports):
    text = visible_text(report_html(reports[4]))
    assert "R" in text and "Traceback" not in text
    assert reports[4].error.message in text


def test_assertion_text_is_escaped(reports):
    page = report_html(reports[2])
    assert "&lt;a, b&gt;" in page and "<a, b>" not in page


def test_model_view_lists_channels_definitions_and_assertions():
    page = model_html(loads(MODEL, "m.proc"))
    text = visible_text(page)
    assert page.count("<caption") == 3
    for name in ("a", "b", "P", "Q"):
        assert re.search(rf"<code>{name}</code>", page)
    assert text.count("process") == 2
    assert len(re.findall(r"<td [^>]*>\d+</td><td [^>]*><code>", page)) == 5  # assertion rows


def test_result_view_shows_verdict_states_and_refusal():
    result = CheckResult(Verdict.FAIL, Counterexample(("a",), refused=frozenset({"b", "c"})),
                         Stats(states=7))
    text = visible_text(result_html(result))
    assert "✗" in text and "fail" in text and "7" in text
    assert "refused: {b, c}" in text


def test_passing_result_calls_its_evidence_a_witness():
    text = visible_text(result_html(CheckResult(Verdict.PASS, Counterexample(("a", "b")))))
    assert "witness: a, b" in text and "trace:" not in text


def test_error_view_quotes_the_line_with_a_caret():
    with pytest.raises(ProcalgError) as caught:
        loads("channel a\nP = a -> -> STOP\n", "m.proc")
    text = visible_text(error_html(caught.value))
    assert "m.proc:2:11:" in text and "P = a -> -> STOP" in text and "^" in text


@given(st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=4))
@settings(max_examples=60, deadline=None)
def test_any_trace_text_reaches_the_reader_intact(trace):
    # a label with <, > or & must show as itself, never as markup
    page = result_html(CheckResult(Verdict.FAIL, Counterexample(tuple(trace))))
    assert f"trace: {', '.join(trace)}" in unescape(re.sub(r"<[^>]+>", "", page))


def chain(n: int) -> LTS:
    return LTS.build(n, 0, ["a"], [(i, "a", i + 1) for i in range(n - 1)])


def test_small_lts_is_an_svg_picture():
    bundle = lts_bundle(chain(3), draw=True)
    assert set(bundle) == {"text/plain", "image/svg+xml"}
    root = ET.fromstring(bundle["image/svg+xml"].encode())
    assert root.tag.endswith("svg")


def test_large_lts_is_drawn_as_the_part_nearest_the_start_with_a_caption_saying_so():
    bundle = lts_bundle(chain(70), draw=True, max_states=64)
    assert set(bundle) == {"text/plain", "text/html"}
    html = bundle["text/html"]
    assert len(re.findall(r"<title>s\d+</title>", html)) == 64 and "max-width: 100%" in html
    assert "70 states, too many to draw here: this is the states nearest the initial " \
           "state: 64 of 70" in visible_text(html)


def test_large_lts_with_a_small_quotient_is_drawn_as_its_quotient():
    ring = LTS.build(100, 0, ["a"], [(i, "a", (i + 1) % 100) for i in range(100)])
    html = lts_bundle(ring, draw=True, max_states=64)["text/html"]
    assert len(re.findall(r"<title>s\d+</title>", html)) == 1
    assert "branching-bisimulation quotient: 1 of 100 states" in visible_text(html)


def test_a_wide_picture_is_scaled_to_the_cell_width():
    svg = lts_bundle(chain(40), draw=True)["image/svg+xml"]
    assert svg.startswith("<svg") or '<svg style="max-width: 100%; height: auto"' in svg


def test_without_graphviz_the_table_says_how_to_get_pictures():
    bundle = lts_bundle(chain(3), draw=False)
    assert "image/svg+xml" not in bundle
    assert "graphviz" in bundle["text/html"]


def test_drawing_highlights_the_trace_path():
    lts = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2)])
    svg = draw(lts, ["b"], draw=True)._repr_mimebundle_()["image/svg+xml"]
    highlighted = [m for m in re.findall(r'<g id="edge\d+" class="edge">.*?</g>', svg, re.S)
                   if "#1f5fbf" in m]
    assert len(highlighted) == 1 and ">b</text>" in highlighted[0]


def test_drawing_refuses_a_trace_the_lts_cannot_do():
    with pytest.raises(ProcalgError):
        draw(chain(3), ["b"])


@st.composite
def small_lts(draw_: st.DrawFn) -> LTS:
    n = draw_(st.integers(1, 6))
    edges = draw_(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(["a", "b", "τ"]),
                                     st.integers(0, n - 1)), max_size=10))
    return LTS.build(n, 0, ["a", "b"], edges)


@given(small_lts())
@settings(max_examples=25, deadline=None)
def test_picture_has_a_node_per_state_and_an_edge_per_transition(lts):
    svg = lts_bundle(lts, draw=True)["image/svg+xml"]
    # plus the invisible start node and its arrow into the initial state
    assert svg.count('class="node"') == lts.num_states + 1
    assert svg.count('class="edge"') == lts.num_transitions + 1


@pytest.mark.skipif(not can_draw(), reason="needs Graphviz's dot")
def test_a_compiled_lts_drawn_in_a_cell_names_its_drawn_states_by_their_terms():
    from procalg.api.export import process_lts

    model = loads("channel a, b : {0..9}\nC(n) = a!n -> C((n + 1) % 10) [] b?x -> C(x)\n"
                  "P = C(0) ||| C(5)")
    lts = process_lts(model, "P", state_names=True)  # the product engine's, 100 states
    bundle = lts_bundle(lts, max_states=12)
    start = "a.0 -> C(1) [] b?x -> C(x) ||| a.5 -> C(6) [] b?x -> C(x)"
    assert lts.state_names[0] == start and start in unescape(bundle["text/html"])  # tooltip
    assert len(lts.state_names._states) <= 12 + 2  # the drawn states and a path or two
