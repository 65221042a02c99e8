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

from typing import TYPE_CHECKING

from procalg.syntax.pretty import pretty

if TYPE_CHECKING:
    from procalg.syntax.parser import parse, parse_expr

__all__ = ["parse", "parse_expr", "pretty"]


def __getattr__(name: str) -> object:
    """``parse`` and ``parse_expr``, imported on first use: the parser imports
    lark, which a model read back from :mod:`procalg.syntax.parse_cache` (and
    any use of the AST alone) never needs."""
    if name in ("parse", "parse_expr"):
        from procalg.syntax import parser

        return getattr(parser, name)
    raise AttributeError(f"module 'procalg.syntax' has no attribute {name!r}")
