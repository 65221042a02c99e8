"""z3 formulas printed in the model's own syntax (``and``, ``or``, ``!=``, ``-``).

Spacer's invariants come back as z3 terms over the engine's variables; the
engine renames the variables to the model's parameter names
(:func:`procalg.symbolic.engine`), and this module prints the formula the
way a ``.proc`` file would write it: negated comparisons flipped,
``x + -1*y`` as ``x - y``, conjunctions as ``and``.

Example:
    >>> x, y = z3.Ints("x y")
    >>> formula(z3.And(z3.Not(x + -1 * y <= -1), z3.Or(z3.Not(x == 2), y >= 1)))
    'x - y >= 0 and (x != 2 or y >= 1)'
"""

from __future__ import annotations

import z3

_FLIP = {z3.Z3_OP_LE: ">", z3.Z3_OP_GE: "<", z3.Z3_OP_LT: ">=", z3.Z3_OP_GT: "<=",
         z3.Z3_OP_EQ: "!="}
_CMP = {z3.Z3_OP_LE: "<=", z3.Z3_OP_GE: ">=", z3.Z3_OP_LT: "<", z3.Z3_OP_GT: ">",
        z3.Z3_OP_EQ: "=="}


def formula(e: z3.ExprRef) -> str:
    """``e`` as ``.proc`` text (see the module docstring)."""
    return _bool(e, top=True)


def _bool(e: z3.ExprRef, top: bool = False) -> str:
    kind = e.decl().kind() if z3.is_app(e) else None
    if kind == z3.Z3_OP_AND:
        text = " and ".join(_bool(a) for a in e.children())
        return text if top else f"({text})"
    if kind == z3.Z3_OP_OR:
        text = " or ".join(_bool(a) for a in e.children())
        return text if top else f"({text})"
    if kind == z3.Z3_OP_NOT:
        inner = e.children()[0]
        ikind = inner.decl().kind() if z3.is_app(inner) else None
        if ikind in _FLIP and not z3.is_bool(inner.children()[0]):
            a, b = inner.children()
            if z3.is_int_value(b) and ikind in (z3.Z3_OP_LE, z3.Z3_OP_GE):
                step = 1 if ikind == z3.Z3_OP_LE else -1  # not x <= 2 is x >= 3
                return f"{_term(a)} {'>=' if step == 1 else '<='} {b.as_long() + step}"
            return f"{_term(a)} {_FLIP[ikind]} {_term(b)}"
        return f"not {_bool(inner)}"
    if kind in _CMP and not z3.is_bool(e.children()[0]):
        a, b = e.children()
        return f"{_term(a)} {_CMP[kind]} {_term(b)}"
    if z3.is_true(e):
        return "true"
    if z3.is_false(e):
        return "false"
    return str(e)


def _term(e: z3.ExprRef) -> str:
    kind = e.decl().kind() if z3.is_app(e) else None
    if kind == z3.Z3_OP_ADD:
        out = _term(e.children()[0])
        for a in e.children()[1:]:
            negated = _negated(a)
            out += f" - {_term(negated)}" if negated is not None else f" + {_term(a)}"
        return out
    if kind == z3.Z3_OP_MUL:
        negated = _negated(e)
        if negated is not None:
            return f"-{_term(negated)}"
        return " * ".join(_atom(a) for a in e.children())
    if kind == z3.Z3_OP_UMINUS:
        return f"-{_atom(e.children()[0])}"
    return str(e)


def _atom(e: z3.ExprRef) -> str:
    text = _term(e)
    return f"({text})" if " " in text else text


def _negated(e: z3.ExprRef) -> z3.ExprRef | None:
    """``y`` for ``-1*y``, else ``None``."""
    if z3.is_app(e) and e.decl().kind() == z3.Z3_OP_MUL and len(e.children()) == 2:
        first, rest = e.children()
        if z3.is_int_value(first) and first.as_long() == -1:
            return rest
    return None
