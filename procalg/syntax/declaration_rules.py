"""Lark rules for declarations and assertions (definitions, channels, datatypes,
workflow declarations, modules, timed sections, ``assert``), mixed into
:class:`procalg.syntax.build.Builder`.

Example:
    >>> from procalg.syntax import parse
    >>> [type(d).__name__ for d in parse("channel c : {0, 1}\\nP = c?x -> STOP").declarations]
    ['ChannelDecl', 'Definition']
"""

from __future__ import annotations

from lark import Token, Transformer, v_args

from procalg.assertion_kinds import RefinementModel
from procalg.errors import ParseError
from procalg.syntax import ast
from procalg.syntax.binders import lambda_of, pattern_definitions, to_pattern
from procalg.syntax.placement import placed
from procalg.syntax.properties import decode_ltl, decode_property
from procalg.syntax.timed import expand_declarations
from procalg.syntax.value_rules import span_of

_UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def duration_ms(tok: Token) -> int:
    """``30s`` -> 30000.

    Example:
        >>> duration_ms(Token("DURATION", "250ms"))
        250
    """
    digits = tok.value.rstrip("smhd")
    return int(digits) * _UNITS_MS[tok.value[len(digits) :]]


@v_args(meta=True)
class DeclarationRules(Transformer):
    """The declaration and assertion rules of the parse-tree transformer (``self.text``
    and ``self.parse_expr`` come from :class:`~procalg.syntax.build.Builder`)."""

    text: str
    parse_expr: object

    def start(self, meta, children):
        return children[0]

    def module(self, meta, children):
        decls = tuple(placed(_flatten(c for c in children if c is not None)))
        return ast.Module(decls, span=span_of(meta))

    def let_defs(self, meta, children):
        # local `external f` / `transparent normal` only say a built-in is used
        # and a type annotation (`g :: (a) -> a`) is checked for its place only
        items = [c for c in _flatten(children)
                 if c is not None and type(c) is not ast.TransparentDecl]
        return tuple(expand_declarations(placed(items)))

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
            fields = [_field_generators(f, f"subtype_field_{i}_", con.span)
                      for i, f in enumerate(con.fields)]
            gens = tuple(g for _, field_gens in fields for g in field_gens)
            parts.append(ast.EventSet((ast.Dot((head, *(x for x, _ in fields)), span=con.span),),
                                      gens, span=con.span))
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
        if params == ():
            raise ParseError(f"module {name} has an empty parameter list", span_of(meta),
                             hint=f"a module without parameters reads  module {name}")
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
        # procalg infers nothing from it (values are checked as they are used);
        # syntax/placement.py checks where it stands, then drops it
        names, text = children
        return ast.TypeAnnotation(tuple(names), str(text), span=span_of(meta))

    def print_decl(self, meta, children):
        # FDR shows the value on loading; a check has no console to show it on
        return ast.PrintDecl(span=span_of(meta))

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
        model = RefinementModel.parse(tok.value[1:-1])  # `[FD=`: the grammar's letters only
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


def _field_generators(field: ast.Node, name: str,
                      span) -> tuple[ast.Node, tuple[ast.Generator, ...]]:
    """A subtype field's value and the generators that range it over its type.

    A tuple type ``(A, B)`` is a tuple of values each drawn from its own part
    (a tuple of sets is no set to draw from), nested as the type is.

    Example:
        >>> value, gens = _field_generators(
        ...     ast.TupleLit((ast.Name("A"), ast.Name("B"))), "f_", None)
        >>> [x.id for x in value.items], [g.pattern.name for g in gens]
        (['f_0_', 'f_1_'], ['f_0_', 'f_1_'])
    """
    if type(field) is ast.TupleLit:
        parts = [_field_generators(f, f"{name}{i}_", span) for i, f in enumerate(field.items)]
        return (ast.TupleLit(tuple(v for v, _ in parts), span=span),
                tuple(g for _, gens in parts for g in gens))
    return (ast.Name(name, span=span),
            (ast.Generator(ast.PVar(name, span=span), field, span=span),))
