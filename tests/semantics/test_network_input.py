"""An input on top of networks (``init?x:T -> (P(x) [| A |] Q(x))``) compiled
as a control component over its branches; the term rules are the oracle
(same helpers as ``test_network.py``): the same LTS, state and transition
counts, and the same shortest searches.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.lts.product import explore_product
from procalg.semantics.network import NotApplicable, compile_network
from procalg.semantics.network_shape import INPUT_BRANCHES
from procalg.terms import (
    STOP,
    Call,
    Event,
    Input,
    Interrupt,
    Parallel,
    Prefix,
    Process,
    Seq,
    Timeout,
    show_process,
)
from procalg.terms.input import InputSite
from tests.semantics.test_network import (
    BODIES,
    EVENTS,
    UNFOLD,
    _bisimilar,
    _operator_terms,
    _reference,
    assert_searches_agree,
)


def _input(branches: list[Process]) -> Input:
    """``c?x -> branches[x]``: an input site over the given continuations."""
    moves = tuple((Event("c", (i,)), then) for i, then in enumerate(branches))
    text = "c?x -> <" + ", ".join(show_process(then) for then in branches) + ">"
    return Input(InputSite(lambda _: moves, lambda _: text), ())


MARKS = {Call(f"D{i}"): Prefix(Event("d", (i,)), Call(f"D{i}")) for i in range(3)}
"""``Di = d.i -> Di``: run beside branch ``i``, it keeps every state of the
branch apart from every other branch's (the term level would merge equal terms
reached from two branches; the compiled input keeps them apart by its phase)."""
MARKED = {**BODIES, **MARKS}.__getitem__


@st.composite
def _input_terms(draw, marked: bool) -> Process:
    """An input whose branches are random operator trees (some equal), maybe
    under a prefix, ``;`` or an interrupt, or inside a parallel; ``marked``:
    each distinct branch runs beside its own ``Di``."""
    # exact counts (marked) leave Timeout out, as test_network's exact test does: in
    # ``X [> Y`` a visible move of X and the timeout's τ may reach equal terms, which
    # the term rules merge and the product keeps apart by the timeout's phase
    # (hypothesis: ``(P [..] P) [> (P [..] P) ||| STOP``, 4 states against 3, bisimilar)
    controls = (Seq, Interrupt) if marked else (Seq, Interrupt, Timeout)
    subs = st.one_of(_operator_terms(2, controls), st.sampled_from(
        [Parallel(STOP, STOP, frozenset())]))
    events = st.frozensets(st.sampled_from(EVENTS))
    branches = [draw(st.builds(Parallel, subs, subs, events))]  # a network below the input
    branches += draw(st.lists(subs, max_size=2))
    if marked:
        branches = [Parallel(b, Call(f"D{i}"), frozenset()) for i, b in enumerate(branches)]
    branches += draw(st.lists(st.sampled_from(branches), max_size=2))  # equal continuations
    term: Process = _input(branches)
    where = draw(st.sampled_from(["top", "prefix", "seq", "parallel"]))
    if where == "prefix":
        term = Prefix(draw(st.sampled_from(EVENTS)), term)
    elif where == "seq":
        term = Seq(term, draw(subs))
    elif where == "parallel":
        term = Parallel(term, draw(subs), draw(events))
    return term


@settings(max_examples=100, deadline=None)
@given(_input_terms(marked=True))
def test_an_input_over_distinct_networks_gives_the_reference_lts_exactly(term):
    reference = _reference(term, MARKED)
    net = compile_network(term, MARKED, reduce=False)
    assert not isinstance(net, NotApplicable), net
    product = explore_product(net)
    assert _bisimilar(product, reference)
    if net.loose:  # a thrown network too large to reset keeps stale states
        assert product.num_states >= reference.num_states
        return
    assert (product.num_states, product.num_transitions) == (
        reference.num_states, reference.num_transitions)


@settings(max_examples=100, deadline=None)
@given(_input_terms(marked=False))
def test_an_input_over_networks_keeps_the_lts_and_the_shortest_searches(term):
    reference = _reference(term, UNFOLD)
    net = compile_network(term, UNFOLD, reduce=False)
    assert not isinstance(net, NotApplicable), net
    product = explore_product(net)
    assert product.num_states >= reference.num_states  # branches reaching one term
    assert _bisimilar(product, reference)
    reduced = compile_network(term, UNFOLD, reduce=True)
    assert _bisimilar(explore_product(reduced), reference)
    assert_searches_agree(reduced, reference, ("a", "c.0", "c.1", "✓", "throw"))


def test_an_input_on_top_of_a_parallel_network_is_compiled_with_a_control_component():
    model = loads("channel init : {0..2}\nchannel a, b\nP(x) = a -> b -> P(x)\n"
                  "Q = init?x:{0, 1} -> (P(x) [| {a} |] P(x))")
    net = compile_network(model.process("Q"), model.spec, reduce=False)
    assert not isinstance(net, NotApplicable), net
    assert any("control components for ?" in note for note in net.notes)
    assert explore_product(net).num_states == 1 + 2 * 4  # before, then 4 per branch


def test_an_input_wider_than_the_limit_stays_a_leaf():
    model = loads(f"channel c : {{0..{INPUT_BRANCHES}}}\nchannel a\n"
                  "Q = c?x -> (a -> STOP ||| a -> STOP)")
    found = compile_network(model.process("Q"), model.spec, reduce=False)
    assert not isinstance(found, NotApplicable)
    assert found.notes[0] == "one sequential component"  # the input is not compiled
