"""Finding a model's input prefixes by name, for states saved by another load of the model.

An :class:`~procalg.terms.input.Input` term holds its prefix's *site*, an
object of the load that made it (compared by identity). A saved run state
(``procalg.runtime.snapshot``) names the site by its key, the prefix's
source span (:func:`~procalg.semantics.inputs.site_key`); :func:`site` finds
the prefix with that span in the model's definitions and returns the site
this load uses for it (made now if no term of it was built yet), so a
decoded term is *equal* to the one the live rules build. A key that names
no input prefix, or more than one, finds nothing: the caller falls back to
replaying the history. O(size of the definitions) once per evaluator, then
a dictionary look-up.

Example:
    >>> from procalg.api.model import loads
    >>> model = loads("channel c : {0..2}\\nP = c?x -> STOP")
    >>> ev = model.spec.evaluator
    >>> found = site(ev, "2:5-2:16")
    >>> found.key, found.describe(())
    ('2:5-2:16', 'c?x -> STOP')
    >>> site(ev, "9:9-9:9") is None
    True
"""

from __future__ import annotations

import dataclasses
import weakref
from typing import TYPE_CHECKING, Any

from procalg.semantics.inputs import has_input, registered, site_key
from procalg.syntax import ast
from procalg.terms.input import Input, InputSite
from procalg.terms.process import Call, Process

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Evaluator

_PREFIXES: weakref.WeakKeyDictionary[Any, dict[str, list[ast.PrefixExpr]]] = \
    weakref.WeakKeyDictionary()


def site(ev: Evaluator, key: str) -> InputSite | None:
    """The site of the one input prefix whose key is ``key`` in ``ev``'s model, or None."""
    index = _PREFIXES.get(ev)
    if index is None:
        index = _PREFIXES[ev] = _index(ev)
    exprs = index.get(key, [])
    return registered(ev, exprs[0])[0] if len(exprs) == 1 else None


def calls_for(ev: Evaluator, term: Process) -> list[Call]:
    """Calls of the model's named processes that ``term`` may be the unfolding of.

    A guess from the values the term's input prefixes captured: every process
    defined by one clause with plain parameters, applied to the captured values
    of its parameter names (when each has one value). The caller checks each by
    unfolding it; O(definitions + size of the term).

    Example:
        >>> from procalg.api.model import loads
        >>> model = loads("channel c : {0..2}\\nLoop(n) = c?x -> Loop((n + x) % 3)")
        >>> term = model.system("Loop(2)").initial_state()
        >>> calls_for(model.spec.evaluator, term)
        [Call(name='Loop', args=(2,))]
    """
    seen: dict[str, set[Any]] = {}
    stack: list[Any] = [term]
    while stack:
        item = stack.pop()
        if type(item) is Input:
            for name, value in item.captured:
                seen.setdefault(name, set()).add(value)
        if isinstance(item, Process):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item)
                         if f.name not in ("site", "captured"))
    out = []
    for name, info in sorted(ev.functions.items()):
        params = info.clauses[0].params or ()
        if (not info.is_process or info.let is not None or len(info.clauses) != 1
                or any(type(p) is not ast.PVar or len(seen.get(p.name, ())) != 1
                       for p in params)):
            continue
        out.append(Call(name, tuple(next(iter(seen[p.name])) for p in params)))
    return out


def _index(ev: Evaluator) -> dict[str, list[ast.PrefixExpr]]:
    """Every input prefix in the definitions, by key (one walk over the syntax trees)."""
    out: dict[str, list[ast.PrefixExpr]] = {}
    seen: set[int] = set()
    stack: list[Any] = [info.clauses for info in ev.functions.values()]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple | list):
            stack.extend(item)
            continue
        if not isinstance(item, ast.Node) or id(item) in seen:
            continue
        seen.add(id(item))
        if type(item) is ast.PrefixExpr and has_input(item):
            out.setdefault(site_key(item), []).append(item)
        stack.extend(getattr(item, f.name) for f in dataclasses.fields(item) if f.name != "span")
    return out
