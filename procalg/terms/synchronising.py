"""FDR's synchronising operators: ``P [+ A +] Q`` and ``P /+ A +\\ Q``.

In the synchronising external choice the events of ``A`` are performed by
both sides together and leave the choice open; any other event (or ✓) of
one side resolves it, as ``[]`` does. The synchronising interrupt lets
``P`` run, with ``Q`` able to take over by an event outside ``A``, while
events of ``A`` need both (FDR manual, "Synchronising External Choice" and
"Synchronising Interrupt"; they give tock-CSP's timed choice and interrupt,
``A = {tock}``). The firing rules are in ``procalg.semantics.sos``.

Example:
    >>> from procalg.terms import Event, Prefix, STOP
    >>> a, t = Event("a"), Event("tock")
    >>> print(SyncChoice(Prefix(a, STOP), Prefix(t, STOP), frozenset({t})))
    a -> STOP [+ {tock} +] tock -> STOP
"""

from __future__ import annotations

from typing import ClassVar

from procalg.terms.process import Process, bracketed, term_class
from procalg.terms.values import Event, show


def _events(events: frozenset[Event]) -> str:
    return show(events)


@term_class
class SyncChoice(Process):
    """``left [+ sync +] right``: events of ``sync`` need both and keep the choice."""

    left: Process
    right: Process
    sync: frozenset[Event]
    precedence: ClassVar[int] = 6  # as []

    def show(self) -> str:
        return (f"{bracketed(self.left, self.precedence + 1)} [+ {_events(self.sync)} +] "
                f"{bracketed(self.right, self.precedence)}")


@term_class
class SyncInterrupt(Process):
    """``left /+ sync +\\ right``: ``right`` takes over by an event outside ``sync``."""

    left: Process
    right: Process
    sync: frozenset[Event]
    precedence: ClassVar[int] = 5  # as /\

    def show(self) -> str:
        return (f"{bracketed(self.left, self.precedence + 1)} /+ {_events(self.sync)} +\\ "
                f"{bracketed(self.right, self.precedence)}")

