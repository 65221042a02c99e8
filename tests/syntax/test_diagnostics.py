"""Parse errors: friendly wording, the right place, and only ParseError ever."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import ParseError
from procalg.source import Span
from procalg.syntax import parse

CORPUS = Path(__file__).resolve().parents[2] / "grammar" / "corpus"
VALID = sorted((CORPUS / "valid").glob("*.proc"))
INVALID = sorted((CORPUS / "invalid").glob("*/*.proc"))

# (kind/file) -> (line, column, words the message must contain)
EXPECTED = {
    "bad-duration/backoff_no_unit": (1, 20, "duration"),
    "bad-duration/timer_no_unit": (1, 11, "duration"),
    "chained-parallel/alpha": (1, 24, "do not chain: '['"),
    "chained-parallel/gen": (2, 35, "do not chain: '[|'"),
    "chained-parallel/link": (1, 23, "do not chain: '['"),
    "channel-without-name/colon_first": (1, 9, "channel name"),
    "channel-without-name/nothing": (2, 1, "channel name"),
    "mismatched-bracket/paren_square": (1, 15, "does not match '(' opened at 1:5"),
    "missing-arrow/prefix": (1, 7, "'->'"),
    "missing-at/external": (1, 19, "'@'"),
    "missing-at/interleave": (1, 16, "'@'"),
    "missing-at/internal": (1, 22, "'@'"),
    "missing-equals/definition": (1, 3, "'='"),
    "missing-expression/after_arrow": (1, 10, "expected an expression after '->'"),
    "missing-expression/after_choice": (2, 1, "expected an expression after '[]'"),
    "missing-expression/after_equals": (3, 1, "expected an expression after '='"),
    "missing-expression/after_semicolon": (1, 12, "expected an expression after ';'"),
    "missing-then-else/no_else": (2, 1, "'else'"),
    "missing-within/let_no_within": (3, 3, "'within'"),
    "unclosed-bracket/eventset": (1, 5, "unclosed '{|' opened at 1:5"),
    "unclosed-bracket/genpar": (1, 22, "'|]' to close '[|' opened at 1:15"),
    "unclosed-bracket/paren": (1, 5, "unclosed '(' opened at 1:5"),
    "unknown-assertion/deadlock": (1, 10, "did you mean 'deadlock free'?"),
    "unknown-assertion/determinism": (1, 10, "did you mean 'deterministic'?"),
    "unterminated-comment/block": (1, 10, "unterminated comment"),
    "unterminated-comment/nested": (1, 1, "unterminated comment"),
}


def test_every_invalid_example_has_an_expected_diagnostic():
    assert {f"{p.parent.name}/{p.stem}" for p in INVALID} == set(EXPECTED)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_invalid_example_is_reported_at_the_right_place(path):
    line, column, words = EXPECTED[f"{path.parent.name}/{path.stem}"]
    with pytest.raises(ParseError) as info:
        parse(path.read_text(), path.name)
    err = info.value
    assert (err.span.line, err.span.column) == (line, column)
    assert words in err.message
    assert err.render().startswith(f"{path.name}:{line}:{column}: error: ")


def test_examples_generalise_beyond_the_corpus():
    with pytest.raises(ParseError, match="expected an expression after '->'"):
        parse("channel go\nStart = go ->\nEnd = STOP")
    with pytest.raises(ParseError, match="'@'"):
        parse("Sys = [] k : {0..9} k -> STOP")


def test_the_unclosed_bracket_hint_names_a_line_after_the_bracket():
    # a column-1 continuation inside brackets closed earlier must not be blamed
    text = "channel a, b\nP = (a\n-> STOP)\nQ = STOP [| {| a, b\nR = STOP\n"
    with pytest.raises(ParseError, match=r"unclosed '\{\|' opened at 4:13") as info:
        parse(text, "m.proc")
    assert "before line 5" in info.value.hint


def test_a_misspelt_model_suffix_is_named():
    with pytest.raises(ParseError, match=r"unknown semantic model '\[X\]'"):
        parse("assert P :[deadlock free [X]]")


def test_an_equivalence_needs_a_bisimulation_kind():
    with pytest.raises(ParseError, match="did you mean 'strong'"):
        parse("assert P = Q :[strang]")


def test_a_repeated_activity_option_is_an_error_at_the_second():
    with pytest.raises(ParseError, match="'attempts' is given twice") as info:
        parse("activity a attempts 2 attempts 3")
    assert info.value.span == Span(1, 23, 1, 33)


def test_a_non_pattern_on_the_left_of_a_generator_is_an_error():
    with pytest.raises(ParseError, match="cannot be used as a pattern") as info:
        parse("S = { x | x + 1 <- {1} }")
    assert (info.value.span.line, info.value.span.column) == (1, 11)


def _assert_only_parse_errors(text: str) -> None:
    try:
        parse(text)
    except ParseError as err:
        if err.span is not None:
            lines = text.split("\n")
            assert 1 <= err.span.line <= len(lines)
            assert 1 <= err.span.column <= len(lines[err.span.line - 1]) + 1
        assert err.render()  # renders without raising


ALPHABET = st.sampled_from([*"PQab01 \n\t()[]{}|<>-=:;?!.@&\\/~#^,_*%+'",
                            "->", "[]", "|~|", "[|", "|]", "{-", "-}", "--", "let", "within",
                            "if", "then", "else", "channel", "assert", ":[", "STOP"])


@settings(max_examples=150, deadline=None)
@given(st.lists(ALPHABET, max_size=30).map("".join))
def test_random_text_raises_only_parse_errors_inside_the_text(text):
    _assert_only_parse_errors(text)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(VALID), st.data())
def test_mutated_valid_models_raise_only_parse_errors(path, data):
    text = path.read_text()
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(text) - 1))
        kind = data.draw(st.sampled_from(["delete", "insert", "swap"]))
        if kind == "delete":
            text = text[:i] + text[i + 1:]
        elif kind == "insert":
            text = text[:i] + data.draw(ALPHABET) + text[i:]
        elif i + 1 < len(text):
            text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
    _assert_only_parse_errors(text)
