"""A network's components reduced modulo strong bisimulation, each shape once.

The product stays strongly bisimilar (strong bisimilarity is a congruence for
parallel, hiding and renaming), usually with fewer states. Lazy components
stay as they are (the whole LTS of one numbered as reached is reduced:
:mod:`procalg.lts.numbered`). ``DONE`` loops keep Ω apart from STOP.

A replicated process's leaves differ in their labels' names only (a token
ring's 32 stations: the same four states and moves, each station's own
events): the quotient depends on the moves' arrays and which labels are τ, not
on the names, so it is computed once per distinct (states, initial state,
sources, effective labels, targets) and given each leaf's own names.

Complexity: one Paige–Tarjan partition (O(m log n)) per distinct shape, O(m)
per component to key it.

Example:
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component, parallel
    >>> a = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "a", 2), (2, "a", 1)])
    >>> b = LTS.build(3, 0, ["b"], [(0, "b", 1), (1, "b", 2), (2, "b", 1)])
    >>> net = reduced_components(close(parallel(component(a), component(b), set())))
    >>> [(c.num_states, c.labels[2]) for c in net.components]
    [(1, 'a'), (1, 'b')]
"""

from __future__ import annotations

from dataclasses import replace

from procalg.lts.lazy import LazyComponent
from procalg.lts.lts import LTS
from procalg.lts.network import Network
from procalg.lts.numbered import reduced
from procalg.lts.partition import Bisimulation, minimize
from procalg.lts.tau import effective_labels


def reduced_components(net: Network) -> Network:
    """``net`` with every component replaced by its strong-bisimulation quotient."""
    quotients: dict[tuple, LTS] = {}

    def strong(lts: LTS) -> LTS:
        key = (lts.num_states, lts.initial, len(lts.labels), lts.src.tobytes(),
               effective_labels(lts).tobytes(), lts.dst.tobytes())
        found = quotients.get(key)
        if found is None:
            found = quotients[key] = minimize(lts, Bisimulation.STRONG)
            return found
        return replace(found, labels=lts.labels)  # the same moves, this leaf's names

    comps = tuple(strong(c) if isinstance(c, LTS) else reduced(c, strong)
                  for c in net.components)
    before = sum(_whole(c).num_states for c in net.components if _whole(c) is not None)
    after = sum(_whole(c).num_states for c in comps if _whole(c) is not None)
    note = f"components reduced modulo strong bisimulation: {before} -> {after} local states"
    return replace(net, components=comps, notes=(*net.notes, note))


def _whole(comp: LTS | LazyComponent) -> LTS | None:
    """A component's whole LTS: itself, or that of a leaf numbered as reached."""
    return comp if isinstance(comp, LTS) else comp.whole
