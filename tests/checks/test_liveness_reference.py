"""The liveness checker against a brute-force lasso search on tiny LTSs.

The reference enumerates every lasso (a path, then a cycle back into it) of
bounded length directly on the LTS, makes finite runs stutter itself, and
evaluates the formula on each by fixpoints (``holds_on_lasso``), so it
shares neither the tableau, the product nor the SCC search with the checker.
Both directions are tested: a violating fair lasso found by brute force means
the checker must fail, and every counterexample the checker reports must be
a real, fair path of the LTS on which the formula is false.
"""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.liveness import Fairness, check_ltl
from procalg.checks.ltl import Atom, Binary, Const, Formula, Not, Unary, holds_on_lasso, show
from procalg.lts import LTS, TAU, TICK

EVENTS = ["a", "b", "c.0", "c.1"]


@st.composite
def tiny_lts(draw) -> LTS:
    """Up to 4 states over a, b, c.0, c.1 and τ; ✓ and throw lead to their own end state."""
    n = draw(st.integers(1, 4))
    labels = [*EVENTS, TAU, TICK, "throw"]
    triples = []
    for _ in range(draw(st.integers(0, 7))):
        s = draw(st.integers(0, n - 1))
        label = draw(st.sampled_from(labels))
        target = {TICK: n, "throw": n + 1}.get(label, draw(st.integers(0, n - 1)))
        triples.append((s, label, target))
    return LTS.build(n + 2, 0, [*EVENTS, "throw"], triples)


def formulas(*, next_time: bool = True) -> st.SearchStrategy[Formula]:
    atoms = st.sampled_from([Atom((p,), p) for p in ("a", "b", "c", "c.0", "tick", "throw",
                                                      "deadlock")])
    leaves = st.one_of(atoms, st.just(Const(True)))

    def extend(inner):
        return st.one_of(
            inner.map(Not),
            st.tuples(st.sampled_from("XFG" if next_time else "FG"), inner).map(
                lambda t: Unary(*t)),
            st.tuples(st.sampled_from(["&&", "||", "->", "U", "R", "W", "<->"]), inner,
                      inner).map(lambda t: Binary(*t)))
    return st.recursive(leaves, extend, max_leaves=4)


def _steps(lts: LTS, s: int) -> list[tuple[str, int]]:
    return [(lts.labels[lab], d) for lab, d in lts.successors(s)]


def _lassos(lts: LTS, bound: int) -> Iterator[tuple[list[str], list[str], list[int]]]:
    """(prefix, cycle, cycle states) for every lasso with at most ``bound`` steps;
    a run stuck in a state stutters there (✓, throw, or deadlock)."""
    stack = [([lts.initial], [])]
    while stack:
        states, names = stack.pop()
        here = states[-1]
        steps = _steps(lts, here)
        if not steps:
            last = names[-1] if names and names[-1] in (TICK, "throw") else "deadlock"
            yield names, [last], [here]
        for i, s in enumerate(states[:-1]):
            if s == here:
                yield names[:i], names[i:], states[i:-1]
        if len(names) < bound:
            stack.extend(([*states, d], [*names, name]) for name, d in steps)


def _fair(lts: LTS, cycle: list[str], states: list[int], fairness: Fairness) -> bool:
    if fairness is Fairness.NONE:
        return True
    enabled = [{n for n, _ in _steps(lts, s) if n != TAU} for s in states]
    engaged = set(cycle)
    if fairness is Fairness.WEAK:
        return set.intersection(*enabled) <= engaged
    return set.union(*enabled) <= engaged


def _witnesses(lts: LTS, prefix: tuple[str, ...], cycle: tuple[str, ...],
               fairness: Fairness) -> bool:
    """Whether prefix·cycle^ω is a path of ``lts`` with a fair choice of states: after
    some rounds of ``cycle`` a state comes back after some more (the lasso is read
    off the LTS minimised modulo strong bisimulation, where a loop of ``lts`` may be
    folded into fewer rounds of it)."""
    starts = {lts.initial}
    for name in prefix:
        starts = {d for s in starts for n, d in _steps(lts, s) if n == name}
    rounds = lts.num_states + 1
    for _ in range(rounds):
        for s in starts:
            paths = [[s]]
            for _ in range(rounds):
                for name in cycle:
                    paths = [[*p, d] for p in paths for n, d in _steps(lts, p[-1]) if n == name]
                if any(p[-1] == s and _fair(lts, list(cycle), p[:-1], fairness) for p in paths):
                    return True
        starts = {p[-1] for s in starts for p in _rounds(lts, s, cycle)}
    return False


def _rounds(lts: LTS, start: int, cycle: tuple[str, ...]) -> list[list[int]]:
    """The paths from ``start`` labelled ``cycle`` (their states)."""
    paths = [[start]]
    for name in cycle:
        paths = [[*p, d] for p in paths for n, d in _steps(lts, p[-1]) if n == name]
    return paths


def _finite_word(lts: LTS, path: tuple[str, ...]) -> tuple[str, ...] | None:
    """The stutter step after ``path`` if it can end in a stuck state, else None."""
    states = {lts.initial}
    for name in path:
        states = {d for s in states for n, d in _steps(lts, s) if n == name}
    if not any(not _steps(lts, s) for s in states):
        return None
    return (path[-1],) if path and path[-1] in (TICK, "throw") else ("deadlock",)


@settings(max_examples=300)
@given(tiny_lts(), formulas(), st.sampled_from(list(Fairness)))
def test_the_checker_agrees_with_a_brute_force_lasso_search(lts, formula, fairness) -> None:
    result = check_ltl(lts, formula, fairness=fairness)
    violating = next((lasso for lasso in _lassos(lts, 6)
                      if _fair(lts, lasso[1], lasso[2], fairness)
                      and not holds_on_lasso(formula, lasso[0], lasso[1])), None)
    if violating is not None:
        assert not result.passed, f"{show(formula)} fails on {violating[:2]}"
    if result.passed:
        return
    ce = result.counterexample
    if ce.lasso:
        assert _witnesses(lts, ce.full_path, ce.cycle, fairness)
        assert not holds_on_lasso(formula, ce.full_path, ce.cycle)
    else:
        stutter = _finite_word(lts, ce.full_path)
        assert stutter is not None, f"{ce.full_path} does not end in a stuck state"
        assert not holds_on_lasso(formula, ce.full_path, stutter)


@settings(max_examples=100)
@given(tiny_lts(), formulas())
def test_fairness_only_ever_turns_a_failure_into_a_pass(lts, formula) -> None:
    verdicts = [check_ltl(lts, formula, fairness=f).passed
                for f in (Fairness.NONE, Fairness.WEAK, Fairness.STRONG)]
    assert verdicts == sorted(verdicts)  # fewer runs count under stronger fairness
