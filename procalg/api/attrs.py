"""Search attributes (layer 5): the ones a model gives a run, and finding runs by them.

A run's search attributes are strings stored with it (``run_attrs``): those
the caller gives (``procalg run --attr``, ``start(..., attrs=)``), ``model``
(the path it was started from), ``schedule`` (for a scheduled run) and the
ones the MODEL gives: a run of ``Order(customer, tier)`` started as
``Order(7, gold)`` carries ``customer=7`` and ``tier=gold`` — the process's
own parameter names, so every run is searchable by what it is about
without declaring anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from procalg.api.model import Model
from procalg.runtime.engine import Engine
from procalg.runtime.ports import EventLog, RunRecord
from procalg.runtime.status import RunStatus
from procalg.syntax import ast
from procalg.terms.values import show


def parameter_attrs(model: Model, process: str, args: Iterable[Any]) -> dict[str, str]:
    """The search attributes the model gives a run: the process's parameter names
    (of its first clause, where each is a plain name) to the run's argument values.

    Example:
        >>> from procalg.api.model import loads
        >>> from procalg.syntax import parse_expr
        >>> m = loads("datatype Tier = gold | silver\\nOrder(customer, tier) = STOP")
        >>> parameter_attrs(m, "Order", (7, m.value(parse_expr("gold"))))
        {'customer': '7', 'tier': 'gold'}
    """
    clauses = model.spec.definitions.get(process, ())
    params = clauses[0].params if clauses else None
    values = tuple(args)
    if not params or len(params) != len(values):
        return {}
    return {p.name: show(v) for p, v in zip(params, values, strict=True)
            if isinstance(p, ast.PVar)}



def find_runs(store: str | EventLog | Engine, *,
              statuses: tuple[RunStatus, ...] | None = None, model: str | None = None,
              since: float | None = None, attrs: Mapping[str, str] | None = None,
              ) -> list[RunRecord]:
    """Runs with one of ``statuses``, started from model path ``model`` (or whose model
    hash starts with it), created at or after epoch ``since``, carrying every search
    attribute in ``attrs``; oldest first.

    Example:
        >>> from procalg.api.model import loads
        >>> from procalg.api.run import engine, start
        >>> from procalg.runtime.clock import VirtualClock
        >>> eng = engine("memory:", activities={"pay": lambda amount: None},
        ...              clock=VirtualClock())
        >>> model = loads("activity pay : {1, 2}\\nP = pay.2 -> SKIP")
        >>> _ = start(model, "P", store=eng, run_id="a", attrs={"tenant": "acme"})
        >>> _ = start(model, "P", store=eng, run_id="b")
        >>> [r.run_id for r in find_runs(eng, attrs={"tenant": "acme"})]
        ['a']
    """
    if isinstance(store, str):
        from procalg.api.run import store as open_store  # run imports this module

        store = open_store(store, create=False)
    log = store.log if isinstance(store, Engine) else store
    return log.search_runs(statuses, since, dict(attrs or {}), model)
