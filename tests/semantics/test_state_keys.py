"""A compiled machine's state numbering, and its short cuts, against the term rules.

:class:`procalg.semantics.state_keys.StateKeys` unfolds a call whose first
clause binds plain variables without matching, keys a call whose name
settles its key without looking into its body, and keeps the last call's
arguments it evaluated (a call after a prefix is evaluated for the prefix's
key, its own and its expansion). Each is checked here against the term
rules on random data-carrying definitions: several clauses with constant,
constructor and repeated-variable patterns, arithmetic with ``/`` and ``%``
(division by zero included), calls under prefixes and choices.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import explore
from procalg.semantics.linear import Machine
from tests.semantics.test_linear import assert_compiles_like_its_terms

HEADER = """datatype T = A | B
channel c : {0..5}
channel t : T
channel d, e
"""

_VALUES = st.sampled_from(["n", "m", "0", "1", "2", "n + 1", "m - 1", "n * m"])
_EXPRS = st.builds(lambda a, op, b, k: f"(({a} {op} {b}) % {k})",
                   _VALUES, st.sampled_from(["+", "-", "/", "%", "*"]), _VALUES,
                   st.sampled_from(["3", "6", "-4"]))
_HEADS = st.sampled_from(["d", "e", "c!{x}", "t!A", "t!B"])


@st.composite
def _clause_body(draw: st.DrawFn, depth: int = 2) -> str:
    """A body over ``n`` and ``m``: prefixes into calls of P, Q or R, choices."""
    call = draw(st.sampled_from(["P({x}, {y})", "Q({x})", "Q(A)", "Q(B)", "R"]))
    tail = call.format(x=draw(_EXPRS), y=draw(_EXPRS))
    for _ in range(draw(st.integers(1, depth))):
        tail = f"{draw(_HEADS).format(x=draw(_EXPRS))} -> {tail}"
    if draw(st.booleans()):
        other = f"{draw(_HEADS).format(x=draw(_EXPRS))} -> STOP"
        tail = f"({tail} [] {other})" if draw(st.booleans()) else f"({tail} |~| {other})"
    return tail


@st.composite
def _models(draw: st.DrawFn) -> str:
    """P over two numbers (its first clause constant, variable or repeated),
    Q over a number or a constructor, R without parameters."""
    firsts = draw(st.sampled_from(["(n, m)", "(0, m)", "(n, n)", "(n, 2)"]))
    p = [f"P{firsts} = {draw(_clause_body())}"]
    if firsts != "(n, m)":
        p.append(f"P(n, m) = {draw(_clause_body())}")
    q = draw(st.sampled_from([
        ["Q(n) = {0}"],
        ["Q(A) = {0}", "Q(n) = {1}"],
        ["Q(0) = {0}", "Q(n) = {1}"],
    ]))
    body = _clause_body().map(lambda b: b.replace("m", "n"))
    qs = [clause.format(*(draw(body) for _ in range(2))) for clause in q]
    r = f"R = {draw(_HEADS).format(x='1')} -> P(1, 2)"
    return "\n".join([*p, *qs, r]) + "\n"


@settings(max_examples=120, deadline=None)
@given(_models(), st.sampled_from(["P(0, 1)", "P(2, 2)", "Q(3)", "Q(A)", "R"]))
def test_data_carrying_definitions_compile_like_their_terms(text, start):
    assert_compiles_like_its_terms(loads(HEADER + text), start, 5_000)


def test_a_first_clause_of_plain_variables_is_bound_without_matching():
    model = loads(HEADER + "P(n, m) = c!n -> P((n + m) % 6, m)\n")
    machine = Machine(model.spec.evaluator, model.process("P(0, 1)"))
    assert explore(machine).num_states == 6
    assert machine._plain["P"] is not None


def test_a_clause_naming_a_constructor_or_a_constant_is_still_matched():
    model = loads(HEADER + "Q(A) = t!A -> Q(B)\nQ(n) = t!B -> Q(A)\n"
                  "S(0) = d -> S(1)\nS(n) = e -> S(0)\n")
    for start, labels in (("Q(A)", ["t.A", "t.B"]), ("S(0)", ["d", "e"])):
        machine = Machine(model.spec.evaluator, model.process(start))
        lts = explore(machine)
        assert lts.num_states == 2
        assert [lab for _, lab, _ in sorted(lts.triples())] == labels
        assert machine._plain[start[0]] is None


def test_the_arguments_kept_for_one_environment_are_not_read_for_another():
    # two calls of one node in two environments, one after the other: the kept
    # arguments belong to the first environment only
    model = loads(HEADER + "P(n) = c!n -> (d -> P((n + 1) % 3) [] e -> P((n + 2) % 3))\n")
    lts = explore(Machine(model.spec.evaluator, model.process("P(0)")))
    reference = explore(model.spec.system(model.process("P(0)")))
    assert (lts.num_states, len(lts.src)) == (reference.num_states, len(reference.src))


_GUARDS = st.sampled_from(["n < 4", "m != 0", "(n / m) < 2", "(n % 3) == m", "n", "true",
                           "false", "n + m > 1"])


@st.composite
def _guarded_models(draw: st.DrawFn) -> str:
    """P over two numbers, its one clause guards before a prefix (a counter's shape):
    false guards, a guard that is no boolean (``n``) and division by zero included."""
    guards = " & ".join(draw(st.lists(_GUARDS, min_size=1, max_size=3)))
    event = draw(_HEADS).format(x=draw(_EXPRS))
    then = draw(st.sampled_from(["P({x}, {y})", "d -> P({x}, {y})", "Q({x})"]))
    q = draw(st.sampled_from(["Q(n) = n > 1 & e -> P(n, 1)", "Q(n) = e -> P(n % 3, 1)"]))
    return (f"P(n, m) = {guards} & {event} -> "
            f"{then.format(x=draw(_EXPRS), y=draw(_EXPRS))}\n{q}\n")


_DEAD_SECOND = "P(n, m) = n < 4 & d -> P(((n - n) % 3), ((n + n) % 3))\nQ(n) = e -> P(n % 3, 1)\n"
"""A dev-run draw: P never reads m, and P(1, 0) is d -> P(0, 2), then d -> P(0, 0)."""


@settings(max_examples=150, deadline=None)
@given(_guarded_models(), st.sampled_from(["P(0, 1)", "P(1, 0)", "P(2, 2)", "Q(3)"]))
@example(_DEAD_SECOND, "P(1, 0)")
def test_a_call_only_guards_decide_is_keyed_like_its_term(text, start):
    # a call at the top is keyed by its guards and body (_guarded_body_key), one
    # under a prefix by its name and every argument, as the terms hold it; a
    # guard's error is the call's, raised where the term rules raise it
    model = loads(HEADER + text)
    found = assert_compiles_like_its_terms(model, start, 5_000)
    if found is not None:
        compiled, reference = found
        assert (compiled.num_states, len(compiled.src)) == \
            (reference.num_states, len(reference.src))


def test_a_counters_continuation_is_the_call_with_its_arguments():
    model = loads(HEADER + "Cnt(n) = n < 5 & c!(n % 6) -> Cnt(n + 1)\n")
    machine = Machine(model.spec.evaluator, model.process("Cnt(0)"))
    lts = explore(machine)
    assert machine._guard_chains["Cnt"] is not None  # the short cut ran
    assert lts.num_states == explore(model.spec.system(model.process("Cnt(0)"))).num_states == 6
    # c.4 -> Cnt(5), as the term holds it: Cnt(5) is STOP only once it starts
    assert machine.keys[lts.num_states - 2][2] == ("call", "Cnt", (5,))


def _counts(text: str, start: str) -> tuple[int, int]:
    model = loads(HEADER + text)
    call = model.process(start)
    compiled = explore(Machine(model.spec.evaluator, call))
    reference = explore(model.spec.system(call))
    return compiled.num_states, reference.num_states


def test_a_call_that_never_reads_an_argument_keeps_it_under_a_prefix():
    # the drawn case: d -> P(0, 2) and d -> P(0, 0) are two terms; keyed by the
    # arguments P reads they were one state (FDR: two, P(1, _) and P(0, _))
    assert _counts(_DEAD_SECOND, "P(1, 0)") == (2, 2)
    # d -> Q(1) and d -> Q(2): Q reads no argument
    assert _counts("R(k) = d -> Q(k)\nQ(n) = e -> R(2)\n", "R(1)") == (3, 3)


def test_a_continuation_whose_guard_is_false_is_not_stop_until_it_starts():
    # c.4 -> Cnt(5) and c.4 -> STOP are two terms, though Cnt(5) is STOP
    text = "Cnt(n) = n < 5 & c!(n % 6) -> Cnt(n + 1)\nR = c!4 -> STOP\nX = d -> Cnt(4) [] e -> R\n"
    assert _counts(text, "X") == (4, 4)


def test_a_continuation_calling_a_call_is_that_call_not_the_one_it_reaches():
    # d -> S(0) and d -> W are two terms, though S(0) unfolds to W
    text = "S(n) = if n == 0 then W else STOP\nW = e -> W\nX = t!A -> d -> S(0) [] t!B -> d -> W\n"
    assert _counts(text, "X") == (4, 4)


def test_a_replicated_choice_is_keyed_as_the_evaluator_nests_its_terms():
    # over one value it is its branch, over three c!0 -> R [] (c!1 -> R [] c!2 -> R)
    # (processes._balanced): the same terms written out are the same states
    one = "R = c!1 -> R\nX = d -> ([] x : {1} @ c!x -> R) [] e -> c!1 -> R\n"
    three = ("R = c!1 -> R\nX = d -> ([] x : {0, 1, 2} @ c!x -> R)"
             " [] e -> (c!0 -> R [] (c!1 -> R [] c!2 -> R))\n")
    assert _counts(one, "X") == (2, 2)
    assert _counts(three, "X") == (3, 3)


def test_a_continuation_resolving_to_a_call_is_keyed_as_that_call_written_out():
    # d -> (if n < 2 then R else STOP) after t.A is R's own body d -> R: one term
    text = "P(n) = t!A -> d -> (if n < 2 then R else STOP)\nR = d -> R\n"
    assert _counts(text, "P(0)") == (2, 2)
    assert _counts(text, "P(3)") == (3, 3)  # d -> STOP, then STOP


@pytest.mark.parametrize("choice", ["c!0 -> P(3, 3) [] (f -> STOP)",
                                    "(f -> STOP) [] c!0 -> P(3, 3)"])
def test_an_unguarded_chain_under_a_prefix_names_the_call_the_term_rules_name_in_its_target(choice):
    # P(3, 3) -> Q(3) -> P(3, 1) -> Q(3): Q is the call met again (the terms' rule); a
    # depth count names whichever call it stopped at (P). The error is c.0's target's:
    # with f -> STOP first, the deadlock one level on is found on every engine
    text = ("channel c : {0..3}\nchannel f\nP(n, m) = if n > 0 then Q(n) else c!0 -> STOP\n"
            f"Q(n) = P(n, 1)\nR = {choice}\nassert R :[deadlock free]\n")
    found = [(r.result, str(r.error).splitlines()[0]) for engine in
             (CheckEngine.AUTO, CheckEngine.PRODUCT, CheckEngine.REFERENCE)
             for r in check_model(loads(text), options=SearchOptions(engine=engine))]
    expected = ("error", "<input>:4:1: error: unguarded recursion: Q calls itself before any "
                "event") if choice.startswith("c") else ("fail", "None")
    assert found == [expected] * 3
