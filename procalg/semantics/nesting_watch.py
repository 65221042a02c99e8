"""The dynamic half of :mod:`procalg.semantics.nesting`: how deep a state nests a flagged call.

A state's *nesting* is the most terms of the flagged operators' classes
(:data:`~procalg.semantics.nesting.TERM_KINDS`) on a path from its root to a
call of a flagged cycle, the call's process arguments counted as nested
below it (``Weird(X ||| X)``). A call behind an input (``P = d?x -> (a -> SKIP
||| P)``) is no term in a state (the input's continuation is evaluated per
value): such an input of a watched definition counts as the call. A model
whose recursion does not nest keeps it constant; one that does adds one per
unfolding.

Example:
    >>> from procalg.semantics.nesting import Nesting
    >>> from procalg.terms import Call, Event, Parallel, Prefix, SKIP
    >>> watch = NestingWatch({"P": Nesting("P", "|||", None, frozenset({"P"}))})
    >>> state = Call("P")
    >>> for _ in range(3):
    ...     state = Parallel(Prefix(Event("a"), SKIP), state)
    >>> watch.nesting(state)
    3
    >>> for _ in range(10):
    ...     state = Parallel(Prefix(Event("a"), SKIP), state)
    >>> try:
    ...     watch.check(state)
    ... except UnboundedNesting as err:
    ...     print(err.message[:38])
    P calls itself inside |||, which stays
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from procalg.semantics.nesting import NESTING_LIMIT, TERM_KINDS, Nesting, UnboundedNesting
from procalg.semantics.nesting_events import inputs_before
from procalg.terms import Call, Process
from procalg.terms.input import Input

_FIELDS: dict[type, tuple[str, ...]] = {}
"""Term class -> its field names (read once per class)."""


class NestingWatch:
    """Raises once a state nests a flagged call past :data:`NESTING_LIMIT`.

    Memoised per term node (by identity, the node kept alive with its entry),
    so a state costs its nodes not met in earlier states: O(new nodes).

    Args:
        flagged: definition -> its nesting (:func:`~procalg.semantics.nesting.nestings`).
        definitions: name -> clauses of the model's definitions (to find the
            inputs a watched call stands behind), with ``sites``: the
            evaluator's input sites by the id of their prefix's node.
    """

    def __init__(self, flagged: Mapping[str, Nesting],
                 definitions: Mapping[str, Any] | None = None,
                 sites: Mapping[int, tuple[Any, ...]] | None = None) -> None:
        self.watched: dict[str, Nesting] = {}
        for nesting in flagged.values():
            for name in nesting.cycle:
                self.watched.setdefault(name, nesting)
        self.kinds = frozenset(TERM_KINDS[n.operator] for n in flagged.values())
        self._memo: dict[int, tuple[object, int, int, str | None]] = {}
        self._heads = {id(prefix): (name, prefix) for name in self.watched  # kept: ids stay
                       for clause in (definitions or {}).get(name, ())
                       for prefix in inputs_before(clause.body, set(self.watched))}
        self._sites = sites if sites is not None else {}  # the live dict: filled later
        self._site_names: dict[int, str] = {}
        self._known = -1

    def _head(self, node: Input) -> str | None:
        """The watched definition whose unfolded call ``node`` is, if any (sites
        are made on first use: looked up again when new ones were made)."""
        if len(self._sites) != self._known:
            self._known = len(self._sites)
            for key, (name, _) in self._heads.items():
                if key in self._sites:
                    self._site_names[id(self._sites[key][0])] = name
        return self._site_names.get(id(node.site))

    def check(self, state: Process) -> None:
        """Raise if ``state`` nests a flagged call more than :data:`NESTING_LIMIT` deep.

        Raises:
            UnboundedNesting: naming the definition and the operator.
        """
        _, depth, name = self._entry(state)
        if depth > NESTING_LIMIT and name is not None:
            raise UnboundedNesting(self.watched[name])

    def nesting(self, state: Process) -> int:
        """How deep ``state`` nests a flagged call (-1: it holds none)."""
        return self._entry(state)[1]

    def _entry(self, state: Process) -> tuple[int, int, str | None]:
        """(operator depth, nesting, the flagged call's name) of ``state``: an
        iterative post-order walk of the nodes not memoised yet."""
        memo = self._memo
        todo: list[tuple[object, bool]] = [(state, False)]
        while todo:
            node, ready = todo.pop()
            if id(node) in memo:
                continue
            kids = _children(node)
            if not ready:
                todo.append((node, True))
                todo.extend((kid, False) for kid in kids if id(kid) not in memo)
                continue
            memo[id(node)] = (node, *self._value(node, [memo[id(k)][1:] for k in kids]))
        return memo[id(state)][1:]  # type: ignore[return-value]

    def _value(self, node: object, kids: list[tuple[int, int, str | None]]
               ) -> tuple[int, int, str | None]:
        own = int(type(node) in self.kinds)
        depth = max((k[0] for k in kids), default=0) + own
        if type(node) is Call and node.name in self.watched:  # type: ignore[attr-defined]
            return depth, depth, node.name  # type: ignore[attr-defined]
        if type(node) is Input and self._heads and (head := self._head(node)) is not None:
            return depth, depth, head
        nested, name = -1, None
        for _, kid_nesting, kid_name in kids:
            if kid_nesting > nested:
                nested, name = kid_nesting, kid_name
        return depth, (nested + own if nested >= 0 else -1), name


def _children(node: object) -> list[Process]:
    """The process operands of a term; of a call, its process arguments."""
    if type(node) is Call:
        return [arg for arg in node.args if isinstance(arg, Process)]  # type: ignore[attr-defined]
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(f.name for f in fields(node))  # type: ignore[arg-type]
    return [value for value in (getattr(node, n) for n in names) if isinstance(value, Process)]
