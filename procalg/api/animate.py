"""Stepping through a process by hand, as LTSA's animator does (Magee and
Kramer, *Concurrency: State Models and Java Programs*, 2nd ed., ch. 2).

An :class:`Animation` keeps the path taken so far and offers the moves of
its last state, computed by the term-level rules (the oracle every engine
is tested against), so what a user steps through is the meaning itself.
The terminal front end is ``procalg step`` (:mod:`procalg.cli.step`).

Example:
    >>> from procalg.api.model import loads
    >>> anim = Animation.start(loads("channel a, b\\nP = a -> (b -> P [] a -> STOP)"), "P")
    >>> [m.label for m in anim.offers()]
    ['a']
    >>> anim = anim.take(0)
    >>> [m.label for m in anim.offers()]
    ['b', 'a']
    >>> anim.take_event("b").trace
    ('a', 'b')
    >>> anim.back().trace
    ()
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from procalg.api.model import Model
from procalg.errors import UsageError
from procalg.terms import show_process


@dataclass(frozen=True)
class Move:
    """One transition offered in the current state.

    Attributes:
        label: the event as the model writes it, or ``τ`` / ``✓``.
        target: the state it leads to (a term).
    """

    label: str
    target: Any

    @property
    def description(self) -> str:
        """The target state as a process term (to tell same-label moves apart)."""
        return show_process(self.target)


@dataclass(frozen=True)
class Animation:
    """The path walked so far through a process's transition system.

    Attributes:
        system: the process as a transition system over terms.
        states: the states visited, the current one last.
        trace: the labels taken, τ and ✓ included (one fewer than ``states``).
    """

    system: Any
    states: tuple[Any, ...]
    trace: tuple[str, ...] = ()

    @classmethod
    def start(cls, model: Model, process: str) -> Animation:
        """Begin at the initial state of ``process`` (a name or expression)."""
        system = model.system(process)
        return cls(system, (system.initial_state(),))

    @property
    def state(self) -> Any:
        """The current state."""
        return self.states[-1]

    def offers(self) -> list[Move]:
        """The moves of the current state, in the rules' order (empty: stuck or done)."""
        return [Move(str(label), target) for label, target in self.system.successors(self.state)]

    def take(self, index: int) -> Animation:
        """Follow move ``index`` (0-based) of :meth:`offers`."""
        moves = self.offers()
        if not 0 <= index < len(moves):
            raise UsageError(f"no move {index + 1}: the state offers {len(moves)}")
        move = moves[index]
        return Animation(self.system, (*self.states, move.target), (*self.trace, move.label))

    def take_event(self, label: str) -> Animation:
        """Follow the first move labelled ``label`` (``tau`` spells τ, ``tick`` ✓)."""
        label = {"tau": "τ", "tick": "✓"}.get(label, label)
        for index, move in enumerate(self.offers()):
            if move.label == label:
                return self.take(index)
        raise UsageError(f"{label} is not offered here")

    def back(self) -> Animation:
        """Undo the last move (at the start, stay there)."""
        if not self.trace:
            return self
        return Animation(self.system, self.states[:-1], self.trace[:-1])
