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
