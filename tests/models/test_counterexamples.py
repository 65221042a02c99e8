"""Golden counterexamples for the bundled models' failing assertions.

Each expected trace was worked out by hand from the model (the comment says
why it is a shortest one); the check must give exactly that trace.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from procalg.api import check_model, load

MODELS = Path(__file__).resolve().parents[2] / "models"

GOLDEN = [
    # every philosopher must think and take the left fork: 10 events, none fewer;
    # the least of those paths by names takes each fork straight after thinking
    # (docs/checks.md, "Which counterexample procalg shows")
    ("dining_philosophers", "System :[deadlock free]",
     ("think.0", "pick.0.0", "think.1", "pick.1.1", "think.2", "pick.2.2",
      "think.3", "pick.3.3", "think.4", "pick.4.4"), None, None),
    # after <think.0> alone philosopher 0 always gets both forks; with philosopher 1
    # also hungry, 1 may take fork 1 first and 0 stabilises without eat.0
    ("dining_philosophers", "System \\ {| pick, put |} :[deterministic]",
     ("think.0", "think.1"), frozenset({"eat.0"}), None),
    # the sender's first send can be lost, resent and lost again for ever
    ("alternating_bit", "Lossy :[divergence free]", ("left.0",), None, ("τ", "τ")),
    ("alternating_bit", "COPY [FD= Lossy", ("left.0",), None, ("τ", "τ")),
    # a.0 cannot come round again before b.0: the longest prefix is a.0..a.3
    ("milner_scheduler", "Scheduler :[has trace]: <a.0, a.1, a.2, a.3, a.0>",
     ("a.0", "a.1", "a.2", "a.3"), frozenset({"a.0"}), None),
    # after receive the process may have chosen validate and refuse reject
    ("order_workflow", "Order :[deterministic]", ("receive",), frozenset({"reject"}), None),
    # billing waits for ship, which needs both branches over: stuck after fulfilment + charge
    ("order_workflow", "Broken :[deadlock free]",
     ("receive", "validate", "charge", "pick", "pack"), None, None),
    # ship fails after charge, a step nothing undoes
    ("broken_saga", "Order :[compensation complete]",
     ("reserve", "charge", "fail.ship", "compensate", "stranded.charge"), None, None),
    # the refund compensating charge can itself fail
    ("broken_saga", "Shaky :[compensation complete]",
     ("reserve", "charge", "fail.ship", "compensate", "fail.refund", "unreverted.charge"),
     None, None),
]


@pytest.mark.parametrize(("model", "assertion", "trace", "refused", "cycle"), GOLDEN,
                         ids=[f"{m}:{a}" for m, a, *_ in GOLDEN])
def test_failing_assertion_gives_its_golden_counterexample(
    model: str, assertion: str, trace: tuple, refused: frozenset | None, cycle: tuple | None
) -> None:
    reports = {r.assertion.text: r for r in check_model(load(MODELS / f"{model}.proc"))}
    report = reports[assertion]
    assert report.result == "fail"
    ce = report.check.counterexample
    assert ce.trace == trace
    if refused is not None:
        assert ce.refused == refused
    if cycle is not None:
        assert ce.cycle == cycle
