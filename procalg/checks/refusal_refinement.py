"""Refinement in the revivals ``[V=`` and refusal-testing ``[R=`` models (and
their divergence-strict forms ``[VD=``, ``[RD=``), as FDR checks them.

Both models see more than stable failures. A *revival* ``(s, X, a)`` says
that after trace ``s`` the process can be stable refusing ``X`` and then do
``a`` from that same state (Reed, Roscoe and Sanders, "Refusal traces and
revivals", and Roscoe, *Understanding Concurrent Systems*, ch. 11–12). A
*refusal-testing* observation ``<X0, a1, X1, …, an, Xn>`` interleaves the
events with the refusals (or ``•``, nothing observed) seen before each one,
so every earlier stable state counts, not only the last. Both include the
traces and the stable failures, so (Roscoe's hierarchy) ``Q [R= P`` implies
``Q [V= P``, which implies ``Q [F= P``, which implies ``Q [T= P``.

The check is the one of :mod:`procalg.checks.refinement`, a breadth-first
search of (spec node, implementation state) pairs level by level
(:mod:`procalg.checks.level_search`) stopping at the nearest violation, so
the counterexample is a shortest one: the least of them, whatever order the
search met the pairs in (``docs/checks.md``, "Which counterexample procalg
shows"; made as :mod:`procalg.checks.least_violation` makes ``[F=``'s), with
the extra annotation each model needs:

- **revivals**: a spec node (a τ-closed set of spec states after a trace)
  keeps every stable offer of its members, not only the minimal ones. A
  stable implementation state offering ``A`` has the revival
  ``(s, Σ - A, a)`` for each ``a`` in ``A``, so the node needs a stable
  member offering ``B`` with ``a ∈ B ⊆ A``; besides, as for ``[F=``, some
  member must offer a subset of ``A`` (the failure ``(s, Σ - A)``).
- **refusal testing**: the spec side is a set of states that depends on the
  refusals seen, not only on the trace. When the implementation does ``a``
  from a stable state offering ``A``, the observation is ``Σ - A, a``, and
  the spec moves only from its stable members offering a subset of ``A``.
  Observing the largest refusal is enough: a refusal-testing set is closed
  under forgetting a refusal, so if that observation is the spec's, so are
  the ones that saw less.

A state that can terminate is not stable for these observations: ✓ happens
autonomously (``P [] SKIP = (P [] SKIP) |~| SKIP``), so such a state only
offers ``{✓}`` to the failures part, as in :mod:`procalg.lts.normal`. Cost:
O(P · d) for P product pairs of out-degree d; the spec sets are a subset
construction (exponential in the worst case, as in FDR).

Example:
    >>> from procalg.lts import LTS
    >>> # (a -> STOP) [> STOP versus (a -> STOP) |~| STOP: same failures, but
    >>> # only the second can be stable offering a and then do a
    >>> timeout = LTS.build(3, 0, ["a"], [(0, "a", 1), (0, "τ", 2)])
    >>> choice = LTS.build(4, 0, ["a"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 3)])
    >>> check_refusal_refinement(timeout, choice, RefinementModel.REVIVALS).passed
    False
    >>> check_refusal_refinement(choice, timeout, RefinementModel.REVIVALS).passed
    True
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from procalg.checks.lazy_system import Divergence, LazySystem
from procalg.checks.least_violation import least_goals, violating_level
from procalg.checks.level_search import LevelSearch
from procalg.checks.result import CheckResult, Counterexample, RefinementModel, Stats, Verdict
from procalg.lts import LTS, TAU, TICK, TransitionSystem, explore
from procalg.lts.least_paths import end_key
from procalg.lts.tau import closed_under_tau, is_divergent, tau_successors

REVIVAL_MODELS = (RefinementModel.REVIVALS, RefinementModel.REVIVALS_DIVERGENCES)
REFUSAL_MODELS = (RefinementModel.REFUSAL_TESTING, RefinementModel.REFUSAL_DIVERGENCES)
Pair = tuple[int, Any]
View = tuple[frozenset[str], bool]
"""What a pair's implementation state offers, and whether it is stable."""


@dataclass(frozen=True, slots=True)
class SpecNode:
    """A τ-closed set of spec states and what the models read off it.

    Attributes:
        states: the spec states.
        acceptances: the ⊆-minimal offers of stable or terminating members
            (``{✓}`` for a terminating one): the failures part.
        offers: every offer of a stable member that cannot terminate.
        divergent: some member can do τ for ever.
    """

    states: frozenset[int]
    acceptances: tuple[frozenset[str], ...]
    offers: tuple[frozenset[str], ...]
    divergent: bool


class SpecSets:
    """The spec's τ-closed state sets, interned and built lazily."""

    def __init__(self, spec: LTS) -> None:
        self.system = LazySystem(spec)
        self._divergent = is_divergent(spec).tolist()
        self._taus = tau_successors(spec)
        self.nodes: list[SpecNode] = []
        self._index: dict[frozenset[int], int] = {}
        self._after: dict[tuple[int, str, frozenset[str] | None], int | None] = {}
        self.alphabet = frozenset(x for s in range(spec.num_states)
                                  for x, _ in self.system.successors(s) if x != TAU)
        self.root = self._intern(self._close([spec.initial]))

    def offer(self, s: int) -> tuple[frozenset[str], bool]:
        """The visible events of ``s`` and whether it is stable (no τ, no ✓)."""
        moves = self.system.successors(s)
        events = frozenset(x for x, _ in moves if x != TAU)
        return events, TICK not in events and all(x != TAU for x, _ in moves)

    def after(self, number: int, event: str, within: frozenset[str] | None) -> int | None:
        """The node after ``event`` from node ``number``; with ``within``, only
        from stable members offering a subset of it (the refusal of the rest
        was observed first). ``None`` if no member can."""
        key = (number, event, within)
        if key not in self._after:
            targets = []
            for s in self.nodes[number].states:
                if within is not None:
                    events, stable = self.offer(s)
                    if not (stable and events <= within):
                        continue
                targets += [d for x, d in self.system.successors(s) if x == event]
            self._after[key] = self._intern(self._close(targets)) if targets else None
        return self._after[key]

    def _close(self, states: list[int]) -> frozenset[int]:
        return closed_under_tau(states, self._taus)

    def _intern(self, states: frozenset[int]) -> int:
        number = self._index.get(states)
        if number is None:
            number = self._index[states] = len(self.nodes)
            accepts, offers = set(), set()
            for s in states:
                events, stable = self.offer(s)
                if TICK in events:
                    accepts.add(frozenset({TICK}))
                elif stable:
                    accepts.add(events)
                    offers.add(events)
            minimal = tuple(a for a in accepts if not any(b < a for b in accepts))
            self.nodes.append(SpecNode(states, minimal, tuple(offers),
                                       any(self._divergent[s] for s in states)))
        return number


def check_refusal_refinement(
    spec: LTS | TransitionSystem[Any],
    impl: LTS | TransitionSystem[Any],
    kind: RefinementModel,
    *,
    max_states: int | None = None,
) -> CheckResult:
    """Check ``spec ⊑ impl`` in the revivals or refusal-testing model.

    Args:
        spec: the specification (explored fully if not an LTS).
        impl: the implementation, explored lazily.
        kind: a revivals or refusal-testing model (``[V=``, ``[VD=``, ``[R=``, ``[RD=``).
        max_states: stop with :class:`LimitExceeded` after this many pairs.

    Returns:
        PASS, or FAIL with a shortest counterexample: ``trace`` (visible events),
        ``refused`` (the refusal that breaks it, the one before its last event
        for a revival or refusal-testing violation), ``accepted`` (what the
        spec could do there) and a note with the whole observation.
    """

    assert isinstance(kind, RefinementModel), f"a RefinementModel, not {kind!r} (.parse)"
    start = time.perf_counter()
    spec_lts = spec if isinstance(spec, LTS) else explore(spec)
    search = _Search(SpecSets(spec_lts), LazySystem(impl), kind, max_states)
    failure = search.run()
    stats = Stats(states=len(search.parent), transitions=search.edges,
                  seconds=time.perf_counter() - start,
                  extra={"spec_sets": len(search.spec.nodes),
                         "impl_states": len(search.system.cache)})
    name = f"[{kind.value}="
    if failure is None:
        return CheckResult(Verdict.PASS, stats=stats, message=f"refinement {name} holds")
    return CheckResult(Verdict.FAIL, failure, stats, f"refinement {name} fails")


class _Search(LevelSearch[Counterexample]):
    """Breadth-first search over (spec set, implementation state) pairs, level by
    level (:class:`~procalg.checks.level_search.LevelSearch`): a failure or
    divergence is the pair's path, a trace, revival or refusal violation that path
    and one event more, so it waits for the level's failures and divergences. The
    counterexample shown is then made from the first violating level whatever
    order the search met it in (:meth:`run`, as :mod:`procalg.checks.refinement`)."""

    def __init__(self, spec: SpecSets, system: LazySystem, kind: RefinementModel,
                 max_states: int | None) -> None:
        super().__init__(max_states)
        self.spec, self.system, self.kind = spec, system, kind
        self.refusals = kind in REFUSAL_MODELS
        self.strict = kind in (RefinementModel.REVIVALS_DIVERGENCES,
                               RefinementModel.REFUSAL_DIVERGENCES)
        self.divergence = Divergence(system)
        self.hit: tuple[Pair, bool] | None = None  # the first violating pair, a move further?

    def run(self) -> Counterexample | None:
        """The least of the shortest violations (``docs/checks.md``, "Which
        counterexample procalg shows"), or ``None``: the least path (steps compared
        by event name, then, in refusal testing, by the offer seen before the event)
        to a violating pair of the first violating level, then its least end (the
        first item of :meth:`_at`'s or :meth:`_further`'s answer orders them)."""
        if self.search((self.spec.root, self.system.initial)) is None:
            return None
        assert self.hit is not None
        pairs, number, levels, depth = violating_level(self.parent, self.hit[0])

        def moves(i: int) -> list[tuple[tuple[str, tuple[str, ...]], int]]:
            view = self._view(pairs[i])
            return [((label, tuple(sorted(seen)) if seen else ()), number[child])
                    for label, seen, child in self._children(pairs[i], view) or ()
                    if child in number]

        ask = self._further if self.hit[1] else self._at
        keys, _, reached = least_goals(levels, depth,
                                       lambda i: ask(pairs[i], self._view(pairs[i])), moves)
        end = min(reached, key=reached.__getitem__)
        steps = [(name, frozenset(seen) if seen else None) for name, seen in keys]
        diverging = [pairs[i][1] for i, at in reached.items() if at[1] == "divergence"]
        return self._violation(pairs[end], steps, *reached[end][1:], diverging)

    def visit(self, pair: Pair, deeper: list[Pair], expand: bool
              ) -> tuple[Counterexample | None, Counterexample | None]:
        view = self._view(pair)  # once: the three steps below read it
        if self._at(pair, view) is not None:
            self.hit = (pair, False)
            return _FOUND, None
        if not expand:
            return None, None
        children = self._children(pair, view)
        if children is None or self._unrevived(pair, view):  # the least: run() picks it
            self.hit = self.hit or (pair, True)
            return None, _FOUND
        for label, seen, child in children:
            self.edges += 1
            self.reach(child, (pair, label, seen), deeper)
        return None, None

    def _view(self, pair: Pair) -> View | None:
        """What ``pair``'s implementation state offers and whether it is stable
        (no τ, no ✓); None past a divergent spec set of a strict model (anything goes)."""
        if self.strict and self.spec.nodes[pair[0]].divergent:
            return None
        moves = self.system.successors(pair[1])
        offered = frozenset(x for x, _ in moves if x != TAU)
        return offered, TICK not in offered and all(x != TAU for x, _ in moves)

    def _children(self, pair: Pair, view: View | None
                  ) -> list[tuple[str, frozenset[str] | None, Pair]] | None:
        """The pairs ``pair`` (seen as ``view``) moves to, each with its label and, in
        refusal testing, the offer seen before a visible event from a stable state;
        None if a move is a trace or refusal violation."""
        if view is None:
            return []
        offered, stable = view
        seen = offered if self.refusals and stable else None
        out = []
        for label, target in self.system.successors(pair[1]):
            if label == TAU:
                out.append((label, None, (pair[0], target)))
                continue
            after = self.spec.after(pair[0], label, None)
            if after is not None and seen is not None:
                after = self.spec.after(pair[0], label, seen)
            if after is None:
                return None
            out.append((label, seen, (after, target)))
        return out

    def _unrevived(self, pair: Pair, view: View | None) -> list[str]:
        """The events ``pair`` offers stably that break a revival (``[V=``): no
        stable spec state there offers the event and no more."""
        if view is None or not view[1] or self.refusals:
            return []
        offers = self.spec.nodes[pair[0]].offers
        return [e for e in view[0] if not any(e in b and b <= view[0] for b in offers)]

    def _at(self, pair: Pair, view: View | None
            ) -> tuple[tuple[bool, tuple[str, ...]], str, None] | None:
        """A divergence or failure at ``pair`` (its path's length): its order among
        the level's ends (:func:`~procalg.lts.least_paths.end_key`), its kind."""
        if view is None:
            return None
        offered, stable = view
        if self.strict and self.divergence.diverges(pair[1]):
            return end_key("divergence", offered), "divergence", None
        if not (stable or TICK in offered):
            return None
        accepts = frozenset({TICK}) if TICK in offered else offered
        if not any(m <= accepts for m in self.spec.nodes[pair[0]].acceptances):
            return end_key("failure", accepts), "failure", None
        return None

    def _further(self, pair: Pair, view: View | None
                 ) -> tuple[tuple[str, int, tuple[str, ...]], str, str] | None:
        """The least violation a move past ``pair`` (its path and one event): by
        event, a trace violation before a revival or refusal one, then by offer."""
        if view is None:
            return None
        offered, stable = view
        found = []
        if stable and not self.refusals:  # a revival: covers the events the spec cannot do
            found = [((e, 1, tuple(sorted(offered))), "revival", e)
                     for e in self._unrevived(pair, view)]
        else:
            for e in offered:
                if self.spec.after(pair[0], e, None) is None:
                    found.append(((e, 0, ()), "trace", e))
                elif stable and self.spec.after(pair[0], e, offered) is None:
                    found.append(((e, 1, tuple(sorted(offered))), "refusal", e))
        return min(found, default=None)

    def _violation(self, pair: Pair, steps: list[tuple[str, frozenset[str] | None]],
                   what: str, event: str | None, diverging: list[Any]) -> Counterexample:
        """The counterexample, worded like the other refinement failures (a
        divergence's lasso: the least from any of the ``diverging`` ends)."""
        trace = tuple(x for x, _ in steps if x != TAU)
        full = tuple(x for x, _ in steps)
        node = self.spec.nodes[pair[0]]
        offered = frozenset(x for x, _ in self.system.successors(pair[1]) if x != TAU)
        # the spec's events: one it never does matters to no refusal (as in [F=)
        refused = frozenset(self.spec.alphabet - offered - {TICK})
        name = f"[{self.kind.value}="
        observed = (f"after the observation {_observation(steps)}" if self.refusals
                    else f"after {_show(trace)}")
        if what == "trace":
            assert event is not None
            initials = frozenset(x for s in node.states for x, _ in
                                 self.spec.system.successors(s) if x != TAU)
            return Counterexample((*trace, event), accepted=initials, full_path=(*full, event),
                                  note=f"{observed} the implementation can do {event}, "
                                       f"which the specification cannot ({name})")
        if what == "divergence":  # worded as refinement.py's (one lasso everywhere)
            lead, cycle = self.divergence.lasso(diverging)
            return Counterexample(trace, cycle=(TAU,) * cycle, full_path=(*full, *(TAU,) * lead),
                                  note=f"{observed} the implementation can diverge ({lead} "
                                       f"τ-steps, then a τ-cycle of {cycle}) where the "
                                       f"specification does not ({name})")
        if what == "failure":
            accepts = frozenset({TICK}) if TICK in offered else offered
            shown = frozenset(self.spec.alphabet - accepts - {TICK})
            return Counterexample(trace, refused=shown,
                                  accepted=frozenset().union(*node.acceptances), full_path=full,
                                  note=f"{observed} the implementation can be stable offering "
                                       f"only {_show_set(accepts)}; no stable state of the "
                                       f"specification there offers as little ({name})")
        assert event is not None
        spec_can = frozenset().union(*(b for b in node.offers if b <= offered))
        return Counterexample(
            (*trace, event), refused=refused, accepted=spec_can, full_path=(*full, event),
            note=f"{observed} the implementation can be stable offering only "
                 f"{_show_set(offered)} and then do {event}; the specification's stable "
                 f"states that offer no more can do only {_show_set(spec_can)} ({name})")


_FOUND = Counterexample(())
"""What a visit reports on a violation (the search then stops: :meth:`_Search.run`
makes the counterexample shown)."""


def _observation(steps: list[tuple[str, frozenset[str] | None]]) -> str:
    """A refusal-testing observation, each event after what was refused before it:
    ``<•, a, refusing all but {a}, a>`` (• where no refusal was seen)."""
    parts: list[str] = []
    for label, seen in steps:
        if label == TAU:
            continue
        parts.append("•" if seen is None else f"refusing all but {_show_set(seen)}")
        parts.append(label)
    return "<" + ", ".join(parts) + ">"


def _show(trace: tuple[str, ...]) -> str:
    return "<" + ", ".join(trace) + ">"


def _show_set(events: frozenset[str]) -> str:
    return "{" + ", ".join(sorted(events)) + "}"
