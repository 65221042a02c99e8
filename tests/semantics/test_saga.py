"""The saga rules (docs/sagas.md) against hand-computed sets of maximal traces.

Each expected set is worked out from the rules by hand: a trace lists the
visible events of one complete run, ending with ✓ (completed or compensated)
or ``throw`` (failed). Activities ``a``, ``b``, ``c`` may fail; the
compensations are declared ``never fails`` unless a test says otherwise.
"""

from __future__ import annotations

from procalg.api.model import loads
from procalg.checks.deadlock import check_deadlock
from procalg.lts import LTS, TAU

HEADER = """
activity a, b, c
activity ua, ub, uc, x never fails
channel b1, b2, d
"""


def maximal_traces(lts: LTS) -> set[tuple[str, ...]]:
    """Every path from the initial state to a state without moves, τ left out (acyclic LTS)."""
    out: set[tuple[str, ...]] = set()
    stack: list[tuple[int, tuple[str, ...]]] = [(lts.initial, ())]
    while stack:
        state, trace = stack.pop()
        moves = list(lts.successors(state))
        if not moves:
            out.add(trace)
        for label, target in moves:
            name = lts.labels[label]
            stack.append((target, trace if name == TAU else (*trace, name)))
    return out


def traces(body: str, extra: str = "") -> set[tuple[str, ...]]:
    model = loads(HEADER + extra + "\nP = " + body + "\n")
    return maximal_traces(model.lts("P"))


def runs(*lines: str) -> set[tuple[str, ...]]:
    return {tuple(e.strip() for e in line.split(",")) for line in lines}


def test_a_three_step_saga_undoes_the_completed_steps_in_reverse_order() -> None:
    assert traces("saga (a undo ua ; b undo ub ; c undo uc)") == runs(
        "a, b, c, ✓",
        "a, b, fail.c, compensate, ub, ua, compensated, ✓",
        "a, fail.b, compensate, ua, compensated, ✓",
        "fail.a, compensate, compensated, ✓",
    )


def test_a_failing_branch_interrupts_its_sibling_which_keeps_only_what_it_completed() -> None:
    # b1 -> b2 -> SKIP undo ub: not started, running (after b1) or completed when a fails
    # (fail.a comes one move before a's throw, so b may move in between)
    assert traces("saga (a undo ua ||| (b1 -> b2 -> SKIP) undo ub)") == runs(
        "a, b1, b2, ✓", "b1, a, b2, ✓", "b1, b2, a, ✓",
        "fail.a, compensate, compensated, ✓",
        "fail.a, b1, compensate, compensated, ✓",
        "b1, fail.a, compensate, compensated, ✓",
        "fail.a, b1, b2, compensate, ub, compensated, ✓",
        "b1, fail.a, b2, compensate, ub, compensated, ✓",
        "b1, b2, fail.a, compensate, ub, compensated, ✓",
    )


def test_parallel_branches_install_compensations_that_run_in_parallel() -> None:
    got = traces("saga ((a undo ua ||| b undo ub) ; c)")
    failing = {t for t in got if "fail.c" in t}
    assert failing == runs(
        "a, b, fail.c, compensate, ua, ub, compensated, ✓",
        "a, b, fail.c, compensate, ub, ua, compensated, ✓",
        "b, a, fail.c, compensate, ua, ub, compensated, ✓",
        "b, a, fail.c, compensate, ub, ua, compensated, ✓",
    )


def test_choice_keeps_only_the_chosen_branchs_compensation() -> None:
    assert traces("saga ((a undo ua [] b undo ub) ; c undo uc)") == runs(
        "a, c, ✓", "b, c, ✓",
        "a, fail.c, compensate, ua, compensated, ✓",
        "b, fail.c, compensate, ub, compensated, ✓",
        "fail.a, compensate, compensated, ✓",
        "fail.b, compensate, compensated, ✓",
    )


def test_an_inner_saga_that_compensated_has_ended_so_the_outer_saga_goes_on() -> None:
    assert traces("saga (saga (a undo ua ; b undo ub) undo x ; c undo uc)") == runs(
        "a, b, c, ✓",
        "a, b, fail.c, compensate, x, compensated, ✓",
        "a, fail.b, compensate, ua, compensated, c, ✓",
        "a, fail.b, compensate, ua, compensated, fail.c, compensate, x, compensated, ✓",
        "fail.a, compensate, compensated, c, ✓",
        "fail.a, compensate, compensated, fail.c, compensate, x, compensated, ✓",
    )


def test_a_failing_compensation_makes_the_saga_throw_and_names_the_step() -> None:
    # ua may fail here: the rollback reports a as unreverted, then the saga fails
    assert traces("saga (a undo ub ; c undo b)") == runs(
        "a, c, ✓",
        "fail.a, compensate, compensated, ✓",
        "a, fail.c, compensate, ub, compensated, ✓",
    ) and traces("saga (a undo b ; c)") == runs(
        "a, c, ✓",
        "fail.a, compensate, compensated, ✓",
        "a, fail.c, compensate, b, compensated, ✓",
        "a, fail.c, compensate, fail.b, unreverted.a, throw",
    )


def test_a_completed_pivot_met_by_a_rollback_is_reported_stranded_in_its_place() -> None:
    assert traces("saga (a undo ua ; d ; c undo uc)") == runs(
        "a, d, c, ✓",
        "fail.a, compensate, compensated, ✓",
        "a, d, fail.c, compensate, stranded.d, ua, compensated, ✓",
    )


def test_throw_outside_a_saga_ends_the_whole_run_and_is_not_a_deadlock() -> None:
    assert traces("THROW ||| d -> STOP") == runs("throw", "d, throw")
    assert traces("(THROW ; d -> SKIP) [] b1 -> SKIP") == runs("throw", "b1, ✓")
    assert traces("d -> SKIP /\\ THROW") == runs("throw", "d, throw", "d, ✓")
    model = loads(HEADER + "P = d -> THROW ||| b1 -> SKIP\nQ = d -> STOP\n")
    assert check_deadlock(model.system("P")).passed
    assert not check_deadlock(model.system("Q")).passed


def test_a_fallible_activity_outside_a_saga_fails_the_run() -> None:
    assert traces("a -> d -> SKIP") == runs("a, d, ✓", "fail.a, throw")


def test_compensable_definitions_are_expanded_in_the_saga_that_uses_them() -> None:
    extra = "Reserve = a undo ua\nCharge(v) = if v then b undo ub else d\n"
    assert traces("saga (Reserve ; Charge(true) ; c)", extra) == traces(
        "saga (a undo ua ; b undo ub ; c)")
    assert traces("saga (Reserve ; Charge(false) ; c)", extra) == traces(
        "saga (a undo ua ; d ; c)")


def test_replicated_parallel_in_a_saga_installs_one_compensation_per_branch() -> None:
    text = "channel book, unbook : {1, 2}\nactivity pay\n"
    got = traces("saga ((||| i : {1, 2} @ book.i undo unbook.i) ; pay)", text)
    assert runs("book.1, book.2, fail.pay, compensate, unbook.1, unbook.2, compensated, ✓",
                "book.2, book.1, fail.pay, compensate, unbook.2, unbook.1, compensated, ✓",
                ) <= got
    assert all(t[-1] == "✓" for t in got)
