"""Lazy input prefixes: one term per state, the same moves as the eager choice over values.

The oracle is the definition itself, written out in the language: ``c?x:S ->
P(x)`` means ``[] x : S' @ c.x -> P(x)`` (S' the values of S in the field's
type), and ``c?x?y`` nests two such choices. Replicated external choice is
evaluated eagerly, by other code than the input term, so comparing the two
checks the lazy expansion move for move (labels, targets and their order).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.assertion_kinds import Equivalence
from procalg.checks.equivalence import check_equivalence
from procalg.errors import ModelError
from procalg.lts import explore
from procalg.semantics import Spec, load
from procalg.semantics.linear import compile_leaf
from procalg.source import SourceFile
from procalg.syntax.parser import parse, parse_expr
from procalg.terms import Event, Input, Prefix
from procalg.terms.saga import THROW


def model(text: str) -> Spec:
    return load(parse(text, "m.proc"), SourceFile("m.proc", text))


def first_moves(spec: Spec, process: str) -> list:
    system = spec.system(spec.process(parse_expr(process)))
    return system.successors(system.initial_state())


def _set(values: frozenset[int]) -> str:
    return "{ " + ", ".join(map(str, sorted(values))) + " }"  # "{-1" opens a comment


_TYPES = st.frozensets(st.integers(0, 3), min_size=1, max_size=4)
_RESTRICT = st.frozensets(st.integers(-1, 4), max_size=4)


@st.composite
def _inputs(draw: st.DrawFn) -> tuple[str, str, str]:
    """A model header, a lazy input prefix and its eager oracle (a replicated choice)."""
    t1, t2 = draw(_TYPES), draw(_TYPES)
    form = draw(st.sampled_from(["x", "x:S", "x?y", "x:S?y", "x?y:S", "k?y", "z", "z:S"]))
    s = draw(_RESTRICT)
    k = draw(st.sampled_from(sorted(t1)))
    two = form not in ("x", "x:S")
    header = (f"channel c : {_set(t1)}{'.' + _set(t2) if two else ''}\n"
              "channel done\nR(v) = done -> R(v)\n")
    S, T1, T2 = _set(s), _set(t1), _set(t2)
    lazy, eager = {
        "x": ("c?x -> R(x)", f"[] x : {T1} @ c.x -> R(x)"),
        "x:S": (f"c?x:{S} -> R(x)", f"[] x : inter({T1}, {S}) @ c.x -> R(x)"),
        "x?y": ("c?x?y -> R((x, y))", f"[] x : {T1} @ [] y : {T2} @ c.x.y -> R((x, y))"),
        "x:S?y": (f"c?x:{S}?y -> R((x, y))",
                  f"[] x : inter({T1}, {S}) @ [] y : {T2} @ c.x.y -> R((x, y))"),
        "x?y:S": (f"c?x?y:{S} -> R((x, y))",
                  f"[] x : {T1} @ [] y : inter({T2}, {S}) @ c.x.y -> R((x, y))"),
        "k?y": (f"c!{k}?y -> R(y)", f"[] y : {T2} @ c.{k}.y -> R(y)"),
        "z": ("c?z -> R(z)", f"[] x : {T1} @ [] y : {T2} @ c.x.y -> R(x.y)"),
        "z:S": (f"c?z:{{x.y | x <- {S}, y <- {S}}} -> R(z)",
                f"[] x : inter({T1}, {S}) @ [] y : inter({T2}, {S}) @ c.x.y -> R(x.y)"),
    }[form]
    return header, lazy, eager


@settings(max_examples=120, deadline=None)
@given(_inputs())
def test_lazy_input_has_the_moves_of_the_eager_choice_over_its_values(
        case: tuple[str, str, str]) -> None:
    header, lazy, eager = case
    spec = model(header)
    assert first_moves(spec, lazy) == first_moves(spec, eager)
    left = explore(spec.system(spec.process(parse_expr(lazy))))
    right = explore(spec.system(spec.process(parse_expr(eager))))
    assert check_equivalence(left, right, Equivalence.STRONG).verdict


def test_input_over_a_wide_type_is_one_term_until_it_fires() -> None:
    spec = model("channel c : {0..9999}\nP = c?x -> STOP")
    term = spec.unfold(spec.process("P"))
    assert type(term) is Input
    assert {term, term} and term.site.memo == {}  # hashing and comparing expand nothing
    lts = explore(spec.system(term))
    assert (lts.num_states, lts.num_transitions) == (2, 10_000)


def test_restricted_inputs_cost_the_restriction_not_the_channel_type() -> None:
    spec = model("channel d : {0..999}.{0..999}\nP = d?x:{1}?y:{2, 5000} -> P")
    assert [str(e) for e, _ in first_moves(spec, "P")] == ["d.1.2"]
    assert spec.types._remaining == {}  # the million events of d were never listed


def test_states_capture_only_the_locals_the_prefix_mentions() -> None:
    spec = model("channel c, d : {0..2}\nP(n, m) = c?x -> d!n -> STOP\n"
                 "Q(x) = c?x -> d!x -> Q(x)")
    unfold = spec.unfold

    def at(text: str) -> Input:
        return unfold(spec.process(parse_expr(text)))

    assert at("P(1, 0)") == at("P(1, 2)")  # m is not read by the prefix
    assert at("P(1, 0)") != at("P(2, 0)")
    assert at("Q(0)") == at("Q(1)")  # the input's x shadows the parameter


def test_input_prints_as_written_with_captured_values_filled_in() -> None:
    spec = model("channel c, d : {0..2}\nP(n) = c?x:{1, 2} -> d!n -> P(n)")
    assert str(spec.unfold(spec.process(parse_expr("P(1)")))) == "c?x:{1, 2} -> d!1 -> P(1)"


def test_fallible_activity_input_also_offers_each_failure() -> None:
    spec = model("activity pay : {0, 1}\nP = pay?x -> SKIP")
    pay, fail = Event("pay", (0,)), Event("fail", (Event("pay", (0,)),))
    moves = first_moves(spec, "P")
    assert [str(e) for e, _ in moves] == ["pay.0", "fail.pay.0", "pay.1", "fail.pay.1"]
    assert moves[0][0] == pay and moves[1] == (fail, THROW)


def test_input_into_a_complete_event_is_reported_when_it_fires() -> None:
    spec = model("channel a\nP = a?x -> STOP")
    with pytest.raises(ModelError, match="takes no more fields"):
        first_moves(spec, "P")


def test_input_continuations_are_evaluated_once_per_value_and_kept() -> None:
    spec = model("channel c : {0..2}\nchannel d\nP = c?x -> d -> P")
    term = spec.unfold(spec.process("P"))
    moves = term.moves()
    assert moves is term.moves()  # memoised in the site
    assert all(type(then) is Prefix for _, then in moves)


def test_a_restriction_may_read_an_earlier_input_of_the_same_prefix() -> None:
    spec = model("channel d : {0..2}.{0..2}\nP = d?x?y:{x} -> P")
    assert [str(e) for e, _ in first_moves(spec, "P")] == ["d.0.0", "d.1.1", "d.2.2"]


def test_a_saga_step_starting_with_an_input_is_named_by_its_first_event() -> None:
    spec = model("activity pay : {1, 2}\nchannel refund : {1, 2}\n"
                 "W = saga (pay?x -> SKIP undo refund!1 -> SKIP)")
    saga = spec.unfold(spec.process("W"))
    assert type(saga.body.body) is Input and saga.body.name == "pay.1"  # used in stranded.s


def test_let_bound_values_are_captured_as_values() -> None:
    spec = model("channel c, d : {0..3}\nP(n) = let m = n + 1 within c?x -> d!m -> P(n)")
    term = spec.unfold(spec.process(parse_expr("P(1)")))
    assert dict(term.captured) == {"m": 2, "n": 1}
    assert term == spec.unfold(spec.process(parse_expr("P(1)")))


_BOTH = """channel c : {0..2}
channel d : {0..2}.{0..2}
channel e : {0..1}.{0..1}
channel o : {0..1}.{0..1}.{0..1}
Q = c?x@@y:{0, 1} -> d!x!y -> Q
S = e?v@@(a.b) -> o!a!b!b -> S [] c?z@@1 -> d!z!z -> S
"""


@pytest.mark.parametrize("engine", [CheckEngine.PRODUCT, CheckEngine.REFERENCE])
@pytest.mark.parametrize(("assertion", "verdict"), [
    ("Q :[has trace]: <c.1, d.1.1, c.0, d.0.0>", "pass"),
    ("Q :[has trace]: <c.1, d.1.0>", "fail"),
    ("Q :[has trace]: <c.2>", "fail"),  # the restriction holds for both names
    ("S :[has trace]: <e.1.0, o.1.0.0, c.1, d.1.1>", "pass"),
    ("S :[has trace]: <c.0>", "fail"),  # z@@1 takes only 1
])
def test_an_input_that_binds_its_value_twice_gives_both_names_the_value(engine, assertion,
                                                                        verdict):
    model = loads(f"{_BOTH}assert {assertion}\n")
    [report] = check_model(model, options=SearchOptions(engine=engine))
    assert report.result == verdict


@pytest.mark.parametrize("name", ["Q", "S"])
def test_an_input_binding_its_value_twice_compiles_like_its_terms(name):
    model = loads(_BOTH)
    call = model.process(name)
    compiled = compile_leaf(model.spec.evaluator, call)
    assert not isinstance(compiled, str)
    ours, theirs = explore(compiled), explore(model.spec.system(call))
    assert ours.num_states == theirs.num_states
    assert sorted(ours.labels) == sorted(theirs.labels)
    assert {"c.0", "c.1", "d.0.0", "d.1.1"} <= set(explore(model.spec.system(
        model.process("Q"))).labels)
