"""Firing rules of FDR's synchronising choice ``P [+ A +] Q`` and interrupt
``P /+ A +\\ Q`` (terms in :mod:`procalg.terms.synchronising`), called by
:func:`procalg.semantics.sos.fire` with the moves of both operands.

Example:
    >>> from procalg.terms import Event, Prefix, STOP
    >>> from procalg.terms.synchronising import SyncChoice
    >>> a, t = Event("a"), Event("tock")
    >>> term = SyncChoice(Prefix(t, STOP), Prefix(t, Prefix(a, STOP)), frozenset({t}))
    >>> [(str(label), str(target)) for label, target in
    ...  synchronising(term, [(t, STOP)], [(t, Prefix(a, STOP))])]
    [('tock', 'STOP [+ {tock} +] a -> STOP')]
"""

from __future__ import annotations

from procalg.lts import TAU, TICK
from procalg.terms import OMEGA, Process
from procalg.terms.synchronising import SyncChoice, SyncInterrupt
from procalg.terms.values import Label

Step = tuple[Label, Process]


def synchronising(term: SyncChoice | SyncInterrupt, left_moves: list[Step],
                  right_moves: list[Step]) -> list[Step]:
    """``P [+ A +] Q`` and ``P /+ A +\\ Q`` (FDR manual): τ of either side keeps the
    operator; an event of A needs both sides and keeps it; any other event or ✓ of
    the left resolves the choice (the interrupt: keeps it; ✓ ends it), of the right
    resolves both."""
    left, right, sync = term.left, term.right, term.sync
    keep = type(term)
    out: list[Step] = []
    for lab, p in left_moves:
        if type(lab) is str and lab == TAU:
            out.append((TAU, keep(p, right, sync)))
        elif lab in sync:
            out.extend((lab, keep(p, q, sync)) for lab2, q in right_moves if lab2 == lab)
        elif keep is SyncInterrupt and lab != TICK:
            out.append((lab, keep(p, right, sync)))
        else:
            out.append(_resolve(lab, p))
    for lab, q in right_moves:
        if type(lab) is str and lab == TAU:
            out.append((TAU, keep(left, q, sync)))
        elif lab not in sync:
            out.append(_resolve(lab, q))
    return out


def _resolve(label: Label, target: Process) -> Step:
    """A visible event keeps its target; ✓ always leads to Ω."""
    return (TICK, OMEGA) if type(label) is str and label == TICK else (label, target)
