"""Which definitions are processes, and which names an expression mentions.

As in CSPM, one definition form serves values and processes; the evaluator
must know which is which before evaluating, because a reference to a
process becomes a :class:`~procalg.terms.Call` (unfolded on demand, so
recursion terminates) while a value is computed at once. A definition is a
process when its body is built by a process operator, by a compression of a
process (``sbisim(P)``: computed when first unfolded, memoised, never at load),
or (through ``if``, ``let`` or a name) by another process definition: a least
fixpoint over the definitions.

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
                          "normalise", "diamond", "lazynorm", "lazyenumerate", "dbisim",
                          "model_compress"})
"""CSPM's compression functions procalg builds in (``procalg.semantics.compress``
implements them; the names live here so evaluating a model that uses none
of them does not load numpy and the LTS algorithms)."""

COMPRESSION_ALIASES = {"lazynorm": "normal", "lazyenumerate": "explicate",
                       "model_compress": "dbisim"}
"""FDR's lazy variants compute the same process as their eager namesakes;
``model_compress`` becomes ``dbisim`` (divergence-respecting weak
bisimulation), which keeps every semantics FDR checks."""

PRIORITY_FUNCTIONS = frozenset({"prioritise", "prioritise_nocache", "chase", "chase_nocache",
                                "prioritisepo", "trace_watchdog"})
"""FDR's priority operator and ``chase`` (``procalg.semantics.priority``); the
``_nocache`` forms differ from them only in FDR's memory use; ``prioritisepo``
and ``trace_watchdog`` (``procalg.semantics.watchdog``) are built the same way."""

EVENT_FUNCTIONS = frozenset({"extensions", "productions"})
"""CSPM's functions over the channel declarations (the evaluator implements them)."""

_PROCESS_NODES = (
    ast.StopLit, ast.SkipLit, ast.PrefixExpr, ast.NondetPrefix, ast.Guard, ast.ProcBinary,
    ast.GenParallel,
    ast.AlphaParallelExpr, ast.LinkParallelExpr, ast.ExceptionExpr, ast.HideExpr,
    ast.RenameExpr, ast.Replicated, ast.SyncChoiceExpr,
    ast.ThrowLit, ast.Undo, ast.Saga,  # docs/sagas.md
)


def is_process(expr: ast.Node, procs: set[str]) -> bool:
    """Whether ``expr`` denotes a process, given the names known to be processes.

    Example:
        >>> from procalg.syntax import ast
        >>> is_process(ast.If(ast.Bool(True), ast.Name("P"), ast.Int(0)), {"P"})
        True
        >>> is_process(ast.Apply(ast.Name("sbisim"), (ast.Name("P"),)), {"P"})
        True
    """
    match expr:
        case _ if isinstance(expr, _PROCESS_NODES):
            return True
        case ast.If(_, then, orelse):
            return is_process(then, procs) or is_process(orelse, procs)
        case ast.Let(definitions, ast.Name(name)) if any(
                d.name == name and d.params is not None for d in definitions):
            return False  # a lambda or local function: a function value, even of a process
        case ast.Let(definitions, body):
            local = process_names(group(definitions), procs)
            return is_process(body, procs | local)
        case ast.Name(name):
            return name in procs
        case ast.Apply(ast.Name(name), (arg,)) if name in COMPRESSIONS and name not in procs:
            return is_process(arg, procs)  # sbisim(P): a process, unfolded (and so compressed)
        case ast.Apply(ast.Name(name), _):  # on demand, not at load
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


_WORKFLOW_DECLS = {"ActivityDecl": "activity", "SignalDecl": "signal", "TimerDecl": "timer"}
_WORKFLOW_EXPRS = {"Saga": "saga", "ThrowLit": "THROW", "Undo": "undo"}


def workflow_construct(module: ast.Module) -> tuple[str, ast.Node] | None:
    """The first workflow construct of a model (its keyword and node), or None.

    A model without one is plain CSPM, where the workflow names (``fail``,
    ``throw``, ``compensate``, ...) are free for the model to use.

    Example:
        >>> from procalg.syntax import parse
        >>> workflow_construct(parse("datatype S = success | fail")) is None
        True
        >>> workflow_construct(parse("channel a\\nP = saga (a -> SKIP)"))[0]
        'saga'
    """
    for decl in module.declarations:
        if type(decl).__name__ in _WORKFLOW_DECLS:
            return _WORKFLOW_DECLS[type(decl).__name__], decl
    stack: list[object] = list(module.declarations)
    while stack:
        item = stack.pop()
        if isinstance(item, tuple | list):
            stack.extend(item)
        elif is_dataclass(item) and isinstance(item, ast.Node):
            if type(item).__name__ in _WORKFLOW_EXPRS:
                return _WORKFLOW_EXPRS[type(item).__name__], item
            stack.extend(getattr(item, f.name) for f in fields(item) if f.name != "span")
    return None
