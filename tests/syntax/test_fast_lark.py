"""procalg.syntax.fast_lark: the parser with cheap unit reductions and the direct rule
dispatch build what lark's own machinery builds, positions included (the oracle: a
parser as lark builds it, and lark's transformer dispatch)."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from lark import Transformer, Tree

from procalg.syntax.assertion_rules import AssertionBuilder
from procalg.syntax.fast_lark import shortcut_unit_reductions
from procalg.syntax.layout import blank_comments
from procalg.syntax.parser import build_lark, lark_parser, raw_parse
from procalg.syntax.timed import mark_sections
from tests.api.random_models import models

ROOT = Path(__file__).parents[2]
FILES = sorted([*ROOT.glob("models/**/*.proc"), *ROOT.glob("grammar/corpus/valid/*.proc"),
                ROOT / "benchmarks" / "leader_election.proc"])
META = ("empty", "line", "column", "end_line", "end_column", "start_pos", "end_pos")


@functools.cache
def _plain():
    return build_lark()


class _LarkDispatch(AssertionBuilder):
    """The builder calling its rules through lark's own ``v_args`` wrappers."""

    _call_userfunc = Transformer._call_userfunc


def _tree(node: Any) -> Any:
    """A lark tree as nested tuples, every subtree's positions included."""
    if isinstance(node, Tree):
        meta = tuple(getattr(node.meta, name, None) for name in META)
        return (str(node.data), meta, tuple(_tree(c) for c in node.children))
    return (type(node).__name__, repr(node), getattr(node, "line", None),
            getattr(node, "end_column", None))


def _ast(node: Any) -> Any:
    """An AST as nested tuples, every field (spans too) included."""
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return (type(node).__name__,
                tuple(_ast(getattr(node, f.name)) for f in dataclasses.fields(node)))
    if isinstance(node, tuple | list):
        return tuple(_ast(x) for x in node)
    return node


def _both(text: str, start: str = "start") -> tuple[Any, Any]:
    """(the plain parser's tree, ours) of ``text``."""
    clean = mark_sections(blank_comments(text))
    plain = _plain()
    plain.options.postlex.text = clean
    return plain.parse(clean, start=start), raw_parse(clean, start)


def _asts(text: str) -> tuple[Any, Any]:
    """(the AST by lark's machinery, by ours) of ``text``."""
    clean = mark_sections(blank_comments(text))
    theirs, ours = _both(text)
    expr = lambda t: _LarkDispatch(t, expr).transform(_both(t, "expr")[0])  # noqa: E731
    return (_ast(_LarkDispatch(clean, expr).transform(theirs)),
            _ast(AssertionBuilder(clean, expr).transform(ours)))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_bundled_model_parses_to_lark_s_own_tree_and_ast_positions_included(
        path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    theirs, ours = _both(text)
    assert _tree(ours) == _tree(theirs)
    plain, fast = _asts(text)
    assert fast == plain


@settings(max_examples=60, deadline=None)
@given(models(depth=3))
def test_a_random_model_parses_to_lark_s_own_tree_and_ast(text: str) -> None:
    theirs, ours = _both(text)
    assert _tree(ours) == _tree(theirs)
    plain, fast = _asts(text)
    assert fast == plain


def test_the_parser_shortcuts_the_precedence_chain_s_unit_rules() -> None:
    # expr -> hide -> ... -> atom: every level of the chain is one (a grammar that
    # loses them would make this cost come back unnoticed)
    parser = lark_parser()
    callbacks = parser.parser.parser.parser.callbacks
    names = {str(rule.origin.name) for rule, f in callbacks.items()
             if type(f).__name__ == "itemgetter"}
    assert {"expr", "hide", "inter", "echoice", "prefix", "dot", "add", "app"} <= names


def test_a_transformer_error_is_lark_s_visit_error_with_the_cause() -> None:
    from lark import v_args
    from lark.exceptions import VisitError

    @v_args(meta=True)
    class Failing(AssertionBuilder):
        def name(self, meta, children):
            raise ValueError("no")

    clean = "P = a\n"
    with pytest.raises(VisitError) as raised:
        Failing(clean, lambda t: None).transform(raw_parse(clean, "start"))
    assert isinstance(raised.value.orig_exc, ValueError)


TOY = """start: item+
?item: pair | kw | both
?pair: word [":" word]
?kw: "x"
?both: _two
_two: "<" word word ">"
word: NAME
%import common.CNAME -> NAME
%ignore " "
"""
"""A grammar whose one-symbol ``?`` rules are not all units: a ``[x]`` placeholder,
a filtered keyword, an inlined ``_rule`` (none of them in procalg's grammar yet)."""


def test_a_one_symbol_rule_that_is_not_a_unit_keeps_lark_s_callback() -> None:
    from lark import Lark

    from procalg.syntax.fast_lark import shortcut_unit_reductions

    options = {"parser": "lalr", "propagate_positions": True, "maybe_placeholders": True}
    plain, fast = Lark(TOY, **options), Lark(TOY, **options)
    assert shortcut_unit_reductions(fast) == 3  # ?item: pair | kw | both, no other
    text = "a b:c x <d e>"
    assert _tree(fast.parse(text)) == _tree(plain.parse(text))


def test_a_lark_whose_internals_moved_is_left_as_lark_built_it():
    class Moved:  # a parser object without the LALR loop where lark 1.x keeps it
        parser = None

    assert shortcut_unit_reductions(Moved()) == 0  # type: ignore[arg-type]
