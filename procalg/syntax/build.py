"""Lark parse tree to :mod:`procalg.syntax.ast`, with spans on every node.

Process operators are built here; declarations and assertions by the
:class:`~procalg.syntax.declaration_rules.DeclarationRules` mixin, value
expressions by the :class:`~procalg.syntax.value_rules.ValueRules` mixin, and
expressions read as patterns by :mod:`procalg.syntax.binders`.

Example:
    >>> from procalg.syntax import parse
    >>> parse("P = c?x -> STOP").declarations[0].body.fields
    (InField(pattern=PVar(name='x'), restrict=None),)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from lark import Token, Transformer_NonRecursive, Tree, v_args
from lark.tree import Meta

from procalg.source import Span
from procalg.syntax import ast
from procalg.syntax.binders import to_pattern
from procalg.syntax.declaration_rules import DeclarationRules
from procalg.syntax.fast_lark import MetaRules
from procalg.syntax.nondeterministic import nondeterministic_prefix
from procalg.syntax.value_rules import ValueRules, span_of


def _binary(cls, op: str | None = None):
    def rule(self, meta, children):
        left, right = children[0], children[-1]
        if op is None:
            return cls(left, right, span=span_of(meta))
        return cls(op, left, right, span=span_of(meta))

    return rule


def _replicated(op: str):
    def rule(self, meta, children):
        stmts, body = children[-2], children[-1]
        sync = children[0] if op == "[||]" else None
        return ast.Replicated(op, stmts, body, sync=sync, span=span_of(meta))

    return rule


@v_args(meta=True)
class Builder(MetaRules, Transformer_NonRecursive, DeclarationRules, ValueRules):
    """Lark transformer producing AST nodes; one instance per parse.

    Args:
        text: the comment-free source (assertion texts are cut from it).
        parse_expr: parses the expression of ``:[reachable e]``, given the
            source with everything but that expression blanked out.
    """

    def __init__(self, text: str, parse_expr: Callable[[str], ast.Node]) -> None:
        super().__init__(visit_tokens=False)  # no rule for a token: they stay as lexed
        self.text = text
        self.parse_expr = parse_expr

    # -- process operators ---------------------------------------------------

    def hide_op(self, meta, children):
        body, hidden = children[0], children[-1]

        def hide(set_: ast.Node) -> ast.Node:
            return ast.HideExpr(body, set_, span=_join(body, set_))

        if self._bracketed(hidden):  # P \ (A op B): the brackets keep the set whole
            return hide(hidden)
        return _hide_first(hidden, hide)

    def _bracketed(self, node: ast.Node) -> bool:
        """Whether ``node``'s text is directly inside brackets ``( ... )`` (the AST
        keeps no bracket node: the character before its start tells)."""
        if node.span is None:
            return False
        starts = self.__dict__.get("_line_starts")
        if starts is None:  # offsets of the lines, once per text
            starts = self._line_starts = [0] + [i + 1 for i, c in enumerate(self.text)
                                               if c == "\n"]
        if not 1 <= node.span.line <= len(starts):
            return False
        at = starts[node.span.line - 1] + node.span.column - 1
        return self.text[:at].rstrip().endswith("(")

    def project_op(self, meta, children):
        """``P |\\ A`` (FDR's projection) hides every event but those of ``A``."""
        body, kept = children

        def project(set_: ast.Node) -> ast.Node:
            span = _join(body, set_)
            rest = ast.Apply(ast.Name("diff", span=span), (ast.Name("Events", span=span), set_),
                             span=span)
            return ast.HideExpr(body, rest, span=span)

        return _hide_first(kept, project)
    interleave = _binary(ast.ProcBinary, "|||")
    int_choice = _binary(ast.ProcBinary, "|~|")
    ext_choice = _binary(ast.ProcBinary, "[]")
    interrupt_op = _binary(ast.ProcBinary, "/\\")
    timeout_op = _binary(ast.ProcBinary, "[>")
    seq_op = _binary(ast.ProcBinary, ";")
    undo_op = _binary(ast.Undo)
    guard = _binary(ast.Guard)
    or_op = _binary(ast.Binary, "or")
    and_op = _binary(ast.Binary, "and")

    def gen_par(self, meta, children):
        left, sync, right = children
        return ast.GenParallel(left, sync, right, span=span_of(meta))

    def alpha_par(self, meta, children):
        left, a, b, right = children
        return ast.AlphaParallelExpr(left, a, b, right, span=span_of(meta))

    def link_par(self, meta, children):
        left, (links, quals), right = children
        return ast.LinkParallelExpr(left, links, right, quals, span=span_of(meta))

    def link_pairs(self, meta, children):
        *pairs, quals = children
        return tuple(pairs), quals or ()

    def repl_link(self, meta, children):
        (links, quals), stmts, body = children
        return ast.Replicated("[<->]", stmts, body, links=links, link_qualifiers=quals,
                              span=span_of(meta))

    def link_pair(self, meta, children):
        return (children[0], children[1])

    def sync_choice(self, meta, children):
        left, sync, right = children
        return ast.SyncChoiceExpr(left, sync, right, span=span_of(meta))

    def sync_interrupt(self, meta, children):
        left, sync, right = children
        return ast.SyncChoiceExpr(left, sync, right, interrupt=True, span=span_of(meta))

    def repl_sync_ext(self, meta, children):
        sync, stmts, body = children
        return ast.Replicated("[+]", stmts, body, sync=sync, span=span_of(meta))

    def exception_op(self, meta, children):
        left, sync, right = children
        return ast.ExceptionExpr(left, sync, right, span=span_of(meta))

    def prefix_op(self, meta, children):
        head, *fields, then = children
        if any(type(f) is ast.NondetField for f in fields):  # c$x -> P
            return nondeterministic_prefix(head, tuple(fields), then, span_of(meta))
        return ast.PrefixExpr(head, tuple(fields), then, span=span_of(meta))

    def out_field(self, meta, children):
        return ast.OutField(children[0], span=span_of(meta))

    def in_field(self, meta, children):
        pattern, restrict = children
        return ast.InField(to_pattern(pattern), restrict, span=span_of(meta))

    def nondet_field(self, meta, children):
        pattern, restrict = children
        return ast.NondetField(to_pattern(pattern), restrict, span=span_of(meta))

    # -- renaming, stop, skip, throw, saga, replicated operators -----------

    def rename(self, meta, children):
        process, pairs, quals = children
        return ast.RenameExpr(process, pairs, quals or (), span=span_of(meta))

    def rename_empty(self, meta, children):
        return ast.RenameExpr(children[0], (), (), span=span_of(meta))

    def rename_pairs(self, meta, children):
        return tuple(children)

    def rename_pair(self, meta, children):
        return (children[0], children[1])

    def saga(self, meta, children):
        return ast.Saga(children[0], span=span_of(meta))

    def stop(self, meta, children):
        return ast.StopLit(span=span_of(meta))

    def skip(self, meta, children):
        return ast.SkipLit(span=span_of(meta))

    def throw(self, meta, children):
        return ast.ThrowLit(span=span_of(meta))

    repl_ext = _replicated("[]")
    repl_int = _replicated("|~|")
    repl_inter = _replicated("|||")
    repl_gen = _replicated("[||]")
    repl_seq = _replicated(";")

    def repl_alpha(self, meta, children):
        stmts, alpha, body = children
        return ast.Replicated("||", stmts, body, alpha=alpha, span=span_of(meta))


def _transform(self: Builder, tree: Tree) -> ast.Node:
    """Build the AST of ``tree``, with ``;`` chains grouped to the right first."""
    regroup_sequences(tree)
    return Transformer_NonRecursive.transform(self, tree)


Builder.transform = _transform  # type: ignore[method-assign]  # set after v_args wraps the rules


def regroup_sequences(tree: Tree) -> None:
    """Group every ``;`` chain of ``tree`` to the right, in place, in one linear pass.

    The grammar reads ``P1 ; P2 ; P3`` as ``(P1 ; P2) ; P3`` (left-recursive,
    as FDR's). ``;`` is associative (Roscoe, *Understanding Concurrent
    Systems*, law ;-assoc) and the two groupings even step to equal terms, but
    under the left grouping every move of ``P1`` rebuilds the whole chain above
    it, so a chain of n processes costs n² (issue 9). Grouped to the right,
    each move rebuilds one node and a finished part simply drops off.

    Example:
        >>> from procalg.syntax import parse_expr, pretty
        >>> pretty(parse_expr("a -> SKIP ; b -> SKIP ; c -> STOP"))
        'a -> SKIP ; (b -> SKIP ; c -> STOP)'
    """
    heads, inner = [], set()
    for node in tree.iter_subtrees():  # lark walks iteratively: any depth
        if node.data == "seq_op":
            heads.append(node)
            inner.update(id(child) for child in node.children if _is_sequence(child))
    for head in heads:  # the outermost ``;`` of each chain, brackets included
        if id(head) not in inner:
            _regroup(head)


def _is_sequence(node: object) -> bool:
    return type(node) is Tree and node.data == "seq_op"


def _regroup(head: Tree) -> None:
    """``((P1 ; P2) ; (P3 ; P4)) ; P5`` → ``P1 ; (P2 ; (P3 ; (P4 ; P5)))`` (the head
    stays the head)."""
    parts, todo = [], [head]
    while todo:  # the chain's operands, left to right
        node = todo.pop()
        if _is_sequence(node):
            todo.append(node.children[-1])
            todo.append(node.children[0])
        else:
            parts.append(node)
    rest = parts[-1]
    for part in reversed(parts[1:-1]):
        rest = Tree("seq_op", [part, rest], _between(part, rest))
    head.children = [parts[0], rest]


def _between(first: Tree | Token, last: Tree | Token) -> Meta:
    """The position of the text from ``first``'s start to ``last``'s end."""
    start = first.meta if type(first) is Tree else first
    end = last.meta if type(last) is Tree else last
    meta = Meta()
    if getattr(start, "empty", False) or getattr(end, "empty", False):
        return meta
    meta.empty = False
    meta.line, meta.column, meta.start_pos = start.line, start.column, start.start_pos
    meta.end_line, meta.end_column, meta.end_pos = end.end_line, end.end_column, end.end_pos
    return meta


_AFTER_HIDING = {"|||", "|~|", "[]", "/\\", "[>", ";"}


def _hide_first(hidden: ast.Node, hide: Callable[[ast.Node], ast.Node]) -> ast.Node:
    """``P \\ A op Q`` is ``(P \\ A) op Q`` in FDR, for a process operator ``op``:
    the grammar reads ``P \\ (A op Q)``, so the set is the operator's left operand
    (libcspm does the same after parsing: a context-dependent precedence).

    Example:
        >>> from procalg.syntax import parse_expr, pretty
        >>> pretty(parse_expr("P \\\\ {a} ||| Q"))
        '(P \\\\ {a}) ||| Q'
        >>> type(parse_expr("P \\\\ {a} ||| Q")).__name__
        'ProcBinary'
    """
    kind = type(hidden)
    if (kind is ast.ProcBinary and hidden.op in _AFTER_HIDING) or kind in (
            ast.GenParallel, ast.AlphaParallelExpr, ast.ExceptionExpr, ast.SyncChoiceExpr):
        return dataclasses.replace(hidden, left=hide(hidden.left))
    return hide(hidden)


def _join(first: ast.Node, last: ast.Node) -> Span | None:
    if first.span is None or last.span is None:
        return first.span or last.span
    return Span(first.span.line, first.span.column, last.span.end_line, last.span.end_column,
                first.span.file)
