"""The firing rules, operator by operator, against LTSs written by hand from UCS ch. 9.

Each expected LTS is a set of ``(source term, label, target term)`` triples
(terms printed in ``.proc`` syntax), worked out from the rules, compared with
what :func:`procalg.lts.explore` finds through :mod:`procalg.semantics.sos`.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import ModelError
from procalg.lts import TAU, TICK
from procalg.semantics.sos import Rules, transitions
from procalg.semantics.unfold import UnguardedRecursion
from procalg.terms import (
    OMEGA,
    SKIP,
    STOP,
    AlphaParallel,
    Call,
    Event,
    ExceptionOp,
    ExternalChoice,
    Hide,
    InternalChoice,
    Interrupt,
    Parallel,
    Prefix,
    Process,
    Rename,
    Seq,
    Timeout,
)
from procalg.terms.renaming import Renaming
from tests.semantics.conftest import term_lts
from tests.terms.test_renaming import UNIVERSE, explicit_pairs, listed, prefix_rules

a, b, c, d = Event("a"), Event("b"), Event("c"), Event("d")


def lts_of(term: Process, bodies: dict[Call, Process] | None = None) -> set[tuple[str, str, str]]:
    lts = term_lts(term, bodies or {}, state_name=str)
    names = lts.state_names
    return {(names[s], label, names[t]) for s, label, t in lts.triples()}


def test_skip_terminates_to_omega() -> None:
    assert lts_of(SKIP) == {("SKIP", TICK, "Ω")}


def test_stop_and_omega_have_no_moves() -> None:
    assert transitions(STOP, None) == [] and transitions(OMEGA, None) == []


def test_prefix_performs_its_event_then_continues() -> None:
    assert lts_of(Prefix(a, Prefix(b, STOP))) == {
        ("a -> b -> STOP", "a", "b -> STOP"),
        ("b -> STOP", "b", "STOP"),
    }


def test_internal_choice_moves_by_tau_to_either_side() -> None:
    assert lts_of(InternalChoice(Prefix(a, STOP), Prefix(b, STOP))) == {
        ("a -> STOP |~| b -> STOP", TAU, "a -> STOP"),
        ("a -> STOP |~| b -> STOP", TAU, "b -> STOP"),
        ("a -> STOP", "a", "STOP"),
        ("b -> STOP", "b", "STOP"),
    }


def test_external_choice_keeps_choice_on_tau_and_resolves_on_event() -> None:
    term = ExternalChoice(InternalChoice(Prefix(a, STOP), Prefix(b, STOP)), Prefix(c, STOP))
    assert lts_of(term) == {
        ("(a -> STOP |~| b -> STOP) [] c -> STOP", TAU, "a -> STOP [] c -> STOP"),
        ("(a -> STOP |~| b -> STOP) [] c -> STOP", TAU, "b -> STOP [] c -> STOP"),
        ("(a -> STOP |~| b -> STOP) [] c -> STOP", "c", "STOP"),
        ("a -> STOP [] c -> STOP", "a", "STOP"),
        ("a -> STOP [] c -> STOP", "c", "STOP"),
        ("b -> STOP [] c -> STOP", "b", "STOP"),
        ("b -> STOP [] c -> STOP", "c", "STOP"),
    }


def test_external_choice_is_resolved_by_termination() -> None:
    assert lts_of(ExternalChoice(Prefix(a, STOP), SKIP)) == {
        ("a -> STOP [] SKIP", "a", "STOP"),
        ("a -> STOP [] SKIP", TICK, "Ω"),
    }


def test_skip_then_p_moves_to_p_by_tau() -> None:
    assert lts_of(Seq(SKIP, Prefix(a, STOP))) == {
        ("SKIP ; a -> STOP", TAU, "a -> STOP"),
        ("a -> STOP", "a", "STOP"),
    }


def test_sequential_composition_runs_first_part_then_second() -> None:
    assert lts_of(Seq(Prefix(a, SKIP), Prefix(b, SKIP))) == {
        ("a -> SKIP ; b -> SKIP", "a", "SKIP ; b -> SKIP"),
        ("SKIP ; b -> SKIP", TAU, "b -> SKIP"),
        ("b -> SKIP", "b", "SKIP"),
        ("SKIP", TICK, "Ω"),
    }


def test_interleaved_skips_terminate_together_distributed_termination() -> None:
    assert lts_of(Parallel(SKIP, SKIP)) == {
        ("SKIP ||| SKIP", TAU, "Ω ||| SKIP"),
        ("SKIP ||| SKIP", TAU, "SKIP ||| Ω"),
        ("Ω ||| SKIP", TAU, "Ω ||| Ω"),
        ("SKIP ||| Ω", TAU, "Ω ||| Ω"),
        ("Ω ||| Ω", TICK, "Ω"),
    }


def test_interleaving_with_stop_never_terminates() -> None:
    assert lts_of(Parallel(SKIP, STOP)) == {("SKIP ||| STOP", TAU, "Ω ||| STOP")}


def test_generalised_parallel_synchronises_on_the_set_and_interleaves_the_rest() -> None:
    left = Prefix(a, Prefix(b, STOP))
    right = ExternalChoice(Prefix(a, STOP), Prefix(c, STOP))
    term = Parallel(left, right, frozenset({a}))
    assert lts_of(term) == {
        ("a -> b -> STOP [| {a} |] a -> STOP [] c -> STOP", "a", "b -> STOP [| {a} |] STOP"),
        ("a -> b -> STOP [| {a} |] a -> STOP [] c -> STOP", "c", "a -> b -> STOP [| {a} |] STOP"),
        ("b -> STOP [| {a} |] STOP", "b", "STOP [| {a} |] STOP"),
    }


def test_generalised_parallel_pairs_every_synchronising_move() -> None:
    left = ExternalChoice(Prefix(a, Prefix(b, STOP)), Prefix(a, Prefix(c, STOP)))
    steps = transitions(Parallel(left, Prefix(a, STOP), frozenset({a})), None)
    assert sorted(str(t) for _, t in steps) == [
        "b -> STOP [| {a} |] STOP", "c -> STOP [| {a} |] STOP",
    ]
    assert {lab for lab, _ in steps} == {a}


def test_alphabetised_parallel_confines_each_side_to_its_alphabet() -> None:
    left = ExternalChoice(Prefix(a, STOP), Prefix(b, STOP))
    right = ExternalChoice(Prefix(a, STOP), Prefix(c, STOP))
    term = AlphaParallel(left, right, frozenset({a}), frozenset({a, d}))
    # b is outside the left alphabet, c outside the right one: only the shared a remains
    assert lts_of(term) == {
        ("a -> STOP [] b -> STOP [{a} || {a, d}] a -> STOP [] c -> STOP", "a",
         "STOP [{a} || {a, d}] STOP"),
    }


def test_alphabetised_parallel_interleaves_events_of_one_side_only() -> None:
    term = AlphaParallel(Prefix(a, SKIP), Prefix(b, SKIP), frozenset({a}), frozenset({b}))
    labels = sorted(lab for _, lab, _ in lts_of(term))
    # a from the 3 states where the left has not moved yet, b likewise; one ✓ from Ω ‖ Ω
    assert labels.count("a") == 3 and labels.count("b") == 3 and labels.count(TICK) == 1
    # each side's ✓ becomes τ, from the 3 states where that side is SKIP
    assert labels.count(TAU) == 6


def test_hiding_turns_hidden_events_into_tau_and_keeps_termination() -> None:
    term = Hide(Prefix(a, Prefix(b, SKIP)), frozenset({a}))
    assert lts_of(term) == {
        ("a -> b -> SKIP \\ {a}", TAU, "b -> SKIP \\ {a}"),
        ("b -> SKIP \\ {a}", "b", "SKIP \\ {a}"),
        ("SKIP \\ {a}", TICK, "Ω"),
    }


def test_renaming_is_a_relation_and_unmapped_events_keep_their_name() -> None:
    pairs = frozenset({(a, c), (a, d)})
    term = Rename(Prefix(a, Prefix(b, SKIP)), pairs)
    assert lts_of(term) == {
        ("(a -> b -> SKIP)[[a <- c, a <- d]]", "c", "(b -> SKIP)[[a <- c, a <- d]]"),
        ("(a -> b -> SKIP)[[a <- c, a <- d]]", "d", "(b -> SKIP)[[a <- c, a <- d]]"),
        ("(b -> SKIP)[[a <- c, a <- d]]", "b", "SKIP[[a <- c, a <- d]]"),
        ("SKIP[[a <- c, a <- d]]", TICK, "Ω"),
    }


def test_interrupt_lets_left_run_until_right_takes_over() -> None:
    term = Interrupt(Prefix(a, SKIP), Prefix(b, STOP))
    assert lts_of(term) == {
        ("a -> SKIP /\\ b -> STOP", "a", "SKIP /\\ b -> STOP"),
        ("a -> SKIP /\\ b -> STOP", "b", "STOP"),
        ("SKIP /\\ b -> STOP", TICK, "Ω"),
        ("SKIP /\\ b -> STOP", "b", "STOP"),
    }


def test_interrupt_tau_of_the_interrupting_side_keeps_the_interrupt() -> None:
    term = Interrupt(Prefix(a, STOP), InternalChoice(STOP, Prefix(b, STOP)))
    assert {(str(lab), str(t)) for lab, t in transitions(term, None)} == {
        ("a", "STOP /\\ (STOP |~| b -> STOP)"),
        (TAU, "a -> STOP /\\ STOP"),
        (TAU, "a -> STOP /\\ b -> STOP"),
    }


def test_exception_hands_over_on_an_event_of_its_set() -> None:
    term = ExceptionOp(Prefix(a, Prefix(b, SKIP)), Prefix(c, STOP), frozenset({b}))
    assert lts_of(term) == {
        ("a -> b -> SKIP [| {b} |> c -> STOP", "a", "b -> SKIP [| {b} |> c -> STOP"),
        ("b -> SKIP [| {b} |> c -> STOP", "b", "c -> STOP"),
        ("c -> STOP", "c", "STOP"),
    }


def test_exception_keeps_tau_and_ends_with_termination() -> None:
    term = ExceptionOp(InternalChoice(SKIP, STOP), Prefix(c, STOP), frozenset({a}))
    assert lts_of(term) == {
        ("SKIP |~| STOP [| {a} |> c -> STOP", TAU, "SKIP [| {a} |> c -> STOP"),
        ("SKIP |~| STOP [| {a} |> c -> STOP", TAU, "STOP [| {a} |> c -> STOP"),
        ("SKIP [| {a} |> c -> STOP", TICK, "Ω"),
    }


def test_timeout_offers_left_and_can_slide_to_right_by_tau() -> None:
    term = Timeout(InternalChoice(Prefix(a, STOP), SKIP), Prefix(b, STOP))
    assert lts_of(term) == {
        ("(a -> STOP |~| SKIP) [> b -> STOP", TAU, "a -> STOP [> b -> STOP"),
        ("(a -> STOP |~| SKIP) [> b -> STOP", TAU, "SKIP [> b -> STOP"),
        ("(a -> STOP |~| SKIP) [> b -> STOP", TAU, "b -> STOP"),
        ("a -> STOP [> b -> STOP", "a", "STOP"),
        ("a -> STOP [> b -> STOP", TAU, "b -> STOP"),
        ("SKIP [> b -> STOP", TICK, "Ω"),
        ("SKIP [> b -> STOP", TAU, "b -> STOP"),
        ("b -> STOP", "b", "STOP"),
    }


def test_recursion_unfolds_without_tau_into_one_state() -> None:
    p = Call("P")
    assert lts_of(p, {p: Prefix(a, p)}) == {("a -> P", "a", "a -> P")}


def test_calls_in_active_positions_are_unfolded_but_not_under_prefix() -> None:
    p, q = Call("P"), Call("Q")
    bodies = {p: Prefix(a, p), q: ExternalChoice(p, Prefix(b, q))}
    state = Rules(bodies.__getitem__).normalise(Seq(Interrupt(q, p), q))
    assert state == Seq(Interrupt(ExternalChoice(Prefix(a, p), Prefix(b, q)), Prefix(a, p)), q)


@pytest.mark.parametrize(
    "body",
    [
        lambda p: p,
        lambda p: ExternalChoice(p, Prefix(a, STOP)),
        lambda p: Seq(p, SKIP),
        lambda p: Parallel(Prefix(a, STOP), Hide(p, frozenset())),
        lambda p: Timeout(p, STOP),  # (STOP [> P is guarded by the timeout's τ)
    ],
    ids=["P=P", "P=P[]a", "P=P;SKIP", "P=a|||P\\{}", "P=P[>STOP"],
)
def test_unguarded_recursion_is_a_model_error_naming_the_process(body) -> None:
    p = Call("P")
    with pytest.raises(UnguardedRecursion, match="unguarded recursion: P calls itself") as err:
        transitions(p, {p: body(p)}.__getitem__)
    assert isinstance(err.value, ModelError) and err.value.call == p


def test_mutual_unguarded_recursion_is_detected() -> None:
    p, q = Call("P"), Call("Q")
    with pytest.raises(UnguardedRecursion):
        transitions(p, {p: InternalChoice(q, STOP), q: Seq(p, SKIP)}.__getitem__)


def test_recursion_guarded_by_the_second_part_of_seq_is_fine() -> None:
    p = Call("P")
    assert lts_of(p, {p: Seq(Prefix(a, SKIP), p)}) == {
        ("a -> SKIP ; P", "a", "SKIP ; P"),
        ("SKIP ; P", TAU, "a -> SKIP ; P"),
    }


def test_deep_sequential_chains_need_no_python_recursion() -> None:
    depth = 20_000  # far beyond Python's default recursion limit
    term: Process = SKIP
    for _ in range(depth):
        term = Seq(term, SKIP)
    steps = transitions(term, None)
    assert [lab for lab, _ in steps] == [TAU]


def test_deep_unfolding_in_active_position_needs_no_python_recursion() -> None:
    depth = 5_000

    def unfold(call: Call) -> Process:
        n = call.args[0]
        return SKIP if n == 0 else Seq(Call("P", (n - 1,)), Prefix(a, SKIP))

    steps = transitions(Call("P", (depth,)), unfold)
    assert [lab for lab, _ in steps] == [TAU]


def test_memoised_rules_agree_with_the_plain_function() -> None:
    term = Parallel(ExternalChoice(Prefix(a, SKIP), Prefix(b, STOP)), Prefix(a, SKIP),
                    frozenset({a}))
    rules = Rules(None)
    first = rules.transitions(term)
    assert first == rules.transitions(term) == transitions(term, None)


def test_recursion_through_internal_choice_alone_is_a_tau_loop_as_in_fdr() -> None:
    div = Call("DIV")
    assert lts_of(div, {div: InternalChoice(div, div)}) == {
        ("DIV |~| DIV", TAU, "DIV |~| DIV"),
    }


def test_mutual_recursion_through_internal_choice_and_calls_is_guarded_by_its_tau() -> None:
    s, t = Call("S"), Call("T")
    bodies = {s: InternalChoice(t, Prefix(a, s)), t: s}
    assert lts_of(s, bodies) == {
        ("S |~| a -> S", TAU, "S |~| a -> S"),
        ("S |~| a -> S", TAU, "a -> S"),
        ("a -> S", "a", "S |~| a -> S"),
    }


def test_a_call_unfolded_to_a_call_behind_a_choice_is_unfolded_again_where_it_is_met() -> None:
    # S's unfolding meets T = S again behind S's |~|: T is left a call there. T
    # itself must not be remembered as that bare call: after b it is in active
    # position, where it is S's unfolding (it was "Call S in active position")
    s, t, u = Call("S"), Call("T"), Call("U")
    bodies = {u: ExternalChoice(s, Prefix(b, t)), s: InternalChoice(t, Prefix(a, s)), t: s}
    choice = "S |~| a -> S"  # T's τ leads to S's unfolding: the choice again
    assert lts_of(u, bodies) == {
        (f"({choice}) [] b -> T", TAU, f"({choice}) [] b -> T"),
        (f"({choice}) [] b -> T", TAU, "a -> S [] b -> T"),
        (f"({choice}) [] b -> T", "b", choice),
        ("a -> S [] b -> T", "a", choice),
        ("a -> S [] b -> T", "b", choice),
        (choice, TAU, choice),
        (choice, TAU, "a -> S"),
        ("a -> S", "a", choice),
    }


@pytest.mark.parametrize(
    "body",
    [lambda p: Seq(InternalChoice(p, STOP), SKIP),
     lambda p: InternalChoice(ExternalChoice(p, Prefix(a, STOP)), STOP)],
    ids=["P=(P|~|STOP);SKIP", "P=(P[]a)|~|STOP"],
)
def test_recursion_through_an_internal_choice_inside_another_operator_stays_unguarded(
        body) -> None:
    p = Call("P")
    with pytest.raises(UnguardedRecursion, match="P calls itself"):
        transitions(p, {p: body(p)}.__getitem__)


def test_recursion_through_the_right_side_of_a_timeout_is_a_tau_loop_as_in_fdr() -> None:
    div = Call("DIV")
    assert lts_of(div, {div: Timeout(Prefix(a, STOP), div)}) == {
        ("a -> STOP [> DIV", TAU, "a -> STOP [> DIV"),
        ("a -> STOP [> DIV", "a", "STOP"),
    }


def test_recursion_through_the_left_side_of_a_timeout_stays_unguarded() -> None:
    p = Call("P")
    with pytest.raises(UnguardedRecursion, match="P calls itself"):
        transitions(p, {p: Timeout(p, p)}.__getitem__)


# ------------------------------------------------ renaming by a rule (terms/renaming.py)

@st.composite
def renamed_bodies(draw) -> Process:
    """A small choice of prefixes over the universe, recursing to ``P``."""
    events = draw(st.lists(st.sampled_from(UNIVERSE), min_size=1, max_size=4))
    then = draw(st.lists(st.sampled_from([STOP, Call("P")]), min_size=len(events),
                         max_size=len(events)))
    terms = [Prefix(e, t) for e, t in zip(events, then, strict=True)]
    return list(itertools.accumulate(terms, ExternalChoice))[-1]


@settings(max_examples=80, deadline=None)
@given(renamed_bodies(), prefix_rules(), explicit_pairs)
def test_the_rules_give_a_process_renamed_by_a_rule_the_lts_of_its_pairs(body, rules,
                                                                          pairs) -> None:
    defs = {Call("P"): body}
    ruled = term_lts(Rename(Call("P"), Renaming.of(pairs, rules)), defs)
    as_pairs = term_lts(Rename(Call("P"), pairs | listed(rules)), defs)
    assert ruled.num_states == as_pairs.num_states
    assert {(ruled.labels[lab], d) for lab, d in zip(ruled.label, ruled.dst, strict=True)} == \
        {(as_pairs.labels[lab], d) for lab, d in zip(as_pairs.label, as_pairs.dst, strict=True)}


def _counter_bodies(call: Call) -> Process:
    """``C2 = up -> C3 [] down -> C0``, ``C0 = down -> C0``; ``C3``'s body divides by
    zero (cnt2.proc's ``Cnt(3)``)."""
    up, down = Event("up"), Event("down")
    if call.name == "C3":
        raise ModelError("division by zero")
    if call.name == "C2":
        return ExternalChoice(Prefix(up, Call("C3")), Prefix(down, Call("C0")))
    return Prefix(down, Call("C0"))


def test_a_target_whose_unfolding_raises_is_a_failed_state_raising_when_expanded() -> None:
    from procalg.terms.failed import Failed

    rules = Rules(_counter_bodies)
    ((up, failed), (down, _)) = rules.transitions(rules.normalise(Call("C2")))
    assert (str(up), str(down), type(failed)) == ("up", "down", Failed)
    with pytest.raises(ModelError, match="division by zero"):
        rules.transitions(failed)


def test_a_move_a_partner_blocks_never_raises_its_targets_error() -> None:
    from procalg.lts import explore
    from procalg.semantics.system import TermSystem

    up = Event("up")
    lts = explore(TermSystem(Parallel(Call("C2"), STOP, frozenset({up})), _counter_bodies))
    assert lts.num_states == 2 and set(lts.labels) - {TAU, TICK} == {"down"}
    with pytest.raises(ModelError, match="division by zero"):  # let through: met
        explore(TermSystem(Parallel(Call("C2"), Prefix(up, STOP), frozenset({up})),
                           _counter_bodies))
