"""Cancelling runs: ``procalg runs cancel`` and ``run.cancel()`` for faces.

A request is durable (the run's inbox keeps it) and the run takes it where
its model offers the reserved event ``cancel`` (docs/sagas.md section 8,
docs/engine.md "Cancellation"); :mod:`procalg.runtime.cancel` is the engine
side.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.api import run as api
    >>> model = loads("signal go\\nP = go -> SKIP [] cancel -> SKIP")
    >>> eng = api.engine("memory:")
    >>> run = api.start(model, "P", store=eng)
    >>> done = cancel(eng, run.id, "not needed")
    >>> done.taken, str(done.status), str(run.status)
    (True, 'cancelled', 'cancelled')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from procalg.runtime.cancel import cancel_children
from procalg.runtime.continuation import latest
from procalg.runtime.engine import Engine


@dataclass(frozen=True, slots=True)
class Cancellation:
    """What a cancel request did: ``taken`` now (the run then has ``status``) or pending;
    ``run_id`` is the newest run of the chain the request went to (continue-as-new)."""

    run_id: str
    taken: bool
    status: str


def cancel(engine: Engine, run_id: str, reason: str = "") -> Cancellation:
    """Request that run ``run_id`` be cancelled (see :meth:`Engine.cancel`).

    Raises:
        RunError: unknown or ended run, or a model that offers ``cancel`` nowhere.
    """
    taken = engine.cancel(run_id, reason)
    run_id = latest(engine.log, run_id)  # a run that continued as new: its newest run
    return Cancellation(run_id, taken, engine.state(run_id).status)


def cancel_tree(engine: Engine, children: Iterable[str], reason: str = "") -> list[str]:
    """Request cancellation of child runs (for a parent that took ``cancel``).

    The ids of the children requested (ended ones and those whose model offers no
    ``cancel`` are skipped).
    """
    return cancel_children(engine, children, reason)
