"""Text to AST: the grammar, parser, diagnostics and pretty-printer (layer 2).

The only package that imports lark. ``parse(text, filename)`` gives an
:class:`~procalg.syntax.ast.Module`; ``parse_expr`` one expression;
``pretty(node)`` prints any node back as text that parses to an equal AST.

Example:
    >>> from procalg.syntax import parse, pretty
    >>> print(pretty(parse("channel a\\nP = a -> P")))
    channel a
    P = a -> P
    <BLANKLINE>
"""

from procalg.syntax.parser import parse, parse_expr
from procalg.syntax.pretty import pretty

__all__ = ["parse", "parse_expr", "pretty"]
