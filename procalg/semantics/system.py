"""A process term as a :class:`~procalg.lts.TransitionSystem`, by the reference rules.

What ``Spec.system(term)`` gives for a loaded model (with the model's
diagnostics attached to errors), usable directly with hand-built terms in
tests, benchmarks and the engine.

Example:
    >>> from procalg.terms import Event, Prefix, STOP
    >>> ts = TermSystem(Prefix(Event("a"), STOP))
    >>> [(str(l), str(t)) for l, t in ts.successors(ts.initial_state())]
    [('a', 'STOP')]
"""

from __future__ import annotations

from procalg.semantics.sos import Label, Rules
from procalg.semantics.unfold import Unfold
from procalg.terms import Process


class TermSystem:
    """Initial state: the normalised term; successors: the memoised firing rules.

    Args:
        term: the initial process.
        unfold: gives a ``Call``'s body (None for terms without calls), or
            ready-made :class:`~procalg.semantics.sos.Rules` to share their cache.
    """

    def __init__(self, term: Process, unfold: Unfold | Rules | None = None) -> None:
        self.rules = unfold if isinstance(unfold, Rules) else Rules(unfold)
        self.term = term

    def initial_state(self) -> Process:
        return self.rules.normalise(self.term)

    def successors(self, state: Process) -> list[tuple[Label, Process]]:
        return self.rules.transitions(state)
