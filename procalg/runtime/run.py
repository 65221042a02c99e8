"""The handle a caller holds on a run: status, waiting, history, result, signals.

Example:
    >>> RunResult(RunStatus.COMPLETED, ()).status
    <RunStatus.COMPLETED: 'completed'>
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from procalg.errors import RunError
from procalg.runtime.decide import Wait, decide
from procalg.runtime.history import EventFired, HistoryEvent, to_json
from procalg.runtime.position import Position, position
from procalg.runtime.status import UNFINISHED, RunStatus
from procalg.runtime.updates import TIMEOUT, UpdateReply, update
from procalg.terms.cancel import is_cancel
from procalg.terms.values import Event

if TYPE_CHECKING:
    from procalg.runtime.engine import Engine


@dataclass(frozen=True, slots=True)
class Waiting:
    """One thing a waiting run waits for: a ``signal`` event, a ``timer``, a ``retry``,
    or a ``cancel`` (the model offers cancellation there)."""

    kind: str
    what: str
    deadline: float | None = None


@dataclass(frozen=True, slots=True)
class RunResult:
    """How a finished run ended and the visible events it performed."""

    status: RunStatus
    trace: tuple[Event, ...]
    error: str = ""


class Run:
    """A run of a workflow, by id. Cheap to create; every query reads the engine."""

    def __init__(self, engine: Engine, run_id: str) -> None:
        self.engine = engine
        self.id = run_id

    def __repr__(self) -> str:
        return f"Run({self.id!r}, status={str(self.status)!r})"

    @property
    def status(self) -> RunStatus:
        """Where the run is (a :class:`RunStatus`: running, waiting, or how it ended)."""
        return self.engine.state(self.id).status

    def waiting_on(self) -> list[Waiting]:
        """The signals, timers (with deadlines) and retries the run waits for."""
        state = self.engine.state(self.id)
        commands = decide(state, self.engine.clock.now())
        if not commands or not isinstance(commands[0], Wait):
            return []
        wait = commands[0]
        out = [Waiting("cancel", "allowed") if is_cancel(e) else Waiting("signal", str(e))
               for e in wait.signals]
        out += [Waiting("timer", t, d) for t, d in wait.timers]
        out += [Waiting("retry", state.inflight[s][0], at) for s, at in
                sorted(state.retry_at.items()) if s in state.inflight]
        return out

    def history(self) -> list[HistoryEvent]:
        """Every recorded event, in order."""
        return self.engine.log.history(self.id)

    def history_json(self) -> list[dict[str, Any]]:
        """The history as JSON-ready dicts (``procalg replay`` reads these)."""
        return [to_json(e) for e in self.history()]

    def signal(self, channel: str, *values: Any) -> None:
        """Offer signal ``channel.values``; RunError if the run does not wait for it."""
        self.engine.signal(self.id, channel, *values)

    def cancel(self, reason: str = "") -> bool:
        """Request cancellation (durable; taken where the model offers ``cancel``).

        Returns True if the run took it at once; RunError if it has ended or
        its model offers ``cancel`` nowhere (:mod:`procalg.runtime.cancel`).
        """
        return self.engine.cancel(self.id, reason)

    def query(self) -> Position:
        """Where the run is in its model (:mod:`~procalg.runtime.position`): a read that
        replays the stored history, needs no lease and writes nothing."""
        state = self.engine.state(self.id)
        pos = position(state, self.engine.clock.now())
        if state.status in UNFINISHED:  # replay cannot tell: the store's word
            pos = replace(pos, status=self.engine.log.get_run(self.id).status)
        return pos

    def update(self, channel: str, *values: Any, update_id: str | None = None,
               timeout: float = TIMEOUT) -> UpdateReply:
        """Offer signal ``channel.values`` and answer once its step is durable
        (:func:`~procalg.runtime.updates.update`); UpdateRejected if the run does not take it."""
        return update(self.engine, self.id, channel, *values, update_id=update_id,
                      timeout=timeout)

    def result(self) -> RunResult:
        """The outcome of a finished run; RunError while it is still going."""
        state = self.engine.state(self.id)
        if state.status in UNFINISHED:
            raise RunError(f"run {self.id} is still {state.status}",
                           hint="see run.waiting_on()")
        trace = tuple(state.trace)
        if state.trace_offset:  # restored from a snapshot: the start is in the history
            trace = tuple(e.label for e in self.history() if isinstance(e, EventFired)
                          and isinstance(e.label, Event))
        return RunResult(state.status, trace, state.error)
