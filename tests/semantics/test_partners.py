"""A parallel asks a wide input only for its partner's events: the same LTS as the eager rules.

The oracle is the same firing rules with ``Rules.narrows`` off: every side is
asked for all its moves and the parallel rule picks the synchronised pairs
(Roscoe, UCS, §9.1). Each random model is loaded twice, so the inputs' memos
of one run do not feed the other.
"""

from __future__ import annotations

import gc
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.assertion_kinds import Equivalence
from procalg.checks.equivalence import check_equivalence
from procalg.lts import LTS, explore
from procalg.semantics import Spec, load
from procalg.semantics.system import TermSystem
from procalg.source import SourceFile
from procalg.syntax.parser import parse, parse_expr
from procalg.terms import Input

HEADER = """\
datatype D = A.{0..1} | B
channel a, b
channel c : {0..3}.{0..2}
channel d : {0..3}
channel e : D.{0, 1}
channel f : {0..3}.{0..2}
R(v) = d!v -> SKIP
"""

LEAVES = ["STOP", "SKIP", "a -> STOP", "b -> SKIP", "d!2 -> STOP", "c.1.2 -> SKIP",
          "c?x?y -> R(x)", "c?z -> a -> STOP", "c!1?y -> R(y)", "c?x:{1, 2}?y -> R(x)",
          "d?x -> R(x)", "d?x:{0, 3} -> SKIP", "e?v?w -> STOP", "e?A.n?w -> R(n)",
          "e.B?w -> SKIP", "c?x?y -> d?z -> R(z)", "a -> c?x!2 -> SKIP"]
SETS = ["{| f |}", "{| f.1, d |}", "{| c |}", "{| d |}", "{| c, d |}", "{| c.1 |}",
        "{c.1.2, d.2}", "{a}", "{| e |}", "{}", "{| c, e, a |}", "{| e.A |}"]

RENAMINGS = ["a <- b", "c <- f", "c.1 <- f.2, a <- d.1", "f <- c, c <- f", "c <- f, c.1 <- c.2"]
"""Explicit pairs, channel rules (terms/renaming.py) and both at once."""


def _binary(sub: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    sets = st.sampled_from(SETS)
    return st.one_of(
        st.builds(lambda p, q, s: f"({p} [| {s} |] {q})", sub, sub, sets),
        st.builds(lambda p, q, s, t: f"({p} [ {s} || {t} ] {q})", sub, sub, sets, sets),
        st.builds(lambda p, s: f"({p} \\ {s})", sub, sets),
        st.builds(lambda p, q, op: f"({p} {op} {q})", sub, sub,
                  st.sampled_from(["[]", ";", "/\\", "[>", "|||", "|~|"])),
        st.builds(lambda p, r: f"({p} [[ {r} ]])", sub, st.sampled_from(RENAMINGS)),
    )


TERMS = st.recursive(st.sampled_from(LEAVES), _binary, max_leaves=5)


def _explored(text: str, narrows: bool) -> LTS:
    spec = load(parse(HEADER, "m.proc"), SourceFile("m.proc", HEADER))
    term = spec.process(parse_expr(text))
    rules = spec.rules()
    rules.narrows = narrows
    return explore(TermSystem(term, rules), max_states=20_000)


@settings(max_examples=150, deadline=None)
@given(TERMS)
def test_partner_driven_parallel_gives_the_eager_lts_on_random_terms(text: str) -> None:
    narrowed, eager = _explored(text, True), _explored(text, False)
    assert (narrowed.num_states, narrowed.num_transitions) == \
        (eager.num_states, eager.num_transitions)
    assert check_equivalence(narrowed, eager, Equivalence.STRONG).verdict


def _spec(text: str) -> Spec:
    return load(parse(text, "m.proc"), SourceFile("m.proc", text))


WIDE = "channel c : {0..999}.{0..99}\nchannel d : {0..9}\n"


def test_a_wide_input_beside_a_one_event_partner_costs_one_continuation() -> None:
    spec = _spec(WIDE + "P = c.7.3 -> STOP [| {| c |} |] c?x?y -> d!(y % 10) -> STOP")
    gc.collect()
    gc.disable()  # the work's time, not collections of what earlier tests left in the heap
    try:
        start = time.process_time()
        lts = explore(spec.system(spec.process("P")))
        seconds = time.process_time() - start
    finally:
        gc.enable()
    assert (lts.num_states, lts.num_transitions) == (3, 2)
    assert seconds < 2  # the eager rules evaluate 100,000 continuations
    wide = spec.unfold(spec.process("P")).right
    assert type(wide) is Input and wide.site.memo == {}  # never expanded whole


def _same_as_eager(text: str) -> LTS:
    narrowed = explore(_spec(text).system(_spec(text).process("P")))
    eager_spec = _spec(text)
    rules = eager_spec.rules()
    rules.narrows = False
    eager = explore(TermSystem(eager_spec.process("P"), rules))
    assert (narrowed.num_states, narrowed.num_transitions) == \
        (eager.num_states, eager.num_transitions)
    assert check_equivalence(narrowed, eager, Equivalence.STRONG).verdict
    return narrowed


def test_the_partner_bounds_an_input_under_choice_sequence_and_hiding() -> None:
    text = (WIDE + "P = (c!1!2 -> STOP [] d!1 -> STOP) [| {| c |} |] "
            "(((c?x -> SKIP [] d?z -> STOP) ; d!0 -> STOP) \\ {| d |})")
    lts = _same_as_eager(text)
    assert {lts.labels[i] for i in set(lts.label)} == {"τ", "c.1.2", "d.1"}


def test_a_hidden_input_is_asked_for_every_event_it_hides() -> None:
    lts = _same_as_eager("channel c : {0..4}\nP = STOP [| {| c |} |] ((c?x -> STOP) \\ {c.1, c.3})")
    assert (lts.num_states, lts.num_transitions) == (2, 1)  # τ (c.1 or c.3 hidden), no c


def test_an_input_not_wholly_synchronised_keeps_its_free_events() -> None:
    lts = _same_as_eager("channel c : {0..4}\nP = c.1 -> STOP [| {c.1, c.2} |] c?x -> STOP")
    assert sorted({lts.labels[i] for i in set(lts.label)}) == ["c.0", "c.1", "c.3", "c.4"]


def test_a_renamed_wide_input_is_asked_only_for_its_partner_s_events() -> None:
    text = ("channel c, d : {0..99999}\nchannel e\nQ = c?x -> Q\nR = d.7 -> e -> R\n"
            "P = Q [[ c <- d ]] [| {| d |} |] R")
    spec = _spec(text)
    lts = explore(spec.system(spec.process("P")))
    assert (lts.num_states, lts.num_transitions) == (2, 2)  # d.7 then e, and again
    assert {lts.labels[i] for i in set(lts.label)} == {"d.7", "e"}
    renamed = spec.unfold(spec.process("P")).left
    assert len(renamed.relation) == 1  # one rule c <- d, not 100,000 pairs
    wide = spec.unfold(renamed.process)
    assert type(wide) is Input and wide.site.memo == {}  # asked for c.7 only, never whole
