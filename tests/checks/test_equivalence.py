"""Equivalence checks and their distinguishing Hennessy–Milner formulas."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.equivalence import check_equivalence
from procalg.checks.hml import FF, TT, Box, Diamond, Junction, conjunction, negate
from procalg.checks.result import Equivalence
from procalg.lts import LTS
from procalg.lts.partition import Bisimulation

A = LTS.build(2, 0, ["a"], [(0, "a", 1)])
TAU_A = LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "a", 2)])
EARLY = LTS.build(5, 0, ["a", "b", "c"], [(0, "a", 1), (0, "a", 2), (1, "b", 3), (2, "c", 4)])
LATE = LTS.build(4, 0, ["a", "b", "c"], [(0, "a", 1), (1, "b", 2), (1, "c", 3)])
VGW_LEFT = LTS.build(6, 0, ["a", "b", "c"], [
    (0, "a", 1), (1, "τ", 2), (2, "b", 3), (1, "c", 3), (0, "a", 4), (4, "b", 5)])
VGW_RIGHT = LTS.build(4, 0, ["a", "b", "c"], [(0, "a", 1), (1, "τ", 2), (2, "b", 3), (1, "c", 3)])


# --- an independent HML model checker over the printed formula --------------

TOKEN = re.compile(r"\s*(<<|>>|\[\[|\]\]|&&|\|\||[<>\[\]()]|tt|ff|[^\s<>\[\]()&|]+)")


def _parse(text: str):
    tokens = TOKEN.findall(text)
    pos = 0

    def take():
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def formula():
        tok = take()
        if tok in ("tt", "ff"):
            return (tok,)
        if tok in ("<", "<<", "[", "[["):
            label = take()
            take()  # closing bracket
            kind = {"<": "dia", "<<": "wdia", "[": "box", "[[": "wbox"}[tok]
            return (kind, "τ" if label == "tau" else label, formula())
        assert tok == "("
        parts, ops = [formula()], set()
        while (op := take()) != ")":
            ops.add(op)
            parts.append(formula())
        assert len(ops) == 1
        return ("and" if ops == {"&&"} else "or", parts)

    result = formula()
    assert pos == len(tokens), text
    return result


def _star(lts: LTS, s: int) -> set[int]:
    seen, todo = {s}, [s]
    while todo:
        u = todo.pop()
        for lab, d in lts.successors(u):
            if lab == 0 and d not in seen:
                seen.add(d)
                todo.append(d)
    return seen


def _moves(lts: LTS, s: int, label: str, weak: bool) -> set[int]:
    if not weak:
        return {d for lab, d in lts.successors(s) if lts.labels[lab] == label}
    if label == "τ":
        return _star(lts, s)
    mid = {d for u in _star(lts, s) for lab, d in lts.successors(u) if lts.labels[lab] == label}
    return {w for v in mid for w in _star(lts, v)}


def holds(lts: LTS, s: int, f) -> bool:
    match f:
        case ("tt",):
            return True
        case ("ff",):
            return False
        case ("and", parts):
            return all(holds(lts, s, p) for p in parts)
        case ("or", parts):
            return any(holds(lts, s, p) for p in parts)
        case (kind, label, body):
            targets = _moves(lts, s, label, kind.startswith("w"))
            test = any if kind.endswith("dia") else all
            return test(holds(lts, t, body) for t in targets)
    raise AssertionError(f)


def _separates(left: LTS, right: LTS, text: str) -> bool:
    f = _parse(text)
    return holds(left, left.initial, f) and not holds(right, right.initial, f)


# --- hand cases ---------------------------------------------------------------

def test_tau_prefix_is_weakly_equal_but_strongly_distinguished_by_a_tau_diamond():
    assert check_equivalence(TAU_A, A, Equivalence.WEAK).passed
    assert check_equivalence(TAU_A, A, Equivalence.BRANCHING).passed
    result = check_equivalence(TAU_A, A, Equivalence.STRONG)
    assert not result.passed
    assert _separates(TAU_A, A, result.counterexample.formula)


def test_early_choice_is_explained_by_a_diamond_then_a_box():
    result = check_equivalence(EARLY, LATE, Equivalence.STRONG)
    formula = result.counterexample.formula
    assert formula in ("<a>[c]ff", "<a>[b]ff")
    assert _separates(EARLY, LATE, formula)
    assert result.counterexample.trace in (("a", "c"), ("a", "b"))
    swapped = check_equivalence(LATE, EARLY, Equivalence.STRONG).counterexample.formula
    assert _separates(LATE, EARLY, swapped)


def test_weak_difference_is_explained_with_weak_modalities():
    left = LTS.build(4, 0, ["a", "b"], [(0, "τ", 1), (1, "a", 2), (0, "b", 3)])
    right = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2)])
    result = check_equivalence(left, right, Equivalence.WEAK)
    assert not result.passed
    assert "<<" in result.counterexample.formula or "[[" in result.counterexample.formula
    assert _separates(left, right, result.counterexample.formula)


def test_third_tau_law_fails_branching_with_an_explaining_note():
    assert check_equivalence(VGW_LEFT, VGW_RIGHT, Equivalence.WEAK).passed
    result = check_equivalence(VGW_LEFT, VGW_RIGHT, Equivalence.BRANCHING)
    assert not result.passed
    assert "weakly bisimilar" in result.counterexample.note
    assert result.counterexample.formula is None


def test_trace_equivalence_ignores_branching_structure():
    assert check_equivalence(EARLY, LATE, Equivalence.TRACE).passed
    result = check_equivalence(A, LATE, Equivalence.TRACE)
    assert not result.passed and result.counterexample.trace == ("a", "b")


def test_formula_helpers_simplify_and_negate():
    assert conjunction([]) == TT and conjunction([TT, FF]) == FF
    assert str(negate(Junction(True, (Diamond("a", TT), Box("b", FF, weak=True))))) == \
        "([a]ff || <<b>>tt)"


# --- properties ---------------------------------------------------------------

@st.composite
def random_lts(draw) -> LTS:
    n = draw(st.integers(1, 5))
    state = st.integers(0, n - 1)
    label = st.sampled_from(["τ", "a", "b"])
    triples = draw(st.lists(st.tuples(state, label, state), max_size=2 * n + 1))
    return LTS.build(n, 0, ["a", "b"], triples)


BISIMULATIONS = [Equivalence.STRONG, Equivalence.WEAK, Equivalence.BRANCHING]


@pytest.mark.parametrize("kind", BISIMULATIONS)
@settings(max_examples=150, deadline=None)
@given(left=random_lts(), right=random_lts())
def test_a_failed_check_gives_a_formula_the_left_satisfies_and_the_right_does_not(
        kind, left, right):
    result = check_equivalence(left, right, kind)
    if result.passed or result.counterexample.formula is None:
        assert result.passed or kind is Equivalence.BRANCHING
        return
    assert _separates(left, right, result.counterexample.formula)


@pytest.mark.parametrize("kind", BISIMULATIONS)
@settings(max_examples=60, deadline=None)
@given(lts=random_lts())
def test_every_lts_is_equivalent_to_itself_and_its_quotient(kind, lts):
    assert check_equivalence(lts, lts, kind).passed
    assert check_equivalence(lts, lts.minimize(Bisimulation(kind.value)), kind).passed
