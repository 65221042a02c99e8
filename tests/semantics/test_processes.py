"""Input prefixes with patterns and replicated alphabetised parallel, as CSPM defines them.

The expected transitions are worked out from the CSPM definitions by hand:
an input ``?p`` that is the last field of a prefix takes all the remaining
fields (one dotted value); an input followed by more fields takes one field.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.deadlock import deadlock_goal
from procalg.errors import ModelError
from procalg.lts import TAU, TICK, explore
from procalg.lts.product import explore_product, find_path
from procalg.semantics import Spec, load, processes
from procalg.semantics.channels import ChannelRef
from procalg.semantics.network import compile_network
from procalg.source import SourceFile
from procalg.syntax.parser import parse, parse_expr
from procalg.terms import Event
from procalg.terms.renaming import PairRenaming, PrefixRenaming
from tests.semantics.test_linear import _bisimilar


def model(text: str) -> Spec:
    return load(parse(text, "m.proc"), SourceFile("m.proc", text))


def traces(spec: Spec, process: str, depth: int = 4) -> set[tuple[str, ...]]:
    """Every trace of visible labels up to ``depth`` (τ skipped)."""
    lts = explore(spec.system(spec.process(parse_expr(process))))
    out: set[tuple[str, ...]] = set()
    frontier = {(lts.initial, ())}
    for _ in range(depth * 3):
        step = set()
        for state, trace in frontier:
            out.add(trace)
            for label, target in lts.successors(state):
                name = str(lts.labels[label])
                if name == TAU:
                    step.add((target, trace))
                elif len(trace) < depth:
                    step.add((target, (*trace, name)))
        frontier = step
    for _, trace in frontier:
        out.add(trace)
    return out


def first_events(spec: Spec, process: str) -> set[str]:
    lts = explore(spec.system(spec.process(parse_expr(process))))
    return {str(lts.labels[lab]) for lab, _ in lts.successors(lts.initial)}


TWO = "channel c : {0..1}.{0..1}\nchannel d : {0..1}.{0..1}\nchannel e : {0..3}\n"


def test_a_dotted_input_pattern_binds_both_fields_of_the_event() -> None:
    spec = model(TWO + "P = c?x.y -> e!(2*x+y) -> STOP")
    lts = explore(spec.system(spec.process("P")))
    assert lts.num_states == 4 + 2  # P, four e!v states, STOP
    assert lts.num_transitions == 4 + 4
    assert traces(spec, "P", 2) >= {("c.1.0", "e.2"), ("c.0.1", "e.1"), ("c.1.1", "e.3")}
    assert ("c.1.0", "e.1") not in traces(spec, "P", 2)


def test_a_last_input_takes_the_remaining_fields_as_one_dotted_value() -> None:
    spec = model(TWO + "P = c?x -> d!x -> STOP")
    assert {t for t in traces(spec, "P", 2) if len(t) == 2} == {
        (f"c.{a}.{b}", f"d.{a}.{b}") for a in (0, 1) for b in (0, 1)
    }


def test_a_last_input_after_an_output_takes_what_is_left() -> None:
    spec = model("channel c : {0..1}.{0..1}.{0..1}\nchannel d : {0..1}.{0..1}\n"
                 "P = c.1?x -> d!x -> STOP")
    assert {t for t in traces(spec, "P", 2) if len(t) == 2} == {
        (f"c.1.{a}.{b}", f"d.{a}.{b}") for a in (0, 1) for b in (0, 1)
    }


def test_an_input_followed_by_more_fields_takes_exactly_one_field() -> None:
    spec = model("channel c : {0..1}.{0..1}.{0..1}.{0..1}\nchannel e : {0..15}\n"
                 "P = c.0?x!x?z -> e!(4*x+z) -> STOP")
    assert {t for t in traces(spec, "P", 2) if len(t) == 2} == {
        ("c.0.0.0.0", "e.0"), ("c.0.0.0.1", "e.1"), ("c.0.1.1.0", "e.4"), ("c.0.1.1.1", "e.5"),
    }


def test_a_tuple_pattern_input_binds_the_components_of_a_tuple_field() -> None:
    spec = model("channel c : {(a, b) | a <- {0..1}, b <- {0..2}}\nchannel e : {0..9}\n"
                 "P = c?(x, y) -> e!(x+y) -> STOP")
    pairs = {t for t in traces(spec, "P", 2) if len(t) == 2}
    assert len(pairs) == 6
    assert ("c.(1, 2)", "e.3") in pairs


def test_a_restricted_last_input_ranges_over_the_dotted_values_in_the_set() -> None:
    spec = model(TWO + "P = c?x:{0.1, 1.1} -> d!x -> STOP")
    assert first_events(spec, "P") == {"c.0.1", "c.1.1"}
    spec = model(TWO + "P = c?x.y:{0.1, 1.1} -> STOP")
    assert first_events(spec, "P") == {"c.0.1", "c.1.1"}


def test_a_dotted_input_pattern_before_another_field_is_an_error() -> None:
    spec = model("channel c : {0..1}.{0..1}.{0..1}\nP = c?x.y!0 -> STOP")
    with pytest.raises(ModelError, match="one field"):
        explore(spec.system(spec.process("P")))


MSG = """
datatype Msg = Data.{0..3} | Nack.{0..3} | Ack
channel c : Msg
channel out : {0..3}
"""


def test_a_constructor_in_an_input_pattern_selects_only_its_values() -> None:
    spec = model(MSG + "P = c?Data.v -> out!v -> STOP")
    assert first_events(spec, "P") == {f"c.Data.{v}" for v in range(4)}
    assert ("c.Data.2", "out.2") in traces(spec, "P", 2)


def test_a_constructor_input_before_another_field_takes_one_whole_value() -> None:
    spec = model(MSG + "channel k : Msg.{0..1}\nP = k?Nack.v!1 -> out!v -> STOP")
    assert first_events(spec, "P") == {f"k.Nack.{v}.1" for v in range(4)}


def test_a_channel_name_in_an_input_pattern_is_a_literal() -> None:
    spec = model("channel a, b : {0..1}\nchannel c : {| a, b |}\n"
                 "P = c?a.v -> a!v -> STOP")
    assert first_events(spec, "P") == {"c.a.0", "c.a.1"}


# ----------------------------------------------- replicated alphabetised ||

ALPHA = "channel a, b, done\n"


def test_replicated_alpha_parallel_with_one_component_blocks_events_outside_the_alphabet() -> None:
    spec = model(ALPHA + "P = a -> SKIP [] b -> SKIP\nQ = || i : {0} @ [{a}] P")
    assert traces(spec, "Q") == {(), ("a",), ("a", TICK)}


def test_replicated_alpha_parallel_with_one_component_terminates_when_it_does() -> None:
    spec = model(ALPHA + "Q = (|| i : {0} @ [{a}] a -> SKIP); done -> STOP")
    assert traces(spec, "Q") == {(), ("a",), ("a", "done")}


def test_replicated_alpha_parallel_with_one_component_is_the_two_sided_operator_with_stop() -> None:
    # P [A || {}] STOP has the same traces as the one-component replication,
    # except that STOP never terminates; with a non-terminating P they agree.
    spec = model(ALPHA + "P = a -> P [] b -> P\nQ = || i : {0} @ [{a}] P\n"
                 "R = P [{a} || {}] STOP")
    assert traces(spec, "Q", 3) == traces(spec, "R", 3) == {(), ("a",), ("a", "a"),
                                                            ("a", "a", "a")}


def test_replicated_alpha_parallel_over_nothing_is_skip() -> None:
    spec = model(ALPHA + "Q = || i : {} @ [{a}] a -> STOP")
    assert traces(spec, "Q") == {(), (TICK,)}


@pytest.mark.parametrize("process", [
    "|| i : {0} @ [{a}] (a -> SKIP [] b -> SKIP)",
    "(|| i : {0} @ [{a}] (a -> SKIP)) [| {a} |] (a -> STOP)",
    "(|| i : {0} @ [{a}] (a -> SKIP)) ||| (b -> SKIP)",
])
def test_the_product_engine_agrees_on_a_one_component_replication(process: str) -> None:
    spec = model(ALPHA)
    term = spec.process(parse_expr(process))
    reference = explore(spec.system(term))
    for reduce in (False, True):
        net = compile_network(term, spec, reduce=reduce)
        assert net is not None
        assert find_path(net, deadlock_goal).found == bool(reference.deadlocks())
    product = explore_product(compile_network(term, spec, reduce=False))
    assert (product.num_states, product.num_transitions) == (
        reference.num_states, reference.num_transitions)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=3), st.data())
def test_a_last_input_offers_every_completion_and_outputs_it_back(sizes, data) -> None:
    given_count = data.draw(st.integers(0, len(sizes) - 1))
    given_values = [data.draw(st.integers(0, n - 1)) for n in sizes[:given_count]]
    fields = ".".join(f"{{0..{n - 1}}}" for n in sizes)
    rest = ".".join(f"{{0..{n - 1}}}" for n in sizes[given_count:])
    head = ".".join(["c", *map(str, given_values)])
    spec = model(f"channel c : {fields}\nchannel d : {rest}\nP = {head}?x -> d!x -> STOP")
    completions = list(itertools.product(*(range(n) for n in sizes[given_count:])))
    expected = {(".".join(["c", *map(str, given_values), *map(str, tail)]),
                 ".".join(["d", *map(str, tail)])) for tail in completions}
    assert {t for t in traces(spec, "P", 2) if len(t) == 2} == expected


def test_an_event_field_input_before_another_field_matches_by_channel() -> None:
    spec = model("channel a, b : {0..1}\nchannel c : {| a, b |}.{0..1}\n"
                 "P = c?b.v!v -> STOP\nQ = c?a.v!1 -> STOP")
    assert first_events(spec, "P") == {"c.b.0.0", "c.b.1.1"}
    assert first_events(spec, "Q") == {"c.a.0.1", "c.a.1.1"}


# --- CSPM operators and precedence (issue 11) --------------------------------


def test_interleaving_is_looser_than_generalised_parallel_as_in_fdr():
    spec = model("channel a\nP = a -> STOP ||| a -> STOP [| {a} |] a -> STOP\n")
    assert ("a", "a") in traces(spec, "P")


def test_link_parallel_synchronises_the_linked_events_and_hides_them():
    spec = model("channel a, b, c, d\nL = (a -> b -> STOP) [b <-> c] (c -> d -> STOP)\n")
    assert traces(spec, "L") == {(), ("a",), ("a", "d")}


def test_link_parallel_links_whole_channels_field_by_field():
    spec = model("channel out, inp : {0, 1}\nchannel done : {0, 1}\n"
                 "L = (out!1 -> STOP) [out <-> inp] (inp?x -> done!x -> STOP)\n")
    assert traces(spec, "L") == {(), ("done.1",)}


def test_a_list_of_links_synchronises_each_pair():
    spec = model("channel a, b, c, d, e\n"
                 "L = (a -> c -> STOP) [a <-> b, c <-> d] (b -> d -> e -> STOP)\n")
    assert traces(spec, "L") == {(), ("e",)}


def test_links_may_be_listed_by_a_comprehension():
    spec = model("channel l, r : {0..1}.{0, 1}\nC(i) = l.i?x -> r.i!x -> STOP\n"
                 "L = C(0) [r.0.x <-> l.1.x | x <- {0, 1}] C(1)\n")
    assert traces(spec, "L") == {(), ("l.0.0",), ("l.0.1",), ("l.0.0", "r.1.0"),
                                 ("l.0.1", "r.1.1")}


def test_replicated_link_parallel_chains_the_processes_of_a_sequence():
    spec = model("channel left, right : {0}\nCOPY = left?x -> right!x -> STOP\n"
                 "CN(n) = [right <-> left] i : <1..n> @ COPY\nC0 = CN(0)\nC2 = CN(2)\n")
    assert traces(spec, "C2") == {(), ("left.0",), ("left.0", "right.0")}


def test_replicated_link_parallel_over_no_process_is_an_error_at_the_operator():
    # libcspm (FDR): "replicated linked parallel is not defined for the empty sequence"
    spec = model("channel left, right : {0}\nCOPY = left?x -> right!x -> STOP\n"
                 "CN(n) = [right <-> left] i : <1..n> @ COPY\nC0 = CN(0)\n")
    with pytest.raises(ModelError, match="replicated linked parallel over an empty") as info:
        traces(spec, "C0")
    assert (info.value.span.line, info.value.span.column) == (3, 9)


@pytest.mark.parametrize(("links", "event", "side"), [
    ("c.1 <-> d.0, c.1 <-> d.1", "c.1", "left"),
    ("c.0 <-> d.1, c.1 <-> d.1", "d.1", "right"),
    ("c <-> d, c.0 <-> d.1", "c.0", "left"),  # a whole channel links c.0 already
])
def test_an_event_linked_twice_on_one_side_is_an_error_naming_it(links, event, side):
    # libcspm (FDR): "each event may appear at most once" in a linked parallel's links
    spec = model(f"channel c, d : {{0, 1}}\nL = (c?x -> STOP) [{links}] (d?x -> STOP)\n")
    with pytest.raises(ModelError, match=f"the event {event} is linked more than once on "
                                         f"the {side}"):
        traces(spec, "L")


def test_links_of_distinct_events_each_side_still_pair_them_crosswise():
    spec = model("channel c, d : {0, 1}\nchannel e : {0, 1}\n"
                 "L = (c?x -> e!x -> STOP) [c.0 <-> d.1, c.1 <-> d.0] (d!1 -> STOP)\n")
    assert traces(spec, "L") == {(), ("e.0",)}


def test_exception_passes_control_when_the_left_does_an_event_of_the_set():
    spec = model("channel a, b, c\nE = (a -> b -> a -> STOP) [| {b} |> (c -> STOP)\n")
    assert traces(spec, "E") == {(), ("a",), ("a", "b"), ("a", "b", "c")}


def test_a_process_used_as_an_event_says_so():
    with pytest.raises(ModelError, match="a process is used as an event") as info:
        traces(model("channel a\nQ = STOP\nP = Q -> STOP\n"), "P")
    assert (info.value.span.line, info.value.span.column) == (3, 5)


def test_a_set_of_processes_where_events_are_needed_says_so():
    with pytest.raises(ModelError, match="a set of processes where a set of events") as info:
        traces(model("channel a\nP = a -> STOP [| {STOP} |] STOP\n"), "P")
    assert (info.value.span.line, info.value.span.column) == (2, 18)


def test_an_empty_renaming_leaves_the_process_unchanged():
    spec = model("channel a, b\nP = a -> b -> STOP\nQ = P [[ ]]\n")
    assert traces(spec, "Q") == traces(spec, "P") == {(), ("a",), ("a", "b")}


def test_an_event_set_comprehension_synchronises_on_its_events():
    spec = model("channel c : {0..3}\n"
                 "P = (c.0 -> c.1 -> STOP) [| {| c.x | x <- {0..3}, x > 0 |} |] (c.1 -> STOP)\n")
    assert traces(spec, "P") == {(), ("c.0",), ("c.0", "c.1")}


def test_projection_hides_every_event_outside_the_set():
    spec = model("channel a, b, c\nP = (a -> b -> c -> STOP) |\\ {b}\n")
    assert traces(spec, "P") == {(), ("b",)}


def test_a_function_returning_a_lambda_over_processes_is_applied_twice():
    spec = model("channel c : {0, 1}\nZ(x) = \\ y @ y -> x\nP = Z(STOP)(c.0) ||| Z(STOP)(c.1)\n"
                 "R(x) = (\\ y @ c.x+y -> STOP)\nQ = R(0)(1)\n")
    assert traces(spec, "P") == {(), ("c.0",), ("c.1",), ("c.0", "c.1"), ("c.1", "c.0")}
    assert traces(spec, "Q") == {(), ("c.1",)}


RENAMED = """channel c : {0..2}.Bool
channel d : {0..2}.Bool
channel e : {0..5}.Bool
P = c?x?y -> P
Q = P [[ c <- d ]]
R = P [[ c.1 <- d.1 ]]
S = P [[ c <- e ]]
T = P [[ c <- d ]] ||| P [[ c <- d ]]
"""


def body(spec: Spec, name: str) -> Any:
    return spec.unfold(spec.process(name))


def renamed(spec: Spec, name: str) -> set[tuple[str, str]]:
    """The pairs of ``name``'s renaming on channel c's events, asked event by event."""
    relation = body(spec, name).relation
    return {(str(a), str(b)) for a in spec.evaluator.types.completions(ChannelRef("c"))
            for b in relation.mapped(a)}


def test_a_channel_renaming_maps_each_event_to_the_same_fields_on_the_new_channel() -> None:
    spec = model(RENAMED)
    events = [(x, y) for x in range(3) for y in (False, True)]
    whole = {(f"c.{x}.{str(y).lower()}", f"d.{x}.{str(y).lower()}") for x, y in events}
    assert renamed(spec, "Q") == whole
    assert renamed(spec, "R") == {(a, b) for a, b in whole if a.startswith("c.1.")}
    # a wider target type takes the slow path, field by field: the same pairs
    assert renamed(spec, "S") == {(a, "e" + b[1:]) for a, b in whole}


def test_a_channel_renaming_over_equal_types_is_a_rule_and_over_others_listed_pairs() -> None:
    spec = model(RENAMED)
    assert isinstance(body(spec, "Q").relation, PrefixRenaming)
    assert isinstance(body(spec, "R").relation, PrefixRenaming)
    assert isinstance(body(spec, "S").relation, PairRenaming)


@pytest.mark.parametrize("process", [
    "Q [| {| d |} |] (d.1.true -> d?x?y -> STOP)",
    "(P [[ c.1 <- d.2 ]] [| {| d.2 |} |] d?x?y -> STOP) [[ d <- c ]]",
    "(Q ||| P) [[ c <- d, d <- c ]] [| {| c.0 |} |] c.0?y -> STOP",
])
def test_the_product_engine_agrees_with_the_rules_on_channel_renamings(process: str) -> None:
    spec = model(RENAMED)
    term = spec.process(parse_expr(process))
    reference = explore(spec.system(term), max_states=10_000)
    net = compile_network(term, spec, reduce=False)
    assert find_path(net, deadlock_goal).found == bool(reference.deadlocks())
    product = explore_product(net)
    assert (product.num_states, product.num_transitions) == (
        reference.num_states, reference.num_transitions)
    used = {product.labels[i] for i in set(product.label.tolist())}
    assert used == {reference.labels[i] for i in set(reference.label.tolist())}


def test_a_renaming_written_twice_is_one_relation() -> None:
    spec = model(RENAMED)
    term = body(spec, "T")
    assert term.left.relation is term.right.relation


@pytest.mark.parametrize(("n", "tau"), [(0, True), (1, True), (2, True), (3, True),
                                        (5, True), (8, False), (33, False)])
def test_a_replicated_external_choice_has_the_moves_of_the_written_out_chain(
        n: int, tau: bool) -> None:
    # with tau: each branch may resolve its internal choice on its own, keeping the others
    extra = " |~| d -> STOP" if tau else ""
    chain = " [] ".join(f"(c.{x} -> {'STOP' if x % 3 else 'SKIP'}{extra})"
                        for x in range(n)) or "STOP"
    spec = model(f"channel c : {{0..40}}\nchannel d\n"
                 f"P = [] x : {{0..{n - 1}}} @ (c.x -> (if x % 3 == 0 then SKIP else STOP)"
                 f"{extra})\nQ = {chain}\n")
    replicated, written = (explore(spec.system(spec.process(parse_expr(p))), max_states=10_000)
                           for p in ("P", "Q"))
    assert _bisimilar(replicated, written)
    assert traces(spec, "P", 2) == traces(spec, "Q", 2)


def test_a_replicated_external_choice_over_many_events_is_a_balanced_tree() -> None:
    spec = model("channel c : {0..4095}\nP = [] x : {0..4095} @ c.x -> STOP\n")
    term, depth = spec.process(parse_expr("P")), 0
    while hasattr(term, "right"):  # a chain would be 4,095 deep, a balanced tree 12
        term, depth = term.right, depth + 1
    assert depth <= 12


def test_a_renaming_site_is_evaluated_once_per_value_of_its_local_names(monkeypatch) -> None:
    spec = model("channel adj : {0..1}\nchannel s : {0..3}.{0..1}\nG = adj?_ -> G\n"
                 "nb(p) = diff({0..3}, {p})\n"
                 "Cell(p) = G [[ adj.v <- s.q.v | q <- nb(p), v <- {0..1} ]]\n")
    ev = spec.evaluator
    cell = lambda p: processes.renaming(ev, ev.functions["Cell"].clauses[0].body, {"p": p})  # noqa: E731
    relations = [cell(p) for p in range(4)]
    monkeypatch.setattr(processes, "_evaluated_pairs", None)  # a second evaluation would fail
    assert [cell(p) for p in range(4)] == relations and cell(2) is relations[2]
    for p, relation in enumerate(relations):  # each p its own relation: q ranges over nb(p)
        assert {str(b) for b in relation.mapped(Event("adj", (1,)))} == {
            f"s.{q}.1" for q in range(4) if q != p}


@pytest.mark.parametrize("pair", ["head(X) <- out", "out <- head(X)"])
def test_renaming_an_event_with_too_many_fields_says_so_at_that_side(pair: str) -> None:
    # as in a model whose list of events gives one channel a field too many
    text = f"channel d : {{0..1}}\nchannel out\nX = <d.0.1>\nP = (d.0 -> STOP)[[ {pair} ]]\n"
    with pytest.raises(ModelError, match=r"d\.0\.1 is not an event: it has too many fields") as err:
        body(model(text), "P")
    assert err.value.span.column == 1 + text.splitlines()[3].index("head(X)")
