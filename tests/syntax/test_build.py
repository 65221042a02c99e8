"""The builder (lark tree to AST): a loop over the tree, so chains thousands long build."""

from __future__ import annotations

import sys
import time

from hypothesis import given, settings

from procalg.api import check_model, loads
from procalg.syntax import ast, parse
from procalg.terms import Seq
from tests.semantics.test_sos_laws import strongly_bisimilar, terms


def test_a_ten_thousand_long_choice_chain_parses_without_deep_recursion() -> None:
    n = 10_000
    assert sys.getrecursionlimit() <= 10_000  # the builder is a loop, not a recursion
    body = " [] ".join(["STOP"] * n)
    node = parse(f"P = {body}").declarations[0].body
    depth = 0
    while isinstance(node, ast.ProcBinary):  # left-nested, as the grammar reads [] chains
        assert node.op == "[]" and isinstance(node.right, ast.StopLit)
        node, depth = node.left, depth + 1
    assert depth == n - 1 and isinstance(node, ast.StopLit)


def test_a_sequence_chain_is_grouped_to_the_right_with_spans_over_its_parts() -> None:
    text = "P = a -> SKIP ; b -> SKIP ; (c -> SKIP ; d -> SKIP) ; STOP"
    node = parse(text).declarations[0].body
    heads = []
    while isinstance(node, ast.ProcBinary) and node.op == ";":
        assert not (isinstance(node.left, ast.ProcBinary) and node.left.op == ";")
        heads.append(node.left)
        assert node.span is not None and node.span.end_column == len(text) + 1
        node = node.right
    assert [type(h) for h in heads] == [ast.PrefixExpr] * 4 and isinstance(node, ast.StopLit)
    assert [h.span.column for h in heads] == [5, 17, 30, 42]  # type: ignore[union-attr]


def test_sequence_grouping_leaves_other_operators_as_the_grammar_reads_them() -> None:
    # ``;`` binds more tightly than ``[]`` (FDR's table): two chains under one choice
    node = parse("P = a -> SKIP ; b -> SKIP [] c -> SKIP ; STOP").declarations[0].body
    assert node.op == "[]" and node.left.op == ";" and node.right.op == ";"
    assert isinstance(node.left.left, ast.PrefixExpr) and isinstance(node.right.right, ast.StopLit)


@settings(max_examples=60, deadline=None)
@given(terms, terms, terms)
def test_sequence_is_associative_up_to_strong_bisimulation(p, q, r) -> None:
    # the law that makes the builder's regrouping sound (Roscoe, UCS, ;-assoc)
    assert strongly_bisimilar(Seq(Seq(p, q), r), Seq(p, Seq(q, r)))


def test_a_three_thousand_long_sequence_chain_checks_in_linear_time() -> None:
    n = 3_000
    model = loads("channel a\nP = " + " ; ".join(["a -> SKIP"] * n) + " ; STOP\n"
                  "assert P :[deadlock free]\n")
    started = time.perf_counter()
    (report,) = check_model(model, max_states=10_000)
    assert report.result == "fail"
    # left-grouped, each of the 6,000 moves rebuilt the whole chain: 3,000 took ~40 s
    assert time.perf_counter() - started < 20
