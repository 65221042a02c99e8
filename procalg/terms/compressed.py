"""A state of an explicit, compressed LTS used as a process term.

CSPM's compression functions (``sbisim(P)``, ``wbisim(P)``, ...) explore a
process, reduce its LTS and go on with the result as a process. Such a
process is a :class:`Compressed` term: a table of moves shared by all its
states and the number of the current state. Its moves come from the table
(the SOS case in ``procalg.semantics.sos`` asks :meth:`Compressed.moves`).

Example:
    >>> from procalg.terms.values import Event
    >>> table = MoveTable("sbisim(P)", (((Event("a"), 1),), ()))
    >>> start = Compressed(table, 0)
    >>> [(str(l), str(t)) for l, t in start.moves()]
    [('a', 'sbisim(P)@1')]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from procalg.terms.process import OMEGA, Process, term_class

TICK = "✓"  # the label name of procalg.lts.TICK (terms do not import lts)


@dataclass(frozen=True, eq=False)
class MoveTable:
    """The moves of every state of a compressed process (compared by identity).

    Attributes:
        name: how the process was written, e.g. ``sbisim(P)``.
        moves: for each state, its ``(label, target state)`` pairs; labels are
            events, ``"τ"`` or ``"✓"``.
        graph: the same moves as a ``procalg.lts.LTS`` with label names, where
            the compression made one (a network leaf reads it without firing
            a term per state); ``None`` otherwise.
    """

    name: str
    moves: tuple[tuple[tuple[Any, int], ...], ...]
    graph: Any = None


@term_class
class Compressed(Process):
    """State ``state`` of the compressed process ``table`` (state 0 is its start)."""

    table: MoveTable
    state: int = 0

    def moves(self) -> list[tuple[Any, Process]]:
        """The firing rule: the table's moves; ✓ leads to Ω as everywhere."""
        return [(lab, OMEGA if lab == TICK else Compressed(self.table, dst))
                for lab, dst in self.table.moves[self.state]]

    def show(self) -> str:
        name = self.table.name
        return name if self.state == 0 else f"{name}@{self.state}"
