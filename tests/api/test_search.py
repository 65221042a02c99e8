"""The engine choice for deadlock, divergence and reachability.

The product engine and the reference (term-level) engine must agree on every
verdict of every bundled model and give counterexamples of the same length
(both are breadth-first, so both are shortest).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from procalg.api import check_model, load, loads
from procalg.api.search import (
    CheckEngine,
    SearchOptions,
    deadlock,
    determinism,
    divergence,
    reachable,
)
from procalg.errors import LimitExceeded, UsageError

MODELS = sorted((Path(__file__).resolve().parents[2] / "models").glob("*.proc"))


@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_both_engines_give_the_same_verdicts_and_trace_lengths(path: Path) -> None:
    model = load(path)
    auto = list(check_model(model, options=SearchOptions()))
    reference = list(check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE)))
    for a, r in zip(auto, reference, strict=True):
        assert a.result == r.result, a.assertion.text
        ca = a.check.counterexample if a.check else None
        cr = r.check.counterexample if r.check else None
        assert (ca is None) == (cr is None), a.assertion.text
        if ca is not None:
            assert len(ca.trace) == len(cr.trace), a.assertion.text


def test_the_product_engine_runs_where_the_top_is_parallel() -> None:
    model = loads("channel a, b\nA = a -> A\nP = A ||| (b -> STOP)\n")
    result = deadlock(model, "P", SearchOptions())
    assert result.passed and result.stats.extra["engine"] == "product"


def test_a_sequential_process_runs_on_the_product_engine_as_one_component() -> None:
    model = loads("channel a\nP = a -> SKIP ; P\n")
    result = deadlock(model, "P", SearchOptions())
    assert result.passed and result.stats.extra["engine"] == "product"
    assert "one sequential component" in result.stats.extra["notes"]


def test_the_reference_engine_runs_where_asked_and_says_why() -> None:
    model = loads("channel a\nP = a -> SKIP ; P\n")
    result = deadlock(model, "P", SearchOptions(engine=CheckEngine.REFERENCE))
    assert result.passed
    assert result.stats.extra["engine"] == "reference"
    assert result.stats.extra["why"] == "--engine reference"


def test_asking_for_the_product_engine_where_it_cannot_run_is_a_clear_error() -> None:
    # an Int channel: no alphabet to declare for a lazy component, and the
    # component explored whole passes the state limit
    model = loads("channel c : Int\nP(n) = c!n -> P((n + 1) % 1000)\n")
    with pytest.raises(LimitExceeded, match=r"product engine cannot run.*more than 100 states"):
        deadlock(model, "P(0)", SearchOptions(engine=CheckEngine.PRODUCT, max_states=100))


def test_an_unbounded_component_kept_finite_by_its_partner_runs_on_the_product_engine() -> None:
    # Count alone is infinite; the partner keeps the product finite, and the
    # lazy leaf is expanded only where the product goes
    model = loads("channel up, down\nCount(n) = up -> Count(n+1) [] n > 0 & down -> Count(n-1)\n"
                  "Limit = up -> down -> Limit\nP = Count(0) [| {up, down} |] Limit\n")
    result = deadlock(model, "P", SearchOptions(max_states=1_000_000))
    assert result.passed and result.stats.extra["engine"] == "product"
    assert result.stats.states == 2


def test_product_divergence_gives_the_trace_and_the_cycle() -> None:
    model = loads("channel a, b\nLoop = a -> Loop\nP = (b -> Loop ||| STOP) \\ {a}\n")
    result = divergence(model, "P", SearchOptions(engine=CheckEngine.PRODUCT))
    assert not result.passed
    assert result.counterexample.trace == ("b",)
    assert result.counterexample.cycle and set(result.counterexample.cycle) == {"τ"}


def test_product_reachability_gives_a_shortest_witness() -> None:
    model = loads("channel a, b, c\nP = (a -> b -> c -> STOP) ||| (c -> STOP)\n")
    result = reachable(model, "P", "c", SearchOptions(engine=CheckEngine.PRODUCT))
    assert result.passed and result.counterexample.trace == ("c",)


def test_partial_order_reduction_says_so_and_keeps_the_verdict() -> None:
    model = load(MODELS[0].parent / "dining_philosophers.proc")
    result = deadlock(model, "System", SearchOptions(por=True))
    assert not result.passed
    assert any("partial-order" in note for note in result.stats.extra["notes"])


def test_the_state_limit_stops_the_product_engine_cleanly() -> None:
    model = load(MODELS[0].parent / "dining_philosophers_fixed.proc")
    with pytest.raises(LimitExceeded) as caught:
        deadlock(model, "System", SearchOptions(max_states=100))
    assert caught.value.states >= 100


def test_refinement_builds_the_implementation_with_the_product_engine() -> None:
    from procalg.api.search import implementation
    from procalg.lts import LTS

    model = load(MODELS[0].parent / "alternating_bit.proc")
    impl = implementation(model, "Bounded", SearchOptions())
    assert isinstance(impl, LTS)
    assert impl.num_states <= 482  # reduced components never add states
    reference = implementation(model, "Bounded", SearchOptions(engine=CheckEngine.REFERENCE))
    assert not isinstance(reference, LTS)


def test_a_network_after_a_configuration_step_runs_on_the_product_engine() -> None:
    model = loads("channel configure, a, b\nA = a -> A\nB = b -> B\n"
                  "P = (configure -> SKIP ; (A [| {a} |] a -> STOP)) \\ {configure}\n")
    product = deadlock(model, "P", SearchOptions())
    reference = deadlock(model, "P", SearchOptions(engine=CheckEngine.REFERENCE))
    assert product.stats.extra["engine"] == "product"
    assert not product.passed and not reference.passed
    assert product.counterexample.trace == reference.counterexample.trace == ("a",)
    assert any("control components for ;" in n for n in product.stats.extra["notes"])


def test_a_component_that_can_throw_runs_on_the_product_engine() -> None:
    model = loads("channel a, b\nW = a -> THROW [] b -> W\nP = W ||| (b -> STOP)\n")
    result = deadlock(model, "P", SearchOptions())
    assert result.stats.extra["engine"] == "product"
    assert result.passed == deadlock(model, "P", SearchOptions(engine=CheckEngine.REFERENCE)).passed


def test_assertions_on_one_process_compile_its_network_once(monkeypatch) -> None:
    import procalg.semantics.network as network

    calls: list[object] = []
    compile_network = network.compile_network

    def counting(*args, **kwargs):
        calls.append(args[0])
        return compile_network(*args, **kwargs)

    monkeypatch.setattr(network, "compile_network", counting)
    model = loads("channel a, b\nA = a -> A\nP = A ||| (b -> STOP)\n"
                  "assert P :[deadlock free]\nassert P :[divergence free]\n"
                  "assert P :[reachable b]\n")
    results = list(check_model(model, options=SearchOptions()))
    assert [r.result for r in results] == ["pass", "pass", "pass"]
    assert len(calls) == 1


QUEUE = """
V = {0..9}
channel inp, mid, out : V
Q(s) = #s < 5 & inp?x -> Q(s^<x>) [] #s > 0 & mid!head(s) -> Q(tail(s)) WORK
Src(i) = i < 9 & inp!i -> Src(i+1)
Sink = mid?x -> out!x -> Sink
System = (Src(0) [| {| inp |} |] Q(<>)) [| {| mid |} |] Sink
"""
"""An ordered queue of capacity 5 over 10 values: 111 111 states alone, but the
source sends 0..8 once, so the product reaches about a hundred."""


@pytest.mark.parametrize("check", [deadlock, divergence])
def test_a_large_leaf_kept_small_by_its_partners_is_explored_lazily(check) -> None:
    model = loads(QUEUE.replace(" WORK", ""))
    fast = check(model, "System", SearchOptions(max_states=100_000))
    slow = check(loads(QUEUE.replace(" WORK", "")), "System",
                 SearchOptions(engine=CheckEngine.REFERENCE, max_states=100_000))
    assert fast.stats.extra["engine"] == "product"
    assert any("explored lazily" in note for note in fast.stats.extra["notes"])
    assert fast.verdict == slow.verdict and fast.stats.states == slow.stats.states
    if fast.counterexample is not None:
        assert len(fast.counterexample.trace) == len(slow.counterexample.trace)


def test_a_lazy_leaf_reaches_only_the_states_the_product_visits() -> None:
    result = reachable(loads(QUEUE.replace(" WORK", "")), "System", "out.8",
                       SearchOptions(max_states=100_000))
    assert result.passed and result.stats.extra["engine"] == "product"
    (note,) = [n for n in result.stats.extra["notes"] if "explored lazily" in n]
    reached = int(note.split(": ")[1].split(" local")[0])
    assert reached < 111_111 // 10  # a tenth of the queue at most, not all of it


def test_a_lazy_leaf_that_throws_runs_on_the_product_engine_once_throw_is_declared() -> None:
    # `throw` is no event of the model: the lazy queue's first throw has the network
    # compiled again with it declared (leaves.learn), not the reference engine run
    text = "activity work\n" + QUEUE.replace(" WORK", " [] #s == 3 & work -> Q(s)")
    result = deadlock(loads(text), "System", SearchOptions(max_states=100_000))
    reference = deadlock(loads(text), "System",
                         SearchOptions(engine=CheckEngine.REFERENCE, max_states=100_000))
    assert result.stats.extra["engine"] == "product"
    assert any("explored lazily" in n for n in result.stats.extra["notes"])
    assert result.verdict == reference.verdict
    assert len(result.counterexample.trace) == len(reference.counterexample.trace)


@pytest.mark.parametrize("check", [deadlock, partial(determinism, divergence=True)])
def test_a_written_throw_is_declared_before_the_first_search_so_it_runs_once(
        monkeypatch, check) -> None:
    # the lazy leaf meets its THROW only at the end: learned then, the whole
    # search would run again on a network compiled with `throw` declared (T has
    # more states than leaf_choice.EAGER_LIMIT: lazy)
    import procalg.semantics.network as network

    calls: list[object] = []
    compile_network = network.compile_network
    monkeypatch.setattr(network, "compile_network",
                        lambda *a, **k: calls.append(a[0]) or compile_network(*a, **k))
    text = ("channel up\nN = 3000\nT(n) = n < N & up -> T(n + 1) [] n == N & THROW\n"
            "U = up -> U\nSys = T(0) [| {up} |] U\n")
    auto = check(loads(text), "Sys", options=SearchOptions())
    assert auto.stats.extra["engine"] == "product" and len(calls) == 1
    assert any("explored lazily" in n for n in auto.stats.extra["notes"])
    asserted = text + "assert Sys :[deadlock free]\nassert Sys :[deterministic]\n"
    ref = check_model(loads(asserted), options=SearchOptions(engine=CheckEngine.REFERENCE))
    assert [r.result for r in ref] == ["pass", "pass"] and auto.passed


def test_a_failing_activity_met_late_in_a_lazy_leaf_has_throw_declared_before_the_first_search(
        monkeypatch) -> None:
    # `fail.work -> THROW` is offered only at T's last state: were `throw` learned
    # there, the network would be compiled (and the whole search run) twice
    import procalg.semantics.network as network

    calls: list[object] = []
    compile_network = network.compile_network
    monkeypatch.setattr(network, "compile_network",
                        lambda *a, **k: calls.append(a[0]) or compile_network(*a, **k))
    text = ("activity work\nchannel up\nN = 3000\n"
            "T(n) = n < N & up -> T(n + 1) [] n == N & work -> STOP\n"
            "U = up -> U\nSys = T(0) [| {up} |] U\n")
    auto = deadlock(loads(text), "Sys", SearchOptions())
    ref = deadlock(loads(text), "Sys", SearchOptions(engine=CheckEngine.REFERENCE))
    assert auto.stats.extra["engine"] == "product" and len(calls) == 1
    assert auto.verdict == ref.verdict and auto.stats.states == ref.stats.states
    assert auto.counterexample.trace == ref.counterexample.trace


def test_an_engine_name_is_parsed_into_the_enum_and_an_unknown_one_is_refused() -> None:
    assert CheckEngine.parse("product") is CheckEngine.PRODUCT
    with pytest.raises(UsageError, match="no engine called 'fast'"):
        CheckEngine.parse("fast")


def test_a_reference_only_limit_leaves_the_product_engine_free() -> None:
    model = loads("channel a, b, c, d\nP = (a -> b -> STOP) ||| (c -> d -> STOP)")
    capped = SearchOptions(reference_max_states=3)  # each leaf has 3 states, the product 9
    assert capped.reference_limit == 3 and capped.max_states is None
    result = deadlock(model, "P", capped)
    assert result.stats.extra["engine"] == "product" and result.stats.states == 9
    with pytest.raises(LimitExceeded):
        deadlock(model, "P", SearchOptions(engine=CheckEngine.REFERENCE, reference_max_states=3))


def test_a_process_whose_parameter_grows_without_bound_is_left_to_the_term_rules() -> None:
    # alone, nothing bounds n: the term rules meet the growth at once, and auto's
    # fallbacks (symbolic, dead counters) answer; a bounded one is one component
    model = loads("channel a\nP(n) = a -> P(n+1)\nQ(n) = a -> Q((n+1) % 4)\n")
    assert "grows without bound" in model.network("P(0)").reason
    assert model.network("Q(0)").notes[0] == "one sequential component"


XUML = """
N = 7
I = {0..N}
channel create, delete : I
channel gen, rem : I.I
channel get, set : I.Bool
channel bad
Q(i, s) = #s < 2 & gen!i?x -> Q(i, s^<x>) [] #s > 0 & rem!i!head(s) -> Q(i, tail(s))
Queue(i) = create!i -> (Q(i, <>) /\\ delete!i -> STOP)
Var(i, b) = get!i!b -> Var(i, b) [] set!i?c -> Var(i, c)
Reader = [] i : I @ get!i?b -> Reader
Ctrl(i) = create!i -> set!i!LAST -> gen!i!i -> rem!i!i -> get!i?b ->
          (if not b then bad -> STOP else if i < N then delete!i -> Ctrl(i + 1) else STOP)
Store = (||| i : I @ Var(i, false)) [| {| get |} |] Reader
System = (Ctrl(0) [| {| create, delete, gen, rem |} |] (||| i : I @ Queue(i)))
         [| {| get, set |} |] Store
Spec = [] e : diff(Events, {bad}) @ e -> Spec
assert Spec [T= System
"""
"""The shape of an xUML model's signal queues (Tokeneer): eight queues of 73
states each, explored whole, of which the product reaches three; reads of
stored values that change no state (self-loops); codes past 62 bits."""


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("last", ["true", "(i != N)"])
def test_whole_queues_the_product_barely_reaches_check_in_tiny_batches_as_the_reference(
        last: str, fused: bool, monkeypatch) -> None:
    from procalg.lts import level_search, network_fusion, refine_product

    monkeypatch.setattr(level_search, "SCRATCH", 1)  # a batch of MIN_CHUNK states
    monkeypatch.setattr(level_search, "MIN_CHUNK", 1)  # of one state: many batches a level
    if not fused:  # the controller, the flags, the reader and the spec fused fit one word
        monkeypatch.setattr(refine_product, "fuse", network_fusion.unfused)
    model = loads(XUML.replace("LAST", last))
    (fast,) = check_model(model)
    (slow,) = check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE))
    notes = fast.check.stats.extra["notes"]
    assert fast.check.stats.extra["engine"] == "product"
    assert not any("explored lazily" in n for n in notes)  # 666 local states in all: whole
    assert any("2 64-bit words" in n for n in notes) != fused
    assert (fast.result, fast.check.stats.states) == (slow.result, slow.check.stats.states)
    assert fast.check.stats.states == 48
    if last != "true":
        assert fast.check.counterexample.trace == slow.check.counterexample.trace
        assert fast.check.counterexample.trace[-2:] == ("get.7.false", "bad")


COUNTERS = """
channel a : {0..8}
channel bad
C(i, n) = n < 200 & a.i -> C(i, n + 1) [] n == 3 & bad -> STOP
System = ||| i : {0..8} @ C(i, 0)
Spec = [] e : diff(Events, {bad}) @ e -> Spec
assert Spec [T= System
"""
"""Nine counters of 201 states side by side: codes of 72 bits, wide levels."""


def test_wide_keys_looked_up_after_every_batch_check_as_in_whole_levels(monkeypatch) -> None:
    from procalg.lts import level_search

    model = loads(COUNTERS)
    (plain,) = check_model(model)
    (slow,) = check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE))
    monkeypatch.setattr(level_search, "SCRATCH", 1)  # batches of one state,
    monkeypatch.setattr(level_search, "MIN_CHUNK", 1)
    monkeypatch.setattr(level_search, "BUDGET_BYTES", 1)  # each looked up in the visited
    monkeypatch.setattr(level_search, "MIN_BUDGET", 1)  # set on its own, fresh joined often
    joins = []
    join = level_search.joined_unique
    monkeypatch.setattr(level_search, "joined_unique", lambda raw: joins.append(len(raw))
                        or join(raw))
    (fast,) = check_model(model)
    assert len(joins) > 10 and max(joins) > 1  # flushed often, fresh runs joined too
    assert any("2 64-bit words" in n for n in fast.check.stats.extra["notes"])
    assert (fast.result, fast.check.stats.states) == (plain.result, plain.check.stats.states)
    # the witness level's states are counted as far as the search went (the reference
    # one more); the first batch holding a witness gives it: a trace as short
    assert fast.result == slow.result and plain.check.counterexample.trace == \
        slow.check.counterexample.trace == ("a.0", "a.0", "a.0", "bad")
    trace = fast.check.counterexample.trace
    assert len(trace) == 4 and trace[-1] == "bad" and len(set(trace[:3])) == 1
