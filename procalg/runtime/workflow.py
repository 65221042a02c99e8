"""What the engine runs: a process's transition system plus its channel bindings.

A :class:`Workflow` is built by the layer that loads models (``procalg.api``
from a ``Spec``): the process's :class:`~procalg.lts.TransitionSystem` over
terms (the same firing rules the checker explored), the kind of every
non-internal channel, and what the store should record (model hash, text,
verdicts). Channels not listed are internal: the engine fires their events
itself.

Example:
    >>> from procalg.terms import Event
    >>> wf = Workflow(system=None, channels={"pay": Channel("pay", ChannelKind.ACTIVITY, 1)})
    >>> [wf.kind(x).value for x in (Event("pay", (3,)), Event("log"), "τ")]
    ['activity', 'internal', 'internal']
    >>> wf.kind(Event("fail", (Event("pay", (3,)),))).value
    'failure'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING, Any

from procalg.runtime.retry import RetryPolicy
from procalg.semantics.system import TermSystem as TermSystem  # re-exported for workflows
from procalg.terms.saga import failed_activity
from procalg.terms.values import Event

if TYPE_CHECKING:
    from procalg.lts import TransitionSystem
    from procalg.runtime.machine import Machine


class ChannelKind(Enum):
    """Who performs a channel's events at run time."""

    INTERNAL = "internal"  # the engine, at once
    ACTIVITY = "activity"  # a bound Python function
    SIGNAL = "signal"  # the outside world, through run.signal
    TIMER = "timer"  # the clock, a duration after first offered
    FAILURE = "failure"  # fail.c.v: the engine, when activity c's last attempt fails
    CHILD = "child"  # P.x.completed & co.: the engine, when child run P(x) ends


@dataclass(frozen=True, slots=True)
class Channel:
    """A channel's run-time binding.

    Attributes:
        name: the channel.
        kind: who performs it.
        arity: number of fields its events carry.
        retry: the activity's retry policy (activities only).
        duration: seconds from first offer to firing (timers only).
        fields: the value set of each field (empty: not checked before offering).
    """

    name: str
    kind: ChannelKind
    arity: int = 0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    duration: float = 0.0
    fields: tuple[frozenset[Any], ...] = ()


@dataclass(frozen=True)
class Workflow:
    """A process ready to run.

    Attributes:
        system: the process's transition system; states are terms, its
            initial state is the (normalised) process.
        channels: bindings of activity, signal and timer channels.
        process: the process name, as recorded (``"Order"``).
        args: its arguments.
        model_hash: content hash of the model text.
        model_text: the model text, kept with the run.
        verdicts: assertion text to its result as checked before starting:
            ``"pass"``, ``"fail"``, ``"unknown"`` or ``"error"`` (the text of
            ``procalg.api.check.AssertionResult``, as a run's row stores it).
        compiled: a :class:`~procalg.runtime.machine.Machine` shared with other
            workflows of the same process and channel kinds (None: this
            workflow compiles its own, shared by the runs started with it).
        params: each definition's parameter names, for queries
            (:mod:`~procalg.runtime.position`); never read by a step.
        used: the names of the activity channels the process can reach,
            computed when first asked (None: every activity channel): a
            workflow may declare activities its arguments never reach, which
            need no function (:meth:`activities`).
    """

    system: TransitionSystem[Any]
    channels: Mapping[str, Channel] = field(default_factory=dict)
    process: str = "P"
    args: tuple[Any, ...] = ()
    model_hash: str = ""
    model_text: str = ""
    verdicts: Mapping[str, str] = field(default_factory=dict)
    compiled: Machine | None = field(default=None, compare=False, repr=False)
    params: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False,
                                                  repr=False)
    used: Callable[[], Iterable[str]] | None = field(default=None, compare=False, repr=False)

    @cached_property
    def machine(self) -> Machine:
        """The compiled states runs of this workflow step through."""
        from procalg.runtime.machine import Machine  # imports this module

        return self.compiled if self.compiled is not None else Machine(self)

    def kind(self, label: Event | str) -> ChannelKind:
        """The kind of a label's channel (τ and ✓ are internal).

        ``fail.c.v`` (docs/sagas.md) is the FAILURE of activity event ``c.v``:
        the engine fires it only when that activity's last attempt fails.
        """
        if isinstance(label, Event):
            channel = self.channels.get(label.channel)
            if channel is not None:
                return channel.kind
            failed = failed_activity(label)
            if failed is not None and self.kind(failed) is ChannelKind.ACTIVITY:
                return ChannelKind.FAILURE
        return ChannelKind.INTERNAL

    @cached_property
    def has_children(self) -> bool:
        """Whether the process starts child runs (read once: decide asks every step)."""
        return any(c.kind is ChannelKind.CHILD for c in self.channels.values())

    def activities(self) -> list[Channel]:
        """The activity channels the process can reach, by name."""
        reached = None if self.used is None else frozenset(self.used())
        return sorted((c for c in self.channels.values() if c.kind is ChannelKind.ACTIVITY
                       and (reached is None or c.name in reached)), key=lambda c: c.name)

    def declared_activities(self) -> list[Channel]:
        """Every activity channel, reached or not (:meth:`activities` searches), by name."""
        return sorted((c for c in self.channels.values() if c.kind is ChannelKind.ACTIVITY),
                      key=lambda c: c.name)
