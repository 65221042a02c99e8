"""Whole leaves numbered as the product reaches them (procalg.lts.numbered)."""

from __future__ import annotations

import numpy as np
import pytest

from procalg.api import check_model, loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.errors import ModelError
from procalg.lts.codes import Layout
from procalg.lts.held import held_label
from procalg.lts.lazy import LazyComponent
from procalg.lts.lts import LTS
from procalg.lts.network import close, component, parallel, reduce_components
from procalg.lts.numbered import NUMBER_LIMIT, WholeSystem, numbered, numbered_leaves
from procalg.lts.product import count_states

# An xUML-shaped model of our own: a controller walks N + 1 signal queues (464
# states each: created, then up to two of 21 signals) and flags one after the
# other, so the product reaches each queue in three states (its digit: 2 bits)
# where a whole digit takes 9.
RING = """
N = 23
I = {0..N}
S = {0..20}
channel create, delete : I
channel gen, rem : I.S
channel get, set : I.Bool
channel bad
Q(i, s) = #s < 2 & gen!i?x -> Q(i, s^<x>) [] #s > 0 & rem!i!head(s) -> Q(i, tail(s))
Queue(i) = create!i -> Q(i, <>)
Var(i, b) = get!i!b -> Var(i, b) [] set!i?c -> Var(i, c)
Ctrl(i) = create!i -> set!i!(i != LAST) -> gen!i!(i % 21) -> rem!i!(i % 21) -> get!i?b ->
          (if not b then bad -> STOP else if i < N then delete!i -> Ctrl(i + 1) else STOP)
Queues = ||| i : I @ Queue(i)
Vars = ||| i : I @ Var(i, false)
System = (Ctrl(0) [| {| create, gen, rem |} |] Queues) [| {| get, set |} |] Vars
Spec = [] e : diff(Events, {bad}) @ e -> Spec
assert Spec [T= System
assert System :[deadlock free]
"""


def _chain(n: int) -> LTS:
    return LTS.build(n, 0, ["a", "b"], [(i, "a", i + 1) for i in range(n - 1)]
                     + [(i, "b", 0) for i in range(1, n)])


def test_a_leaf_past_the_limit_is_numbered_as_reached_and_a_small_one_stays_whole() -> None:
    big, small = _chain(NUMBER_LIMIT + 1), _chain(NUMBER_LIMIT)
    comp = numbered(big, "big")
    assert isinstance(comp, LazyComponent) and comp.whole is big and comp.num_states == 1
    assert numbered(small) is small


def test_a_leaf_holding_a_model_error_stays_whole() -> None:
    lts = LTS.build(300, 0, ["a", held_label(ModelError("boom"))],
                    [(i, "a", i + 1) for i in range(299)])
    assert numbered(lts) is lts


def test_the_whole_system_leaves_out_waiting_labels_not_asked() -> None:
    lts = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2)])
    system = WholeSystem(lts)
    assert system.successors_where(0, {"a"}, set()) == [("b", 2)]
    assert sorted(system.successors_where(0, {"a"}, {"a"})) == [("a", 1), ("b", 2)]


def test_a_numbered_leaf_gives_the_same_product_as_its_whole_lts() -> None:
    big = _chain(400)
    partner = LTS.build(3, 0, ["a", "b", "c"], [(0, "a", 1), (1, "c", 2), (2, "b", 0),
                                                 (1, "a", 0)])
    whole = close(parallel(component(partner), component(big), {"a", "b"}))
    assert numbered_leaves(whole, {id(big): (big, "chain")}) is whole  # int64 codes: whole
    lazy = numbered_leaves(whole, {id(big): (big, "chain")}, max_bits=8, spare_bits=0)
    assert isinstance(lazy.components[1], LazyComponent)
    a, b = count_states(whole), count_states(lazy)
    assert (a.states, a.transitions) == (b.states, b.transitions)


def test_wide_codes_number_leaves_only_where_a_whole_word_of_digits_could_go() -> None:
    # eight 300-state leaves (9 bits each, 8 to spare beyond one): 64 bits could go;
    # seven: 56, and the leaves stay whole (lazy groups fire slower than a word saves)
    chains = [_chain(300) for _ in range(8)]
    for n, numbers in ((8, True), (7, False)):
        net = component(chains[0])
        for lts in chains[1:n]:
            net = parallel(net, component(lts), set())
        net = close(net)
        leaves = {id(lts): (lts, f"chain{i}") for i, lts in enumerate(chains[:n])}
        out = numbered_leaves(net, leaves, max_bits=8)
        assert all(isinstance(c, LazyComponent) == numbers for c in out.components)


def test_reducing_a_network_reduces_a_numbered_leafs_whole_lts() -> None:
    # two copies of a 150-state cycle: bisimilar halves fold into one
    n = 300
    lts = LTS.build(n, 0, ["a"], [(i, "a", (i + 1) % n) for i in range(n)])
    net = numbered_leaves(component(lts), {id(lts): (lts, "cycle")}, max_bits=0, spare_bits=0)
    (comp,) = reduce_components(net).components
    assert isinstance(comp, LTS) and comp.num_states == 1  # now small: whole again


def test_word_keys_take_delta_rows_made_before_lazy_digits_grew_new_top_words() -> None:
    lay = Layout.choose([1 << 40, 1 << 40, 1 << 40], order=[0, 1, 2])
    keys = lay.keys([5 << 64 | 3])
    moved = lay.add(keys, np.array([[0, 1]]))  # two words' rows on three words
    assert lay.cast(moved).tolist() == [(5 << 64) + 4]


@pytest.fixture(scope="module")
def ring_results() -> dict[str, list]:
    out = {}
    for last in ("N", "99"):
        model = loads(RING.replace("LAST", last))
        for engine in (CheckEngine.PRODUCT, CheckEngine.REFERENCE):
            out[last, engine] = list(check_model(model, options=SearchOptions(engine=engine)))
    return out


@pytest.mark.parametrize("last", ["N", "99"])
def test_a_ring_of_queues_has_the_references_verdicts_and_counterexamples(
        ring_results: dict, last: str) -> None:
    product = ring_results[last, CheckEngine.PRODUCT]
    reference = ring_results[last, CheckEngine.REFERENCE]
    assert [r.result for r in product] == [r.result for r in reference]
    for p, r in zip(product, reference, strict=True):
        pc, rc = p.check.counterexample, r.check.counterexample
        assert (pc is None) == (rc is None)
        if pc is not None:
            assert pc.trace == rc.trace
    assert product[0].result == ("fail" if last == "N" else "pass")
    if last == "99":  # a whole search: the same states as the term rules
        assert product[0].check.stats.states == reference[0].check.stats.states


def test_stats_say_each_queue_was_numbered_as_reached_on_word_keys(ring_results: dict) -> None:
    # the deadlock search's: the refinement's fuses the controller, the flags and the
    # spec (procalg.lts.network_fusion), and its codes then fit one word
    (_, deadlock) = ring_results["99", CheckEngine.PRODUCT]
    notes = deadlock.check.stats.extra["notes"]
    numbered_notes = [n for n in notes if "explored whole (464 states), numbered as reached: "
                      "3 local states reached" in n]
    assert len(numbered_notes) == 24
    assert any("stored as 2 64-bit words" in n for n in notes)
