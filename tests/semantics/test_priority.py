"""prioritise(P, <A1, ..., An>): earlier sets pre-empt later ones; τ and ✓ rank with A1."""

from __future__ import annotations

import pytest

from procalg.api import loads
from procalg.errors import ModelError

MODEL = """
channel a, b, c, tock
P = a -> STOP [] b -> STOP [] c -> STOP
"""


def initials(expr: str) -> list[str]:
    model = loads(MODEL + f"X = {expr}\n")
    return sorted(str(label) for label, _ in model.process("X").moves())


@pytest.mark.parametrize(("expr", "offered"), [
    ("prioritise(P, <{a}, {b}>)", ["a", "c"]),  # c is in no set: never held back
    ("prioritise(P, <{}, {a, b}>)", ["a", "b", "c"]),  # one class: no pre-emption inside
    ("prioritise(b -> STOP [] c -> STOP, <{a}, {b}, {c}>)", ["b"]),  # a is not offered
    ("prioritise(tock -> STOP [> a -> STOP, <{}, {tock}>)", ["τ"]),  # maximal progress
    ("prioritise(tock -> STOP [] SKIP, <{}, {tock}>)", ["✓"]),
    ("prioritise_nocache(P, <{a}, {b}>)", ["a", "c"]),  # FDR's uncached form: same process
])
def test_an_event_is_offered_only_where_no_earlier_class_is(expr: str, offered: list[str]):
    assert initials(expr) == offered


def test_priority_applies_in_every_state_reached():
    model = loads(MODEL + "Q = a -> (b -> STOP [] c -> STOP)\nX = prioritise(Q, <{c}, {b}>)\n"
                  "assert X [T= a -> c -> STOP\nassert not X [T= a -> b -> STOP\n")
    from procalg.api.check import check_model

    assert [r.result for r in check_model(model)] == ["pass", "pass"]


def test_prioritise_refuses_a_second_argument_that_is_not_a_sequence_of_sets():
    with pytest.raises(ModelError, match="sequence of sets of events"):
        loads(MODEL + "X = prioritise(P, {a})\n").process("X").moves()


def test_prioritise_over_no_set_is_an_error_as_in_libcspm():
    # libcspm: "Prioritise must be called with a non-empty list"
    with pytest.raises(ModelError, match="prioritise needs at least one set of events"):
        loads(MODEL + "X = prioritise(P, <>)\n").process("X").moves()


def test_chase_takes_the_first_tau_and_offers_nothing_else_there():
    assert initials("chase((a -> STOP |~| b -> STOP) [] c -> STOP)") == ["τ"]
    assert initials("chase_nocache(a -> STOP [] b -> STOP)") == ["a", "b"]  # no τ: unchanged


def test_dbisim_and_model_compress_keep_the_process_up_to_failures_divergences():
    model = loads(MODEL + "Q = dbisim(P)\nR = model_compress(P)\n"
                  "assert Q [FD= P\nassert P [FD= Q\nassert R [FD= P\nassert P [FD= R\n")
    from procalg.api.check import check_model

    assert [r.result for r in check_model(model)] == ["pass"] * 4


@pytest.mark.parametrize(("expr", "offered"), [
    # a pre-empts b; c is outside A: never held back
    ("prioritisepo(P, {a, b}, {(a, b)}, {a})", ["a", "c"]),
    # the order is transitive: a over b over c
    ("prioritisepo(a -> STOP [] c -> STOP, {a, b, c}, {(a, b), (b, c)}, {a})", ["a"]),
    # τ and ✓ pre-empt every event of A outside M (tick-tock's ref.x after a τ)
    ("prioritisepo(b -> STOP [> c -> STOP, {b, c}, {}, {c})", ["τ"]),
    ("prioritisepo(b -> STOP [] SKIP, {b}, {}, {})", ["✓"]),
    ("prioritisepo(b -> STOP [] SKIP, {b}, {}, {b})", ["b", "✓"]),
])
def test_prioritisepo_holds_back_an_event_below_an_offered_one_or_below_tau(
        expr: str, offered: list[str]):
    assert initials(expr) == offered


def test_prioritisepo_equals_prioritise_for_a_chain_of_classes():
    model = loads(MODEL + "X = prioritise(P, <{a}, {b, c}>)\n"
                  "Y = prioritisepo(P, {a, b, c}, {(a, b), (a, c)}, {a})\n"
                  "assert X [FD= Y\nassert Y [FD= X\n")
    from procalg.api.check import check_model

    assert [r.result for r in check_model(model)] == ["pass", "pass"]


@pytest.mark.parametrize(("expr", "message"), [
    ("prioritisepo(P, {a}, {(a, b)}, {a})", r"prioritisepo: b not in its set of events"),
    ("prioritisepo(P, {a, b}, {(a, b)}, {b})", r"b must be maximal but some event pre-empts it"),
    ("prioritisepo(P, {a}, {a}, {a})", r"needs a set of events, a set of pairs"),
    ("prioritisepo(P, {a})", r"prioritisepo takes 4 arguments, got 2"),
])
def test_prioritisepo_rejects_a_malformed_order_naming_the_cause(expr: str, message: str):
    with pytest.raises(ModelError, match=message):
        initials(expr)


def test_a_model_error_behind_a_move_priority_drops_is_never_raised_on_any_engine():
    """``b`` pre-empts ``a``, so the state after ``a`` (``Q(0)`` unfolded: ``3 / 0``)
    is never reached; a check raises only the errors of states the process reaches
    (docs/checks.md, "Model errors"). Drawn by a dev seed (hunt, session 33). The
    term rules read prioritise's table, which on s33-base was the compiled operand
    explored whole, the dropped state too, so the reference engine raised the
    division by zero where the product engine (priority filtering each state it
    reaches) found the deadlock after ``b``. The table now comes from the term
    rules' walk of the kept moves when the whole operand meets an error."""
    from procalg.api import check_model
    from procalg.api.search import CheckEngine, SearchOptions

    text = ("channel a, b\nchannel d : {0..3}\nQ(n) = a -> d!(3 / n) -> STOP\n"
            "L = a -> L\nT = prioritise(L [| {a} |] (a -> Q(0) [] b -> STOP), <{b}, {a}>)\n"
            "assert T :[deadlock free]\nassert T :[has trace]: <a>\n")
    for engine in (CheckEngine.AUTO, CheckEngine.REFERENCE):
        reports = list(check_model(loads(text), options=SearchOptions(engine=engine)))
        assert [(str(r.result), r.check.counterexample and r.check.counterexample.trace)
                for r in reports] == [("fail", ("b",)), ("fail", ())], engine
    assert loads(text).lts("T").num_states == 2


@pytest.mark.parametrize(("assertion", "trace"), [
    ("T :[deadlock free]", ("a",)),  # STOP one τ after a; V(3)'s error two moves further
    ("a -> STOP [T= T", ("a", "d.3")),  # the trace violation before V(3) is expanded
])
def test_a_check_answered_before_a_prioritised_state_fails_never_raises_its_error(
        assertion: str, trace: tuple[str, ...]):
    """A check stops at its answer, breadth first, and raises only the errors of
    the states it expanded on the way (docs/checks.md, "Model errors"). The term
    rules read prioritise's table, which s33-base built whole when first read, so
    ``V(3)``'s ``d.4`` (outside ``d``'s type) was raised by ``--engine reference``
    before any answer, where the product engine answered. A dev seed's draw (hunt,
    session 33: ``S [T= prioritise(V(2) [| {a} |] STOP, <{a}, {b}>)``), reduced.
    The table now holds a state's error in its row, raised when it is expanded."""
    from procalg.api import check_model
    from procalg.api.search import CheckEngine, SearchOptions

    text = ("channel a\nchannel d : {0..3}\nV(n) = d!(n + 1) -> V(n + 1)\n"
            f"T = prioritise(a -> (STOP |~| d!3 -> V(3)), <{{a}}>)\nassert {assertion}\n")
    for engine in (CheckEngine.AUTO, CheckEngine.REFERENCE):
        report, = check_model(loads(text), options=SearchOptions(engine=engine))
        assert (str(report.result), report.check.counterexample.trace) == ("fail", trace), engine
    with pytest.raises(ModelError, match="value 4 is outside channel d"):
        loads(text).lts("T")  # the whole LTS reaches it


def test_a_held_error_beside_a_witness_in_prioritises_compiled_operand_is_no_traceback():
    """The compiled operand's whole exploration met a held error and a witness in
    one level (``HeldOrder``, which asks the caller to use the term rules): on
    s33-base it escaped from the term rules' table as a Python traceback, on
    every engine (a dev seed's draw, hunt, session 33, reduced). The table now
    comes from the term rules' walk there, each state's error held in its row."""
    from procalg.api import check_model
    from procalg.api.search import CheckEngine, SearchOptions

    text = ("channel a, b, c\nchannel d : {0..3}\nQ(n) = a -> d!(3 / n) -> Q(n - 1)\n"
            "V(n) = d!(n + 1) -> V(n + 1)\nL = (c -> Q(0)) [| {a} |> STOP\n"
            "S = prioritise(L [| {a} |] V(2), <{a}, {b}>)\nassert S :[deadlock free]\n"
            "assert S :[has trace]: <c>\nassert S :[has trace]: <c, d.3>\n")
    for engine in (CheckEngine.AUTO, CheckEngine.REFERENCE):
        reports = check_model(loads(text), options=SearchOptions(engine=engine))
        assert [(str(r.result), r.error and r.error.message) for r in reports] == [
            ("error", "division by zero"), ("pass", None), ("error", "division by zero")]
