"""Which channels a leaf reaches (semantics/leaf_channels.py): an ``Int`` channel no
leaf of the checked process reaches leaves its large leaves lazy, with the term
rules' verdicts, counterexamples and LTS up to strong bisimulation; one a leaf
reaches keeps it whole, and an ``Int`` input it meets gives the error it gave."""

from __future__ import annotations

from functools import partial
from unittest.mock import patch

from hypothesis import given, settings

from procalg.api.check import AssertionResult, check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import leaf_choice
from procalg.lts.lazy import LazyComponent
from procalg.lts.product import explore_product
from procalg.semantics import leaves
from procalg.semantics.leaf_channels import ChannelReach
from procalg.semantics.network import Network, NotApplicable, compile_network
from procalg.terms import Call
from tests.api.random_models import models
from tests.api.test_check_engines import assert_engines_agree
from tests.semantics.test_network import _bisimilar
from tests.semantics.test_network_priority import _model_reference

UNUSED = "channel log : Int\nLogger = log?x -> Logger\n"
"""An ``Int`` channel, and a process on it that the checked processes never call."""

COUNT = """channel a, b
Count(n) = n < 2500 & a -> Count(n + 1) [] b -> Count(n)
Lim(n) = n < 3 & a -> Lim(n + 1) [] n == 3 & b -> STOP
Sys = Count(0) [| {a, b} |] Lim(0)
Both = Sys ||| Logger
assert Sys :[deadlock free]
assert Both :[deadlock free]
"""


def test_a_leaf_reaches_the_channels_of_the_definitions_it_calls_transitively() -> None:
    spec = loads("channel a, b\nchannel log : Int\nP = a -> Q\nQ = b -> R(1)\n"
                 "R(n) = log!n -> P\nU = a -> U\n").spec
    reach = ChannelReach(spec)
    assert reach.of(spec.process("P")) == {"a", "b", "log"}
    assert reach.of(spec.process("U")) == {"a"}


def test_a_channel_named_in_a_renaming_a_local_definition_or_an_input_is_reached() -> None:
    spec = loads("channel a\nchannel c : {0..2}\nchannel log : Int\n"
                 "Ren = (a -> Ren) [[ a <- log.1 ]]\n"
                 "Let = let L = log!1 -> L within a -> L\n"
                 "In = c?x -> (if x == 0 then log!x -> STOP else In)\n").spec
    reach = ChannelReach(spec)
    for name in ("Ren", "Let", "In"):
        found = reach.of(spec.rules().normalise(spec.process(name)))
        assert found is not None and "log" in found, name


def test_a_definition_naming_events_makes_the_channels_unknown() -> None:
    spec = loads("channel a\nchannel log : Int\nP = a -> Q\nQ = (a -> Q) \\ Events\n").spec
    assert ChannelReach(spec).of(Call("P")) is None


def _count_model() -> object:
    return loads(UNUSED + COUNT)


def test_a_large_leaf_beside_an_unreached_int_channel_is_lazy_with_the_term_rules_answers():
    model = _count_model()
    net = compile_network(model.process("Sys"), model.spec)
    assert isinstance(net, Network), net
    assert any(isinstance(c, LazyComponent) for c in net.components)
    assert _bisimilar(explore_product(net), _model_reference(model, "Sys"))
    mine, oracle = (next(iter(check_model(model, options=SearchOptions(engine=engine))))
                    for engine in (CheckEngine.PRODUCT, CheckEngine.REFERENCE))
    assert mine.stats.extra["engine"] == "product"
    assert mine.result == oracle.result == AssertionResult.FAIL
    assert mine.check.counterexample.trace == oracle.check.counterexample.trace


def test_a_leaf_that_reaches_an_int_input_gives_the_error_the_term_rules_give():
    model = _count_model()
    net = compile_network(model.process("Both"), model.spec)
    # Sys's leaf stays lazy; Logger's, on the Int channel, is explored whole
    assert isinstance(net, Network) and any(isinstance(c, LazyComponent)
                                            for c in net.components)
    errors = [list(check_model(model, options=SearchOptions(engine=engine)))[1]
              for engine in (CheckEngine.PRODUCT, CheckEngine.REFERENCE)]
    assert [r.result for r in errors] == [AssertionResult.ERROR] * 2
    assert str(errors[0].error) == str(errors[1].error)
    assert "2:13" in str(errors[0].error) and "input over Int" in str(errors[0].error)


@settings(max_examples=25, deadline=None)
@given(models())
def test_random_models_beside_an_unreached_int_channel_compile_as_without_it(text):
    # every leaf past two states lazy: an Int channel the processes never reach must
    # change nothing (it made every leaf whole), and the answers stay the reference's
    with patch.object(leaves, "leaf", partial(leaf_choice.leaf, eager_limit=2)):
        assert_engines_agree(text + UNUSED, CheckEngine.PRODUCT)
        with_int, plain = loads(text + UNUSED), loads(text)
        for name in ("T", "S"):
            nets = [compile_network(m.process(name), m.spec, reduce=False)
                    for m in (with_int, plain)]
            if isinstance(nets[1], NotApplicable):
                assert isinstance(nets[0], NotApplicable)
                continue
            assert isinstance(nets[0], Network), nets[0]
            lazy = [[type(c) for c in net.components] for net in nets]
            assert lazy[0] == lazy[1], name
