"""Text to AST: the grammar, parser, diagnostics and pretty-printer (layer 2).

The only package that imports lark. ``parse(text, filename)`` gives an
:class:`~procalg.syntax.ast.Module`; ``parse_expr`` one expression.

Example:
    >>> from procalg.syntax import parse
    >>> parse("channel a\\nP = a -> P").declarations[1].name
    'P'
"""

from procalg.syntax.parser import parse, parse_expr

__all__ = ["parse", "parse_expr"]
