"""The liveness checker against spin on LTSs translated to Promela.

Each LTS becomes one Promela process whose global ``ev`` holds the label of
the step just taken (each step is one ``d_step``, so spin's never claim sees
only whole steps); finite runs are made to stutter in the Promela text itself
(a deadlocked state repeats ``deadlock``, a ✓ or ``throw`` step leads to a
state repeating it), and an atom becomes a test on ``ev``. Spin's run starts
in the state before the first step (``ev == -1``), so the formula is checked
from the next state on, as ``(ev == -1) U (ev != -1 && f)``: this spin is
built without the next-time operator, so the formulas compared have no
``X``. Constants are folded away first (:func:`folded`): spin 6's LTL
translation never ends on some formulas with a constant under ``<->`` beside
``W`` (``(ev == -1) U ((ev != -1) && (false <-> (a W false)))``), a limit of
spin's, not of the formula. spin (and the C compiler it runs) is part of CI's
install (``.ci/run``), so these tests never skip.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings

from procalg.checks.liveness import check_ltl
from procalg.checks.ltl import Atom, Binary, Const, Formula, Not, Unary, parse_formula
from procalg.lts import LTS, TAU, TICK
from tests.checks.test_liveness_reference import EVENTS, formulas, tiny_lts

SPIN_OP = {"&&": "&&", "||": "||", "->": "->", "<->": "<->", "U": "U", "R": "V", "W": "W"}


def promela(lts: LTS, formula: Formula) -> str:
    labels = [*lts.labels, "deadlock"]
    deadlock = len(labels) - 1
    sink = {TICK: lts.num_states, "throw": lts.num_states + 1}
    options = []
    for s in range(lts.num_states):
        steps = lts.successors(s)
        for lab, d in steps:
            name = lts.labels[lab]
            if name in sink and not lts.successors(d):
                d = sink[name]
            options.append(f":: d_step {{ s == {s} -> ev = {lab}; s = {d} }}")
        if not steps:
            options.append(f":: d_step {{ s == {s} -> ev = {deadlock} }}")
    for name, state in sink.items():
        if name in lts.labels:
            options.append(f":: d_step {{ s == {state} -> ev = {lts.labels.index(name)} }}")
    body = "\n  ".join(options)
    return (f"int ev = -1;\nint s = {lts.initial};\n"
            f"active proctype P() {{\n  do\n  {body}\n  od\n}}\n"
            f"ltl p {{ (ev == -1) U ((ev != -1) && ({_spin(folded(formula), labels)})) }}\n")


_BOOLEAN = {"&&": lambda a, b: a and b, "||": lambda a, b: a or b,
            "->": lambda a, b: not a or b, "<->": lambda a, b: a == b}


def folded(f: Formula) -> Formula:
    """``f`` with no constant under an operator (LTL's identities: ``x W false``
    is ``G x``, ``true U y`` is ``F y``, ``false <-> x`` is ``!x``, ...)."""
    match f:
        case Not():
            inner = folded(f.operand)
            return Const(not inner.value) if isinstance(inner, Const) else Not(inner)
        case Unary():
            inner = folded(f.operand)
            return inner if isinstance(inner, Const) else Unary(f.op, inner)
        case Binary():
            return _folded_binary(f.op, folded(f.left), folded(f.right))
    return f


def _folded_binary(op: str, left: Formula, right: Formula) -> Formula:
    """``left op right`` of folded operands, a constant among them folded in."""
    a = left.value if isinstance(left, Const) else None
    b = right.value if isinstance(right, Const) else None
    if a is not None and b is not None and op in _BOOLEAN:
        return Const(_BOOLEAN[op](a, b))
    if a is None and b is None:
        return Binary(op, left, right)
    x, other = (right, a) if a is not None else (left, b)  # the formula, the constant
    on_left = a is not None
    table = {  # (constant on the left?, its value) -> the result
        "&&": {(True, True): x, (True, False): Const(False), (False, True): x,
               (False, False): Const(False)},
        "||": {(True, True): Const(True), (True, False): x, (False, True): Const(True),
               (False, False): x},
        "->": {(True, True): x, (True, False): Const(True), (False, True): Const(True),
               (False, False): Not(x)},
        "<->": {(True, True): x, (True, False): Not(x), (False, True): x,
                (False, False): Not(x)},
        "U": {(True, True): Unary("F", x), (True, False): x, (False, True): Const(True),
              (False, False): Const(False)},
        "R": {(True, True): x, (True, False): Unary("G", x), (False, True): Const(True),
              (False, False): Const(False)},
        "W": {(True, True): Const(True), (True, False): x, (False, True): Const(True),
              (False, False): Unary("G", x)},
    }
    return table[op][on_left, other]


def _spin(f: Formula, labels: list[str]) -> str:
    match f:
        case Const():
            return "true" if f.value else "false"
        case Atom():
            hits = [i for i, name in enumerate(labels) if _matches(f, name)]
            return "(" + " || ".join(f"(ev == {i})" for i in hits) + ")" if hits else "false"
        case Not():
            return f"!({_spin(f.operand, labels)})"
        case Unary():
            op = {"G": "[]", "F": "<>"}[f.op]
            return f"{op}({_spin(f.operand, labels)})"
        case Binary():
            return f"(({_spin(f.left, labels)}) {SPIN_OP[f.op]} ({_spin(f.right, labels)}))"
    raise TypeError(f)


def _matches(atom: Atom, name: str) -> bool:
    special = {"tick": TICK, "throw": "throw", "deadlock": "deadlock"}
    if name == TAU:
        return False
    return any(name == special[p] if p in special
               else name not in (TICK, "deadlock") and (name == p or name.startswith(p + "."))
               for p in atom.patterns)


def spin_holds(lts: LTS, formula: Formula, work: Path) -> bool:
    (work / "model.pml").write_text(promela(lts, formula))
    run = lambda *cmd: subprocess.run(cmd, cwd=work, capture_output=True, text=True,  # noqa: E731
                                      check=True, timeout=120).stdout
    run("spin", "-a", "model.pml")
    run("gcc", "-O0", "-w", "-DNOREDUCE", "-o", "pan", "pan.c")
    out = run("./pan", "-a", "-n", "-m100000")
    assert "errors:" in out, out
    return "errors: 0" in out


PAIRS = [
    (LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)]), "G (a -> F b)", True),
    (LTS.build(2, 0, ["a", "b", "c"], [(0, "a", 1), (1, "b", 0), (1, "c", 1)]),
     "G (a -> F b)", False),
    (LTS.build(3, 0, ["a"], [(0, "a", 1), (1, TICK, 2)]), "F G tick", True),
    (LTS.build(3, 0, ["a"], [(0, TAU, 1), (1, "a", 2), (2, TAU, 2)]), "!a && F a && F G !a", True),
    (LTS.build(2, 0, ["a"], [(0, "a", 1)]), "a && F G deadlock", True),
    (LTS.build(3, 0, ["c.0", "c.1"], [(0, "c.0", 1), (1, "c.1", 0), (0, "c.1", 2)]),
     "G F c.0", False),
]


@pytest.mark.parametrize(("text", "want"), [
    ("!(true || a) <-> (b W c.0)", "!(b W c.0)"), ("a W false", "G a"), ("true U a", "F a"),
    ("false R a", "G a"), ("a -> false", "!a"), ("G (true && F false)", "false"),
    ("a U (b || true)", "true"), ("(false W a) && a", "a && a")])
def test_constants_fold_away_by_ltls_identities(text: str, want: str) -> None:
    assert folded(parse_formula(text)) == parse_formula(want)


@settings(max_examples=200, deadline=None)
@given(lts=tiny_lts(), formula=formulas(next_time=False))
def test_a_folded_formula_has_the_same_verdict(lts, formula) -> None:
    assert check_ltl(lts, folded(formula)).passed == check_ltl(lts, formula).passed


@pytest.mark.parametrize(("lts", "text", "expected"), PAIRS)
def test_spin_and_procalg_agree_on_hand_picked_pairs(lts, text, expected, tmp_path) -> None:
    formula = parse_formula(text)
    assert spin_holds(lts, formula, tmp_path) == expected
    assert check_ltl(lts, formula).passed == expected


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lts=tiny_lts(), formula=formulas(next_time=False))
@example(lts=LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 1)]),
         formula=parse_formula("!(true || a) <-> (b W c.0)"))  # spin's translation never ended
def test_spin_and_procalg_agree_on_random_pairs(lts, formula, tmp_path) -> None:
    assert EVENTS  # the random LTSs use the reference test's events
    assert check_ltl(lts, formula).passed == spin_holds(lts, formula, tmp_path)
