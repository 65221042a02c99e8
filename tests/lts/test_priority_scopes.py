"""Priority scopes (lts/priority_scopes.py): a priority below the top of a network
evaluated in the outer product, state by state; the term rules are the oracle
(same LTS up to strong bisimulation, same verdicts, same shortest traces)."""

from __future__ import annotations

from functools import partial

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from procalg.api import search
from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import LTS, TICK, leaf_choice, priority_scopes, vectors
from procalg.lts.lazy import LazyComponent
from procalg.lts.nested import NestedNetwork, nested_lts
from procalg.lts.network import close, component, parallel
from procalg.lts.priority import Preemption
from procalg.lts.priority_scopes import scope
from procalg.lts.product import count_states, explore_product
from procalg.semantics import leaves, network_nested
from procalg.semantics.network import NotApplicable, compile_network
from procalg.semantics.priority import prioritise
from procalg.terms import STOP, Hide, Interrupt, Parallel, Prefix, Process, Rename, Seq, Sequence
from tests.api.random_models import models
from tests.api.test_check_engines import assert_engines_agree
from tests.lts.test_nested import LABELS, _ltss
from tests.semantics.test_network import (
    EVENTS,
    UNFOLD,
    _bisimilar,
    _reference,
    assert_searches_agree,
)
from tests.semantics.test_network_lazy import _assert_bisimilar_within_limits
from tests.semantics.test_network_priority import (
    _classes,
    _filtered,
    _model_reference,
    _nested_terms,
    _sources,
    _tau_deterministic,
)


@st.composite
def _scoped_terms(draw) -> Process:
    """A filtered network anywhere below the top: the shapes of ``_nested_terms``,
    plus interrupt, prefix, renaming and hiding over a parallel, and a priority
    over a network holding one (a scope in a scope)."""
    kind = draw(st.sampled_from(["nested", "/\\", "->", "rename", "in priority"]))
    if kind == "nested":
        return draw(_nested_terms())
    filtered = draw(_filtered())
    other = draw(st.sampled_from([Prefix(EVENTS[1], Parallel(Prefix(EVENTS[0], STOP),
                                                             STOP, frozenset())), STOP]))
    if kind == "/\\":
        left, right = (filtered, other) if draw(st.booleans()) else (other, filtered)
        return Interrupt(left, right)
    if kind == "->":
        return Prefix(EVENTS[2], filtered)
    if kind == "rename":
        return Parallel(Rename(filtered, frozenset({(EVENTS[0], EVENTS[1])})), other,
                        frozenset({EVENTS[1]}))
    inner = Hide(Parallel(filtered, other, draw(st.frozensets(st.sampled_from(EVENTS)))),
                 draw(st.frozensets(st.sampled_from(EVENTS))))
    return Seq(prioritise(inner, Sequence(tuple(draw(_classes()))), UNFOLD), other)


def _scoped(term: Process, *, reduce: bool):
    """``term``'s network with every nested priority a scope (none explored whole)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(network_nested, "EAGER_LIMIT", 0)
        return compile_network(term, UNFOLD, reduce=reduce)


@settings(max_examples=250, deadline=None)
@given(_scoped_terms())
def test_a_priority_scope_gives_the_reference_lts_verdicts_and_shortest_traces(term):
    assume(all(_tau_deterministic(s.process) for s in _sources(term) if s.order.chase))
    reference = _reference(term, UNFOLD)
    net = _scoped(term, reduce=False)
    if isinstance(net, NotApplicable):
        assert "no parallel network" in net.reason
        return
    if not any(s.order.chase for s in _sources(term)):
        assert net.scopes or not any("a nested network" in n for n in net.notes)
    assert _bisimilar(explore_product(net), reference)
    reduced = _scoped(term, reduce=True)
    assert not isinstance(reduced, NotApplicable)
    assert _bisimilar(explore_product(reduced), reference)
    assert_searches_agree(reduced, reference, ("a", "b", TICK))


@settings(max_examples=60, deadline=None)
@given(_scoped_terms())
def test_a_priority_scope_on_word_aligned_wide_codes_is_the_narrow_one(term):
    assume(not any(s.order.chase for s in _sources(term)))
    narrow = _scoped(term, reduce=True)
    assume(not isinstance(narrow, NotApplicable) and narrow.scopes)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vectors, "_MAX_BITS", 0)  # always wide: V{8k} keys decoded per word
        patch.setattr(vectors, "_MAX_CODE", 1)
        wide = explore_product(narrow)
    assert _bisimilar(wide, explore_product(narrow))
    assert_searches_agree(narrow, _reference(term, UNFOLD), ("b",))


def test_a_scope_reads_its_operands_offers_not_what_its_partners_allow():
    # p offers a and b; a pre-empts b; a partner refuses a: b stays pre-empted (the
    # priority sees its operand's state), so the whole is stuck at once
    p = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2)])
    refuses_a = LTS.build(1, 0, ["a"], [])
    net = close(parallel(scope(component(p), {"b": frozenset({"a"})}), component(refuses_a),
                         {"a"}))
    assert count_states(net).states == 1
    free = close(parallel(component(p), component(refuses_a), {"a"}))
    assert count_states(free).states == 2  # without the scope, b happens


def test_a_scope_needs_whole_components_and_no_ranks():
    from procalg.lts.priority import prioritise as ranked

    p = LTS.build(2, 0, ["a"], [(0, "a", 1)])
    with pytest.raises(ValueError, match="ranked"):
        scope(ranked(component(p), {"a": 0}), {})


TOCK = """
channel a, b, tock
Cell(i) = i < 4 & a -> Cell(i + 1) [] tock -> Cell(i) [] i == 4 & b -> Cell(0)
Net = ((Cell(0) [| {tock} |] Cell(1)) [| {tock} |] Cell(2)) \\ {a}
Sys = prioritise(Net, <{}, {tock}>)
Watched = Sys [| {b} |] (b -> b -> STOP)
Ended = (Sys /\\ (b -> SKIP)) ; SKIP
assert Watched :[deadlock free]
assert Ended :[deadlock free]
assert not Watched :[reachable tock]
"""


def test_a_tock_network_under_parallel_and_interrupt_is_checked_in_scope_as_the_reference():
    model = loads(TOCK)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(network_nested, "EAGER_LIMIT", 0)
        product = list(check_model(model, options=SearchOptions(engine=CheckEngine.PRODUCT)))
    notes = [n for r in product for n in r.stats.extra.get("notes", ())]
    assert any("a priority scope over" in n for n in notes), notes
    reference = list(check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE)))
    assert [r.result for r in product] == [r.result for r in reference]
    # maximal progress: tock waits until every hidden a is done, then it can happen
    assert [r.result for r in product] == ["pass", "pass", "fail"]


COUNT = """
channel a, b, c, d
Count(n) = n < 2500 & a -> Count(n + 1) [] b -> SKIP
Lim(n) = n < 3 & a -> Lim(n + 1) [] b -> Lim(n)
Sys = (d -> STOP [] prioritise(Count(0) ||| c -> STOP, <{a}, {c}>)) [| {a} |] Lim(0)
assert Sys :[deadlock free]
assert Sys :[reachable c]
assert Sys :[divergence free]
"""


def test_a_leaf_past_the_eager_limit_under_a_scope_is_lazy_with_the_terms_answers():
    # a scope's leaf is lazy past leaf_choice.EAGER_LIMIT states, as at the top (it
    # was explored whole up to the leaf limit, 50,000, its chain then walked a level
    # of one state at a time in numpy); a scope reads it lazily, where the search goes
    model = loads(COUNT)  # the leaf limit a check compiles with
    net = compile_network(model.process("Sys"), model.spec, max_states=search.LEAF_LIMIT)
    assert not isinstance(net, NotApplicable), net.reason
    lazy = [c for c in net.components if isinstance(c, LazyComponent)]
    assert net.scopes and lazy
    assert _bisimilar(explore_product(net), _model_reference(model, "Sys"))
    assert all(c.expanded <= leaf_choice.EAGER_LIMIT + 1 for c in lazy)  # not 2,501
    product = list(check_model(model))
    reference = check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE))
    for mine, theirs in zip(product, reference, strict=True):
        assert mine.stats.extra["engine"] == "product"
        assert mine.result == theirs.result
        ours, want = mine.check.counterexample, theirs.check.counterexample
        assert (ours is None) == (want is None)
        assert ours is None or ours.trace == want.trace


@st.composite
def _scoped_models(draw: st.DrawFn) -> str:
    """A random model (:mod:`tests.api.random_models`) whose ``T`` holds ``prioritise``
    or ``prioritisepo`` over the drawn one (``U``) below another operator: a scope."""
    text = draw(models())
    classes = draw(st.lists(st.sampled_from(["{a}", "{b}", "{c, d.0}", "{| e |}", "{b, d.1}"]),
                            min_size=1, max_size=3, unique=True))
    over = draw(st.sampled_from([f"prioritise(U, <{', '.join(classes)}>)",
                                 "prioritisepo(U, {a, b, c}, {(a, b), (b, c)}, {a})"]))
    shape = draw(st.sampled_from([f"({over} ; c -> STOP)", f"({over} [| {{a}} |] L(1))",
                                  f"(b -> STOP [] {over})", f"({over} /\\ c -> SKIP)"]))
    return text.replace("\nT = ", "\nU = ") + f"T = {shape}\n"


@settings(max_examples=30, deadline=None)
@given(_scoped_models())
def test_random_scopes_over_lazy_leaves_get_the_reference_answers_on_the_product(text):
    # every leaf past two states lazy, and none explored whole past two: a scope's
    # leaves are lazy where they were whole (or the check fell to the term rules)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(leaves, "leaf", partial(leaf_choice.leaf, eager_limit=2))
        patch.setattr(search, "LEAF_LIMIT", 2)
        assert_engines_agree(text)
        model = loads(text)
        net = compile_network(model.process("T"), model.spec, reduce=False, max_states=2)
        assert not isinstance(net, NotApplicable), net.reason
        _assert_bisimilar_within_limits(model, net)


def _spied_tables(patch: pytest.MonkeyPatch) -> list[bool]:
    """Record, per :meth:`_Scopes.keep` call, whether it read the table of dropped moves."""
    read: list[bool] = []
    killed_by = priority_scopes._Scopes._killed_by
    patch.setattr(priority_scopes, "TABLE_AFTER", 0)  # from the first filter

    def spied(self):
        made = killed_by(self)
        read.append(made is not None)
        return made

    patch.setattr(priority_scopes._Scopes, "_killed_by", spied)
    return read


@settings(max_examples=150, deadline=None)
@given(_ltss(), _ltss(), _ltss(), st.dictionaries(st.sampled_from(LABELS), st.integers(0, 2)),
       st.frozensets(st.sampled_from(LABELS)))
def test_a_scope_over_whole_components_drops_moves_by_its_table_as_by_the_offers(
        p, q, r, ranks, sync):
    # the oracle: the operand prioritised as a nested network (one component, each
    # state's moves filtered by Preemption: tests/lts/test_nested.py ties that to
    # prioritise at the top), beside the same partner
    order = Preemption.ranks(ranks)
    operand = parallel(component(p), component(q), {"a"})
    scoped = close(parallel(scope(operand, dict(order.above)), component(r), sync))
    with pytest.MonkeyPatch.context() as patch:
        read = _spied_tables(patch)
        tabled = explore_product(scoped)
        patch.setattr(priority_scopes, "KILL_TABLE", 0)  # each level's offers, read anew
        offers = explore_product(scoped)
    assume(any(read))  # some move was guarded by a label the operand can offer
    assert sorted(tabled.triples()) == sorted(offers.triples())
    nested = nested_lts(NestedNetwork(close(operand), order))
    whole = explore_product(close(parallel(component(nested), component(r), sync)))
    assert _bisimilar(tabled, whole)


@settings(max_examples=100, deadline=None)
@given(_scoped_terms())
def test_a_scope_read_by_its_table_gives_the_reference_lts_verdicts_and_shortest_traces(term):
    assume(all(_tau_deterministic(s.process) for s in _sources(term) if s.order.chase))
    net = _scoped(term, reduce=True)
    assume(not isinstance(net, NotApplicable) and net.scopes)
    reference = _reference(term, UNFOLD)
    with pytest.MonkeyPatch.context() as patch:
        read = _spied_tables(patch)
        assert _bisimilar(explore_product(net), reference)
        assert_searches_agree(net, reference, ("a", "b", TICK))
    assert all(read)  # every filter over whole components by its table


FALLS_NESTED = """
channel a, c, d, up, down
Count(n) = n < 1500 & up -> Count(n + 1) [] n > 0 & down -> Count(n - 1) [] a -> SKIP
Lim(n) = n < 3 & up -> Lim(n + 1) [] down -> Lim(n) [] a -> Lim(0)
Sys = (d -> STOP [] prioritise(Count(0) ||| c -> STOP, <{up}, {c}>)) [| {up} |] Lim(0)
assert Sys :[deadlock free]
"""


def test_a_scope_over_whole_components_reads_their_offers_once_not_per_level():
    # falls' nested row: past the nested network's whole limit (2 x 1,501 states),
    # its leaf eager: a scope in the outer product, thousands of levels of a state
    # or two; each level's filter read the offers of its sources anew, now one gather
    model = loads(FALLS_NESTED)
    net = compile_network(model.process("Sys"), model.spec)
    assert not isinstance(net, NotApplicable), net.reason
    assert net.scopes and all(isinstance(c, LTS) for c in net.components)
    with pytest.MonkeyPatch.context() as patch:
        asked: list[int] = []
        offered = priority_scopes._Scopes.offered
        patch.setattr(priority_scopes._Scopes, "offered",
                      lambda self, locs, n: asked.append(n) or offered(self, locs, n))
        (report,) = check_model(model)
        assert report.result == "pass" and report.stats.extra["levels"] > 1000
        assert len(asked) <= priority_scopes.TABLE_AFTER + 1, len(asked)  # then one table
        patch.setattr(priority_scopes, "TABLE_AFTER", 0)
        asked.clear()
        product = explore_product(net)
    assert len(asked) == 1, len(asked)  # the whole joint space, once
    assert _bisimilar(product, _model_reference(model, "Sys"))
