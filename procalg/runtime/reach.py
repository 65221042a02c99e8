"""Where a run may still go: whether a position it may reach offers an event.

An update a run can never take is rejected at once (:mod:`~procalg.runtime.updates`),
and a cancel request it can never take is refused rather than left pending for ever
(:mod:`~procalg.runtime.cancel`, a discarded child in :mod:`~procalg.runtime.children`).
The search walks the run's compiled machine (shared with its model's other runs)
depth-first from the run's state, each state once: O(states + moves) up to
:data:`REACH` states.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.api.workflow import workflow
    >>> from procalg.runtime.decide import RunState
    >>> from procalg.terms.values import Event
    >>> state = RunState.initial(workflow(loads("signal a, b, c\\nP = a -> b -> SKIP"), "P"))
    >>> reaches(state, Event("b")), reaches(state, Event("c"))
    (True, False)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procalg.runtime.decide import RunState
    from procalg.terms.values import Event

REACH = 5_000
"""States searched at most; past that an event is assumed reachable (an update's
timeout still bounds its wait; a cancel request then stays pending)."""


def reaches(state: RunState, event: Event) -> bool:
    """Whether a position the run may reach from its own offers ``event``: a search of
    the model's states (the run's machine, shared with its other runs), at most
    :data:`REACH` of them; past that it is assumed to."""
    machine = state.machine
    seen, todo = {state.sid}, [state.sid]
    while todo:
        found = machine.node(todo.pop()).targets
        if event in found:
            return True
        for sids in found.values():
            for sid in sids:
                if sid not in seen:
                    if len(seen) >= REACH:
                        return True
                    seen.add(sid)
                    todo.append(sid)
    return False
