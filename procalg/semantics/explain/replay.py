"""Replaying a check's path through the terms, to find the states it passed.

A check reports a path of the whole system (labels, τ included). τ-steps
make a path ambiguous (``P |~| Q`` reaches two terms by τ), so the replay
is a breadth-first search over terms constrained by the labels, keeping
every candidate; the caller's ``accept`` picks the end state that shows
the failure (a deadlock, a refusal, a τ-cycle). If the exact path does not
replay (a check explored a different but equivalent system), the visible
trace is replayed weakly, τ* between events.

Complexity: O(P · d) for the P terms met along the path (d moves each);
the weak replay is bounded by ``max_terms``; a τ-cycle search is a BFS
over the τ-moves from one term.

Example:
    >>> from procalg.semantics.sos import Rules
    >>> from procalg.semantics.explain.components import Structure
    >>> from procalg.terms import Event, InternalChoice, Prefix, STOP
    >>> a, b = Event("a"), Event("b")
    >>> s = Structure(Rules(None))
    >>> term = InternalChoice(Prefix(a, STOP), Prefix(a, Prefix(b, STOP)))
    >>> path = strict(s.moves, term, ("τ", "a"), lambda t: not s.moves(t))
    >>> [(str(lab), str(t)) for lab, _, t in path]
    [('τ', 'a -> STOP'), ('a', 'STOP')]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

from procalg.errors import ProcalgError
from procalg.lts import TAU
from procalg.semantics.explain.components import Blame, Move
from procalg.semantics.sos import Label
from procalg.terms import Process

Moves = Callable[[Process], list[Move]]
Path = list[tuple[Label, Blame, Process]]
"""The steps of a replayed path: label, blame, and the term reached."""


def strict(moves: Moves, start: Process, path: Sequence[str],
           accept: Callable[[Process], bool]) -> Path | None:
    """Every term the exact labels reach, layer by layer; the first accepted end."""
    layers: list[dict[Process, tuple[Process, Label, Blame] | None]] = [{start: None}]
    for name in path:
        layer: dict[Process, tuple[Process, Label, Blame] | None] = {}
        for term in layers[-1]:
            for lab, target, blame in moves(term):
                if str(lab) == name and target not in layer:
                    layer[target] = (term, lab, blame)
        if not layer:
            return None
        layers.append(layer)
    ends = [t for t in layers[-1] if accept(t)]
    if not ends:
        return None
    found: Path = []
    term = ends[0]
    for layer in reversed(layers[1:]):
        prev, lab, blame = layer[term]  # type: ignore[misc]
        found.append((lab, blame, term))
        term = prev
    return found[::-1]


def weak(moves: Moves, start: Process, trace: Sequence[str],
         accept: Callable[[Process], bool], max_terms: int) -> Path:
    """Breadth-first over (term, position), τ anywhere; the first accepted end.

    Raises:
        ProcalgError: no path of the terms has this trace (within ``max_terms``).
    """
    parent: dict[tuple[Process, int], tuple[tuple[Process, int], Label, Blame] | None]
    parent = {(start, 0): None}
    queue = deque([(start, 0)])
    while queue and len(parent) <= max_terms:
        node = queue.popleft()
        term, pos = node
        if pos == len(trace) and accept(term):
            return _unwind(parent, node)
        for lab, target, blame in moves(term):
            step = 1 if pos < len(trace) and str(lab) == trace[pos] else 0
            if (step or lab == TAU) and (target, pos + step) not in parent:
                parent[(target, pos + step)] = (node, lab, blame)
                queue.append((target, pos + step))
    raise ProcalgError("cannot replay the counterexample through the process's terms",
                       hint="the check's path and the terms disagree; please report this")


def _unwind(parent: dict, node: tuple[Process, int]) -> Path:
    found: Path = []
    while parent[node] is not None:
        prev, lab, blame = parent[node]
        found.append((lab, blame, node[0]))
        node = prev
    return found[::-1]


def tau_cycle(moves: Moves, entry: Process) -> Path:
    """A shortest cycle of τ-moves from ``entry`` back to it (empty if none)."""
    parent: dict[Process, tuple[Process, Label, Blame] | None] = {}
    queue = deque([entry])
    while queue:
        term = queue.popleft()
        for lab, target, blame in moves(term):
            if lab != TAU:
                continue
            if target == entry:
                found: Path = [(lab, blame, target)]
                while term != entry:
                    prev, plab, pblame = parent[term]  # type: ignore[misc]
                    found.append((plab, pblame, term))
                    term = prev
                return found[::-1]
            if target not in parent:
                parent[target] = (term, lab, blame)
                queue.append(target)
    return []
