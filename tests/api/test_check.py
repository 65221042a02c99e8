"""Assertions through the API: model suffixes, negation, evidence."""

from __future__ import annotations

import pytest

from procalg.api import check_model, loads

DIVERGENT = """\
channel a, b
Loop = a -> Loop
Q = b -> Q
P = (Q [] Loop) \\ {a}
"""


@pytest.mark.parametrize(
    ("assertion", "verdict"),
    [
        # P may choose the hidden a-loop and diverge, but no state is stuck...
        ("P :[deadlock free]", "pass"),
        ("P :[deadlock free [F]]", "pass"),
        # ...except in the failures-divergences reading, where divergence is chaos
        ("P :[deadlock free [FD]]", "fail"),
        # FD determinism fails on the divergence
        ("P :[deterministic]", "fail"),
        ("P :[deterministic [FD]]", "fail"),
        # stable failures ignore divergence: after <> no state is stable (τ is
        # always possible) and after <b, ...> the b-loop accepts b: deterministic
        ("P :[deterministic [F]]", "pass"),
        ("not P :[deterministic [F]]", "fail"),
    ],
)
def test_model_suffixes_choose_the_semantic_model(assertion: str, verdict: str) -> None:
    model = loads(DIVERGENT + f"assert {assertion}\n")
    (report,) = check_model(model)
    assert report.result == verdict, report.check


def test_stable_failures_determinism_still_catches_a_refusal() -> None:
    model = loads("channel a, b\nP = a -> STOP |~| b -> STOP\n"
                  "assert P :[deterministic [F]]\n")
    (report,) = check_model(model)
    assert report.result == "fail"
    assert report.check.counterexample.trace == ()
