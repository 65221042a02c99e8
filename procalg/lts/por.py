"""Partial-order reduction for deadlock search: stubborn sets on a network.

Valmari's deadlock-preserving stubborn sets ("Stubborn sets for reduced
state space generation", Advances in Petri Nets 1990), with the network's
synchronisation rules as the transitions. At a state, a set T of rules is
stubborn when

* for an *enabled* rule in T, every rule sharing a component with it is in
  T (nothing outside T can disable it or fail to commute with it), and
* for a *disabled* rule in T, every rule moving one component that blocks it
  is in T (nothing outside T can enable it),

and T holds an enabled rule. Exploring only the enabled rules of T from
every state reaches every deadlock of the full product (the verdict is
exact); traces stay real but need not be shortest. Several seeds are tried
per state and the set with the fewest enabled rules wins.

Cost: the enabledness of every rule is computed in bulk per batch; the
closure is a Python loop per state, O(rules + shared pairs), which pays off
because far fewer states are visited.

Example:
    >>> from procalg.lts import LTS
    >>> from procalg.lts.network import close, component, parallel
    >>> p = LTS.build(2, 0, ["a"], [(0, "a", 1)])
    >>> q = LTS.build(2, 0, ["b"], [(0, "b", 1)])
    >>> net = close(parallel(component(p), component(q), set()))
    >>> from procalg.checks.deadlock import deadlock_goal  # the property, in its home
    >>> from procalg.lts.product import find_path
    >>> full, reduced = find_path(net, deadlock_goal), find_path(net, deadlock_goal, por=True)
    >>> full.found, reduced.found, full.states, reduced.states
    (True, True, 4, 3)
"""

from __future__ import annotations

import numpy as np

from procalg.lts.vectors import Tables, fire_factors

SEEDS = 16
"""Enabled rules tried as seeds per state."""


class Stubborn:
    """Successors restricted to a stubborn set per state (same interface as
    :meth:`Tables.successors`)."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        net = tables.network
        self.rules = [tables.rule_factors(r) for r in net.rules]
        comps = [sorted(c for c, _ in r.parts) for r in net.rules]
        by_comp: dict[int, set[int]] = {}
        for i, cs in enumerate(comps):
            for c in cs:
                by_comp.setdefault(c, set()).add(i)
        self.comps = comps
        self.by_comp = {c: sorted(rs) for c, rs in by_comp.items()}
        self.neighbours = [sorted(set().union(*(by_comp[c] for c in cs))) for cs in comps]

    def successors(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        layout = self.tables.layout  # read per call: lazy components may widen it
        codes = layout.cast(codes)
        locs = layout.decode(codes, self.tables.moving)
        blocked = []  # per rule: per state, the first blocking component or -1
        for factors, cs in zip(self.rules, self.comps, strict=True):
            first = np.full(len(codes), -1, dtype=np.int64)
            for f, c in reversed(list(zip(factors, cs, strict=True))):
                first[f.counts(locs)[0] == 0] = c
            blocked.append(first.tolist())
        chosen: list[list[int]] = [[] for _ in self.rules]
        for s in range(len(codes)):
            for r in self._stubborn([b[s] for b in blocked]):
                chosen[r].append(s)
        parts = []
        for r, states in enumerate(chosen):
            if states:
                idx = np.array(states, dtype=np.int64)
                sub = {c: a[idx] for c, a in locs.items()}
                src, dst, lab = fire_factors(self.rules[r], codes[idx], sub, layout)
                parts.append((idx[src], dst, lab))
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, np.zeros(0, layout.dtype), np.zeros(0, dtype=np.int32)
        return tuple(np.concatenate(x) for x in zip(*parts, strict=True))  # type: ignore[return-value]

    def _stubborn(self, block: list[int]) -> list[int]:
        """The enabled rules of the best stubborn set at one state."""
        enabled = [r for r, b in enumerate(block) if b < 0]
        best: list[int] = enabled
        for seed in enabled[:SEEDS]:
            inside = {seed}
            todo = [seed]
            while todo and len(inside) < len(block):
                r = todo.pop()
                more = self.neighbours[r] if block[r] < 0 else self.by_comp[block[r]]
                for t in more:
                    if t not in inside:
                        inside.add(t)
                        todo.append(t)
            mine = [r for r in inside if block[r] < 0]
            if len(mine) < len(best):
                best = mine
            if len(best) == 1:
                break
        return best
