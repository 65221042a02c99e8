"""A compression's operand explored compiled gives the compressed process the term
rules give, up to strong bisimulation (random terms, and our own models written in
FDR's compression idiom)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import check_model, loads
from procalg.assertion_kinds import Equivalence
from procalg.checks.equivalence import check_equivalence
from procalg.errors import LimitExceeded
from procalg.lts import LTS, compressions, explore
from procalg.semantics import compiled_operand
from procalg.semantics import compress as compress_module
from procalg.semantics.compiled_operand import EventNames, operand_lts
from procalg.semantics.compress import REDUCTIONS, compress
from procalg.semantics.leaves import Leaves, compressed_leaf
from procalg.semantics.sos import Rules
from procalg.semantics.system import TermSystem
from procalg.terms import (
    STOP,
    Event,
    Prefix,
    Process,
)
from procalg.terms.compressed import Compressed
from tests.semantics.test_compress import random_terms

# parallel twice as often, so that most operands are networks for the product engine
terms = random_terms(parallel_weight=2)
EVALUATOR = loads("channel a, b, c").spec.evaluator


def _lts(term: Process) -> LTS:
    return explore(TermSystem(term))


def _bisimilar(left: LTS, right: LTS) -> bool:
    return check_equivalence(left, right, Equivalence.STRONG).passed


@settings(max_examples=150, deadline=None)
@given(terms, st.sampled_from(sorted(REDUCTIONS)))
def test_a_compression_of_a_compiled_operand_is_bisimilar_to_the_term_rules_one(
        term, name) -> None:
    by_terms = compress(name, term, None)
    compiled = compress(name, term, EVALUATOR.unfold, evaluator=EVALUATOR)
    assert _bisimilar(_lts(compiled), _lts(by_terms))


@settings(max_examples=60, deadline=None)
@given(terms)
def test_the_compiled_operand_is_bisimilar_to_the_term_rules_lts(term) -> None:
    found = operand_lts(term, EVALUATOR, 10_000)
    assert found is not None  # every label is an event of a declared channel
    lts, events = found
    assert [str(e) for e in events] == list(lts.labels)
    assert _bisimilar(lts, _lts(term))


RING = """\
channel left, right : {0..5}
channel get, put : {0..5}
CELL(i) = left.i -> get.i -> right.i -> put.i -> CELL(i)
ALPHA(i) = {left.i, get.i, right.i, put.i}
STORE(i) = get.i -> put.i -> STORE(i)
-- FDR's idiom: add one component at a time, hide what no later one uses, compress
Cells(n) = if n == 0 then CELL(0) else
           normal((Cells(n-1) [ Union({ALPHA(j) | j <- {0..n-1}}) || ALPHA(n) ] CELL(n))
                  \\ {get.(n-1), put.(n-1)})
Ring(n) = Cells(n) [| {|get, put|} |] (||| i : {0..n} @ STORE(i))
"""


def _cells(name: str, n: int) -> tuple[Process, LTS]:
    model = loads(RING.replace("normal((", f"{name}(("))
    term = model.spec.rules().normalise(model.process(f"Cells({n})"))
    return term, _lts(term)


@pytest.mark.parametrize("name", ["normal", "sbisim", "diamond", "explicate", "wbisim"])
def test_a_chain_of_cells_compressed_inductively_is_the_same_compiled_or_by_term_rules(
        name, monkeypatch: pytest.MonkeyPatch) -> None:
    compiled, lts = _cells(name, 4)
    assert isinstance(compiled, Compressed)
    with monkeypatch.context() as patch:  # every level by the term rules, as before
        patch.setattr(compress_module, "operand_lts", lambda *_: None)
        by_terms, reference = _cells(name, 4)
    assert compiled.table is not by_terms.table
    assert _bisimilar(lts, reference)


def test_every_level_of_the_chain_is_explored_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    results: list[bool] = []

    def spy(*args):
        found = operand_lts(*args)
        results.append(found is not None)
        return found

    monkeypatch.setattr(compress_module, "operand_lts", spy)
    _cells("normal", 4)
    assert results == [True] * 4  # one normal(...) per level


def test_an_inductively_compressed_ring_checks_like_the_uncompressed_one() -> None:
    model = loads(RING + """\
Plain(n) = (|| i : {0..n} @ [ALPHA(i)] CELL(i)) [| {|get, put|} |] (||| i : {0..n} @ STORE(i))
assert Ring(4) :[deadlock free [F]]
assert Plain(4) :[deadlock free [F]]
assert Ring(4) [FD= Plain(4) \\ {get.0, put.0, get.1, put.1, get.2, put.2, get.3, put.3}
assert Plain(4) \\ {get.0, put.0, get.1, put.1, get.2, put.2, get.3, put.3} [FD= Ring(4)
""")
    assert [r.result for r in check_model(model)] == ["pass", "pass", "pass", "pass"]


def test_a_compressed_leaf_of_a_network_is_its_table_not_the_term_rules() -> None:
    term, lts = _cells("normal", 3)
    model = loads(RING)
    leaves = Leaves(Rules(model.spec.evaluator.unfold), None, None, None, model.spec.evaluator)
    leaf = leaves.lts(term)
    assert leaves.systems == {}  # nothing fired by the rules
    assert _bisimilar(leaf, lts)


def test_a_compressed_leaf_started_later_keeps_its_reachable_part_and_omega() -> None:
    graph = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2), (2, "✓", 2)])
    leaf = compressed_leaf(graph, 1)
    assert list(leaf.triples()) == [(0, "b", 1), (1, "✓", 2)]


def test_an_operand_with_an_event_no_channel_declares_goes_to_the_term_rules() -> None:
    assert EventNames.of(EVALUATOR).event("nowhere.1") is None
    assert operand_lts(Prefix(Event("nowhere", (1,)), STOP), EVALUATOR, 100) is None
    made = compress("sbisim", Prefix(Event("nowhere", (1,)), STOP), None, evaluator=EVALUATOR)
    assert [str(label) for label, _ in made.moves()] == ["nowhere.1"]


def test_a_channel_too_wide_to_list_is_left_to_the_term_rules(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiled_operand, "WIDEST_CHANNEL", 3)
    names = EventNames(loads("channel c : {0..9}").spec.evaluator.types)
    assert names.event("c.1") is None


def test_a_compressed_process_at_the_top_is_checked_by_the_product_engine() -> None:
    model = loads(RING + "assert Cells(3) :[deadlock free [F]]\nassert Cells(3) :[deterministic]\n")
    reports = list(check_model(model))
    assert [r.result for r in reports] == ["pass", "pass"]
    assert {r.stats.extra.get("engine") for r in reports} == {"product"}


@settings(max_examples=100, deadline=None)
@given(terms)
def test_normal_of_a_deterministic_lts_is_the_subset_construction_s_result(term) -> None:
    lts = _lts(term)
    fast = compressions.normal_lts(lts)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compressions, "_deterministic", lambda _: False)
        general = compressions.normal_lts(lts)
    assert _bisimilar(fast, general)


def test_a_leaf_operand_over_the_budget_is_explored_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from procalg.semantics import leaves

    explored: list[object] = []
    original = leaves.explore

    def counted(system, **kw):
        explored.append(system)
        return original(system, **kw)

    monkeypatch.setattr(leaves, "explore", counted)
    model = loads("channel c, d : {0..59}\nP = c?x -> d!x -> P")
    with pytest.raises(LimitExceeded):
        operand_lts(model.process("P"), model.spec.evaluator, 20)
    assert len(explored) == 1  # not once by the network compiler, then again as a leaf


def test_a_network_operand_with_a_wide_input_runs_on_the_product_engine(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args):
        raise AssertionError("explored as one leaf by the term rules")

    monkeypatch.setattr(compiled_operand, "_hidden_leaf", refused)
    model = loads("channel c : {0..1999}\nchannel e\nN = (c?x -> e -> STOP) [| {e} |] e -> STOP")
    found = operand_lts(model.process("N"), model.spec.evaluator, None)
    assert found is not None
    assert _bisimilar(found[0], model.lts("N"))
