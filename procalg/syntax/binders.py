"""Expressions read as patterns, and the definitions that patterns and lambdas make.

Patterns are parsed with the expression grammar (an LALR parser cannot tell
``x <- S`` from the condition ``x > 0`` until it reaches ``<-``) and turned
into patterns here by :func:`to_pattern`; :mod:`procalg.syntax.build` calls it.

Example:
    >>> to_pattern(ast.TupleLit((ast.Name("x"), ast.Name("_"))))
    PTuple(items=(PVar(name='x'), PWild()))
"""

from __future__ import annotations

import dataclasses

from procalg.errors import ParseError
from procalg.syntax import ast

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
        case ast.Int() | ast.Bool() | ast.Char():
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
    if (type(pattern) is ast.PTuple and type(body) is ast.TupleLit
            and len(pattern.items) == len(body.items)
            and all(type(p) in (ast.PVar, ast.PWild) for p in pattern.items)):
        # `(s, t) = (1, loop)`: one definition per name, so each is evaluated only
        # where it is used (FDR is lazy: `s` has a value even though `loop` has none)
        return tuple(ast.Definition(p.name, None, e, span=span)
                     for p, e in zip(pattern.items, body.items, strict=True)
                     if type(p) is ast.PVar)
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
