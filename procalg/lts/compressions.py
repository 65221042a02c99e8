"""The reductions behind CSPM's compression functions, LTS to LTS.

Each takes an explored LTS and gives one that the compressed process is
(FDR manual, "Compression"; Roscoe, *Understanding Concurrent Systems*,
ch. 16); :mod:`procalg.semantics.compress` explores the operand and wraps
the result. See that module for what each keeps.

Example:
    >>> lts = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)])
    >>> REDUCTIONS["sbisim"](lts).num_states
    1
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from procalg.lts.lts import LTS, TAU, TAU_INDEX, TICK, TICK_INDEX
from procalg.lts.normal import NormalForm
from procalg.lts.partition import Bisimulation, bfs_renumber, minimize
from procalg.lts.tau import collapse_tau_sccs, effective_labels, is_divergent, tau_closure


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
    if _deterministic(lts):  # every node one state, offering its initials
        dst = np.where(lts.label == TICK_INDEX, lts.src, lts.dst)
        return bfs_renumber(LTS.from_arrays(lts.num_states, lts.initial, lts.labels,
                                            lts.src, lts.label, dst))
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
        after = {e: state_of(d) for e, d in sorted(nf.afters(node).items()) if e != TICK}
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
    codes = {name: code for code, name in enumerate(lts.labels)}
    src, lab, dst = zip(*rows, strict=True) if rows else ((), (), ())
    return LTS.from_arrays(count, 0, lts.labels, src, [codes[e] for e in lab], dst)


_TICK_ONLY = frozenset({TICK_INDEX})


def _deterministic(lts: LTS) -> bool:
    """No τ, at most one move per label from a state, ✓ never beside another move: the
    normal form is ``lts`` itself (Roscoe, *UCS* §16.1), but for ✓'s target.

    Example:
        >>> _deterministic(LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)]))
        True
        >>> _deterministic(LTS.build(2, 0, ["a"], [(0, "a", 1), (0, "a", 0)]))
        False
    """
    labels = effective_labels(lts).astype(np.int64)
    if (labels == TAU_INDEX).any():
        return False
    keys = np.sort(lts.src.astype(np.int64) * len(lts.labels) + labels)
    if (keys[1:] == keys[:-1]).any():
        return False
    ticking = lts.src[labels == TICK_INDEX]
    moves = np.bincount(lts.src, minlength=lts.num_states)
    return bool((moves[ticking] == 1).all())


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
    moves: list[list[tuple[int, int]]] = [[] for _ in range(dag.num_states)]
    stable = [True] * dag.num_states
    for s, a, d in zip(dag.src.tolist(), effective_labels(dag).tolist(), dag.dst.tolist(),
                       strict=True):
        if a == TAU_INDEX:
            stable[s] = False
        else:
            moves[s].append((a, d))
    offered = [frozenset(x for x, _ in m) for m in moves]
    src: list[int] = []
    lab: list[int] = []
    dst: list[int] = []

    def move(s: int, a: int, d: int) -> None:
        src.append(s)
        lab.append(a)
        dst.append(d)

    number: dict[int, int] = {dag.initial: 0}
    todo, count = [dag.initial], 1
    while todo:
        node = todo.pop()
        me, initials, offers, after = number[node], set(), set(), {}
        for s in closure[node]:
            events = offered[s]
            initials |= events
            if TICK_INDEX in events or stable[s]:
                offers.add(_TICK_ONLY if TICK_INDEX in events else events)
            for x, d in moves[s]:
                after.setdefault(x, set()).add(d)
        targets: dict[int, list[int]] = {}
        for x, found in sorted(after.items()):
            if x == TICK_INDEX:
                continue
            least = sorted(found) if len(found) == 1 else [
                d for d in sorted(found) if not any(o != d and d in closure[o] for o in found)]
            for d in least:
                if d not in number:
                    number[d], count = count, count + 1
                    todo.append(d)
            targets[x] = [number[d] for d in least]
            for d in targets[x]:
                move(me, x, d)
        minimal = [a for a in offers if not any(b < a for b in offers)]
        if TICK_INDEX in initials:
            move(me, TICK_INDEX, me)  # never taken twice: ✓ leads to Ω
        if divergent[node]:
            move(me, TAU_INDEX, me)
        if divergent[node] or len(minimal) != 1 or minimal[0] != initials:
            for acc in sorted(minimal, key=sorted):
                move(me, TAU_INDEX, count)
                for x in sorted(acc):
                    if x == TICK_INDEX:
                        move(count, TICK_INDEX, count)
                    else:
                        for d in targets[x]:
                            move(count, x, d)
                count += 1
    return LTS.from_arrays(count, 0, dag.labels, src, lab, dst)


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


__all__ = ["REDUCTIONS", "diamond_lts", "normal_lts"]
