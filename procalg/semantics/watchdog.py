"""FDR's ``trace_watchdog(P, A, bark)``: a process that watches the events of
``A`` and performs ``bark`` as soon as they leave the traces of ``P``.

The watchdog transformation (Goldsmith, Moffat, Roscoe, Whitworth and
Zakiuddin, "Watchdog transformations for property-oriented model-checking",
FME 2003) turns the trace refinement ``P [T= Q`` into a reachability
question: ``Q [| A |] trace_watchdog(P, A, bark)`` can do ``bark`` exactly when
``Q`` has a trace (over ``A``) that ``P`` has not. The watchdog never
refuses an event of ``A``, so it never constrains ``Q``.

It is built from ``P``'s normal form (the subset construction over τ-closures,
as :class:`procalg.lts.normal.NormalForm` does; exponential in the worst
case): in a node, an event of ``A`` that ``P`` can do leads to the node after
it, and any other event of ``A`` leads to ``bark -> STOP``.

``failure_watchdog`` (the paper's failures version) is not built: its bark
must depend on what the watched process refuses, which needs FDR's own
priority set-up, and its meaning is not documented well enough to copy.

Example:
    >>> from procalg.api import loads
    >>> model = loads("channel a, b, bark\\nW = trace_watchdog(a -> STOP, {a, b}, bark)")
    >>> sorted(str(label) for label, _ in model.process("W").moves())
    ['a', 'b']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from procalg.errors import ModelError
from procalg.semantics.sos import Rules
from procalg.source import Span
from procalg.terms import OMEGA, Call, Event, Process, show_process, sort_key
from procalg.terms.compressed import Compressed, MoveTable

MAX_NODES = 200_000
"""Normal-form nodes a watchdog may have (a guard against a subset-construction blow-up)."""
TAU = "τ"


def trace_watchdog(term: Any, events: Any, bark: Any, unfold: Callable[[Call], Process],
                   span: Span | None = None) -> Compressed:
    """``trace_watchdog(term, events, bark)`` as an explicit process (module docstring).

    Raises:
        ModelError: the arguments are not a process, a set of events and an
            event, or the normal form has more than :data:`MAX_NODES` nodes.
    """
    if not isinstance(term, Process) or not isinstance(events, frozenset) \
            or type(bark) is not Event:
        raise ModelError("trace_watchdog needs a process, a set of events and an event",
                         span, hint="write trace_watchdog(P, A, bark) with bark an event")
    rules = Rules(unfold)
    watched = sorted(events, key=sort_key)

    def closure(states: set[Process]) -> frozenset[Process]:
        stack, seen = list(states), set(states)
        while stack:
            for label, target in rules.transitions(stack.pop()):
                if label == TAU and target not in seen:
                    seen.add(target)
                    stack.append(target)
        return frozenset(seen)

    start = closure({rules.normalise(term)})
    index: dict[frozenset[Process], int] = {start: 0}
    queue, rows = [start], []
    barking = -2  # placeholder: the bark state's index is known at the end
    while len(rows) < len(queue):
        after: dict[Any, set[Process]] = {}
        for state in queue[len(rows)]:
            for label, target in rules.transitions(state):
                if type(label) is Event and target is not OMEGA:
                    after.setdefault(label, set()).add(target)
        row = []
        for event in watched:
            if event not in after:
                row.append((event, barking))
                continue
            node = closure(after[event])
            if node not in index:
                if len(index) >= MAX_NODES:
                    raise ModelError(f"trace_watchdog({show_process(term)}) has more than "
                                     f"{MAX_NODES} normal-form nodes", span,
                                     hint="watch a smaller specification")
                index[node] = len(queue)
                queue.append(node)
            row.append((event, index[node]))
        rows.append(row)
    bark_at, stop_at = len(rows), len(rows) + 1
    moves = [tuple((e, bark_at if dst == barking else dst) for e, dst in row) for row in rows]
    moves += [((bark, stop_at),), ()]
    return Compressed(MoveTable(f"trace_watchdog({show_process(term)})", tuple(moves)), 0)
