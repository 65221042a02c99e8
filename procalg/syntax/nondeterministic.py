"""FDR's nondeterministic input ``c$x -> P(x)``: the process, not its
environment, chooses the value (FDR manual, "Prefixing").

The builder reads ``c$x:S?y -> P`` as :class:`~procalg.syntax.ast.NondetPrefix`
around the input prefix ``c?x:S?y -> P`` and the number of leading ``$``
fields; :mod:`procalg.semantics.nondeterministic` gives its meaning. ``$``
fields must come before the ``?`` and ``!`` fields, as in every FDR example;
the other order is a parse error.

Example:
    >>> from procalg.syntax.parser import parse_expr
    >>> parse_expr("c$x?y -> STOP").count
    1
"""

from __future__ import annotations

from procalg.errors import ParseError
from procalg.syntax import ast


def nondeterministic_prefix(head: ast.Node, fields: tuple[ast.Node, ...], then: ast.Node,
                            span) -> ast.NondetPrefix:
    """The prefix ``head fields -> then`` whose leading fields are ``$`` fields.

    Raises:
        ParseError: a ``$`` field after a ``?`` or ``!`` field.
    """
    count = 0
    while count < len(fields) and type(fields[count]) is ast.NondetField:
        count += 1
    late = next((f for f in fields[count:] if type(f) is ast.NondetField), None)
    if late is not None:
        raise ParseError("a nondeterministic input '$' must come before the '?' and '!' fields",
                         late.span, hint="write c$x?y, not c?y$x")
    inputs = tuple(ast.InField(f.pattern, f.restrict, span=f.span) for f in fields[:count])
    prefix = ast.PrefixExpr(head, (*inputs, *fields[count:]), then, span=span)
    return ast.NondetPrefix(prefix, count, span=span)
