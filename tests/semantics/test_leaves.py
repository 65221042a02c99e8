"""The network's leaves: lazy only where the model's events can be listed."""

from __future__ import annotations

from functools import partial
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import search
from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import explore, leaf_choice
from procalg.lts.lazy import LazyComponent
from procalg.lts.leaf_choice import EAGER_LIMIT
from procalg.lts.network import DONE
from procalg.lts.product import explore_product
from procalg.semantics import leaves
from procalg.semantics.leaves import Leaves, model_alphabet
from procalg.semantics.network import Network, NotApplicable, compile_network
from procalg.semantics.sos import Rules
from procalg.terms import Call, Event, Prefix
from tests.api.random_models import HEADER, Context, definition, process, top
from tests.api.test_check_engines import assert_engines_agree
from tests.semantics.test_network_lazy import _assert_bisimilar_within_limits

INT_MODEL = """
channel out, back : Int
channel go
Gen(n) = if n < {limit} then out!n -> Gen(n + 1) else go -> STOP
Echo = out?x:{{0..{limit}}} -> back!(x * x) -> Echo
Sys = Gen(0) [| {{ out.n | n <- {{0..{limit}}} }} |] Echo
"""


def test_a_model_with_an_int_channel_has_no_listable_alphabet() -> None:
    assert model_alphabet(loads(INT_MODEL.format(limit=3)).spec)() is None
    finite = loads("channel out : {0..2}\nP = out!1 -> P\n")
    assert model_alphabet(finite.spec)() == {"out.0", "out.1", "out.2", "✓"}


def test_processes_on_int_channels_compile_to_the_reference_lts() -> None:
    # the term rules offer only the values the processes name; so must the network
    model = loads(INT_MODEL.format(limit=3))
    term = model.process("Sys")
    net = compile_network(term, model.spec, reduce=False)
    assert isinstance(net, Network)
    product = explore_product(net)
    reference = explore(model.spec.system(term))
    assert (product.num_states, product.num_transitions) == (
        reference.num_states, reference.num_transitions)
    assert {"out.2", "back.4"} <= set(reference.labels)


def test_a_big_leaf_on_an_int_channel_is_explored_whole_not_lazily() -> None:
    limit = EAGER_LIMIT + 10  # past the eager limit: a lazy leaf would need every Int event
    model = loads(INT_MODEL.format(limit=limit))
    net = compile_network(model.process("Sys"), model.spec, reduce=False)
    assert isinstance(net, Network)
    assert not any(isinstance(c, LazyComponent) for c in net.components)
    assert max(c.num_states for c in net.components) == limit + 2


def test_a_leaf_call_is_found_among_unfoldings_made_after_the_first_question() -> None:
    rules = Rules(lambda call: Prefix(Event("a"), Call("P")))  # every call, one body
    leaves = Leaves(rules, max_states=None)
    body = Prefix(Event("a"), Call("P"))
    assert leaves.call(body) is None  # nothing unfolded yet
    rules.unfolded[Call("P")] = body
    rules.unfolded[Call("Q")] = body  # two calls, one body: the later one answers
    assert leaves.call(body) == Call("Q")
    later = Prefix(Event("b"), Call("R"))
    rules.unfolded[Call("R")] = later
    assert leaves.call(later) == Call("R")
    rules.unfolded.clear()  # settle_counters forgets unfoldings: so does the leaf map
    assert leaves.call(later) is None


WIDE_UNUSED = """
N = {limit}
channel up, down, x
channel w : {{0..1999}}
Count(n) = n < N & up -> Count(n + 1) [] n > 0 & down -> Count(n - 1)
U = up -> U [] w!5 -> STOP [] x -> STOP
Sys = Count(0) [| {{up, x, w.5}} |] U
assert Sys :[deadlock free]
assert Sys :[divergence free]
assert Sys :[deterministic]
"""


def test_a_lazy_leaf_declares_only_the_channels_it_may_reach() -> None:
    model = loads(WIDE_UNUSED.format(limit=EAGER_LIMIT + 100))
    net = compile_network(model.process("Sys"), model.spec, reduce=False)
    assert isinstance(net, Network)
    lazy = [c for c in net.components if isinstance(c, LazyComponent)]
    assert lazy and set(lazy[0].labels) == {"τ", "✓", "up", "down", DONE}
    assert len(net.rules) < 20  # not one per w event: 2,000 of them made for nothing
    assert model_alphabet(model.spec).declared(model.process("Sys")) is not None


def test_events_a_lazy_leaf_never_offers_still_block_its_partner() -> None:
    # w.5 and x are synchronised and Count never offers them: U may not do them
    model = loads(WIDE_UNUSED.format(limit=EAGER_LIMIT + 100))
    net = compile_network(model.process("Sys"), model.spec, reduce=False)
    product = explore_product(net)
    assert not {"w.5", "x"} & {product.labels[i] for i in set(product.label.tolist())}
    assert product.num_states == EAGER_LIMIT + 101
    reference = check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE))
    ours = list(check_model(model))
    assert [r.result for r in ours] == [r.result for r in reference]
    assert [r.stats.extra.get("engine") for r in ours] == ["product"] * 3


BLOCKED = "channel w : {0..2}\nchannel x\n"
SYNCS = ["{| w |}", "{x}", "{x, w.1, a}", "{| w, x, d |}", "{x, b, c}", "{| w, x, a, b, e |}"]


@st.composite
def _blocking_models(draw: st.DrawFn) -> str:
    """A random model (:mod:`tests.api.random_models`) whose ``T`` puts the leaf ``L``
    (never naming ``w`` nor ``x``) beside a partner offering them, synchronised on a
    set holding some: the partner's ``w`` and ``x`` moves there must stay blocked."""
    at = Context(inner=("P", "L"))
    offer = draw(st.sampled_from(["w!0", "w!1", "x", "w!2"]))
    partner = f"(({offer} -> {draw(process(1, at))}) [] {draw(process(1, at))})"
    sync, leaf = draw(st.sampled_from(SYNCS)), f"L({draw(st.sampled_from('0123'))})"
    shape = draw(st.sampled_from([
        f"({leaf} [| {sync} |] {partner})", f"({partner} [| {sync} |] {leaf})",
        f"(({leaf} [| {sync} |] {partner}) \\ {{a}})",
        f"(({leaf} [| {sync} |] {partner}) ; c -> STOP)",
        f"prioritise({leaf} [| {sync} |] {partner}, <{{x}}, {{a, b}}>)",
        f"({leaf} [{{| a, b, c, d, e |}} || {{| a, w, x |}}] {partner})"]))
    leaf_body, body = draw(definition("L", (), 2)), draw(definition("P", ("L",), 2))
    return f"{HEADER}{BLOCKED}L(n) = {leaf_body}\nP(n) = {body}\nT = {shape}\n" \
           f"S = {draw(top(1))}\n"


@settings(max_examples=40, deadline=None)
@given(_blocking_models())
def test_random_partners_blocked_by_a_lazy_leaf_get_the_reference_answers(text) -> None:
    # every leaf past two states lazy, declaring only its channels: verdicts, least
    # counterexamples and the LTS up to strong bisimulation stay the term rules'
    with patch.object(leaves, "leaf", partial(leaf_choice.leaf, eager_limit=2)), \
            patch.object(search, "LEAF_LIMIT", 2):
        assert_engines_agree(text)
        model = loads(text)
        net = compile_network(model.process("T"), model.spec, reduce=False)
        if isinstance(net, NotApplicable):
            return
        _assert_bisimilar_within_limits(model, net)
