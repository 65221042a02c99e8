"""The implementation side of a refinement check: lazy successors and divergence.

:class:`LazySystem` wraps an LTS or any TransitionSystem so labels are
names (τ for hidden labels) and each state's successors are computed once.
:class:`Divergence` answers "can this state perform τ forever?" with an
iterative Tarjan search (Tarjan 1972) over the τ-graph reachable from it,
memoised across calls, so a whole check costs O(states + τ-transitions);
the lasso a failing check shows is measured once, in the minimised graph.

Example:
    >>> from procalg.lts import LTS
    >>> lts = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "τ", 2), (2, "τ", 1)])
    >>> d = Divergence(LazySystem(lts))
    >>> d.diverges(0), d.diverges(1), d.lasso([1])  # 1 and 2 are one state minimised
    (False, True, (0, 1))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from procalg.lts import LTS, TAU, TransitionSystem
from procalg.lts.minimal_lasso import lasso_from
from procalg.lts.tau import effective_labels


class LazySystem:
    """Successors by label name, computed on first use and cached."""

    def __init__(self, system: LTS | TransitionSystem[Any]) -> None:
        self.cache: dict[Any, list[tuple[str, Any]]] = {}
        if isinstance(system, LTS):
            names = [system.labels[x] for x in effective_labels(system).tolist()]
            dst = system.dst.tolist()
            for s in range(system.num_states):
                span = system.out_range(s)
                self.cache[s] = [(names[i], dst[i]) for i in span]
            self.initial: Any = system.initial
            self._system: TransitionSystem[Any] | None = None
        else:
            self.initial = system.initial_state()
            self._system = system

    def successors(self, state: Any) -> list[tuple[str, Any]]:
        moves = self.cache.get(state)
        if moves is None:
            assert self._system is not None
            moves = [(x if isinstance(x, str) else str(x), t)
                     for x, t in self._system.successors(state)]
            self.cache[state] = moves
        return moves

    def tau_successors(self, state: Any) -> list[Any]:
        return [t for x, t in self.successors(state) if x == TAU]


class Divergence:
    """Memoised divergence of implementation states."""

    def __init__(self, system: LazySystem) -> None:
        self.system = system
        self.divergent: dict[Any, bool] = {}

    def diverges(self, state: Any) -> bool:
        """Whether ``state`` can do τ for ever (memoised Tarjan)."""
        if state not in self.divergent:
            self._tarjan(state)
        return self.divergent[state]

    def lasso(self, states: Sequence[Any]) -> tuple[int, int]:
        """The τ-lasso from the divergent ones of ``states``, counted in the graph
        minimised modulo strong bisimulation (:mod:`procalg.lts.minimal_lasso`):
        ``(τ-steps to the loop, length of the loop)``, the least pair."""
        lasso, _ = lasso_from(states, self.system.successors)
        return lasso.lead, lasso.loop

    def _tarjan(self, root: Any) -> None:
        index: dict[Any, int] = {root: 0}
        low = {root: 0}
        stack, on_stack = [root], {root}
        work = [(root, iter(self.system.tau_successors(root)))]
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w in self.divergent:
                    continue  # settled earlier: a leaf here
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(self.system.tau_successors(w))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                self._settle(v, stack, on_stack)

    def _settle(self, v: Any, stack: list[Any], on_stack: set[Any]) -> None:
        """Pop ``v``'s SCC; its successors' SCCs are settled already."""
        members = []
        while True:
            w = stack.pop()
            on_stack.discard(w)
            members.append(w)
            if w == v:
                break
        group = set(members)
        cyclic = len(members) > 1 or v in self.system.tau_successors(v)
        flag = cyclic or any(self.divergent.get(t, False)
                             for w in members for t in self.system.tau_successors(w)
                             if t not in group)
        for w in members:
            self.divergent[w] = flag
