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
  to ``P``, and deterministic where ``P`` is;
- ``diamond``: diamond elimination (:func:`diamond_lts`): τ-free but for the
  τ-steps that encode refusals and divergence; failures-divergences
  equivalent to ``P``.

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
from procalg.lts.partition import Bisimulation, bfs_renumber, minimize
from procalg.lts.tau import collapse_tau_sccs, effective_labels, is_divergent, tau_closure
from procalg.semantics.deep import with_room
from procalg.semantics.sos import Rules
from procalg.source import Span
from procalg.terms import Call, Process, show_process
from procalg.terms.compressed import Compressed, MoveTable
from procalg.terms.renaming import Renaming

MAX_STATES = 2_000_000
"""Exploration limit for a compressed process (a guard against infinite ones)."""

LOSSLESS_BUDGET = 20_000
"""States explored for a compression that keeps strong bisimulation before it is given up.

``sbisim(P)`` and ``explicate(P)`` are strongly bisimilar to ``P``, so every
check answers the same on ``P`` itself: compressing only pays where ``P`` is
small. Generated models (RoboChart's ``dbisim`` around each node) compress
leaves whose inputs range over wide types, which in isolation have millions
of states but, beside their partners, reach a few; beyond this budget the
argument is kept as it is and the engines explore it where it is used (the
product engine reduces its components modulo strong bisimulation anyway)."""

LOSSLESS = frozenset({"sbisim", "explicate"})
"""The compressions whose result is strongly bisimilar to their argument."""


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


def diamond_lts(lts: LTS) -> LTS:
    """Diamond elimination (FDR2 manual, section 5.2.2.2; Roscoe et al., *Hierarchical
    compression for model-checking CSP*, TACAS 1995; Roscoe, *Understanding
    Concurrent Systems*, ch. 16).

    First every τ-SCC is merged (so τ-reachability is a partial order), a
    merged state with a τ-cycle being *divergent*. Then, from the initial
    state, a search keeps only these nodes: a node ``N`` stands for its
    τ-closure ``τ*(N)``; it is divergent if a member is; its minimal
    acceptances are those of the members that are stable (or ``{✓}`` for a
    member that can terminate); for each event ``a`` some member can do, ``N
    --a--> M`` for each ``M`` in ``min(N after a)``, the targets of ``a`` from
    ``τ*(N)`` that are not τ-reachable from another such target (the others
    are covered by the closure of a minimal one). Only these minimal targets
    are explored, which removes the "diamonds" of interleaved τ-steps.

    The result is a node-labelled LTS; here it is encoded as a plain LTS the
    same way as :func:`normal_lts`: a node whose one minimal acceptance is
    its set of initials keeps only its visible moves; otherwise it also has
    a τ to one stable state per minimal acceptance (offering that set, to
    the same targets), and a divergent node a τ-self-loop. So the result is
    failures-divergences equivalent to ``lts``, and τ-free except for these
    encoding τ-steps.

    Complexity: O(n + m) for the SCCs, O(n²) for the τ-closures (as
    :func:`~procalg.lts.tau.tau_closure`), and per kept node O(|τ*(N)| · d)
    for its moves plus O(k²) set look-ups to pick the k minimal targets.

    Example:
        >>> p = LTS.build(4, 0, ["a", "b"], [(0, "τ", 1), (0, "b", 2), (1, "b", 3),
        ...                                  (2, "τ", 3)])
        >>> d = diamond_lts(p)   # (a -> STOP ||| b -> STOP) \\ {a}: b -> STOP
        >>> d.num_states, list(d.triples())
        (2, [(0, 'b', 1)])
    """
    dag, comp = collapse_tau_sccs(lts)
    divergent = np.zeros(dag.num_states, dtype=bool)
    divergent[comp[is_divergent(lts)]] = True
    closure = tau_closure(dag)
    moves: list[list[tuple[str, int]]] = [[] for _ in range(dag.num_states)]
    stable = [True] * dag.num_states
    for s, a, d in dag.triples():
        if a == TAU:
            stable[s] = False
        else:
            moves[s].append((a, d))
    rows: list[tuple[int, str, int]] = []
    number: dict[int, int] = {dag.initial: 0}
    todo, count = [dag.initial], 1
    while todo:
        node = todo.pop()
        me, initials, offers, after = number[node], set(), set(), {}
        for s in closure[node]:
            events = frozenset(x for x, _ in moves[s])
            initials |= events
            if TICK in events or stable[s]:
                offers.add(frozenset({TICK}) if TICK in events else events)
            for x, d in moves[s]:
                after.setdefault(x, set()).add(d)
        targets: dict[str, list[int]] = {}
        for x, found in sorted(after.items()):
            if x == TICK:
                continue
            least = [d for d in sorted(found)
                     if not any(o != d and d in closure[o] for o in found)]
            for d in least:
                if d not in number:
                    number[d], count = count, count + 1
                    todo.append(d)
            targets[x] = [number[d] for d in least]
        minimal = [a for a in offers if not any(b < a for b in offers)]
        rows += [(me, x, d) for x, ds in targets.items() for d in ds]
        if TICK in initials:
            rows.append((me, TICK, me))  # never taken twice: ✓ leads to Ω
        if divergent[node]:
            rows.append((me, TAU, me))
        if divergent[node] or len(minimal) != 1 or minimal[0] != initials:
            for acc in sorted(minimal, key=sorted):
                rows.append((me, TAU, count))
                rows += [(count, x, d) for x in sorted(acc) if x != TICK
                         for d in targets[x]]
                rows += [(count, TICK, count)] if TICK in acc else []
                count += 1
    return LTS.build(count, 0, [], rows)


REDUCTIONS: dict[str, Callable[[LTS], LTS]] = {
    "explicate": lambda lts: lts,
    "sbisim": lambda lts: minimize(lts, Bisimulation.STRONG),
    "wbisim": lambda lts: minimize(lts, Bisimulation.WEAK),
    "tau_loop_factor": _tau_loop_factor,
    "normal": normal_lts,
    "normalise": normal_lts,
    "diamond": diamond_lts,
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
             span: Span | None = None) -> Process:
    """``name(term)``: explore, reduce by :data:`REDUCTIONS` ``[name]``, wrap.

    A lossless compression (:data:`LOSSLESS`) of a process with more than
    :data:`LOSSLESS_BUDGET` states is ``term`` itself: the same process up to
    strong bisimulation, explored only where it is used.

    Raises:
        ModelError: the argument is not a process, or it has too many states.

    Example:
        >>> from procalg.terms import Event, Prefix, STOP
        >>> compress("sbisim", Prefix(Event("a"), STOP), None).table.moves
        (((Event(channel='a', fields=()), 1),), ())
    """
    if not isinstance(term, Process):
        raise ModelError(f"{name} needs a process, got {term!r}", span,
                         hint=f"write {name}(P) with P a process")
    recorder = _Recorder(Rules(unfold), term)
    limit = LOSSLESS_BUDGET if name in LOSSLESS else MAX_STATES
    try:  # nested compressions (one per level of a recursive definition) go deep
        lts = with_room(lambda: explore(recorder, max_states=limit))
    except LimitExceeded as err:
        if name in LOSSLESS:
            return term
        raise ModelError(f"{name}({show_process(term)}) has more than {MAX_STATES} states",
                         span, hint="compress a smaller part of the model") from err
    reduced = REDUCTIONS[name](lts)
    labels = effective_labels(reduced)
    moves = [[] for _ in range(reduced.num_states)]
    for s, lab, d in zip(reduced.src.tolist(), labels.tolist(), reduced.dst.tolist(),
                         strict=True):
        moves[s].append((recorder.labels[reduced.labels[lab]], d))
    table = MoveTable(f"{name}({_shown(term)})", tuple(tuple(m) for m in moves))
    return Compressed(table, reduced.initial)


NAMED_EVENTS = 64
"""A compressed process is named by its argument as written while the argument's
event sets (renamings, hiding, synchronisation) hold at most this many events."""


def _shown(term: Process) -> str:
    """``term`` as written, or its operator alone when its event sets are large:
    printing sorts every set, and a generated model compresses hundreds of
    terms that rename or hide channels of hundreds of thousands of events.

    Example:
        >>> from procalg.terms import Event, Hide, Prefix, STOP
        >>> _shown(Hide(Prefix(Event("a"), STOP), frozenset({Event("a")})))
        'a -> STOP \\\\ {a}'
        >>> _shown(Hide(STOP, frozenset(Event("c", (i,)) for i in range(100))))
        'Hide(…)'
    """
    budget, todo = NAMED_EVENTS, [term]
    while todo and budget >= 0:
        node = todo.pop()
        for field in getattr(type(node), "__slots__", ()):
            value = getattr(node, field, None)
            if isinstance(value, Process):
                todo.append(value)
            elif isinstance(value, frozenset | Renaming):  # a renaming: its pairs and rules
                budget -= len(value)
    return show_process(term) if budget >= 0 else f"{type(term).__name__}(…)"


__all__ = ["REDUCTIONS", "compress", "diamond_lts", "normal_lts"]
