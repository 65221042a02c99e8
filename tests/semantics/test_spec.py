"""Loading whole models: state counts FDR gives, process evaluation, and errors in place."""

from __future__ import annotations

import subprocess
import sys

import pytest

from procalg.errors import ModelError
from procalg.lts import TAU, TICK, explore
from procalg.semantics import Spec, load
from procalg.source import SourceFile
from procalg.syntax.parser import parse, parse_expr
from procalg.terms import SKIP, STOP, Event, Prefix

PHILOSOPHERS = """
N = {n}
Id = {{0..N-1}}
channel think, eat : Id
channel pick, put : Id.Id            -- philosopher.fork

Phil(i) = think.i -> pick.i.i -> pick.i.((i+1)%N) -> eat.i
          -> put.i.i -> put.i.((i+1)%N) -> Phil(i)
Fork(j) = pick.j.j -> put.j.j -> Fork(j)
       [] pick.((j+N-1)%N).j -> put.((j+N-1)%N).j -> Fork(j)

System = (||| i : Id @ Phil(i)) [| {{| pick, put |}} |] (||| j : Id @ Fork(j))
"""


def model(text: str) -> Spec:
    return load(parse(text, "m.proc"), SourceFile("m.proc", text))


def explored(spec: Spec, process: str):
    return explore(spec.system(spec.process(parse_expr(process))), state_name=str)


def moves(spec: Spec, process: str) -> set[tuple[str, str, str]]:
    lts = explored(spec, process)
    names = lts.state_names
    return {(names[s], lab, names[t]) for s, lab, t in lts.triples()}


@pytest.mark.parametrize(("n", "states"), [(2, 21), (3, 99), (4, 465), (5, 2163)])
def test_dining_philosophers_have_the_state_counts_fdr_gives(n: int, states: int) -> None:
    lts = explored(model(PHILOSOPHERS.format(n=n)), "System")
    assert lts.num_states == states
    assert len(lts.deadlocks()) == 1  # everyone holds their left fork


def test_input_prefix_is_a_choice_over_the_restricted_field_type() -> None:
    spec = model("channel c : {0..3}\nP = c?x:{1,2} -> c!x -> STOP")
    c1, c2 = Event("c", (1,)), Event("c", (2,))
    term = spec.unfold(spec.process("P"))
    assert spec.system(term).successors(term) == [
        (c1, Prefix(c1, STOP)), (c2, Prefix(c2, STOP))
    ]


def test_inputs_bind_each_field_in_turn() -> None:
    spec = model("channel c : {0,1}.{0,1}\nchannel d : {0..2}\nP = c?x?y -> d!(x+y) -> STOP")
    triples = moves(spec, "P")
    firsts = sorted(lab for s, lab, _ in triples if lab.startswith("c"))
    seconds = sorted(lab for s, lab, _ in triples if lab.startswith("d"))
    assert firsts == ["c.0.0", "c.0.1", "c.1.0", "c.1.1"]
    assert seconds == ["d.0", "d.1", "d.2"]  # c.0.1 and c.1.0 lead to one state, d.1 -> STOP


def test_guards_and_if_choose_branches_when_evaluated() -> None:
    spec = model(
        "channel up, down\n"
        "Count(n) = n < 2 & up -> Count(n+1) [] n > 0 & down -> Count(n-1)\n"
        "Flip(b) = if b then up -> Flip(false) else down -> Flip(true)\n"
    )
    assert explored(spec, "Count(0)").num_states == 3
    assert explored(spec, "Flip(true)").num_states == 2


def test_replicated_operators_over_empty_sets_follow_cspm() -> None:
    spec = model("channel a : {0..1}\nP = [] x : {} @ a.x -> STOP\nQ = ||| x : {} @ a.x -> STOP\n"
                 "R = ; x : <> @ a.x -> STOP\n")
    assert spec.unfold(spec.process("P")) == STOP
    assert spec.unfold(spec.process("Q")) == SKIP
    assert spec.unfold(spec.process("R")) == SKIP


def test_replicated_internal_choice_over_nothing_is_an_error() -> None:
    spec = model("channel a : {0..1}\nP = |~| x : {} @ a.x -> STOP\n")
    with pytest.raises(ModelError, match="empty set"):
        spec.unfold(spec.process("P"))


def test_replicated_sequence_runs_in_sequence_order() -> None:
    spec = model("channel a : {0..2}\nP = ; x : <2, 0, 1> @ a.x -> SKIP\n")
    lts = explored(spec, "P")
    visible = [lab for _, lab, _ in sorted(lts.triples()) if lab not in (TAU, TICK)]
    assert visible == ["a.2", "a.0", "a.1"]


def test_alphabetised_replication_gives_each_component_the_rest_as_partner_alphabet() -> None:
    # the ring of Milner's scheduler: cycler i does a.i then c.(i+1) then waits for c.i
    spec = model(
        "N = 3\nchannel a, c : {0..N-1}\n"
        "Cyc(i) = a.i -> c.((i+1)%N) -> c.i -> Cyc(i)\n"
        "Start(i) = if i == 0 then Cyc(i) else c.i -> Cyc(i)\n"
        "Ring = || i : {0..N-1} @ [{a.i, c.i, c.((i+1)%N)}] Start(i)\n"
    )
    lts = explored(spec, "Ring")
    visible = {lab for _, lab, _ in lts.triples()}
    assert visible == {"a.0", "a.1", "a.2", "c.0", "c.1", "c.2"}
    assert lts.deadlocks() == []
    # a.1 needs the token passed by c.1, so it cannot come first
    first = {lab for s, lab, _ in lts.triples() if s == lts.initial}
    assert first == {"a.0"}


def test_local_recursive_definitions_capture_the_enclosing_values() -> None:
    spec = model(
        "channel c : {0..3}\n"
        "Loop(n) = let X = c.n -> X within X\n"
        "Both = Loop(1) ||| Loop(2)\n"
    )
    lts = explored(spec, "Both")
    assert lts.num_states == 1
    assert {lab for _, lab, _ in lts.triples()} == {"c.1", "c.2"}


def test_processes_can_be_passed_as_arguments() -> None:
    spec = model("channel a, b\nTwice(P) = P ; P\nMain = Twice(a -> SKIP) ; b -> STOP\n")
    lts = explored(spec, "Main")
    labels = [lab for _, lab, _ in sorted(lts.triples())]
    assert labels.count("a") == 2 and labels.count("b") == 1


def test_renaming_channels_maps_every_field_value() -> None:
    spec = model("channel c, d : {0..1}\nP = c?x -> STOP\nQ = P [[ c <- d ]]\n")
    first = {lab for _, lab, _ in moves(spec, "Q")}
    assert first == {"d.0", "d.1"}


def test_hiding_a_channel_set_makes_its_events_internal() -> None:
    spec = model("channel c : {0..1}\nchannel e\nP = c.0 -> e -> SKIP\nQ = P \\ {| c |}\n")
    assert [lab for _, lab, _ in sorted(explored(spec, "Q").triples())] == [TAU, "e", TICK]


def test_datatypes_give_atoms_and_dotted_values_as_channel_fields() -> None:
    spec = model("datatype T = A | B.{0..1}\nchannel d : T\nP = d?x -> STOP\n")
    assert {lab for _, lab, _ in moves(spec, "P")} == {"d.A", "d.B.0", "d.B.1"}
    assert len(spec.datatypes["T"]) == 3
    assert spec.channels["d"] == (spec.datatypes["T"],)
    assert len(spec.events) == 3


def test_the_bundled_models_load_and_explore() -> None:
    spec = model(
        "channel receive, validate, reject, close\nchannel pick, pack, charge, invoice, ship\n"
        "Fulfil = pick -> pack -> SKIP\nBilling = charge -> invoice -> SKIP\n"
        "Order = receive -> (validate -> ((Fulfil ||| Billing) ; ship -> close -> Order)\n"
        "                    |~| reject -> close -> Order)\n"
    )
    lts = explored(spec, "Order")
    assert lts.deadlocks() == []
    # receive, the internal choice, then 3x3 interleavings (plus termination) of the branches
    assert lts.num_states > 9


def _error(text: str, process: str | None = None) -> ModelError:
    with pytest.raises(ModelError) as err:
        spec = model(text)
        if process:
            explored(spec, process)
    return err.value


def test_unguarded_recursion_points_at_the_definition() -> None:
    err = _error("channel a\nQ = a -> Q\nP = P [] a -> STOP\n", "P")
    assert "unguarded recursion: P calls itself before any event" in err.message
    assert err.span.line == 3 and err.source is not None


def test_undefined_names_suggest_a_close_one() -> None:
    err = _error("channel a\nPhil = a -> Phill\n", "Phil")
    assert err.message == "undefined name 'Phill'" and err.hint == "did you mean 'Phil'?"
    assert (err.span.line, err.span.column) == (2, 13)


def test_values_outside_a_channel_type_name_both() -> None:
    err = _error("channel c : {0..3}\nP = c.5 -> STOP\n", "P")
    assert err.message == "value 5 is outside channel c's field 1 type {0..3}"
    assert err.span.line == 2


def test_a_sequence_grown_past_its_channels_type_is_an_error_where_it_is_sent() -> None:
    # libcspm checks each complete field against the channel's set (combineDots with
    # runtimeRangeChecks, on by default): FDR stops here too, it does not send the value
    err = _error("Short = {<>, <0>, <0, 0>}\nchannel get, set : Short\n"
                 "P = get?s -> set!(<0> ^ s) -> P\n", "P")
    assert err.message.startswith("value <0, 0, 0> is outside channel set's field 1 type {<>")
    assert (err.span.line, err.span.column) == (3, 17)


def test_wrong_arity_is_reported_at_the_call() -> None:
    err = _error("channel a\nP(x) = a -> STOP\nQ = P(1, 2)\n", "Q")
    assert err.message == "P takes 1 argument, got 2" and err.span.line == 3


def test_type_errors_name_the_operator_and_the_kind() -> None:
    err = _error("X = {1} + 1\n")
    assert "'+' needs integers, got a set" in err.message and err.span.line == 1


def test_division_by_zero_is_a_model_error() -> None:
    assert _error("Z = 0\nX = 3 / Z\n").message == "division by zero"


def test_events_with_too_many_or_too_few_fields_are_errors() -> None:
    assert "too many fields" in _error("channel c : {0..1}\nP = c.0.1 -> STOP\n", "P").message
    assert "lacks fields" in _error("channel c : {0..1}.{0..1}\nP = c.0 -> STOP\n", "P").message


def test_deep_value_recursion_is_a_model_error_naming_the_function() -> None:
    err = _error("F(n) = F(n + 1) + 1\nX = F(0)\n")
    assert err.message == "recursion too deep in function F" and err.span.line == 1


def test_reasonably_deep_value_recursion_works() -> None:
    spec = model("F(0) = 0\nF(n) = 1 + F(n - 1)\nX = F(2000)\n")
    assert spec.value(parse_expr("X")) == 2000


def test_names_declared_twice_are_errors() -> None:
    err = _error("channel a\nchannel a\n")
    assert "declared twice" in err.message and err.span.line == 2


def test_deep_recursion_through_a_local_definition_still_fits() -> None:
    spec = model("F(n) = if n == 0 then 0 else (let x = F(n - 1) within x + 1)\nX = F(2000)\n")
    assert spec.value(parse_expr("X")) == 2000


def test_evaluating_restores_the_recursion_limit() -> None:
    before = sys.getrecursionlimit()
    spec = model("F(0) = 0\nF(n) = 1 + F(n - 1)\nX = F(1500)\n")
    assert spec.value(parse_expr("X")) == 1500
    assert sys.getrecursionlimit() == before


_CRASH_PROBE = r"""
import threading
from procalg.api import loads
from procalg.errors import ModelError
from procalg.lts import explore

CASES = {
    "value": "F(n) = if n == 0 then 0 else 1 + F(n-1)\nX = F(40000)\n",
    "tuple": "F(n) = if n == 0 then (0, 0) else (F(n-1), 1)\nH((x, _)) = 0\nX = H(F(40000))\n",
    # two equal but distinct 20000-deep terms: comparing them recurses in C
    "terms": "channel a\nX = 0\nS = ; i : <1..20000> @ a -> SKIP\n"
             "P = (; i : <1..20000> @ a -> SKIP) [] S\n",
}

def run(name):
    try:
        model = loads(CASES[name])
        model.value(model.module.declarations[-1].body)
        explore(model.spec.system(model.process("P"))) if name == "terms" else None
        print(name, "ok")
    except ModelError as err:
        print(name, "ModelError")

for name in CASES:
    run(name)
threading.stack_size(1 << 20)  # a caller thread with a small (1 MiB) stack
for name in CASES:
    thread = threading.Thread(target=run, args=(name,))
    thread.start()
    thread.join()
"""


def test_too_deep_recursion_is_a_model_error_and_never_a_crash() -> None:
    # Run apart: a C stack overflow would kill the interpreter (SIGSEGV), not raise.
    done = subprocess.run([sys.executable, "-c", _CRASH_PROBE], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.split("\n")
    # two 20,000-deep terms compare within run_deep's stack and limit (120,000 frames)
    assert lines[:6] == ["value ModelError", "tuple ModelError", "terms ok"] * 2


def test_run_offers_every_event_of_its_set_for_ever() -> None:
    spec = model("channel a, b\nP = RUN({a, b})\n")
    lts = explore(spec.system(spec.process(parse_expr("P"))))
    assert lts.num_states == 1
    assert {str(lab) for _, lab, _ in lts.triples()} == {"a", "b"}


def test_chaos_may_refuse_everything_or_do_any_event() -> None:
    spec = model("channel a\nP = CHAOS({a})\n")
    lts = explore(spec.system(spec.process(parse_expr("P"))))
    labels = {str(lab) for _, lab, _ in lts.triples()}
    assert labels == {TAU, "a"} and lts.num_states == 3


def test_a_model_may_define_its_own_run() -> None:
    spec = model("channel a, b\nRUN(A) = a -> STOP\nP = RUN({b})\n")
    lts = explore(spec.system(spec.process(parse_expr("P"))))
    assert {str(lab) for _, lab, _ in lts.triples()} == {"a"}


def test_a_dotted_product_nametype_gives_a_channel_one_field_per_set() -> None:
    spec = model("nametype T = {0, 1}.{0, 1}\nchannel up : T\nP = up!0.1 -> up?x.y -> STOP\n")
    lts = explore(spec.system(spec.process(parse_expr("P"))))
    assert {str(lab) for _, lab, _ in lts.triples()} == {"up.0.1", "up.0.0", "up.1.0", "up.1.1"}


def test_a_tuple_of_sets_is_a_field_of_tuples() -> None:
    spec = model("channel c : ({0, 1}, {2})\nP = c?(x, y) -> c!(y, x) -> STOP\n")
    lts = explore(spec.system(spec.process(parse_expr("c!(1, 2) -> STOP"))))
    assert {str(lab) for _, lab, _ in lts.triples()} == {"c.(1, 2)"}
    assert len(spec.events) == 2


def test_a_channel_typed_by_a_rectangular_set_of_dotted_values_has_one_field_each() -> None:
    spec = model("channel up : {0.0, 0.1, 1.0, 1.1}\nP = up!0.1 -> up?x?y -> STOP\n")
    assert len(spec.events) == 4
    lts = explore(spec.system(spec.process(parse_expr("P"))))
    assert "up.0.1" in {str(lab) for _, lab, _ in lts.triples()}


def test_a_non_rectangular_set_of_dotted_values_stays_one_field() -> None:
    spec = model("channel up : {0.0, 1.1}\nP = up!0.1 -> STOP\n")
    with pytest.raises(ModelError, match="outside channel up"):
        explore(spec.system(spec.process(parse_expr("P"))))


def test_div_is_one_state_that_only_diverges() -> None:
    spec = model("channel a\nP = a -> DIV\n")
    lts = explore(spec.system(spec.process(parse_expr("DIV"))))
    assert lts.num_states == 1 and {str(lab) for _, lab, _ in lts.triples()} == {TAU}


def test_a_subtype_is_the_set_of_the_named_constructors_values() -> None:
    spec = model("datatype C = red | green | rgb.{0..2}\nsubtype Warm = red | rgb.{0, 1}\n")
    assert spec.value(parse_expr("Warm")) == spec.value(parse_expr("{red, rgb.0, rgb.1}"))


def test_fdr_builtins_loop_and_the_lazy_compressions_are_defined_unless_the_model_uses_the_name():
    from procalg.api import loads
    from procalg.api.check import check_model

    text = "channel a\nP = loop(a -> SKIP)\nQ = lazynorm(P)\nR = lazyenumerate(P)\n" + "".join(
        f"assert RUN({{a}}) [T= {x}\nassert {x} [T= a -> a -> a -> STOP\n" for x in "PQR")
    assert {r.result for r in check_model(loads(text))} == {"pass"}
    own = loads("channel loop\nP = loop -> P\nassert P :[deadlock free]")
    assert [r.result for r in check_model(own)] == ["pass"]


def test_a_subtype_constructor_without_all_its_fields_takes_every_value_of_the_rest() -> None:
    spec = model("datatype X = A | B.{0}\ndatatype Y = C.{0..2} | D.Bool\n"
                 "datatype E = E2.X.Bool\nsubtype Z = C | D.{false}\nsubtype F = E2.X\n")
    assert spec.value(parse_expr("Z == {C.0, C.1, C.2, D.false}")) is True
    assert spec.value(parse_expr("card(F)")) == 4


def test_a_subtype_field_of_tuple_type_takes_every_tuple_of_its_parts() -> None:
    spec = model("datatype K = k0 | k1\ndatatype M = Pair.(K, (K, {0})) | Key.K\n"
                 "subtype Pairs = Pair.(K, (K, {0}))\n")
    assert spec.value(parse_expr("card(Pairs)")) == 4
    assert spec.value(parse_expr("member(Pair.(k1, (k0, 0)), Pairs)")) is True
    assert spec.value(parse_expr("member(Key.k0, Pairs)")) is False


def test_a_pattern_declaration_in_a_module_matches_its_channel_and_binds_only_variables(
) -> None:
    spec = model("module Y\nexports\n  channel d : {0..1}\n  d.0 = d.0\n"
                 "  (d.x, z) = (d.1, 2)\nendmodule\n")
    assert spec.value(parse_expr("(Y::x, Y::z)")) == (1, 2)
    assert "Y::d" in spec.channels and "Y::d" not in spec.definitions


def test_a_value_defined_in_terms_of_itself_is_an_error_only_where_it_is_used() -> None:
    # FDR evaluates lazily: `loop = loop` loads; `(s, t) = (1, loop)` gives s a value
    text = "loop = loop\n(s, t) = (1, loop)\nok = s + 1\nbad = t\n"
    spec = load(parse(text, "m.csp"), SourceFile("m.csp", text))
    assert spec.value(parse_expr("ok")) == 2
    with pytest.raises(ModelError, match="'loop' is defined in terms of itself") as info:
        spec.value(parse_expr("bad"))
    assert info.value.span is not None and (info.value.span.line, info.value.span.column) == (1, 1)


def test_a_declaration_that_lists_an_infinite_set_is_an_error_only_where_it_is_used() -> None:
    # FDR evaluates lazily: RoboChart declares `nametype core_string = LSeq(Char, 2)` unused
    spec = model("nametype S = {<x> | x <- Char}\nW = {(x, 1) | x <- Char}\nok = 1\n")
    assert spec.value(parse_expr("ok")) == 1
    with pytest.raises(ModelError, match="Char is infinite: its values cannot be listed"):
        spec.value(parse_expr("card(S)"))
    with pytest.raises(ModelError, match="Char is infinite"):
        spec.value(parse_expr("W"))


def test_a_channel_typed_by_an_unlistable_nametype_is_still_an_error_at_load() -> None:
    with pytest.raises(ModelError, match="Char is infinite"):
        model("nametype S = {<x> | x <- Char}\nchannel c : S\n")


def test_a_value_that_calls_error_is_an_error_only_where_it_is_used() -> None:
    # FDR evaluates lazily: libcspm's tests declare `h = error("Something")` unused
    spec = model('h = error("Something")\nf = let g(x) = x within (g(0), h + 0)\nok = 1\n')
    assert spec.value(parse_expr("ok")) == 1
    with pytest.raises(ModelError, match='error\\("Something"\\) was evaluated'):
        spec.value(parse_expr("f"))


EVENT_KINDS = """
datatype T = A | B.{0..2}
channel c : T.Bool
channel e : {0..3}.{"x", "y"}
channel f : Set({0, 1})
channel g : (Bool, {1, 2})
channel h, k
P = saga h -> SKIP undo k
"""


@pytest.mark.parametrize("text", [EVENT_KINDS, "channel c : {0..2999}\nP = c!0 -> STOP"])
def test_event_names_are_the_events_printed_in_bulk_as_str_prints_them(text):
    from procalg.api import loads  # as the tests above: the api, imported where used

    names = loads(text).spec.event_names()  # first: the events print here, not by str
    events = loads(text).spec.events
    assert names == frozenset(str(e) for e in events)
    assert len(names) == len(events)
