"""The liveness checker against spin on LTSs translated to Promela.

Each LTS becomes one Promela process whose global ``ev`` holds the label of
the step just taken (each step is one ``d_step``, so spin's never claim sees
only whole steps); finite runs are made to stutter in the Promela text itself
(a deadlocked state repeats ``deadlock``, a ✓ or ``throw`` step leads to a
state repeating it), and an atom becomes a test on ``ev``. Spin's run starts
in the state before the first step (``ev == -1``), so the formula is checked
from the next state on, as ``(ev == -1) U (ev != -1 && f)``: this spin is
built without the next-time operator, so the formulas compared have no
``X``. spin (and the C compiler it runs) is part of CI's install
(``.ci/run``), so these tests never skip.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

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
            f"ltl p {{ (ev == -1) U ((ev != -1) && ({_spin(formula, labels)})) }}\n")


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


@pytest.mark.parametrize(("lts", "text", "expected"), PAIRS)
def test_spin_and_procalg_agree_on_hand_picked_pairs(lts, text, expected, tmp_path) -> None:
    formula = parse_formula(text)
    assert spin_holds(lts, formula, tmp_path) == expected
    assert check_ltl(lts, formula).passed == expected


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lts=tiny_lts(), formula=formulas(next_time=False))
def test_spin_and_procalg_agree_on_random_pairs(lts, formula, tmp_path) -> None:
    assert EVENTS  # the random LTSs use the reference test's events
    assert check_ltl(lts, formula).passed == spin_holds(lts, formula, tmp_path)
