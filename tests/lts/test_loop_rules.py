"""Rules that only loop, left out of a traces refinement (procalg.lts.loop_rules)."""

from __future__ import annotations

import pytest

from procalg.api import check_model, loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.errors import ModelError
from procalg.lts.held import held_label
from procalg.lts.loop_rules import without_loops
from procalg.lts.lts import LTS
from procalg.lts.network import Network, SyncRule, close, component, parallel

# Our own model: flags read by a controller (moves) and peeked at by a watcher
# (a loop of the flag, of the watcher and of the one-node specification).
PEEKED = """
N = 5
I = {0..N}
channel get, set, peek : I.Bool
channel step : I
channel bad
Var(i, b) = get!i!b -> Var(i, b) [] set!i?c -> Var(i, c) [] peek!i!b -> Var(i, b)
Watcher = [] i : I @ peek!i?b -> Watcher
Ctrl(i) = step!i -> set!i!(i != LAST) -> get!i?b ->
          (if not b then bad -> STOP else if i < N then Ctrl(i + 1) else STOP)
Vars = ||| i : I @ Var(i, false)
System = Ctrl(0) [| {| get, set |} |] (Vars [| {| peek |} |] Watcher)
Spec = [] e : diff(Events, {bad}) @ e -> Spec
assert Spec [T= System
assert Spec [F= System
"""


def test_a_rule_whose_every_part_only_loops_is_left_out_and_one_that_moves_is_kept() -> None:
    flag = LTS.build(2, 0, ["get", "set"], [(0, "get", 0), (0, "set", 1), (1, "get", 1)])
    reader = LTS.build(1, 0, ["get"], [(0, "get", 0)])
    net, dropped = without_loops(close(parallel(component(flag), component(reader), {"get"})))
    assert [r.label for r in net.rules] == ["set"] and dropped == 1


def test_tau_and_a_held_errors_move_are_kept_though_they_loop() -> None:
    held = held_label(ModelError("boom"))
    lts = LTS.build(1, 0, ["τ", held], [(0, "τ", 0), (0, held, 0)])
    net = Network((lts,), (SyncRule("τ", ((0, "τ"),)), SyncRule(held, ((0, held),))))
    assert without_loops(net) == (net, 0)


def test_a_prioritised_network_keeps_its_loops() -> None:
    lts = LTS.build(1, 0, ["a"], [(0, "a", 0)])
    net = Network((lts,), (SyncRule("a", ((0, "a"),), rank=0),))
    assert without_loops(net) == (net, 0)


@pytest.mark.parametrize("last", ["N", "99"])
def test_a_traces_check_without_the_loops_has_the_references_verdicts(last: str) -> None:
    model = loads(PEEKED.replace("LAST", last))
    product = list(check_model(model, options=SearchOptions(engine=CheckEngine.PRODUCT)))
    reference = list(check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE)))
    assert [r.result for r in product] == [r.result for r in reference]
    assert product[0].result == ("fail" if last == "N" else "pass")
    for p, r in zip(product, reference, strict=True):
        pc, rc = p.check.counterexample, r.check.counterexample
        assert (pc is None) == (rc is None)
        assert pc is None or pc.trace == rc.trace
    traces, failures = (r.check.stats.extra["notes"] for r in product)
    assert "12 rules that only loop left out (traces: such a move adds no state or trace)" \
        in traces
    assert not any("only loop" in n for n in failures)  # a loop is an offer there
    if last == "99":
        assert product[0].check.stats.states == reference[0].check.stats.states
