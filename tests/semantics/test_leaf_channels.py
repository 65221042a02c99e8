"""Which channels a leaf reaches (semantics/leaf_channels.py): an ``Int`` channel no
leaf of the checked process reaches leaves its large leaves lazy, with the term
rules' verdicts, counterexamples and LTS up to strong bisimulation; one a leaf
reaches keeps it whole, and an ``Int`` input it meets gives the error it gave."""

from __future__ import annotations

from functools import partial
from unittest.mock import patch

from hypothesis import given, settings

from procalg.api import search
from procalg.api.check import AssertionResult, check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import explore, leaf_choice
from procalg.lts.lazy import LazyComponent
from procalg.lts.product import explore_product
from procalg.semantics import leaves
from procalg.semantics.leaf_channels import ChannelReach
from procalg.semantics.network import Network, NotApplicable, compile_network
from procalg.semantics.network_shape import Shape
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
    _assert_lazy_with_the_term_rules_answers(_count_model(), CheckEngine.PRODUCT)


def _assert_lazy_with_the_term_rules_answers(model, engine: CheckEngine) -> None:
    """``Sys`` has a lazy leaf, the terms' LTS up to strong bisimulation, and on
    ``engine`` (the product) the reference's failure and counterexample."""
    net = compile_network(model.process("Sys"), model.spec)
    assert isinstance(net, Network), net
    assert any(isinstance(c, LazyComponent) for c in net.components)
    assert _bisimilar(explore_product(net), _model_reference(model, "Sys"))
    mine, oracle = (next(iter(check_model(model, options=SearchOptions(engine=engine))))
                    for engine in (engine, CheckEngine.REFERENCE))
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
    _assert_compiles_as_without_int(text)


def _assert_compiles_as_without_int(text: str) -> None:
    """Every leaf past two states lazy: the answers beside :data:`UNUSED` are the
    reference's, and ``T`` and ``S`` compile to the components they have without it."""
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


def test_a_compressed_process_in_a_leaf_reaches_the_channels_its_table_performs() -> None:
    spec = loads("channel a, b\nchannel log : Int\nS = b -> S\nW = log!1 -> W\n"
                 "N = a -> normal(S)\nB = a -> sbisim(W)\nP = a -> prioritise(W, <{a}>)\n"
                 "D = a -> (normal(S) [] wbisim(log!2 -> STOP))\n").spec
    reach, rules = ChannelReach(spec), spec.rules()
    found = {name: reach.of(rules.normalise(spec.process(name))) for name in "NBPD"}
    assert found == {"N": {"a", "b"}, "B": {"a", "log"}, "P": {"a", "log"},
                     "D": {"a", "b", "log"}}


COMPRESSED = """channel a, b, c
Count(n) = n < 2500 & a -> Count(n + 1) [] n == 2500 & c -> SKIP
S = b -> S
Lim(n) = n < 3 & a -> Lim(n + 1) [] n == 3 & b -> STOP
Sys = ((Count(0) ; normal(S)) [| {a} |] Lim(0)) ; c -> Sys
assert Sys :[deadlock free]
"""


def test_a_large_leaf_holding_a_compression_beside_an_int_channel_is_lazy_on_the_product():
    # Count(0) ; normal(S) is one leaf holding a compressed table: its channels were
    # unknown, so beside an Int channel it was explored whole, and past the limit the
    # process went to the term rules
    # (auto: a fall would show as the reference engine)
    with patch.object(search, "LEAF_LIMIT", 100):
        _assert_lazy_with_the_term_rules_answers(loads(UNUSED + COMPRESSED), CheckEngine.AUTO)


def _compressing(text: str) -> str:
    """``text`` with compressed processes where it had ``STOP`` after an event."""
    return text.replace("-> STOP", "-> sbisim(c -> STOP [] b -> STOP)")


@settings(max_examples=25, deadline=None)
@given(models().map(_compressing))
def test_random_compressions_in_leaves_beside_an_unreached_int_channel_compile_as_without_it(
        text):
    # a compressed process in a leaf made its channels unknown: whole beside Int
    _assert_compiles_as_without_int(text)


@settings(max_examples=40, deadline=None)
@given(models().map(_compressing))
def test_a_leaf_performs_only_events_on_the_channels_it_is_said_to_reach(text):
    model = loads(text)
    shape, reach = Shape(model.spec.rules()), ChannelReach(model.spec)
    for name in ("T", "S"):
        for term in _leaves(shape, shape.normal(model.process(name))):
            channels = reach.of(term)
            assert channels is not None, term
            lts = explore(_Terms(model.spec.rules(), term), max_states=2_000)
            performed = {lab.split(".")[0] for lab in lts.labels} - {"τ", "✓"}
            assert performed <= channels, (term, performed, channels)


def _leaves(shape: Shape, top: object) -> list:
    """The leaves under ``top``'s compiled operators (each once)."""
    found, todo, seen = [], [top], set()
    while todo:
        term = todo.pop()
        if term in seen:
            continue
        seen.add(term)
        if shape.compiled(term):
            todo.extend(shape.operands(term))
        else:
            found.append(term)
    return found


class _Terms:
    def __init__(self, rules, term) -> None:
        self.rules, self.term = rules, term

    def initial_state(self):
        return self.term

    def successors(self, state):
        return self.rules.transitions(state)
