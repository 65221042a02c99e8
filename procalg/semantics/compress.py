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

from collections import abc
from collections.abc import Callable
from typing import Any

import numpy as np

from procalg.errors import LimitExceeded, ModelError
from procalg.lts import LTS, TAU, TAU_INDEX, TICK, TICK_INDEX, explore
from procalg.lts.normal import NormalForm
from procalg.lts.partition import Bisimulation, bfs_renumber, minimize
from procalg.lts.tau import collapse_tau_sccs, effective_labels, is_divergent, tau_closure
from procalg.semantics.compiled_operand import operand_lts
from procalg.semantics.deep import with_room
from procalg.semantics.sos import Rules
from procalg.source import Span
from procalg.terms import Call, Process, show_process
from procalg.terms.compressed import Compressed, MoveTable

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
    return LTS.build(count, 0, [], rows)


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
             span: Span | None = None, *, evaluator: Any = None) -> Process:
    """``name(term)``: explore, reduce by :data:`REDUCTIONS` ``[name]``, wrap.

    With the model's ``evaluator`` the operand is explored by the compiled
    engines where they apply (:func:`~procalg.semantics.compiled_operand.operand_lts`,
    as FDR compresses the compiled LTS), else by the term rules.
    A lossless compression (:data:`LOSSLESS`) of a process with more than
    :data:`LOSSLESS_BUDGET` states is ``term`` itself: the same process up to
    strong bisimulation, explored only where it is used.

    Raises:
        ModelError: the argument is not a process, or it has too many states.

    Example:
        >>> from procalg.terms import Event, Prefix, STOP
        >>> tuple(compress("sbisim", Prefix(Event("a"), STOP), None).table.moves)
        (((Event(channel='a', fields=()), 1),), ())
    """
    if not isinstance(term, Process):
        raise ModelError(f"{name} needs a process, got {term!r}", span,
                         hint=f"write {name}(P) with P a process")
    limit = LOSSLESS_BUDGET if name in LOSSLESS else MAX_STATES
    try:  # nested compressions (one per level of a recursive definition) go deep
        lts, events = with_room(lambda: _explored(term, unfold, evaluator, limit))
    except LimitExceeded as err:
        if name in LOSSLESS:
            return term
        raise ModelError(f"{name}({show_process(term)}) has more than {MAX_STATES} states",
                         span, hint="compress a smaller part of the model") from err
    reduced = REDUCTIONS[name](lts)
    if name in PRESERVING_STRONG:  # FDR's normal form is minimal too: fewer states onward
        reduced = minimize(reduced, Bisimulation.STRONG)
    return wrap(f"{name}({_shown(term)})", reduced,
                {label: events[code] for code, label in enumerate(lts.labels)})


class _Rows(abc.Sequence):
    """A compressed process's table of moves, made from its LTS when first read: a
    network reads the LTS (``MoveTable.graph``), only the term rules read these."""

    def __init__(self, lts: LTS, events: dict[str, Any]) -> None:
        self._lts, self._events = lts, events
        self._rows: tuple | None = None

    def _table(self) -> tuple:
        if self._rows is None:
            lts, events = self._lts, self._events
            moves: list[list[tuple[Any, int]]] = [[] for _ in range(lts.num_states)]
            for s, lab, d in zip(lts.src.tolist(), effective_labels(lts).tolist(),
                                 lts.dst.tolist(), strict=True):
                moves[s].append((events[lts.labels[lab]], d))
            self._rows = tuple(tuple(m) for m in moves)
        return self._rows

    def __getitem__(self, index: Any) -> Any:
        return self._table()[index]

    def __len__(self) -> int:
        return self._lts.num_states


PRESERVING_STRONG = frozenset({"normal", "normalise", "diamond", "tau_loop_factor"})
"""Reductions whose result is then reduced modulo strong bisimulation (which keeps
every model); ``sbisim`` and ``wbisim`` results are minimal already."""


def _explored(term: Process, unfold: Callable[[Call], Process], evaluator: Any,
              limit: int) -> tuple[LTS, list[Any]]:
    """``term``'s LTS and each label code's object: compiled where it applies."""
    if evaluator is not None:
        found = operand_lts(term, evaluator, limit)
        if found is not None:
            return found
    recorder = _Recorder(Rules(unfold), term)
    lts = explore(recorder, max_states=limit)
    return lts, [recorder.labels[label] for label in lts.labels]


def wrap(name: str, lts: LTS, events: dict[str, Any]) -> Compressed:
    """``lts`` as a :class:`Compressed` term named ``name``; ``events`` gives each
    label name's object. The table keeps ``lts`` for the product engine's leaves.

    Example:
        >>> from procalg.terms import Event
        >>> wrap("P", LTS.build(2, 0, ["a"], [(0, "a", 1)]), {"a": Event("a")}).show()
        'P'
    """
    table = MoveTable(name, _Rows(lts, events), lts)
    return Compressed(table, lts.initial)


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
            elif isinstance(value, frozenset):
                budget -= len(value)
    return show_process(term) if budget >= 0 else f"{type(term).__name__}(…)"


__all__ = ["REDUCTIONS", "compress", "diamond_lts", "normal_lts"]
