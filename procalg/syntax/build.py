"""Lark parse tree to :mod:`procalg.syntax.ast`, with spans on every node.

Declarations, assertions and process operators are built here; value
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

from lark import Token, v_args

from procalg.errors import ParseError
from procalg.source import Span
from procalg.syntax import ast
from procalg.syntax.binders import lambda_of, pattern_definitions, to_pattern
from procalg.syntax.nondeterministic import nondeterministic_prefix
from procalg.syntax.properties import decode_ltl, decode_property
from procalg.syntax.timed import expand_declarations
from procalg.syntax.value_rules import ValueRules, span_of

_UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def duration_ms(tok: Token) -> int:
    """``30s`` -> 30000.

    Example:
        >>> duration_ms(Token("DURATION", "250ms"))
        250
    """
    digits = tok.value.rstrip("smhd")
    return int(digits) * _UNITS_MS[tok.value[len(digits) :]]


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
class Builder(ValueRules):
    """Lark transformer producing AST nodes; one instance per parse.

    Args:
        text: the comment-free source (assertion texts are cut from it).
        parse_expr: parses the expression of ``:[reachable e]``, given the
            source with everything but that expression blanked out.
    """

    def __init__(self, text: str, parse_expr: Callable[[str], ast.Node]) -> None:
        super().__init__()
        self.text = text
        self.parse_expr = parse_expr

    # -- declarations ------------------------------------------------------

    def start(self, meta, children):
        return children[0]

    def module(self, meta, children):
        decls = tuple(_flatten(c for c in children if c is not None))
        return ast.Module(decls, span=span_of(meta))

    def let_defs(self, meta, children):
        # local `external f` / `transparent normal` only say a built-in is used
        items = [c for c in _flatten(children) if type(c) is not ast.TransparentDecl]
        return tuple(expand_declarations(items))

    def value_def(self, meta, children):
        name, body = children
        return ast.Definition(str(name), None, body, span=span_of(meta))

    def function_def(self, meta, children):
        name, first, *more, body = children
        for group in reversed(more):  # f(x)(y) = e is f(x) = \ y @ e
            body = lambda_of(group, body, span_of(meta))
        return ast.Definition(str(name), tuple(map(to_pattern, first)), body,
                              span=span_of(meta))

    def pattern_def(self, meta, children):
        pattern, body = children
        return pattern_definitions(to_pattern(pattern), body, span_of(meta))

    def pattern_seq_rest(self, meta, children):
        _lt, items, _gt, _caret, rest = children
        return ast.Binary("^", ast.SeqLit(items or (), span=span_of(meta)), rest,
                          span=span_of(meta))

    def pattern_dot(self, meta, children):
        head, *parts = children
        first = ast.Name(str(head), span=span_of(head))
        return ast.Dot((first, *parts), span=span_of(meta))

    def both_pattern(self, meta, children):
        return ast.BothPattern(children[0], children[1], span=span_of(meta))

    def arg_group(self, meta, children):
        return children[0] or ()

    def lambda_expr(self, meta, children):
        return lambda_of(children[0], children[1], span_of(meta))

    def name_list(self, meta, children):
        return tuple(str(c) for c in children)

    def exprs(self, meta, children):
        return tuple(children)

    def channel_decl(self, meta, children):
        names, typ = children
        return ast.ChannelDecl(names, _fields(typ), span=span_of(meta))

    def signal_decl(self, meta, children):
        names, typ = children
        return ast.SignalDecl(names, _fields(typ), span=span_of(meta))

    def activity_decl(self, meta, children):
        names, typ, *options = children
        seen: dict[str, object] = {}
        for key, value, opt_span in options:
            if key in seen:
                raise ParseError(f"'{key}' is given twice for this activity", opt_span,
                                 hint=f"keep one '{key}' option")
            seen[key] = value
        return ast.ActivityDecl(
            names, _fields(typ), attempts=seen.get("attempts"),
            backoff_ms=seen.get("backoff"), timeout_ms=seen.get("timeout"),
            never_fails=bool(seen.get("never fails", False)), span=span_of(meta),
        )

    def attempts(self, meta, children):
        count = int(children[0])
        if count < 1:
            raise ParseError("'attempts' must be at least 1", span_of(children[0]),
                             hint="attempts counts every try, the first one included")
        return ("attempts", count, span_of(meta))

    def backoff(self, meta, children):
        return ("backoff", duration_ms(children[0]), span_of(meta))

    def timeout_option(self, meta, children):
        return ("timeout", duration_ms(children[0]), span_of(meta))

    def never_fails(self, meta, children):
        return ("never fails", True, span_of(meta))

    def timer_decl(self, meta, children):
        name, dur = children
        return ast.TimerDecl(str(name), duration_ms(dur), span=span_of(meta))

    def datatype_decl(self, meta, children):
        name, *constructors = children
        return ast.DatatypeDecl(str(name), tuple(constructors), span=span_of(meta))

    def constructor(self, meta, children):
        name, *fields = children
        return ast.Constructor(str(name), tuple(fields), span=span_of(meta))

    def subtype_decl(self, meta, children):
        name, *constructors = children
        span = span_of(meta)
        parts: list[ast.Node] = []
        for con in constructors:  # {| A |} or {| B.x0 | x0 <- F0 |}: the fields not
            head = ast.Name(con.name, span=con.span)  # given range over their whole types
            if not con.fields:
                parts.append(ast.EventSet((head,), (), span=con.span))
                continue
            xs = [ast.Name(f"subtype_field_{i}_", span=con.span) for i in range(len(con.fields))]
            gens = tuple(ast.Generator(ast.PVar(x.id, span=con.span), f, span=con.span)
                         for x, f in zip(xs, con.fields, strict=True))
            parts.append(ast.EventSet((ast.Dot((head, *xs), span=con.span),), gens,
                                      span=con.span))
        value = parts[0]
        for part in parts[1:]:
            value = ast.Apply(ast.Name("union", span=span), (value, part), span=span)
        return ast.NametypeDecl(str(name), value, span=span)

    def nametype_decl(self, meta, children):
        name, value = children
        return ast.NametypeDecl(str(name), value, span=span_of(meta))

    def include_decl(self, meta, children):
        return ast.IncludeDecl(str(children[0])[1:-1], span=span_of(meta))

    def module_start(self, meta, children):
        name, params = children
        return ast.ModuleStart(str(name), params, span=span_of(meta))

    def timed_start(self, meta, children):
        return ast.TimedStart(children[0], span=span_of(meta))

    def timed_end(self, meta, children):
        return ast.TimedEnd(span=span_of(meta))

    def module_exports(self, meta, children):
        return ast.ModuleExports(span=span_of(meta))

    def module_end(self, meta, children):
        return ast.ModuleEnd(span=span_of(meta))

    def instance_decl(self, meta, children):
        name, target = children
        return ast.InstanceDecl(str(name), target, span=span_of(meta))

    def type_annotation(self, meta, children):
        return None  # procalg infers nothing from it: values are checked as they are used

    def transparent_decl(self, meta, children):
        kind, names = children
        return ast.TransparentDecl(str(kind), names, span=span_of(meta))

    def assertion(self, meta, children):
        prop, text = children[0]
        return ast.Assertion(prop, False, text, span=span_of(meta))

    def negated_assertion(self, meta, children):
        prop, text = children[1]
        return ast.Assertion(prop, True, "not " + text, span=span_of(meta))

    def _text(self, meta) -> str:
        return " ".join(self.text[meta.start_pos : meta.end_pos].split())

    def property_check(self, meta, children):
        process, tok, trace = children
        prop = decode_property(tok, process, trace, self._reachable_event, span_of(meta))
        return prop, self._text(meta)

    def ltl_check(self, meta, children):
        process, tok = children
        return decode_ltl(tok, process, span_of(meta)), self._text(meta)

    def refinement(self, meta, children):
        spec, tok, impl = children
        model = tok.value[1:-1]
        return ast.Refines(spec, impl, model, span=span_of(meta)), self._text(meta)

    def equivalence(self, meta, children):
        left, right, tok = children
        prop = decode_property(tok, left, None, self._reachable_event, span_of(meta), right)
        return prop, self._text(meta)

    def _reachable_event(self, start: int, end: int) -> ast.Node:
        # pad with newlines and spaces so that spans in the sub-parse are file positions
        line_start = self.text.rfind("\n", 0, start) + 1
        pad = "\n" * self.text.count("\n", 0, start) + " " * (start - line_start)
        return self.parse_expr(pad + self.text[start:end])

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
    return Span(first.span.line, first.span.column, last.span.end_line, last.span.end_column)


def _flatten(items):
    """Declarations, with the tuple a pattern definition makes spliced in."""
    for item in items:
        if type(item) is tuple:
            yield from item
        else:
            yield item


def _fields(typ: ast.Node | None) -> tuple[ast.Node, ...]:
    """``T1.T2`` in a channel declaration is two field sets."""
    if typ is None:
        return ()
    return typ.parts if isinstance(typ, ast.Dot) else (typ,)
