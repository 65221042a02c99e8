"""Breadth-first exploration of a :class:`TransitionSystem` into an :class:`LTS`.

Iterative (no recursion limit), with an optional state limit that stops
cleanly and says how far it got. States are numbered in BFS order, so state
0 is the initial state and a BFS parent tree gives shortest traces.

Complexity: O(S + T) successor calls and dictionary operations for S
states and T transitions.

Example:
    >>> class Counter:
    ...     def initial_state(self): return 0
    ...     def successors(self, n): return [("inc", (n + 1) % 3)]
    >>> lts = explore(Counter())
    >>> lts.num_states, lts.num_transitions
    (3, 3)
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from typing import Any

from procalg.errors import LimitExceeded
from procalg.lts.lts import LTS, TAU, TICK, TransitionSystem


class ExplicitSystem:
    """An :class:`LTS` seen as a :class:`TransitionSystem` (labels by name).

    Example:
        >>> lts = LTS.build(2, 0, ["a"], [(0, "a", 1)])
        >>> list(ExplicitSystem(lts).successors(0))
        [('a', 1)]
    """

    def __init__(self, lts: LTS) -> None:
        self.lts = lts

    def initial_state(self) -> int:
        return self.lts.initial

    def successors(self, state: int) -> Iterable[tuple[str, int]]:
        names = self.lts.labels
        return [(names[lab], dst) for lab, dst in self.lts.successors(state)]


def explore(
    system: TransitionSystem[Any],
    *,
    max_states: int | None = None,
    state_name: Callable[[Any], str] | None = None,
) -> LTS:
    """Explore every reachable state of ``system`` breadth-first.

    Args:
        system: what to explore.
        max_states: stop with :class:`LimitExceeded` when more states are found.
        state_name: if given, record ``state_name(state)`` for every state.

    Returns:
        The LTS, states numbered in discovery order (0 is initial).

    Raises:
        LimitExceeded: more than ``max_states`` states; says how far it got.
    """
    start = system.initial_state()
    index: dict[Any, int] = {start: 0}
    order: list[Any] = [start]
    labels: dict[str, int] = {TAU: 0, TICK: 1}
    src, lab, dst = array("i"), array("i"), array("i")
    head = 0
    while head < len(order):
        state = order[head]
        for label, target in system.successors(state):
            name = label if isinstance(label, str) else str(label)
            code = labels.get(name)
            if code is None:
                code = labels[name] = len(labels)
            number = index.get(target)
            if number is None:
                number = index[target] = len(order)
                order.append(target)
                if max_states is not None and len(order) > max_states:
                    raise LimitExceeded(
                        f"state limit reached: more than {max_states} states "
                        f"({head} fully explored, {len(src)} transitions so far)",
                        states=len(order) - 1,
                        transitions=len(src),
                        hint="raise --max-states, or make data types smaller",
                    )
            src.append(head)
            lab.append(code)
            dst.append(number)
        head += 1
    names = [state_name(s) for s in order] if state_name else None
    return LTS.from_arrays(len(order), 0, list(labels), src, lab, dst, state_names=names)
