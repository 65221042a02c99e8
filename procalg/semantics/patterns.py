"""Patterns and comprehension generators: matching values and binding names.

Patterns (``x``, ``_``, literals, ``(x, y)``, ``A.x``, ``<x>^s``) appear in
function clauses, inputs ``c?x`` and generators ``x <- S``. A name that is a
constructor without fields matches only that constructor, as in CSPM.

Example:
    >>> from procalg.semantics.channels import Types
    >>> from procalg.syntax import ast
    >>> from procalg.semantics.evaluate import Evaluator
    >>> ev = Evaluator({}, Types({}, {}), lambda name: None, {})
    >>> env = {}
    >>> match(ev, ast.PTuple((ast.PVar("x"), ast.PWild())), (1, 2), env), env
    (True, {'x': 1})
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from procalg.errors import ModelError
from procalg.semantics.channels import ChannelRef
from procalg.semantics.infinite import Integers, Unlistable
from procalg.semantics.lazy_sequences import ENDLESS, LAZY, LazySeq, listed
from procalg.semantics.values import expect_bool, kind_name
from procalg.syntax import ast
from procalg.terms import Atom, Dotted, Event, Sequence, Value
from procalg.terms.values import sorted_values

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator
    from procalg.source import Span


def match(ev: Evaluator, pattern: ast.Node, value: Value, env: Env) -> bool:
    """Match ``value`` against ``pattern``, binding variables into ``env``."""
    match pattern:
        case ast.PWild():
            return True
        case ast.PVar(name):
            known = constant(ev, name, env)
            if known is not None:  # a constructor or channel name matches only itself
                return value == known or (type(known) is Dotted and value == known.head)
            env[name] = value
            return True
        case ast.PLit(expr):
            return value == ev.eval(expr, env)
        case ast.PTuple(items):
            return (type(value) is tuple and len(value) == len(items)
                    and all(match(ev, p, v, env) for p, v in zip(items, value, strict=True)))
        case ast.PDot(items):
            return _match_dot(ev, items, value, env)
        case ast.PSeq(items, rest) if type(value) is LazySeq:  # look only as far as needed
            if (items and not value.has(len(items) - 1)) or (rest is None
                                                               and value.has(len(items))):
                return False
            return (all(match(ev, p, value.item(i), env) for i, p in enumerate(items))
                    and (rest is None or match(ev, rest, value.rest(len(items)), env)))
        case ast.PSeq(items, rest):
            if type(value) is not Sequence or len(value.items) < len(items):
                return False
            if rest is None and len(value.items) != len(items):
                return False
            head = all(match(ev, p, v, env) for p, v in zip(items, value.items, strict=False))
            return head and (rest is None
                             or match(ev, rest, Sequence(value.items[len(items):]), env))
        case ast.PSeqEnd(rest, items):
            value = listed(value, pattern.span)
            if type(value) is not Sequence or len(value.items) < len(items):
                return False
            cut = len(value.items) - len(items)
            return (all(match(ev, p, v, env) for p, v in zip(items, value.items[cut:], strict=True))
                    and match(ev, rest, Sequence(value.items[:cut]), env))
        case ast.PBoth(left, right):
            return match(ev, left, value, env) and match(ev, right, value, env)
        case ast.PSet(items):
            return (isinstance(value, frozenset) and len(value) == len(items)
                    and all(match(ev, p, v, env) for p, v in zip(items, value, strict=True)))
    raise ModelError("unsupported pattern", getattr(pattern, "span", None))

def match_all(ev: Evaluator, patterns: tuple[ast.Node, ...], values: tuple[Value, ...],
              env: Env) -> bool:
    """Match each value against its pattern, left to right (as many values as patterns).

    A variable that names no constant binds at once: it is most of the
    patterns of definitions and inputs, matched for every state explored.
    """
    for pattern, value in zip(patterns, values, strict=True):
        if type(pattern) is ast.PVar:
            name = pattern.name
            known = ev.pattern_constants
            if name in env or (name in known and known[name] is None):
                env[name] = value
                continue
        if not match(ev, pattern, value, env):
            return False
    return True


def constant(ev: Evaluator, name: str, env: Env) -> Value | None:
    """The constant a pattern name stands for: a constructor or channel (else None).

    A constructor with fields (``Data`` in ``Data.v``) resolves to the value
    lacking its fields, and matches the head ``Data`` of a dotted value.
    """
    if name in env:
        return None
    known = ev.pattern_constants  # global names never change: resolve each once
    if name in known:
        return known[name]
    constant = ev.resolve(name)
    if not (type(constant) is Atom or type(constant) is ChannelRef or type(constant) is Event
            or (type(constant) is Dotted and not constant.fields)):
        constant = None
    known[name] = constant
    return constant


def _match_dot(ev: Evaluator, items: tuple[ast.Node, ...], value: Value, env: Env) -> bool:
    if type(value) is Event:
        head = items[0]  # c.x.y against another channel's event fails at once, no fields
        if type(head) is ast.PVar:  # built (prime(A) of phone's regulators: 3 of 4 events)
            known = constant(ev, head.name, env)
            if type(known) is ChannelRef and not known.fields and known.channel != value.channel:
                return False
        parts: tuple[Value, ...] = (ChannelRef(value.channel), *value.fields)
    elif ev.types.is_compound(value):
        parts = ev.types.fields_of(value)
    elif type(value) is Dotted:
        parts = (value.head, *value.fields)
    else:
        return False
    return _match_fields(ev, items, parts, env)


def _match_fields(ev: Evaluator, items: tuple[ast.Node, ...], parts: tuple[Value, ...],
                  env: Env) -> bool:
    """Match dotted pattern ``items`` against fields ``parts``, left to right.

    Each item takes one field, except the last, which takes all the remaining
    fields as one dotted value (as a last input ``c?x`` does), and a
    constructor name (``Data`` in ``Data.v``) facing a whole ``Data.3``, which
    matches its head and leaves its fields for the following items.
    """
    for index, item in enumerate(items):
        if not parts:
            return False
        if index == len(items) - 1:
            return match(ev, item, parts[0] if len(parts) == 1 else ev.types.join(parts), env)
        width = _width(item)
        if width > 1 and not any(type(p) is Dotted or type(p) is Event for p in parts[:width]):
            # `(x.y @@ a.b.c).d` against 0.1.2.3: a dotted part before more fields takes
            # as many plain fields as it names (a field that is itself a dotted value,
            # such as a constructor's A.0, stays one field)
            if len(parts) < width or not match(ev, item, ev.types.join(parts[:width]), env):
                return False
            parts = parts[width:]
            continue
        first = parts[0]
        if type(item) is ast.PVar and type(first) is Dotted and not ev.types.is_compound(first):
            known = constant(ev, item.name, env)
            if type(known) is Dotted and known.head == first.head:
                parts = (*first.fields, *parts[1:])
                continue
        if not match(ev, item, first, env):
            return False
        parts = parts[1:]
    return not parts


def _width(pattern: ast.Node) -> int:
    """How many fields a pattern takes before more fields: one, except a dotted
    pattern (one per item) and ``p @@ q`` (the wider of the two), as FDR reads
    ``f((x.y @@ a.b.c).d)`` against ``0.1.2.3``.

    Example:
        >>> _width(ast.PBoth(ast.PDot((ast.PVar("x"), ast.PVar("y"))),
        ...                  ast.PDot((ast.PVar("a"), ast.PVar("b"), ast.PVar("c")))))
        3
    """
    if type(pattern) is ast.PDot:
        return sum(_width(p) for p in pattern.items)
    if type(pattern) is ast.PBoth:
        return max(_width(pattern.left), _width(pattern.right))
    return 1


def bindings(ev: Evaluator, qualifiers: tuple[ast.Node, ...], env: Env,
             lazy: bool = False) -> Iterator[Env]:
    """Every environment the generators and conditions of a comprehension allow.

    With ``lazy``, a generator drawing from a lazy sequence (``<0..>``) first
    yields :data:`~procalg.semantics.lazy_sequences.LAZY` (``ENDLESS`` if it is
    endless), and its items are drawn one by one as they are asked for;
    otherwise such a sequence is listed.
    """
    if not qualifiers:
        yield env
        return
    first, rest = qualifiers[0], qualifiers[1:]
    if type(first) is ast.Generator:
        source = ev.eval(first.source, env)
        if type(source) is LazySeq:
            if not lazy:
                source = listed(source, first.source.span or first.span)
            else:
                yield ENDLESS if source.endless() else LAZY
                for item in source:
                    inner = dict(env)
                    if match(ev, first.pattern, item, inner):
                        yield from bindings(ev, rest, inner, lazy)
                return
        if isinstance(source, frozenset):
            items = listed_set(source, first.source.span or first.span)
        elif type(source) is Sequence:
            items = list(source.items)
        else:
            raise ModelError(f"a generator needs a set or sequence, got {kind_name(source)}",
                             first.source.span or first.span)
        for item in items:
            inner = dict(env)
            if match(ev, first.pattern, item, inner):
                yield from bindings(ev, rest, inner, lazy)
    elif expect_bool(ev.eval(first, env), first.span, "a condition must be a boolean"):
        yield from bindings(ev, rest, env, lazy)


def listed_set(source: frozenset, span: Span | None) -> list:
    """The members of a generator's set, in value order; an infinite one
    (``x <- Int``, ``[] x : Seq({0})``) is an error at the generator.

    Example:
        >>> listed_set(frozenset({2, 1}), None)
        [1, 2]
    """
    try:
        return sorted_values(source)  # ints sort with no key: the same order
    except Unlistable as err:
        if isinstance(source, Integers):  # its own words are about inputs
            raise Unlistable(f"a generator over {source!r} would take every integer",
                             span or err.span,
                             hint="draw from a finite set, such as {0..9}") from err
        err.span = err.span or span
        raise
