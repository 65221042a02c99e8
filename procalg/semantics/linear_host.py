"""What the halves of a compiled machine ask of the machine they are part of.

:class:`~procalg.semantics.linear.Machine` is put together from mixins
(:class:`~procalg.semantics.linear_saga.SagaMoves`,
:class:`~procalg.semantics.linear_operators.OperatorMoves`), each compiling one
family of operators. They call back into the machine to number states, name
events and find moves; :class:`MachineHost` declares those calls once, so a
mixin read on its own says what it relies on (and type checkers see it).

Example:
    >>> from procalg.semantics.linear import Machine
    >>> Machine.successors is not MachineHost.successors
    True
"""

from __future__ import annotations

from typing import Any

from procalg.semantics.locations import Location
from procalg.terms import Event

Moves = list[tuple[str, int]]
"""A state's moves: ``(label, target state)`` pairs."""


class MachineHost:
    """The machine's own operations, implemented by :class:`~procalg.semantics.linear.Machine`
    (and :class:`~procalg.semantics.state_keys.StateKeys`)."""

    keys: list[Any]
    events: dict[str, Event]  # printed labels -> their events (empty: labels are events)

    def _state(self, node: Location, env: Any) -> int:
        """The state number of ``node`` in ``env``."""
        raise NotImplementedError

    def successors(self, state: int) -> Moves:
        """The moves of ``state``."""
        raise NotImplementedError

    def _name(self, event: Event) -> str:
        """The label of ``event``."""
        raise NotImplementedError

    def _end(self, which: str) -> int:
        """The state after ``which`` (✓ or a throw) ends the process."""
        raise NotImplementedError
