"""The network's leaves: lazy only where the model's events can be listed."""

from __future__ import annotations

from procalg.api.model import loads
from procalg.lts import explore
from procalg.lts.lazy import LazyComponent
from procalg.lts.leaf_choice import EAGER_LIMIT
from procalg.lts.product import explore_product
from procalg.semantics.leaves import Leaves, model_alphabet
from procalg.semantics.network import Network, compile_network
from procalg.semantics.sos import Rules
from procalg.terms import Call, Event, Prefix

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
