"""Lark rules for value expressions (literals, arithmetic, sets, sequences,
comprehensions, ``if``, ``let``), mixed into :class:`procalg.syntax.build.Builder`.

Example:
    >>> from procalg.syntax import parse_expr
    >>> parse_expr("{x | x <- {0..2}, x > 0}").qualifiers[1]
    Binary(op='>', left=Name(id='x'), right=Int(value=0))
"""

from __future__ import annotations

from contextvars import ContextVar

from lark import Transformer, v_args

from procalg.source import SourceFile, Span
from procalg.syntax import ast
from procalg.syntax.binders import to_pattern

PARSED_FILE: ContextVar[SourceFile | None] = ContextVar("PARSED_FILE", default=None)
"""The file being parsed: every span made while it is set names it, so an
error in a declaration that came from an ``include``d file quotes that file."""


def span_of(meta) -> Span | None:
    """The :class:`Span` of a lark ``Meta`` or ``Token`` (None when empty)."""
    if getattr(meta, "empty", False):
        return None
    return Span(meta.line, meta.column, meta.end_line, meta.end_column, PARSED_FILE.get())


@v_args(meta=True)
class ValueRules(Transformer):
    """The value-expression rules of the parse-tree transformer; ``Builder``
    adds the rest (lark wraps only a class's own methods, hence the decorator
    here too)."""


    def not_op(self, meta, children):
        return ast.Unary("not", children[0], span=span_of(meta))

    def compare(self, meta, children):
        left, op, right = children
        return ast.Binary(str(op), left, right, span=span_of(meta))

    arith = compare

    def compare_not(self, meta, children):  # `a == not b`: FDR reads the not as the operand
        left, op, right = children
        span = span_of(meta)
        return ast.Binary(str(op), left, ast.Unary("not", right, span=span), span=span)

    def unary_op(self, meta, children):
        op, operand = children
        return ast.Unary(str(op), operand, span=span_of(meta))

    def dot_op(self, meta, children):
        return ast.Dot(tuple(children), span=span_of(meta))

    def apply(self, meta, children):
        func, args = children
        return ast.Apply(func, args or (), span=span_of(meta))

    def name(self, meta, children):
        return ast.Name(str(children[0]), span=span_of(meta))

    def int(self, meta, children):
        return ast.Int(int(children[0]), span=span_of(meta))

    def char(self, meta, children):
        return ast.Char(_unescape(str(children[0])[1:-1]), span=span_of(meta))

    def string(self, meta, children):
        span = span_of(meta)
        text = _unescape(str(children[0])[1:-1])
        return ast.SeqLit(tuple(ast.Char(c, span=span) for c in text), span=span)

    def true(self, meta, children):
        return ast.Bool(True, span=span_of(meta))

    def false(self, meta, children):
        return ast.Bool(False, span=span_of(meta))

    def tuple(self, meta, children):
        return ast.TupleLit(tuple(children), span=span_of(meta))

    def set_lit(self, meta, children):
        return ast.SetLit(children[0] or (), span=span_of(meta))

    def set_range(self, meta, children):
        return ast.SetRange(children[0], children[1], span=span_of(meta))

    def set_from(self, meta, children):
        return ast.SetFrom(children[0], span=span_of(meta))

    def set_comp(self, meta, children):
        first, *more = children[0]
        return ast.SetComp(first, children[1], tuple(more), span=span_of(meta))

    def map_lit(self, meta, children):
        return ast.MapLit(tuple(c for c in children[1:] if c is not None), span=span_of(meta))

    def map_pair(self, meta, children):
        return (children[0], children[1])

    def event_set(self, meta, children):
        return ast.EventSet(children[0], children[1] or (), span=span_of(meta))

    def event_set_empty(self, meta, children):
        # `{| |}`: no channel named, no event (RoboChart writes it for a module without any)
        return ast.EventSet((), (), span=span_of(meta))

    def seq_items(self, meta, children):
        return tuple(children)

    def seq_lit(self, meta, children):
        return ast.SeqLit(children[1] or (), span=span_of(meta))

    def seq_range(self, meta, children):
        return ast.SeqRange(children[1], children[2], span=span_of(meta))

    def seq_from(self, meta, children):
        return ast.SeqFrom(children[1], span=span_of(meta))

    def seq_range_comp(self, meta, children):
        # `<x..y | quals>` is the concatenation of one range per binding
        _lt, low, high, quals, _gt = children
        sp = span_of(meta)
        ranges = ast.SeqFrom(low, span=sp) if high is None else ast.SeqRange(low, high, span=sp)
        return ast.Apply(ast.Name("concat", span=sp), (ast.SeqComp(ranges, quals, span=sp),),
                         span=sp)

    def set_range_comp(self, meta, children):
        low, high, quals = children
        sp = span_of(meta)
        ranges = ast.SetFrom(low, span=sp) if high is None else ast.SetRange(low, high, span=sp)
        return ast.Apply(ast.Name("Union", span=sp), (ast.SetComp(ranges, quals, span=sp),),
                         span=sp)

    def seq_comp(self, meta, children):
        first, *more = children[1]
        return ast.SeqComp(first, children[2], tuple(more), span=span_of(meta))

    def if_expr(self, meta, children):
        return ast.If(*children, span=span_of(meta))

    def let_expr(self, meta, children):
        return ast.Let(children[0], children[1], span=span_of(meta))

    def set_quals(self, meta, children):
        return tuple(children)

    seq_quals = repl_stmts = set_quals

    def generator(self, meta, children):
        return ast.Generator(to_pattern(children[0]), children[1], span=span_of(meta))

    def condition(self, meta, children):
        return children[0]


_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "'": "'", '"': '"'}


def _unescape(text: str) -> str:
    r"""``\n``, ``\t``, ``\\`` and escaped quotes in a character or string literal.

    Example:
        >>> _unescape(r"it\'s"), _unescape(r"a\nb") == "a\nb"
        ("it's", True)
    """
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(_ESCAPES.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)
