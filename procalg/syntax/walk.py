"""Walking a syntax tree: every node below a node, whatever its kind.

The AST nodes are frozen dataclasses whose fields hold nodes, tuples of
nodes or plain data; a walk visits each node once, O(size of the tree).

Example:
    >>> from procalg.syntax import parse
    >>> module = parse("P = a -> Q\\nQ = STOP")
    >>> sorted({n.id for n in walk(module) if isinstance(n, ast.Name)})
    ['Q', 'a']
"""

from __future__ import annotations

from collections.abc import Iterator

from procalg.syntax import ast


def children(node: ast.Node) -> list[ast.Node]:
    """The nodes directly below ``node``, in field order."""
    out: list[ast.Node] = []
    for field in getattr(node, "__dataclass_fields__", ()):
        value = getattr(node, field)
        if isinstance(value, ast.Node):
            out.append(value)
        elif isinstance(value, tuple | list):
            out.extend(v for v in value if isinstance(v, ast.Node))
    return out


def walk(node: ast.Node) -> Iterator[ast.Node]:
    """``node`` and every node below it: depth first, last child first, iteratively
    (deep trees are fine)."""
    stack = [node]
    while stack:
        here = stack.pop()
        yield here
        stack.extend(children(here))
