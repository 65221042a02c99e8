"""Text to AST: the grammar, parser, diagnostics and pretty-printer (layer 2).

The only package that imports lark.
"""
