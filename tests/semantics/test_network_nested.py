"""Priority terms below the top of a network (semantics/network_nested.py): over a
sequential operand a leaf filtered on the fly; the term rules' table of
``semantics/priority.py`` is the oracle, and is never read by the compiler."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import TICK
from procalg.lts.product import explore_product
from procalg.semantics.network import NotApplicable, compile_network
from procalg.semantics.priority import chase, prioritise, prioritise_po, priority_source
from procalg.terms import (
    ExternalChoice,
    Hide,
    Interrupt,
    Parallel,
    Prefix,
    Process,
    Rename,
    Seq,
    Sequence,
)
from tests.semantics.test_network import (
    BODIES,
    EVENTS,
    UNFOLD,
    _bisimilar,
    _reference,
    _sequential,
    assert_searches_agree,
)
from tests.semantics.test_network_priority import _classes, _po_order, _tau_deterministic


@st.composite
def _filtered_sequential(draw) -> Process:
    """``prioritise``, ``prioritisepo`` or ``chase`` over a sequential process."""
    inner = draw(_sequential(2))
    kind = draw(st.sampled_from(["prioritise", "prioritisepo", "chase"]))
    if kind == "prioritise":
        return prioritise(inner, Sequence(tuple(draw(_classes()))), UNFOLD)
    if kind == "chase":
        assume(_tau_deterministic(inner))  # else the first τ is the system's order
        return chase(inner, UNFOLD)
    events = draw(st.frozensets(st.sampled_from(EVENTS), min_size=1))
    pairs, maximal = _po_order(draw, events)
    return prioritise_po(inner, events, pairs, maximal, UNFOLD)


@st.composite
def _around(draw) -> tuple[Process, Process]:
    """A filtered sequential process and a term holding it under any operator."""
    filtered = draw(_filtered_sequential())
    calls = list(BODIES)
    other = draw(st.sampled_from([*calls, Prefix(EVENTS[0], Parallel(calls[0], calls[1],
                                                                     frozenset()))]))
    events = st.frozensets(st.sampled_from(EVENTS))
    above = draw(st.sampled_from(["top", "|||", "[|A|]", "[]", ";", "/\\", "->", "hide",
                                  "rename", "prioritise"]))
    left, right = (filtered, other) if draw(st.booleans()) else (other, filtered)
    made = {"top": lambda: filtered, "|||": lambda: Parallel(left, right, frozenset()),
            "[|A|]": lambda: Parallel(left, right, draw(events)),
            "[]": lambda: ExternalChoice(left, right), ";": lambda: Seq(left, right),
            "/\\": lambda: Interrupt(left, right), "->": lambda: Prefix(EVENTS[1], filtered),
            "hide": lambda: Hide(filtered, draw(events)),
            "rename": lambda: Rename(filtered, frozenset({(EVENTS[0], EVENTS[2])})),
            "prioritise": lambda: prioritise(Parallel(left, right, draw(events)),
                                             Sequence(tuple(draw(_classes()))), UNFOLD)}
    return filtered, made[above]()


@settings(max_examples=200, deadline=None)
@given(_around())
def test_priority_over_a_sequential_operand_is_a_filtered_leaf_bisimilar_to_the_terms(pair):
    filtered, term = pair
    net = compile_network(term, UNFOLD, reduce=False)
    reduced = compile_network(term, UNFOLD, reduce=True)
    assert not isinstance(net, NotApplicable), net.reason
    assert not isinstance(reduced, NotApplicable)
    assert priority_source(filtered) is not None
    assert filtered.table.moves._rows is None  # the whole table was never made
    reference = _reference(term, UNFOLD)
    assert _bisimilar(explore_product(net), reference)
    assert _bisimilar(explore_product(reduced), reference)
    assert_searches_agree(reduced, reference, ("b", TICK))


TIMED = """
channel a, b, tock
Clock = tock -> Clock
Count(n) = n < 3 & a -> Count(n + 1) [] tock -> Count(n) [] b -> SKIP
Leaf = prioritise(Count(0), <{a}, {tock}>)
Sys = (Leaf ; b -> STOP) [| {tock} |] Clock
Quiet = Count(0) \\ {a}
Chased = chase(Quiet) ||| Clock
assert Sys :[deadlock free]
assert Sys \\ {a, b} :[divergence free]
assert Chased :[deadlock free]
assert not Sys [T= a -> tock -> STOP
"""


def test_a_prioritised_machine_under_sequence_is_checked_on_the_product_as_the_reference():
    model = loads(TIMED)
    product = list(check_model(model))
    assert [r.stats.extra.get("engine") for r in product] == ["product"] * 4
    notes = [n for r in product for n in r.stats.extra.get("notes", ())]
    assert not [n for n in notes if "term rules" in n and ("prioritise" in n or "chase" in n)]
    assert "leaf a -> Count(1) [] tock -> Count(0) [] b -…: 1 of 1 definitions expanded as " \
        "columns" in notes  # the machine under the priority filter
    reference = check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE))
    assert [r.result for r in reference] == [r.result for r in product]
    assert [r.result for r in product] == ["fail", "pass", "pass", "pass"]
