"""A lossless compression gives up at once where a part of its operand was given up on
(issue 9: RoboChart nests a compression per layer, each exploring its budget again)."""

from __future__ import annotations

import pytest

from procalg.api import check_model, loads
from procalg.assertion_kinds import Equivalence
from procalg.checks.equivalence import check_equivalence
from procalg.errors import ProcalgError
from procalg.semantics import compress as compress_module
from procalg.semantics import transformations
from procalg.terms import Call
from procalg.terms.compressed import Compressed
from tests.semantics.test_compress import WIDE, _counting, _unfolded

# P has 61 states, over a budget of 20; beside c.1 -> STOP it reaches 3
INNER = WIDE + "Q = sbisim(P)\n"
FD_EQUAL = "assert N [FD= Plain\nassert Plain [FD= N\n"


@pytest.fixture
def budget(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """A budget of 20 states for lossless compressions; the operands explored."""
    monkeypatch.setattr(compress_module, "LOSSLESS_BUDGET", 20)
    return _counting(monkeypatch)


def _same(model, left: str, right: str) -> bool:
    return check_equivalence(model.lts(left), model.lts(right), Equivalence.STRONG).verdict


def test_a_lossless_compression_holding_a_part_given_up_on_gives_up_unexplored(
        budget: list[object]) -> None:
    model = loads(INNER + "R = dbisim(Q ||| c.1 -> STOP)\nPlain = P ||| c.1 -> STOP\n")
    assert not isinstance(_unfolded(model, "Q"), Compressed)
    assert not isinstance(_unfolded(model, "R"), Compressed)
    assert budget == [Call("P")]  # R's operand is never explored: Q inside gave up
    assert _same(model, "R", "Plain")


def test_a_part_given_up_on_met_while_exploring_gives_up_the_compressions_around(
        budget: list[object], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transformations, "LOOK", 0)  # the look ahead sees no part
    model = loads(INNER + "R = sbisim(dbisim(Q [| {| c |} |] c.1 -> STOP))\n"
                  "Plain = P [| {| c |} |] c.1 -> STOP\n")
    # beside c.1 -> STOP, Q reaches 3 states: explored to the end, dbisim's operand would
    # fit its budget; met inside its exploration, Q gives it (and sbisim) up at once
    assert not isinstance(_unfolded(model, "R"), Compressed)
    assert budget[-1] == Call("P")
    assert _same(model, "R", "Plain")


def test_a_lossy_compression_around_a_part_given_up_on_still_compresses(
        budget: list[object]) -> None:
    model = loads(INNER + "N = normal(Q ||| c.1 -> STOP)\nPlain = P ||| c.1 -> STOP\n"
                  + FD_EQUAL)
    assert not isinstance(_unfolded(model, "Q"), Compressed)
    assert isinstance(_unfolded(model, "N"), Compressed)
    assert [r.result for r in check_model(model)] == ["pass", "pass"]


def test_a_lossy_compression_explores_a_given_up_part_inside_it(
        budget: list[object], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transformations, "LOOK", 0)
    model = loads(INNER + "N = normal(dbisim(d.0 -> Q))\nPlain = d.0 -> P\n" + FD_EQUAL)
    assert isinstance(_unfolded(model, "N"), Compressed)
    assert [r.result for r in check_model(model)] == ["pass", "pass"]


def test_a_compression_whose_operand_fails_fails_again_without_exploring(
        monkeypatch: pytest.MonkeyPatch) -> None:
    explored = _counting(monkeypatch)
    model = loads("channel c : {0..2}\nchannel d\nP(n) = c!n -> P(n + 1)\nQ = normal(d -> P(0))\n")
    evaluator = model.spec.evaluator
    with pytest.raises(ProcalgError) as first:
        evaluator.unfold(model.process("Q"))
    with pytest.raises(ProcalgError) as second:
        evaluator.unfold(model.process("Q"))
    assert "outside" in str(first.value) and second.value is first.value
    assert len(explored) == 1  # every assertion on Q would explore it to c.3 again
