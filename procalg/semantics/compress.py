"""CSPM's compression functions: explore a process, reduce it, go on with the result.

``sbisim(P)``, ``wbisim(P)``, ``tau_loop_factor(P)``, ``normal(P)`` and
``explicate(P)`` in a model evaluate ``P`` to its LTS (by the firing rules),
reduce it, and wrap the result as a :class:`~procalg.terms.compressed.Compressed`
term, whose moves come from the reduced LTS. Reductions (FDR manual,
"Compression"; Roscoe, *Understanding Concurrent Systems*, ch. 16):

- ``explicate``: the LTS as explored, no reduction;
- ``sbisim``: the strong bisimulation quotient (:func:`procalg.lts.partition.minimize`,
  signature refinement, O(n · m) worst case); preserves every CSP model;
- ``wbisim``: the weak bisimulation quotient; divergence-blind (a τ-loop
  disappears), so it preserves traces and stable failures, not divergences;
- ``tau_loop_factor``: every τ-SCC merged into one state, which keeps a
  τ-self-loop when the SCC had a cycle (so divergence is kept), O(n + m);
- ``normal``: the normal form (subset construction over τ-closures,
  :class:`procalg.lts.normal.NormalForm`, exponential in the worst case):
  a state per normal node, with a τ to one stable state per minimal
  acceptance and a τ-loop on divergent nodes; failures-divergences equivalent
  to ``P``, and deterministic where ``P`` is.

Example:
    >>> from procalg.api import loads
    >>> model = loads("channel a\\nP = a -> a -> P\\nQ = sbisim(P)")
    >>> model.lts("P").num_states, model.lts("Q").num_states
    (2, 1)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from procalg.errors import LimitExceeded, ModelError
from procalg.lts import LTS, TAU, TICK, explore
from procalg.lts.normal import NormalForm
from procalg.lts.partition import bfs_renumber, minimize
from procalg.lts.tau import collapse_tau_sccs, effective_labels
from procalg.semantics.sos import Rules
from procalg.source import Span
from procalg.terms import Call, Process, show_process
from procalg.terms.compressed import Compressed, MoveTable

MAX_STATES = 2_000_000
"""Exploration limit for a compressed process (a guard against infinite ones)."""


def _tau_loop_factor(lts: LTS) -> LTS:
    collapsed, comp = collapse_tau_sccs(lts)
    labels = effective_labels(lts)
    loops = np.unique(comp[lts.src[(labels == 0) & (comp[lts.src] == comp[lts.dst])]])
    if not len(loops):
        return bfs_renumber(collapsed)
    src = np.concatenate([collapsed.src, loops])
    lab = np.concatenate([collapsed.label, np.zeros(len(loops), dtype=np.int64)])
    dst = np.concatenate([collapsed.dst, loops])
    return bfs_renumber(LTS.from_arrays(collapsed.num_states, collapsed.initial,
                                        collapsed.labels, src, lab, dst))


def normal_lts(lts: LTS) -> LTS:
    """The normal form of ``lts`` as an LTS (see the module notes).

    Example:
        >>> p = LTS.build(3, 0, ["a", "b"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 1), (2, "b", 2)])
        >>> n = normal_lts(p)
        >>> n.num_states, sorted({lab for _, lab, _ in n.triples()})
        (5, ['a', 'b', 'τ'])
    """
    nf = NormalForm(lts)
    rows: list[tuple[int, str, int]] = []
    stable: dict[tuple[int, frozenset[str]], int] = {}
    count, seen, todo = 1, {nf.root: 0}, [nf.root]

    def state_of(node: int) -> int:
        nonlocal count
        if node not in seen:
            seen[node], count = count, count + 1
            todo.append(node)
        return seen[node]

    while todo:
        node = todo.pop()
        info, me = nf.node(node), seen[node]
        after = {e: state_of(nf.after(node, e)) for e in sorted(info.initials) if e != TICK}
        single = len(info.acceptances) == 1 and info.acceptances[0] == info.initials
        if info.divergent:
            rows.append((me, TAU, me))
        if single and not info.divergent:
            rows += [(me, e, d) for e, d in after.items()]
            if TICK in info.initials:
                rows.append((me, TICK, me))  # never taken twice: ✓ leads to Ω
            continue
        rows += [(me, e, d) for e, d in after.items()]
        if TICK in info.initials:
            rows.append((me, TICK, me))
        for acc in info.acceptances:
            key = (node, acc)
            if key not in stable:
                stable[key], count = count, count + 1
                rows += [(stable[key], e, after[e] if e != TICK else stable[key])
                         for e in sorted(acc)]
            rows.append((me, TAU, stable[key]))
    return LTS.build(count, 0, [], rows)


REDUCTIONS: dict[str, Callable[[LTS], LTS]] = {
    "explicate": lambda lts: lts,
    "sbisim": lambda lts: minimize(lts, "strong"),
    "wbisim": lambda lts: minimize(lts, "weak"),
    "tau_loop_factor": _tau_loop_factor,
    "normal": normal_lts,
    "normalise": normal_lts,
}
"""The compression functions by their CSPM names."""


class _Recorder:
    """The firing rules as a transition system, remembering each label's object."""

    def __init__(self, rules: Rules, term: Process) -> None:
        self.rules, self.term = rules, term
        self.labels: dict[str, Any] = {TAU: TAU, TICK: TICK}

    def initial_state(self) -> Process:
        return self.rules.normalise(self.term)

    def successors(self, state: Process) -> list[tuple[Any, Process]]:
        moves = self.rules.transitions(state)
        for lab, _ in moves:
            self.labels.setdefault(str(lab), lab)
        return moves


def compress(name: str, term: Process, unfold: Callable[[Call], Process],
             span: Span | None = None) -> Compressed:
    """``name(term)``: explore, reduce by :data:`REDUCTIONS` ``[name]``, wrap.

    Raises:
        ModelError: the argument is not a process, or it has too many states.
    """
    if not isinstance(term, Process):
        raise ModelError(f"{name} needs a process, got {term!r}", span,
                         hint=f"write {name}(P) with P a process")
    recorder = _Recorder(Rules(unfold), term)
    try:
        lts = explore(recorder, max_states=MAX_STATES)
    except LimitExceeded as err:
        raise ModelError(f"{name}({show_process(term)}) has more than {MAX_STATES} states",
                         span, hint="compress a smaller part of the model") from err
    reduced = REDUCTIONS[name](lts)
    labels = effective_labels(reduced)
    moves = [[] for _ in range(reduced.num_states)]
    for s, lab, d in zip(reduced.src.tolist(), labels.tolist(), reduced.dst.tolist(),
                         strict=True):
        moves[s].append((recorder.labels[reduced.labels[lab]], d))
    table = MoveTable(f"{name}({show_process(term)})", tuple(tuple(m) for m in moves))
    return Compressed(table, reduced.initial)


__all__ = ["REDUCTIONS", "compress", "normal_lts"]
