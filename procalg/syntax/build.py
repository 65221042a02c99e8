"""Lark parse tree to :mod:`procalg.syntax.ast`, with spans on every node.

Patterns are parsed with the expression grammar (an LALR parser cannot tell
``x <- S`` from the condition ``x > 0`` until it reaches ``<-``) and turned
into patterns here by :func:`to_pattern`.

Example:
    >>> from procalg.syntax import parse
    >>> parse("P = c?x -> STOP").declarations[0].body.fields
    (InField(pattern=PVar(name='x'), restrict=None),)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from lark import Token, Transformer, v_args

from procalg.errors import ParseError
from procalg.source import Span
from procalg.syntax import ast
from procalg.syntax.properties import decode_ltl, decode_property

_UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def span_of(meta) -> Span | None:
    """The :class:`Span` of a lark ``Meta`` or ``Token`` (None when empty)."""
    if getattr(meta, "empty", False):
        return None
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def duration_ms(tok: Token) -> int:
    """``30s`` -> 30000.

    Example:
        >>> duration_ms(Token("DURATION", "250ms"))
        250
    """
    digits = tok.value.rstrip("smhd")
    return int(digits) * _UNITS_MS[tok.value[len(digits) :]]


LAMBDA = "λ"
"""The name a lambda's local definition gets (not a CSPM name, so never captured)."""


def lambda_of(params: tuple[ast.Node, ...], body: ast.Node, span) -> ast.Let:
    """``\\ p1, p2 @ e`` as ``let λ(p1, p2) = e within λ``.

    Example:
        >>> lambda_of((ast.Name("x"),), ast.Name("x"), None).body
        Name(id='λ')
    """
    definition = ast.Definition(LAMBDA, tuple(map(to_pattern, params)), body, span=span)
    return ast.Let((definition,), ast.Name(LAMBDA, span=span), span=span)


def to_pattern(expr: ast.Node) -> ast.Pattern:
    """Read an expression parsed in a pattern position as a pattern.

    Raises:
        ParseError: the expression cannot be matched against (``x + 1``).

    Example:
        >>> to_pattern(ast.Dot((ast.Name("x"), ast.Name("_"))))
        PDot(items=(PVar(name='x'), PWild()))
    """
    sp = expr.span
    match expr:
        case ast.Name(id="_"):
            return ast.PWild(span=sp)
        case ast.Name(id=name):
            return ast.PVar(name, span=sp)
        case ast.Int() | ast.Bool():
            return ast.PLit(expr, span=sp)
        case ast.Unary(op="-", operand=ast.Int(value=v)):
            return ast.PLit(ast.Int(-v, span=sp), span=sp)
        case ast.TupleLit(items=items):
            return ast.PTuple(tuple(map(to_pattern, items)), span=sp)
        case ast.Dot(parts=parts):
            return ast.PDot(tuple(map(to_pattern, parts)), span=sp)
        case ast.SeqLit(items=items):
            return ast.PSeq(tuple(map(to_pattern, items)), span=sp)
        case ast.SetLit(items=items) if len(items) <= 1:  # FDR: {} and {x} only
            return ast.PSet(tuple(map(to_pattern, items)), span=sp)
        case ast.Binary(op="^"):
            return _concat_pattern(expr)
        case ast.BothPattern(left=left, right=right):
            return ast.PBoth(to_pattern(left), to_pattern(right), span=sp)
    raise ParseError(
        "this expression cannot be used as a pattern",
        sp,
        hint="a pattern is a name, '_', a literal, or a tuple, dotted value or "
        "sequence of patterns (such as <x>^s or s^<x>), {} or {x}, or p1 @@ p2",
    )


def _concat_pattern(expr: ast.Binary) -> ast.Pattern:
    """``<a>^<b>^s^<y>``: sequence literals at the front and back around at most
    one other pattern, as FDR allows.

    Example:
        >>> to_pattern(ast.Binary("^", ast.Binary("^", ast.SeqLit((ast.Name("a"),)),
        ...     ast.Name("s")), ast.SeqLit((ast.Name("y"),))))
        PSeq(items=(PVar(name='a'),), rest=PSeqEnd(rest=PVar(name='s'), items=(PVar(name='y'),)))
    """
    parts: list[ast.Node] = []
    node: ast.Node = expr
    while type(node) is ast.Binary and node.op == "^":  # `a^b^c` nests to the left;
        parts.insert(0, node.right)  # a bracketed right operand stays one part
        node = node.left
    parts.insert(0, node)
    front: list[ast.Node] | None = None  # None: no <...> there (`<>^s` still has one)
    while parts and type(parts[0]) is ast.SeqLit:
        front = [*(front or []), *parts.pop(0).items]
    back: list[ast.Node] | None = None
    while parts and type(parts[-1]) is ast.SeqLit:
        back = [*parts.pop().items, *(back or [])]
    if len(parts) > 1:
        raise ParseError("a sequence pattern may have only one part that is not <...>",
                         parts[1].span or expr.span,
                         hint="write it as <x, ...>^s^<y, ...>")
    if not parts:
        return ast.PSeq(tuple(map(to_pattern, (front or []) + (back or []))), span=expr.span)
    core = to_pattern(parts[0])
    if back is not None:
        core = ast.PSeqEnd(core, tuple(map(to_pattern, back)), span=expr.span)
    if front is not None:
        core = ast.PSeq(tuple(map(to_pattern, front)), core, span=expr.span)
    return core


def pattern_definitions(pattern: ast.Pattern, body: ast.Node, span) -> tuple[ast.Definition, ...]:
    """``(x, y) = e`` as one hidden definition of ``e`` and one per name bound.

    Each name is ``let λ((·x, y)) = ·x within λ(hidden)``, so the right-hand
    side is evaluated once (the hidden name is a cached value) and a value
    that does not match is the usual "no clause matches" error. The picked
    name is renamed (``·x``) so that the definition of ``x`` never seems to
    mention ``x`` itself.

    Example:
        >>> defs = pattern_definitions(to_pattern(ast.TupleLit((ast.Name("x"), ast.Name("y")))),
        ...                            ast.Name("e"), None)
        >>> [d.name for d in defs]
        ['(x, y)', 'x', 'y']
    """
    names = pattern_names(pattern)
    hidden = f"({', '.join(names)})"  # not a CSPM name: never captured
    defs = [ast.Definition(hidden, None, body, span=span)]
    for name in names:
        picked = _rename_var(pattern, name, "·" + name)
        pick = ast.Definition(LAMBDA, (picked,), ast.Name("·" + name, span=span), span=span)
        fn = ast.Let((pick,), ast.Name(LAMBDA, span=span), span=span)
        defs.append(ast.Definition(name, None, ast.Apply(fn, (ast.Name(hidden, span=span),),
                                                          span=span), span=span))
    return tuple(defs)


def _rename_var(pattern: ast.Node, old: str, new: str) -> ast.Node:
    """``pattern`` with its variable ``old`` called ``new``."""
    if type(pattern) is ast.PVar:
        return ast.PVar(new, span=pattern.span) if pattern.name == old else pattern
    changes = {}
    for f in dataclasses.fields(pattern):
        value = getattr(pattern, f.name)
        if isinstance(value, ast.Node):
            changes[f.name] = _rename_var(value, old, new)
        elif type(value) is tuple:
            changes[f.name] = tuple(_rename_var(v, old, new) if isinstance(v, ast.Node) else v
                                    for v in value)
    return dataclasses.replace(pattern, **changes)


def pattern_names(pattern: ast.Node) -> list[str]:
    """The names a pattern binds, left to right (constructor names included:
    the caller cannot tell them apart before the declarations are read).

    Example:
        >>> pattern_names(to_pattern(ast.Dot((ast.Name("x"), ast.Name("_"), ast.Name("y")))))
        ['x', 'y']
    """
    match pattern:
        case ast.PVar(name=name):
            return [name]
        case ast.PTuple(items=items) | ast.PDot(items=items) | ast.PSet(items=items):
            return [n for p in items for n in pattern_names(p)]
        case ast.PSeq(items=items, rest=rest):
            return [n for p in (*items, *([rest] if rest else [])) for n in pattern_names(p)]
        case ast.PSeqEnd(rest=rest, items=items):
            return [n for p in (rest, *items) for n in pattern_names(p)]
        case ast.PBoth(left=left, right=right):
            return pattern_names(left) + pattern_names(right)
    return []


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
class Builder(Transformer):
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

    hide_op = _binary(ast.HideExpr)

    def project_op(self, meta, children):
        """``P |\\ A`` (FDR's projection) hides every event but those of ``A``."""
        body, kept = children
        span = span_of(meta)
        rest = ast.Apply(ast.Name("diff", span=span), (ast.Name("Events", span=span), kept),
                         span=span)
        return ast.HideExpr(body, rest, span=span)
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

    def exception_op(self, meta, children):
        left, sync, right = children
        return ast.ExceptionExpr(left, sync, right, span=span_of(meta))

    def prefix_op(self, meta, children):
        head, *fields, then = children
        return ast.PrefixExpr(head, tuple(fields), then, span=span_of(meta))

    def out_field(self, meta, children):
        return ast.OutField(children[0], span=span_of(meta))

    def in_field(self, meta, children):
        pattern, restrict = children
        return ast.InField(to_pattern(pattern), restrict, span=span_of(meta))

    # -- values ----------------------------------------------------------------

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

    def name(self, meta, children):
        return ast.Name(str(children[0]), span=span_of(meta))

    def int(self, meta, children):
        return ast.Int(int(children[0]), span=span_of(meta))

    def true(self, meta, children):
        return ast.Bool(True, span=span_of(meta))

    def false(self, meta, children):
        return ast.Bool(False, span=span_of(meta))

    def stop(self, meta, children):
        return ast.StopLit(span=span_of(meta))

    def skip(self, meta, children):
        return ast.SkipLit(span=span_of(meta))

    def throw(self, meta, children):
        return ast.ThrowLit(span=span_of(meta))

    def tuple(self, meta, children):
        return ast.TupleLit(tuple(children), span=span_of(meta))

    def set_lit(self, meta, children):
        return ast.SetLit(children[0] or (), span=span_of(meta))

    def set_range(self, meta, children):
        return ast.SetRange(children[0], children[1], span=span_of(meta))

    def set_comp(self, meta, children):
        first, *more = children[0]
        return ast.SetComp(first, children[1], tuple(more), span=span_of(meta))

    def event_set(self, meta, children):
        return ast.EventSet(children[0], children[1] or (), span=span_of(meta))

    def seq_items(self, meta, children):
        return tuple(children)

    def seq_lit(self, meta, children):
        return ast.SeqLit(children[1] or (), span=span_of(meta))

    def seq_range(self, meta, children):
        return ast.SeqRange(children[1], children[2], span=span_of(meta))

    def seq_comp(self, meta, children):
        first, *more = children[1]
        return ast.SeqComp(first, children[2], tuple(more), span=span_of(meta))

    def if_expr(self, meta, children):
        return ast.If(*children, span=span_of(meta))

    def let_expr(self, meta, children):
        return ast.Let(children[0], children[1], span=span_of(meta))

    def let_defs(self, meta, children):
        return tuple(_flatten(children))

    def set_quals(self, meta, children):
        return tuple(children)

    seq_quals = repl_stmts = set_quals

    def generator(self, meta, children):
        return ast.Generator(to_pattern(children[0]), children[1], span=span_of(meta))

    def condition(self, meta, children):
        return children[0]

    repl_ext = _replicated("[]")
    repl_int = _replicated("|~|")
    repl_inter = _replicated("|||")
    repl_gen = _replicated("[||]")
    repl_seq = _replicated(";")

    def repl_alpha(self, meta, children):
        stmts, alpha, body = children
        return ast.Replicated("||", stmts, body, alpha=alpha, span=span_of(meta))


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
