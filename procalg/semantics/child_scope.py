"""Where a child may stand: never where its parent synchronises with, hides or renames its events.

The checker inlines a child (its events are the parent's) while the engine
runs it apart (its events are its own run's, semantics/child.py). The two
agree only where the parent leaves the child's events alone: an operator
that synchronises on them (``[| A |]``, ``[A || B]``, ``[a <-> b]``,
``[| A |>``, ``[+ A +]``, ``/+ A +\\``, their replicated forms), hides them
(``\\ A``) or renames them (``[[a <- b]]``) would have the parent take part in
moves the engine leaves to another run. So such a model is refused at load,
naming the operator and the child call (:func:`check`).

The alphabet is found from the text, conservatively: a child ``K`` may
perform any channel named in ``K``'s definition or in a definition it names,
transitively; an operator's set is every channel named in it (``Events``:
all) or in a definition it names. An alphabetised parallel (``[A || B]``)
holds no child at all: its start event ``K.x.started`` is in no alphabet a
model can write, so the child could never start.

Example:
    >>> from procalg.api.model import loads
    >>> sorted(loads("channel a, b\\nK = a -> SKIP\\nP = child(K) [| {b} |] b -> SKIP")
    ...        .spec.definitions)
    ['K', 'P']
    >>> try:
    ...     loads("channel a\\nK = a -> SKIP\\nP = child(K) \\\\ {a}", "m")
    ... except ModelError as err:
    ...     print(err.message)
    a parent must leave its child's events alone: hiding \\ hides channel a of child(K) at m:3:5
"""

from __future__ import annotations

from typing import Any

from procalg.errors import ModelError
from procalg.syntax import ast

KEYWORD = "child"
ALL_EVENTS = "Events"

_OPERATORS: dict[type, tuple[str, str]] = {
    ast.GenParallel: ("parallel [| |]", "synchronises on"),
    ast.AlphaParallelExpr: ("alphabetised parallel [ || ]", "synchronises on"),
    ast.LinkParallelExpr: ("linked parallel [<->]", "links"),
    ast.ExceptionExpr: ("exception [| |>", "synchronises on"),
    ast.SyncChoiceExpr: ("synchronising choice", "synchronises on"),
    ast.HideExpr: ("hiding \\", "hides"),
    ast.RenameExpr: ("renaming [[ ]]", "renames"),
}
"""The operators that take part in their operands' events, as the message names them."""


def _parts(node: Any) -> list[ast.Node]:
    out: list[ast.Node] = []
    for name in getattr(node, "__dataclass_fields__", ()):
        if name == "span":
            continue
        value = getattr(node, name)
        if isinstance(value, ast.Node):
            out.append(value)
        elif isinstance(value, tuple):
            for v in value:
                if isinstance(v, ast.Node):
                    out.append(v)
                elif isinstance(v, tuple):
                    out.extend(w for w in v if isinstance(w, ast.Node))
    return out


def _walk(node: ast.Node) -> list[ast.Node]:
    found, stack = [], [node]
    while stack:
        here = stack.pop()
        found.append(here)
        stack.extend(_parts(here))
    return found


def _child_call(node: ast.Node) -> str | None:
    """The started process's name if ``node`` is ``child(K(...), ...)``."""
    if type(node) is ast.Apply and type(node.func) is ast.Name and node.func.id == KEYWORD \
            and node.args:
        first = node.args[0]
        head = first.func if type(first) is ast.Apply else first
        if type(head) is ast.Name:
            return head.id
    return None


class _Text:
    """The model's definitions and channels, and what each definition names, transitively."""

    def __init__(self, module: ast.Module) -> None:
        self.bodies: dict[str, list[ast.Node]] = {}
        self.channels: set[str] = set()
        for decl in module.declarations:
            if type(decl) is ast.Definition:
                self.bodies.setdefault(decl.name, []).append(decl)
            elif type(decl) is ast.TimerDecl:
                self.channels.add(decl.name)
            elif type(decl) in (ast.ChannelDecl, ast.ActivityDecl, ast.SignalDecl):
                self.channels.update(decl.names)
        self._reach: dict[str, set[str]] = {}

    def named(self, nodes: list[ast.Node]) -> set[str]:
        """The names used in ``nodes`` and in the definitions they name, transitively."""
        names: set[str] = set()
        todo = [n for node in nodes for n in _walk(node)]
        seen: set[str] = set()
        while todo:
            here = todo.pop()
            if type(here) is ast.Name:
                names.add(here.id)
                if here.id in self.bodies and here.id not in seen:
                    seen.add(here.id)
                    todo.extend(n for d in self.bodies[here.id] for n in _walk(d.body))
        return names

    def events(self, nodes: list[ast.Node]) -> set[str]:
        """The channels ``nodes`` may name (``Events``: every channel)."""
        names = self.named(nodes)
        return set(self.channels) if ALL_EVENTS in names else names & self.channels

    def children(self, node: ast.Node) -> list[tuple[str, ast.Node]]:
        """The child calls in ``node`` or in the definitions it names, transitively."""
        out, seen, todo = [], set(), list(_walk(node))
        while todo:
            here = todo.pop()
            kid = _child_call(here)
            if kid is not None:
                out.append((kid, here))
            if type(here) is ast.Name and here.id in self.bodies and here.id not in seen:
                seen.add(here.id)
                todo.extend(n for d in self.bodies[here.id] for n in _walk(d.body))
        return out


def _operator(node: ast.Node) -> tuple[str, str, list[ast.Node], list[ast.Node]] | None:
    """``(name, verb, set expressions, operands)`` of an operator on its operands' events."""
    kind = type(node)
    if kind is ast.Replicated:
        sets = [e for e in (node.sync, node.alpha) if e is not None]
        sets += [e for pair in node.links for e in pair]
        if not sets:
            return None
        return f"replicated {node.op}", "synchronises on", sets, [node.body]
    if kind not in _OPERATORS:
        return None
    name, verb = _OPERATORS[kind]
    if kind is ast.HideExpr:
        return name, verb, [node.hidden], [node.process]
    if kind is ast.RenameExpr:
        return name, verb, [a for a, _ in node.pairs], [node.process]
    if kind is ast.LinkParallelExpr:
        return name, verb, [e for pair in node.links for e in pair], [node.left, node.right]
    if kind is ast.AlphaParallelExpr:
        return name, verb, [node.left_alpha, node.right_alpha], [node.left, node.right]
    if kind is ast.ExceptionExpr:  # the handler runs after the exception: apart from it
        return name, verb, [node.sync], [node.left]
    return name, verb, [node.sync], [node.left, node.right]


def check(module: ast.Module, file: str = "") -> None:
    """Refuse a parent that synchronises with, hides or renames its child's events.

    Raises:
        ModelError: at the operator, naming it, the shared channels and the child call.
    """
    if any(type(d) is ast.Definition and d.name == KEYWORD for d in module.declarations):
        return  # the model's own `child`, not the built-in (semantics/child.py)
    if not any(_child_call(n) for n in _walk(module)):
        return
    text = _Text(module)
    where = f"{file}:" if file else ""
    for decls in text.bodies.values():
        for decl in decls:
            for node in _walk(decl.body):
                found = _operator(node)
                if found is None:
                    continue
                name, verb, sets, operands = found
                shared_with = text.events(sets)
                for operand in operands:
                    for kid, call in text.children(operand):
                        alphabet = text.events(text.bodies.get(kid, []))
                        common = sorted(alphabet & shared_with)
                        alpha = type(node) is ast.AlphaParallelExpr or \
                            (type(node) is ast.Replicated and node.alpha is not None)
                        if not common and not alpha:
                            continue
                        what = (f"{verb} channel{'s' if len(common) > 1 else ''} "
                                f"{', '.join(common)} of") if common else \
                            "has no alphabet for the start event of"
                        at = f" at {where}{call.span}" if call.span else ""
                        raise ModelError(
                            f"a parent must leave its child's events alone: {name} {what} "
                            f"child({kid}){at}", node.span,
                            hint="the engine runs a child apart, so its parent must not "
                                 "synchronise with, hide or rename its events (docs/engine.md, "
                                 "Child workflows)")
