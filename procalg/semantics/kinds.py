"""Which definitions are processes, and which names an expression mentions.

As in CSPM, one definition form serves values and processes; the evaluator
must know which is which before evaluating, because a reference to a
process becomes a :class:`~procalg.terms.Call` (unfolded on demand, so
recursion terminates) while a value is computed at once. A definition is a
process when its body is built by a process operator, or (through ``if``,
``let`` or a name) by another process definition: a least fixpoint over the
definitions.

Complexity: O(rounds × size of the definitions), rounds ≤ number of definitions.

Example:
    >>> from procalg.syntax import ast
    >>> defs = {"P": [ast.Definition("P", None, ast.Name("Q"))],
    ...         "Q": [ast.Definition("Q", None, ast.StopLit())],
    ...         "N": [ast.Definition("N", None, ast.Int(3))]}
    >>> sorted(process_names(defs, set()))
    ['P', 'Q']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass

from procalg.syntax import ast

COMPRESSIONS = frozenset({"explicate", "sbisim", "wbisim", "tau_loop_factor", "normal",
                          "normalise", "diamond"})
"""CSPM's compression functions procalg builds in (``procalg.semantics.compress``
implements them; the names live here so evaluating a model that uses none
of them does not load numpy and the LTS algorithms)."""

_PROCESS_NODES = (
    ast.StopLit, ast.SkipLit, ast.PrefixExpr, ast.Guard, ast.ProcBinary, ast.GenParallel,
    ast.AlphaParallelExpr, ast.LinkParallelExpr, ast.ExceptionExpr, ast.HideExpr,
    ast.RenameExpr, ast.Replicated,
    ast.ThrowLit, ast.Undo, ast.Saga,  # docs/sagas.md
)


def is_process(expr: ast.Node, procs: set[str]) -> bool:
    """Whether ``expr`` denotes a process, given the names known to be processes.

    Example:
        >>> from procalg.syntax import ast
        >>> is_process(ast.If(ast.Bool(True), ast.Name("P"), ast.Int(0)), {"P"})
        True
    """
    match expr:
        case _ if isinstance(expr, _PROCESS_NODES):
            return True
        case ast.If(_, then, orelse):
            return is_process(then, procs) or is_process(orelse, procs)
        case ast.Let(definitions, body):
            local = process_names(group(definitions), procs)
            return is_process(body, procs | local)
        case ast.Name(name):
            return name in procs
        case ast.Apply(ast.Name(name), _):
            return name in procs
    return False


def group(definitions: Iterable[ast.Definition]) -> dict[str, list[ast.Definition]]:
    """Definitions by name, clauses in order."""
    out: dict[str, list[ast.Definition]] = {}
    for d in definitions:
        out.setdefault(d.name, []).append(d)
    return out


def process_names(defs: Mapping[str, list[ast.Definition]], known: set[str]) -> set[str]:
    """The names in ``defs`` that are processes (least fixpoint), given ``known`` ones."""
    procs: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, clauses in defs.items():
            if name not in procs and any(is_process(c.body, known | procs) for c in clauses):
                procs.add(name)
                changed = True
    return procs


def names_in(node: object) -> set[str]:
    """Every identifier ``node`` mentions (an over-approximation of its free names).

    Example:
        >>> from procalg.syntax import ast
        >>> sorted(names_in(ast.Binary("+", ast.Name("x"), ast.Apply(ast.Name("f"), ()))))
        ['f', 'x']
    """
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Name):
            found.add(item.id)
        elif isinstance(item, tuple | list):
            stack.extend(item)
        elif is_dataclass(item) and isinstance(item, ast.Node):
            stack.extend(getattr(item, f.name) for f in fields(item) if f.name != "span")
    return found
