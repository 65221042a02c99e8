"""The builder (lark tree to AST): a loop over the tree, so chains thousands long build."""

from __future__ import annotations

import sys

from procalg.syntax import ast, parse


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
