"""Whether a prefix's event lies in an operator's event set, read from the text alone.

:mod:`procalg.semantics.nesting` needs it for the operators whose operand stays
around a recursive call only while the operand's events are in (or outside) a
set: ``P [+ A +] Q`` keeps both sides while they perform events of ``A``
together, ``P /+ A +\\ Q`` keeps its interrupting side ``Q`` on the same terms,
and ``P [| A |> Q`` keeps ``P`` while it performs events outside ``A`` (the
firing rules: :mod:`procalg.semantics.synchronising` and
:mod:`procalg.semantics.sos`; FDR manual). The answer is three-valued: a set
written as a literal (``{b}``, ``{| c |}``) decides it; anything else (a named
set, a set built by a function, a prefix whose head is an expression) cannot
be told from the text, and the caller keeps its earlier, safe default.

Example:
    >>> from procalg.syntax.parser import parse_expr
    >>> prefix = parse_expr("c!1 -> STOP")
    >>> within(prefix, parse_expr("{| c |}")), within(prefix, parse_expr("{b}"))
    (True, False)
    >>> within(prefix, parse_expr("{c.1}")), within(prefix, parse_expr("{| c.2 |}"))
    (True, None)
    >>> print(within(prefix, parse_expr("S")))
    None
"""

from __future__ import annotations

from procalg.semantics.kinds import names_in
from procalg.syntax import ast


def within(prefix: ast.PrefixExpr, events: object) -> bool | None:
    """Whether every event ``prefix`` may perform is in ``events`` (True), none
    is (False), or the text cannot tell (None). Linear in the set's items."""
    channel = _channel(prefix.head)
    if channel is None:
        return None
    if isinstance(events, ast.EventSet) and not events.qualifiers:
        closure = True
    elif isinstance(events, ast.SetLit):
        closure = False
    else:
        return None
    event, whole = _parts(prefix)
    maybe = False
    for item in events.items:
        named = _channel(item)
        if named is None:
            return None
        if named != channel:
            continue
        parts = _parts(item)[0]
        if event[:len(parts)] == parts and (closure or (whole and len(event) == len(parts))):
            return True  # {| c |} holds every c.x, {| c.1 |} every c.1.x; {c.1} the event
        maybe = True  # {| c.1 |} and c?x: some of its events only
    return None if maybe else False


_CLOSED_OPERATORS = frozenset({"[]", "|~|", ";", "/\\", "[>", "|||"})
"""Binary operators whose events are their operands' (no hiding, renaming or call)."""


def never_offers(node: object, events: object) -> bool:
    """Whether the process written ``node`` can perform no event of ``events``, told
    from the text alone: it calls no process and each of its prefixes is outside the
    set (False where the text cannot tell). Linear in ``node``.

    Example:
        >>> from procalg.syntax.parser import parse_expr
        >>> never_offers(parse_expr("c -> STOP [] d -> SKIP"), parse_expr("{b}"))
        True
        >>> never_offers(parse_expr("c -> b -> STOP"), parse_expr("{b}"))
        False
        >>> never_offers(parse_expr("c -> R"), parse_expr("{b}"))  # R may offer b
        False
    """
    todo = [node]
    while todo:
        item = todo.pop()
        kind = type(item)
        if kind is ast.PrefixExpr:
            if within(item, events) is not False:
                return False
            todo.append(item.then)  # type: ignore[attr-defined]
        elif kind is ast.ProcBinary and item.op in _CLOSED_OPERATORS:  # type: ignore
            todo += [item.left, item.right]  # type: ignore[attr-defined]
        elif kind is ast.If:
            todo += [item.then, item.orelse]  # type: ignore[attr-defined]
        elif kind is ast.Guard:
            todo.append(item.process)  # type: ignore[attr-defined]
        elif kind not in (ast.StopLit, ast.SkipLit):
            return False
    return True


def _parts(expr: object) -> tuple[tuple[object, ...], bool]:
    """The leading parts of an event as written (``c.1`` and ``c!1?x -> ...``:
    ``(c, 1)``) and whether they are all of it (no input follows)."""
    if isinstance(expr, ast.PrefixExpr):
        parts = list(_parts(expr.head)[0])
        for field in expr.fields:
            if not isinstance(field, ast.OutField):
                return tuple(parts), False
            parts.append(field.value)
        return tuple(parts), True
    return (tuple(expr.parts) if isinstance(expr, ast.Dot) else (expr,)), True


def _channel(expr: object) -> str | None:
    """The channel (or event) name heading ``expr`` (``c``, ``c.1``), else None."""
    if isinstance(expr, ast.Dot):
        expr = expr.parts[0]
    return expr.id if isinstance(expr, ast.Name) else None


def prefixes(node: object) -> list[ast.PrefixExpr]:
    """Every prefix in ``node`` (the events a process may perform before its end).

    Example:
        >>> from procalg.syntax.parser import parse_expr
        >>> [str(p.head.id) for p in prefixes(parse_expr("a -> SKIP [] b -> c -> SKIP"))]
        ['a', 'b', 'c']
    """
    found: list[ast.PrefixExpr] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.PrefixExpr):
            found.append(item)
        if isinstance(item, tuple | list):
            stack.extend(reversed(item))
        elif isinstance(item, ast.Node):
            stack.extend(reversed([getattr(item, f) for f in item.__dataclass_fields__
                                   if f != "span"]))
    return found


def inputs_before(body: object, names: set[str]) -> list[ast.PrefixExpr]:
    """The input prefixes in ``body`` whose continuation mentions one of ``names``:
    in a state, a call behind such an input is no term (its continuation is
    evaluated per value), so the input stands for the call, at most as deep.

    Example:
        >>> from procalg.syntax.parser import parse_expr
        >>> body = parse_expr("c?x -> P [] (b -> STOP ||| d?y -> STOP)")
        >>> [str(p.head.id) for p in inputs_before(body, {"P"})]
        ['c']
    """
    return [prefix for prefix in prefixes(body)
            if not all(isinstance(f, ast.OutField) for f in prefix.fields)
            and names_in(prefix.then) & names]
