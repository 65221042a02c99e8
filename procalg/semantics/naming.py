"""Naming what a load of a model makes as it evaluates, so another load finds it again.

A process term may hold three things whose identity belongs to one load of
the model (one :class:`~procalg.semantics.evaluate.Evaluator`):

- a *local definition* of a ``let`` (or a lambda, which is a ``let`` of
  ``λ``): its calls and function values use a unique name such as ``Q#2``,
  numbered in the order the load evaluated its ``let`` s;
- a *function value* (a ``Closure``): a definition's unique name plus the
  values it captured;
- a *compressed process* (``sbisim(P)`` & co.): a move table compared by
  identity.

A saved run state (``procalg.runtime.termjson``) names them by the model
text instead: a local definition by its ``let``'s source span (plus its
rank among the ``let`` s at that span: a curried ``f(x)(y) = e`` makes two),
its name and the names its ``let`` captures from the enclosing scope (the
values are the call's first arguments, saved as data); a compressed process
by the compression function and its arguments (recompressed, or found in
the load's memo, on decoding) plus a fingerprint of its table, so
a table built differently is never taken for the saved one.

Example:
    >>> from procalg.api.model import loads
    >>> model = loads("channel c : {0..2}\\nP(n) = let Q = c!n -> Q within Q\\nR = P(1)")
    >>> ev = model.spec.evaluator
    >>> term = model.system("R").initial_state()
    >>> name = local_name(ev, "Q#1")
    >>> name
    LocalName(key='2:8-2:33', rank=0, display='Q', captured=('n',))
    >>> other = loads(model.source.text).spec.evaluator   # a fresh load: nothing evaluated
    >>> unique_name(other, name)
    'Q#1'
"""

from __future__ import annotations

import dataclasses
import hashlib
import weakref
from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError
from procalg.semantics.inputs import site_key
from procalg.semantics.kinds import PRIORITY_FUNCTIONS
from procalg.syntax import ast
from procalg.terms.compressed import MoveTable

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Evaluator

_LETS: weakref.WeakKeyDictionary[Any, dict[str, list[ast.Let]]] = weakref.WeakKeyDictionary()
_PRINTS: weakref.WeakKeyDictionary[MoveTable, str] = weakref.WeakKeyDictionary()


@dataclasses.dataclass(frozen=True, slots=True)
class LocalName:
    """A local definition, named by the model text.

    Attributes:
        key: its ``let``'s place, ``line:col-line:col``.
        rank: which of the ``let`` s at that place (in a walk of the definitions).
        display: the definition's name as written.
        captured: the names the ``let`` reads from its scope (the leading
            arguments of its calls and the values of its closures).
    """

    key: str
    rank: int
    display: str
    captured: tuple[str, ...]


def local_name(ev: Evaluator, name: str) -> LocalName | None:
    """The model-text name of ``ev``'s local definition ``name`` (e.g. ``Q#2``);
    None for a global name or a ``let`` without a place in the text."""
    info = ev.functions.get(name)
    if info is None or info.let is None:
        return None
    key = site_key(info.let)
    found = _lets(ev).get(key, [])
    rank = next((i for i, let in enumerate(found) if let is info.let), None)
    if not key or rank is None:
        return None
    return LocalName(key, rank, info.display, info.captured)


def unique_name(ev: Evaluator, local: LocalName) -> str | None:
    """The unique name ``ev`` gives the local definition ``local`` (registering its
    ``let`` as evaluating it would); None if the model has no such definition."""
    found = _lets(ev).get(local.key, [])
    if not 0 <= local.rank < len(found):
        return None
    let = found[local.rank]
    # the evaluator registers a let's definitions the first time it evaluates it, and
    # only the names of the enclosing scope matter then (values come with each call)
    names, captured, _ = ev.let_info(let, dict.fromkeys(local.captured))
    if captured != local.captured:
        return None
    return names.get(local.display)


def compressed_source(ev: Evaluator, table: MoveTable) -> tuple[Any, ...] | None:
    """``(function, *arguments)`` of the compression (or ``prioritise``/``chase``)
    that made ``table`` in ``ev``; None if ``ev`` did not make it."""
    for key, made in ev.compressions.items():  # a few per model
        # not every entry is a table: a lossless compression over its budget is its
        # argument, one whose exploration failed keeps its error
        if getattr(made, "table", None) is table:
            return key
    return None


def compressed_table(ev: Evaluator, source: tuple[Any, ...]) -> MoveTable:
    """The table of ``function(*arguments)`` in ``ev`` (made now if no term of it was yet).

    Raises:
        ModelError: the arguments are not what the function takes.
    """
    function, *args = source
    if function in PRIORITY_FUNCTIONS:
        return ev.prioritised(function, args, None).table
    if len(args) != 1:
        raise ModelError(f"{function} takes one argument, not {len(args)}")
    return ev.compressed(function, args[0], None).table


def fingerprint(table: MoveTable) -> str:
    """A digest of ``table``'s moves (state numbers and labels as printed); once per table.

    Example:
        >>> from procalg.terms.values import Event
        >>> a, b = (MoveTable("P", (((Event("a"), 0),),)) for _ in range(2))
        >>> a == b, fingerprint(a) == fingerprint(b)   # two objects, one table
        (False, True)
    """
    found = _PRINTS.get(table)
    if found is None:
        text = repr([[(str(label), dst) for label, dst in moves] for moves in table.moves])
        found = _PRINTS[table] = hashlib.sha256(text.encode()).hexdigest()[:32]
    return found


def _lets(ev: Evaluator) -> dict[str, list[ast.Let]]:
    """Every ``let`` in the model's definitions by place, in a fixed walk order."""
    index = _LETS.get(ev)
    if index is None:
        index = _LETS[ev] = _walk(ev)
    return index


def _walk(ev: Evaluator) -> dict[str, list[ast.Let]]:
    out: dict[str, list[ast.Let]] = {}
    seen: set[int] = set()
    # global definitions only (local ones are inside them), by name: the same order in
    # every load of one model text, whatever was evaluated first
    stack: list[Any] = [ev.functions[n].clauses for n in sorted(ev.functions, reverse=True)
                        if "#" not in n]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple | list):
            stack.extend(reversed(item))
            continue
        if not isinstance(item, ast.Node) or id(item) in seen:
            continue
        seen.add(id(item))
        if type(item) is ast.Let:
            out.setdefault(site_key(item), []).append(item)
        stack.extend(getattr(item, f.name) for f in reversed(dataclasses.fields(item))
                     if f.name != "span")
    return out
