"""What the engine is told to do next: the commands :func:`procalg.runtime.decide.decide`
returns (pure data; the engine performs them and records history events).

Example:
    >>> Wait(until=30.0, signals=(), timers=(("t", 30.0),)).until
    30.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from procalg.runtime.children import StartChild
from procalg.runtime.status import RunStatus
from procalg.terms.values import Event, Label


@dataclass(frozen=True, slots=True)
class Fire:
    """Fire an internal move (or a due timer): record and take it."""

    label: Label
    choice: int = 0


@dataclass(frozen=True, slots=True)
class StartTimer:
    """Record that ``timer`` is offered and fires at ``deadline``."""

    timer: str
    deadline: float


@dataclass(frozen=True, slots=True)
class Perform:
    """Run one attempt of an activity; ``offered`` are the events it may complete with."""

    step: int
    channel: str
    input: tuple[Any, ...]
    attempt: int
    offered: frozenset[Event]
    scheduled: bool  # already recorded as scheduled (a retry)
    details: Any = None  # the previous attempt's last heartbeat details
    undoes: tuple[str, ...] = ()  # a compensation: the keys of the calls it undoes


@dataclass(frozen=True, slots=True)
class Wait:
    """Nothing to do until ``until`` (None: until a signal) or a signal in ``signals``
    (or the end of a child run in ``children``, delivered like a signal)."""

    until: float | None
    signals: tuple[Event, ...]
    timers: tuple[tuple[str, float], ...]
    children: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Finish:
    """The run ends with ``status`` (``completed``, ``compensated`` or ``failed``)."""

    status: RunStatus
    error: str = ""


Command = Fire | StartTimer | Perform | Wait | Finish | StartChild
