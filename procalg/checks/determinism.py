"""``assert P :[deterministic]``: FDR's failures-divergences determinism.

P is deterministic iff it is divergence-free and there is no trace s and
event a (✓ included) such that s^<a> is a trace and P can refuse {a} after
s (A. W. Roscoe, *Understanding Concurrent Systems*, 2010, sec. 6.1 and
10.5). A state refuses a when it is stable (no τ) and has no a transition;
and, as in Roscoe's failures of the operational semantics, a state that
can do ✓ may terminate of its own accord, so it refuses every a ≠ ✓.
Hence ``a -> STOP [] SKIP`` is nondeterministic while ``SKIP`` is not.

The check normalises on the fly: breadth-first over the subset construction
whose nodes are τ-closed sets of states reached by one trace (FDR's
pre-normal form); ✓ leads to no node, since nothing after ✓ counts
(divergence traces are ✓-free too). Each node is examined as it is built: a τ-cycle met while
closing it is a divergence (iterative depth-first search with grey/black
colours), an event that one member accepts and another refuses is a
nondeterminism. Traces are therefore shortest in visible events.

Complexity: O(N · (S + T)) in the worst case for N normal-form nodes
(N can be exponential in S; usually N ≈ S); states are expanded once.

Example:
    >>> from procalg.lts import LTS
    >>> choice = LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (0, "a", 2), (2, "b", 3)])
    >>> r = check_determinism(choice)  # a -> STOP [] a -> b -> STOP
    >>> r.passed, r.counterexample.trace, r.counterexample.refused
    (False, ('a',), frozenset({'b'}))
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from procalg.checks.determinism_paths import clash_paths, divergence_path
from procalg.checks.result import CheckResult, Counterexample, Stats, Verdict
from procalg.errors import LimitExceeded
from procalg.lts.determinism_codes import Determinism
from procalg.lts.exploration import Exploration
from procalg.lts.lts import LTS, TAU, TAU_INDEX, TICK_INDEX, TransitionSystem
from procalg.lts.minimal_lasso import Lasso, codes_lasso
from procalg.lts.network import Network
from procalg.lts.normal_product import find_nondeterminism
from procalg.lts.vectors import Tables


def check_determinism(system: TransitionSystem[Any] | LTS, *,
                      max_states: int | None = None, divergence: bool = True) -> CheckResult:
    """Check FDR's ``:[deterministic]`` (failures-divergences model by default).

    Args:
        system: a transition system, or an LTS.
        max_states: limit on states and on normal-form nodes
            (:class:`~procalg.errors.LimitExceeded` beyond it).
        divergence: ``True`` for the failures-divergences model (a divergence
            is nondeterminism); ``False`` for stable failures (``[F]``), where
            only stable states' refusals count.

    Returns:
        PASS, or FAIL whose counterexample has the trace s, ``accepted`` and
        ``refused`` both ``{a}``, ``full_path``/``states`` the refusing
        behaviour and the note both behaviours; or, for a divergence, the
        trace and ``cycle``.

    Example:
        >>> from procalg.lts import LTS
        >>> check_determinism(LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)])).passed
        True
    """
    started = time.perf_counter()
    walk = Exploration(system, max_states=max_states)
    nodes: dict[frozenset[int], int] = {}
    trail: list[tuple[int, int]] = []  # per node: (parent node, event code)
    queue: deque[frozenset[int]] = deque()

    def visit(members: Iterable[int], parent: int, code: int) -> CheckResult | None:
        closed, cycle = _tau_closure(walk, members)
        if cycle is not None and not divergence:
            closed, cycle = _plain_closure(walk, members), None
        trail.append((parent, code))
        if cycle is not None:
            trace = _node_trace(walk, trail, len(trail) - 1)
            return _divergence(walk, trace, lambda: _spent(walk, started))
        if closed not in nodes:
            if max_states is not None and len(nodes) >= max_states:
                raise LimitExceeded(f"normal-form limit reached: more than {max_states} nodes "
                                    f"({walk.num_states} states)", states=walk.num_states,
                                    transitions=walk.transitions, hint="raise --max-states")
            nodes[closed] = len(trail) - 1
            queue.append(closed)
        return None

    failure = visit([0], -1, -1)
    while failure is None and queue:
        members = queue.popleft()
        number = nodes[members]
        clash = _clashing_event(walk, sorted(members))
        if clash is not None:
            trace = _node_trace(walk, trail, number)
            event = walk.labels[clash]
            paths = clash_paths(walk, trace, event)  # before the stats: it may explore more
            return _clash_result(trace, event, *paths, _spent(walk, started))
        after: dict[int, set[int]] = {}
        for state in members:
            for code, target in walk.successors(state):
                if code not in (TAU_INDEX, TICK_INDEX):  # nothing matters after ✓
                    after.setdefault(code, set()).add(target)
        for code in sorted(after, key=walk.labels.__getitem__):
            failure = visit(after[code], number, code)
            if failure is not None:
                break
    if failure is not None:
        return failure
    stats = Stats(walk.num_states, walk.transitions, time.perf_counter() - started,
                  extra={"normal_form_nodes": len(nodes)})
    return CheckResult(Verdict.PASS, None, stats, message="deterministic")


def check_determinism_product(network: Network, *, max_states: int | None = None,
                              divergence: bool = True) -> CheckResult:
    """:func:`check_determinism` on a network, the normal form built in bulk on the
    product engine's codes (:mod:`procalg.lts.normal_product`; pairs of states,
    :mod:`procalg.lts.determinism_pairs`, where it outgrows the states): the same
    verdict, trace and event as the reference; the paths shown may differ.

    The network must have codes of 62 bits or fewer
    (:func:`procalg.lts.normal_product.why_not`).

    Example:
        >>> from procalg.lts.network import close, component
        >>> choice = LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (0, "a", 2), (2, "b", 3)])
        >>> r = check_determinism_product(close(component(choice)))
        >>> r.passed, r.counterexample.trace, r.counterexample.refused
        (False, ('a',), frozenset({'b'}))
    """
    started = time.perf_counter()
    found = find_nondeterminism(network, divergence=divergence, max_states=max_states)
    notes = [*network.notes, *(found.tables.notes() if found.tables else ()), _method_note(found)]
    extra: dict[str, object] = {"engine": "product", "method": found.method,
                                "levels": found.levels, "peak_bytes": found.peak_bytes,
                                "notes": notes}
    if found.nodes:  # a normal form was built (not by the screen's answer)
        extra["normal_form_nodes"] = found.nodes
    if found.pairs:  # pairs of states were searched (they answered, or raced the normal form)
        extra["state_pairs"] = found.pairs
    if found.dropped:  # searches the race let go (clearly behind, or past their limit)
        extra["dropped"] = list(found.dropped)
    stats = Stats(found.states, found.transitions, time.perf_counter() - started, extra)
    if found.kind is None:
        return CheckResult(Verdict.PASS, None, stats, message="deterministic")
    assert found.tables is not None
    walk = Exploration(_Codes(found.tables))
    if found.kind == "divergence":
        tables = found.tables
        return _divergence(walk, found.trace, lambda: stats,
                           lambda codes: codes_lasso(tables, tables.layout.cast(codes)))
    assert found.event is not None
    return _clash_result(found.trace, found.event, *clash_paths(walk, found.trace, found.event),
                         stats)


def _method_note(found: Determinism) -> str:
    """``--stats``' line on which search answered and what each one built.

    Example:
        >>> _method_note(Determinism(None, nodes=9, states=4, pairs=6, method="pairs"))[:42]
        'answered by pairs of states: 6 pairs of 4 '
        >>> _method_note(Determinism(None, nodes=2, states=2))
        'answered by the normal form: 2 nodes over 2 states'
        >>> _method_note(Determinism(None, nodes=9, states=4, pairs=6, dropped=("pairs",)))[-48:]
        '(pairs of states, raced beside it and let go: 6)'
    """
    if found.method == "screen":
        return (f"answered by a screen of the states: one move a label, τ (if any) confluent, "
                f"so no normal form ({found.states:,} states)")
    let_go = " and let go" if found.dropped else ""
    if found.method == "pairs":
        return (f"answered by pairs of states: {found.pairs:,} pairs of {found.states:,} "
                f"states (the normal form, raced beside them{let_go}: {found.nodes:,} nodes)")
    raced = (f" (pairs of states, raced beside it{let_go}: {found.pairs:,})"
             if found.pairs else "")
    return (f"answered by the normal form: {found.nodes:,} nodes over {found.states:,} "
            f"states{raced}")


class _Codes:
    """A network's packed codes as a :class:`TransitionSystem` (paths for people)."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def initial_state(self) -> int:
        return self.tables.initial

    def successors(self, state: int) -> list[tuple[str, int]]:
        _, dst, lab = self.tables.successors(self.tables.layout.cast([state]))
        names = self.tables.labels
        return [(names[x], int(d)) for x, d in zip(lab.tolist(), dst.tolist(), strict=True)]


def _tau_closure(walk: Exploration,
                 seeds: Iterable[int]) -> tuple[frozenset[int], list[int] | None]:
    """States τ-reachable from ``seeds``, and a τ-cycle among them if there is one."""
    colour: dict[int, int] = {}  # 1: on the current DFS path, 2: finished
    for seed in seeds:
        if seed in colour:
            continue
        colour[seed] = 1
        path = [seed]
        pending = [iter(_taus(walk, seed))]
        while pending:
            target = next(pending[-1], None)
            if target is None:
                colour[path.pop()] = 2
                pending.pop()
            elif target not in colour:
                colour[target] = 1
                path.append(target)
                pending.append(iter(_taus(walk, target)))
            elif colour[target] == 1:  # a back edge closes a τ-cycle
                return frozenset(colour), path[path.index(target):]
    return frozenset(colour), None


def _plain_closure(walk: Exploration, seeds: Iterable[int]) -> frozenset[int]:
    """States τ-reachable from ``seeds``, cycles or not."""
    seen = set(seeds)
    stack = list(seen)
    while stack:
        for target in _taus(walk, stack.pop()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return frozenset(seen)


def _taus(walk: Exploration, state: int) -> list[int]:
    return [d for c, d in walk.successors(state) if c == TAU_INDEX]


def _clashing_event(walk: Exploration, members: list[int]) -> int | None:
    """The least event (by name) a member offers and another refuses (a member
    that can terminate refuses every other event: ✓ is autonomous), if any."""
    offers: set[int] = set()
    stable: list[set[int]] = []  # the initials of the stable members
    ticks = False
    for state in members:
        initials = {c for c, _ in walk.successors(state)}
        offers |= initials
        ticks = ticks or TICK_INDEX in initials
        if TAU_INDEX not in initials:
            stable.append(initials)
    offers.discard(TAU_INDEX)
    for code in sorted(offers, key=walk.labels.__getitem__):
        if code != TICK_INDEX and ticks:
            return code
        for initials in stable:
            if code not in initials:
                return code
    return None


def _node_trace(walk: Exploration, trail: list[tuple[int, int]], node: int) -> tuple[str, ...]:
    codes = []
    while trail[node][0] >= 0:
        node, code = trail[node]
        codes.append(code)
    return tuple(walk.labels[c] for c in reversed(codes))


def _spent(walk: Exploration, started: float) -> Stats:
    return Stats(walk.num_states, walk.transitions, time.perf_counter() - started)


def _clash_result(trace: tuple[str, ...], event: str, accepting: tuple[str, ...],
                  refusing: tuple[str, ...], states: tuple[int, ...], ticks: bool,
                  stats: Stats) -> CheckResult:
    """The counterexample of a clash (both engines word it alike)."""
    why = ("it can terminate, so it can refuse every other event" if ticks
           else "it is stable without " + event)
    shown = "⟨" + ", ".join(trace) + "⟩"
    note = (f"not deterministic: after {shown} the process can do {event} "
            f"(path {', '.join([*accepting, event])}) but can also refuse it "
            f"(path {', '.join(refusing) or 'empty'}: {why})")
    return CheckResult(
        Verdict.FAIL,
        Counterexample(trace, refused=frozenset({event}), accepted=frozenset({event}),
                       full_path=refusing, states=states, note=note),
        stats, message=f"nondeterministic on {event} after {shown}")


def _divergence(walk: Exploration, trace: tuple[str, ...], stats: Callable[[], Stats],
                lasso_of: Callable[[list[Any]], Lasso] | None = None) -> CheckResult:
    """The failure of a divergent node (both engines: :mod:`~procalg.checks.determinism_paths`;
    ``stats`` are taken after its paths are found; ``lasso_of`` as there)."""
    (path, states), lead, loop = divergence_path(walk, trace, lasso_of)
    note = (f"not deterministic: the process diverges after this trace ({lead} τ-steps, "
            f"then a τ-cycle of {loop})")  # worded as :[divergence free]'s, no state numbers
    return CheckResult(
        Verdict.FAIL,
        Counterexample(trace, cycle=(TAU,) * loop, full_path=(*path, *(TAU,) * lead),
                       states=states, note=note),
        stats(), message="divergent, hence not deterministic")
