"""Rules that only loop, left out of a traces refinement's product.

A move that changes no component of the (implementation, normalised
specification) product leads back to the state it left: it adds no state and,
in the traces model, no trace the search could report (a refused event leads
the specification to its ``ERR`` node, a change). A rule all of whose parts are
self-loops in every local state, the specification's part included, is such a
move wherever it fires, so the search need not fire it at all: an xUML model's
attribute reads (``get!i!b -> Var(i, b)``, the reader's loop and the one-node
"anything but cannot_happen" specification) made three moves in four.

Not in the failures models (a loop is an event the state offers), nor with
priority (a loop may pre-empt other moves), nor for τ, ✓, Ω's loops or a held
model error's move (:mod:`procalg.lts.held`), which the search must see.

Complexity: O(T) over the components' transitions, once.

Example:
    >>> from procalg.lts.network import close, component, parallel
    >>> reader = LTS.build(2, 0, ["get", "set"], [(0, "get", 0), (0, "set", 1), (1, "get", 1)])
    >>> net, dropped = without_loops(close(component(reader)))
    >>> sorted(r.label for r in net.rules), dropped
    (['set'], 1)
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from procalg.lts.held import is_held
from procalg.lts.lts import LTS, TAU, TICK
from procalg.lts.network import DONE, Network
from procalg.lts.priority_scopes import needs_tags

_KEPT = frozenset({TAU, TICK, DONE})


def without_loops(net: Network) -> tuple[Network, int]:
    """``net`` without its rules whose every move is a self-loop of every part
    (see the module), and how many were left out."""
    if needs_tags(net):
        return net, 0
    only: dict[int, dict[str, bool]] = {}
    kept = tuple(r for r in net.rules if r.label in _KEPT or is_held(r.label)
                 or not all(_loops_only(net, c, a, only) for c, a in r.parts))
    if len(kept) == len(net.rules):
        return net, 0
    return replace(net, rules=kept), len(net.rules) - len(kept)


def _loops_only(net: Network, c: int, label: str, memo: dict[int, dict[str, bool]]) -> bool:
    """Every move of component ``c`` labelled ``label`` is a self-loop (a lazy
    component's moves are not known: no; one numbered as reached: its whole LTS's)."""
    if c not in memo:
        comp = net.components[c]
        lts = comp if isinstance(comp, LTS) else comp.whole
        memo[c] = {} if lts is None else _looping_labels(lts)
    return memo[c].get(label, False)


def _looping_labels(lts: LTS) -> dict[str, bool]:
    """Per label of ``lts``: all its moves are self-loops."""
    label = np.asarray(lts.label, dtype=np.int64)
    moving = np.zeros(len(lts.labels), dtype=bool)
    moving[label[np.asarray(lts.src) != np.asarray(lts.dst)]] = True
    return {name: not moving[i] for i, name in enumerate(lts.labels)}
