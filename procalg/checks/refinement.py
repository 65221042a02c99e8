"""Refinement checks as FDR does them: ``Spec [T= Impl``, ``[F=``, ``[FD=``
(``[V=``, ``[R=`` and their divergence-strict forms are in
:mod:`procalg.checks.refusal_refinement`).

The spec is normalised (:class:`procalg.lts.normal.NormalForm`); the
product of normal nodes and implementation states is explored breadth-first
on the fly, the implementation lazily through its ``successors``, and the
search stops at the first violation, so the counterexample is a shortest
one (in product steps, τ included). Per product state ``(node, s)``:

- **traces**: every visible move ``s -a->`` must be possible in ``node``;
- **failures** (``[F=`` and ``[FD=``): if ``s`` is stable (no τ) or can
  terminate, the set it offers (``{✓}`` if it can terminate, since ✓ is
  autonomous) must contain one of ``node``'s minimal acceptances;
- **divergences** (``[FD=``): ``s`` must not diverge unless ``node`` does;
  after a divergent spec node anything goes, so the search does not look
  beyond it.

Implementation divergence is found by Tarjan's algorithm over the τ-graph
reachable from ``s``, memoised per implementation state, so it is O(states +
τ-transitions) over the whole check. The product costs O(P · d) for P
product states of out-degree d, plus normalisation (exponential in the worst
case, as in FDR). Reference: Roscoe, *Understanding Concurrent Systems*,
chapters 6 and 16.

Example:
    >>> from procalg.lts import LTS
    >>> choice = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2)])
    >>> only_a = LTS.build(2, 0, ["a"], [(0, "a", 1)])
    >>> check_refinement(choice, only_a, RefinementModel.TRACES).passed
    True
    >>> r = check_refinement(choice, only_a, RefinementModel.FAILURES)
    >>> r.passed, r.counterexample.trace, sorted(r.counterexample.refused)
    (False, (), ['b'])
"""

from __future__ import annotations

import time
from typing import Any

from procalg.checks.lazy_system import Divergence, LazySystem
from procalg.checks.least_violation import least_goals, violating_level
from procalg.checks.level_search import LevelSearch
from procalg.checks.refusal_refinement import (
    REFUSAL_MODELS,
    REVIVAL_MODELS,
    check_refusal_refinement,
)
from procalg.checks.result import CheckResult, Counterexample, RefinementModel, Stats, Verdict
from procalg.lts import LTS, TAU, TICK, TransitionSystem, explore
from procalg.lts.least_paths import end_key
from procalg.lts.network import Network
from procalg.lts.normal import NormalForm
from procalg.lts.normal_table import normal_table
from procalg.lts.product import NO_LIMITS, Limits
from procalg.lts.refine_product import find_violation

Pair = tuple[int, Any]


def check_refinement(
    spec: LTS | TransitionSystem[Any],
    impl: LTS | TransitionSystem[Any],
    kind: RefinementModel,
    *,
    max_states: int | None = None,
) -> CheckResult:
    """Check ``spec ⊑ impl`` in the model ``kind``; a shortest counterexample on failure.

    Args:
        spec: the specification (explored fully if not an LTS).
        impl: the implementation, an LTS or any TransitionSystem (explored lazily).
        kind: traces, stable failures, failures-divergences, or a revivals or
            refusal-testing model (handed to :func:`check_refusal_refinement`).
        max_states: stop with :class:`LimitExceeded` after this many product states.

    Returns:
        PASS, or FAIL with ``trace`` (visible events; for a traces violation the
        last one is the event the spec cannot do), ``refused``/``accepted`` for
        failures, ``cycle`` for divergence, and ``full_path`` with τ steps.
    """
    assert isinstance(kind, RefinementModel), f"a RefinementModel, not {kind!r} (.parse)"
    if kind in (*REVIVAL_MODELS, *REFUSAL_MODELS):
        return check_refusal_refinement(spec, impl, kind, max_states=max_states)
    start = time.perf_counter()
    normal = NormalForm(spec if isinstance(spec, LTS) else explore(spec))
    system = LazySystem(impl)
    search = _Product(normal, system, kind, max_states)
    failure = search.run()
    stats = Stats(states=len(search.parent), transitions=search.edges,
                  seconds=time.perf_counter() - start,
                  extra={"normal_nodes": len(normal), "impl_states": len(system.cache)})
    name = f"[{kind.value}="
    if failure is None:
        return CheckResult(Verdict.PASS, stats=stats, message=f"refinement {name} holds")
    return CheckResult(Verdict.FAIL, failure, stats, f"refinement {name} fails")


def check_refinement_product(spec: LTS, network: Network, kind: RefinementModel,
                             limits: Limits = NO_LIMITS) -> CheckResult:
    """Check ``spec ⊑ network`` as one bulk product search (FDR-style: the
    normalised spec is one more component of the implementation's network;
    :mod:`procalg.lts.refine_product`). Same verdicts as :func:`check_refinement`
    and a violating state at the same (least) BFS depth.

    ``limits`` bound the search (:class:`~procalg.lts.product.Limits`).

    Example:
        >>> from procalg.lts.network import close, component
        >>> choice = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2)])
        >>> only_a = LTS.build(2, 0, ["a"], [(0, "a", 1)])
        >>> r = check_refinement_product(choice, close(component(only_a)),
        ...                              RefinementModel.FAILURES)
        >>> r.passed, r.counterexample.trace, sorted(r.counterexample.refused)
        (False, (), ['b'])
    """
    start = time.perf_counter()
    try:
        normal = normal_table(spec, follow=network.labels)  # what the implementation can do
    except MemoryError as err:  # said with the error: the search did not start
        n, t = spec.num_states, spec.num_transitions
        err.add_note(f"normalising the specification ({n:,} state{'s' * (n != 1)}, "
                     f"{t:,} transition{'s' * (t != 1)}) ran out")
        raise
    found, bad = find_violation(network, normal, kind, limits)
    extra: dict[str, object] = {"engine": "product", "levels": found.levels,
                                "peak_bytes": found.peak_bytes, "normal_nodes": len(normal),
                                "notes": list(found.notes)}
    stats = Stats(found.states, found.transitions, time.perf_counter() - start, extra)
    name = f"[{kind.value}="
    if bad is None:
        return CheckResult(Verdict.PASS, stats=stats, message=f"refinement {name} holds")
    node = normal.node(bad.node)
    full = bad.path
    trace = tuple(x for x in full if x != TAU)
    if bad.kind == "trace":
        assert bad.event is not None
        note = (f"after {_show(trace)} the implementation can do {bad.event}, which the "
                f"specification cannot (it can do {_show_set(node.initials)})")
        ce = Counterexample((*trace, bad.event), accepted=node.initials,
                            full_path=(*full, bad.event), note=note)
    elif bad.kind == "divergence":
        note = (f"after {_show(trace)} the implementation can diverge ({bad.lead} τ-steps, "
                f"then a τ-cycle of {bad.cycle}) where the specification does not")
        ce = Counterexample(trace, cycle=(TAU,) * bad.cycle,
                            full_path=(*full, *(TAU,) * bad.lead), note=note)
    else:
        ce = _failure(trace, full, None, node, bad.offered, set(normal.alphabet))
    return CheckResult(Verdict.FAIL, ce, stats, f"refinement {name} fails")


def _failure(trace: tuple[str, ...], full: tuple[str, ...], states: tuple[int, ...] | None,
             node: Any, accepts: frozenset[str], alphabet: set[str]) -> Counterexample:
    """The counterexample of a failures violation (both engines word it alike): the
    refusal shown is the spec's ``alphabet`` less what the implementation offers (an
    event the spec never does matters to no refusal, and which others an engine has
    met depends on its order)."""
    refused = frozenset(alphabet - accepts - {TICK} if TICK in accepts else alphabet - accepts)
    options = " or ".join("{" + ", ".join(sorted(m)) + "}" for m in node.acceptances)
    note = (f"after {_show(trace)} the implementation can refuse {_show_set(refused)} "
            f"(it offers only {_show_set(accepts)}); the specification there always "
            f"offers all of " + (options if options else "nothing stable: it diverges"))
    return Counterexample(trace, refused=refused, accepted=frozenset().union(*node.acceptances),
                          full_path=full, states=states, note=note)


class _Product(LevelSearch[Counterexample]):
    """Breadth-first search over (normal node, implementation state) pairs, level by
    level (:class:`~procalg.checks.level_search.LevelSearch`): a trace violation found
    while expanding depth ``d`` is ``d + 1`` moves long, so it waits for the level's
    failure and divergence checks (``d`` moves), as :mod:`procalg.lts.refine_product`
    does."""

    def __init__(self, normal: NormalForm, system: LazySystem, kind: RefinementModel,
                 max_states: int | None) -> None:
        super().__init__(max_states)
        self.normal, self.system, self.kind = normal, system, kind
        self.divergence = Divergence(system)

    def run(self) -> Counterexample | None:
        """The least of the shortest violations (:mod:`procalg.checks.least_violation`,
        τ steps counted), or ``None``."""
        self.hit: tuple[Pair, bool] | None = None  # the first violating pair, a move further?
        if self.search((self.normal.root, self.system.initial)) is None:
            return None
        assert self.hit is not None
        pairs, number, levels, depth = violating_level(self.parent, self.hit[0])

        def moves(i: int) -> list[tuple[str, int]]:
            node, state = pairs[i]
            if self._spec_diverged(node):
                return []
            out = []
            for label, target in self.system.successors(state):
                child = (node if label == TAU else self.normal.after(node, label), target)
                if child in number:
                    out.append((label, number[child]))
            return out

        if self.hit[1]:  # a trace violation: the least event the spec cannot do
            labels, run, reached = least_goals(levels, depth, lambda i: self._refused_event(
                pairs[i]), moves)
            event = min(reached.values())
            end = next(i for i, e in reached.items() if e == event)
            return self._trace_violation(*self._shown(labels, [pairs[i] for i in run(end)]),
                                         pairs[end][0], event)
        labels, run, reached = least_goals(levels, depth, lambda i: self._state_view(
            pairs[i], self.system.successors(pairs[i][1])), moves)
        end = min(reached, key=lambda i: end_key(reached[i][0], reached[i][1]))
        shown = self._shown(labels, [pairs[i] for i in run(end)])
        kind, accepts = reached[end]
        if kind == "divergence":  # the least lasso from any divergent end (as the product's)
            return self._divergence_violation(*shown, self.divergence.lasso(
                [pairs[i][1] for i, view in reached.items() if view[0] == "divergence"]))
        return _failure(*shown, self.normal.node(pairs[end][0]), accepts,
                        set(self.normal.alphabet))

    def _spec_diverged(self, node: int) -> bool:
        """After a divergent spec node anything goes (``[FD=``)."""
        return (self.kind is RefinementModel.FAILURES_DIVERGENCES
                and self.normal.node(node).divergent)

    def visit(self, pair: Pair, deeper: list[Pair], expand: bool
              ) -> tuple[Counterexample | None, Counterexample | None]:
        if self._spec_diverged(pair[0]):
            return None, None
        moves = self.system.successors(pair[1])
        if self._state_view(pair, moves) is not None:
            self.hit = (pair, False)
            return _FOUND, None
        if not expand:
            return None, None
        return None, self._expand(pair, moves, deeper)

    def _expand(self, pair: Pair, moves: list[tuple[str, Any]],
                deeper: list[Pair]) -> Counterexample | None:
        """Queue ``pair``'s unseen successors on ``deeper``; a move the spec
        cannot follow is a trace violation."""
        for label, target in moves:
            self.edges += 1
            if label == TAU:
                child = (pair[0], target)
            else:
                after = self.normal.after(pair[0], label)
                if after is None:
                    self.hit = self.hit or (pair, True)
                    return _FOUND
                child = (after, target)
            self.reach(child, (pair, label), deeper)
        return None

    def _refused_event(self, pair: Pair) -> str | None:
        """The least event ``pair`` can do that its spec node cannot, if any."""
        if self._spec_diverged(pair[0]):
            return None
        return min((x for x, _ in self.system.successors(pair[1])
                    if x != TAU and self.normal.after(pair[0], x) is None), default=None)

    def _state_view(self, pair: Pair, moves: list[tuple[str, Any]]
                    ) -> tuple[str, frozenset[str]] | None:
        """Why ``pair`` violates the refinement where it is (``"divergence"`` or
        ``"failure"``), and what it offers; or None."""
        offered = frozenset(x for x, _ in moves if x != TAU)
        if self.kind is RefinementModel.TRACES or self._spec_diverged(pair[0]):
            return None
        accepts = frozenset({TICK}) if TICK in offered else offered
        if self.kind is RefinementModel.FAILURES_DIVERGENCES and self.divergence.diverges(pair[1]):
            return "divergence", accepts
        stable = all(x != TAU for x, _ in moves)
        if not (stable or TICK in offered):
            return None
        if any(m <= accepts for m in self.normal.node(pair[0]).acceptances):
            return None
        return "failure", accepts

    def _trace_violation(self, trace: tuple[str, ...], full: tuple[str, ...],
                         states: tuple[int, ...] | None, node: int, event: str
                         ) -> Counterexample:
        allowed = self.normal.node(node).initials
        note = (f"after {_show(trace)} the implementation can do {event}, which the "
                f"specification cannot (it can do {_show_set(allowed)})")
        return Counterexample((*trace, event), accepted=allowed, full_path=(*full, event),
                              states=states, note=note)

    def _divergence_violation(self, trace: tuple[str, ...], full: tuple[str, ...],
                              states: tuple[int, ...] | None, loop: tuple[int, int]
                              ) -> Counterexample:
        lead, cycle = loop
        note = (f"after {_show(trace)} the implementation can diverge ({lead} τ-steps, then "
                f"a τ-cycle of {cycle}) where the specification does not")
        return Counterexample(trace, cycle=(TAU,) * cycle, full_path=(*full, *(TAU,) * lead),
                              states=states, note=note)

    @staticmethod
    def _shown(labels: list[str], run: list[Pair]
               ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...] | None]:
        """A path's trace, its labels (τ included) and its implementation states
        (where they are numbers)."""
        states = [state for _, state in run]
        ints = all(isinstance(s, int) for s in states)
        return (tuple(x for x in labels if x != TAU), tuple(labels),
                tuple(states) if ints else None)


_FOUND = Counterexample(())
"""What a visit reports on a violation (the search then stops: :meth:`_Product.run`
makes the counterexample shown)."""


def _show(trace: tuple[str, ...]) -> str:
    return "<" + ", ".join(trace) + ">"


def _show_set(events: frozenset[str]) -> str:
    return "{" + ", ".join(sorted(events)) + "}"
