"""A prioritised process explored by the compiled engines (the product engine,
or a leaf's machine) and then filtered, against the same filter over the
term rules' exploration: strongly bisimilar tables, the same shortest
deadlocks, for random operands written as ``.proc`` text."""

from __future__ import annotations

from collections import deque
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.lts import LTS
from procalg.semantics import compiled_operand, priority
from procalg.terms import Event, Sequence
from tests.semantics.test_network import _bisimilar

DECLARED = ("channel a, b, c, tock\nA = a -> b -> A\nB = b -> c -> B |~| c -> B\n"
            "C = a -> SKIP [] tock -> C\n")
LEAVES = ["a -> STOP", "b -> SKIP", "A", "B", "C", "STOP", "SKIP", "tock -> a -> SKIP"]
BINARY = ["[]", "|~|", ";", "[| {a} |]", "|||", "/\\", "[>", "[| {tock} |]"]


def _operands(depth: int):
    if depth == 0:
        return st.sampled_from(LEAVES)
    sub = _operands(depth - 1)
    return st.one_of(
        sub,
        st.builds(lambda p, op, q: f"({p} {op} {q})", sub, st.sampled_from(BINARY), sub),
        st.builds(lambda p, e: f"({p} \\ {{{e}}})", sub, st.sampled_from("abc")),
    )


def _classes():
    names = st.sampled_from(["a", "b", "c", "tock"])
    return st.lists(st.frozensets(names, max_size=2), min_size=1, max_size=3)


def _lts(rows) -> LTS:
    triples = [(s, str(label), d if d >= 0 else len(rows))
               for s, row in enumerate(rows) for label, d in row]
    labels = sorted({lab for _, lab, _ in triples} - {"τ", "✓"})
    return LTS.build(len(rows) + 1, 0, labels, triples)


def _nearest_deadlock(lts: LTS) -> int | None:
    ended = {d for _, lab, d in lts.triples() if lab == "✓"}
    stuck = set(lts.deadlocks()) - ended
    dist, queue = {lts.initial: 0}, deque([lts.initial])
    while queue:
        s = queue.popleft()
        if s in stuck:
            return dist[s]
        for _, d in lts.successors(s):
            if d not in dist:
                dist[d] = dist[s] + 1
                queue.append(d)
    return None


@settings(max_examples=120, deadline=None)
@given(_operands(3), _classes())
def test_a_compiled_prioritised_operand_gives_the_term_rules_table(text, classes):
    model = loads(DECLARED + f"N = {text}\n")
    ev, term = model.spec.evaluator, model.process("N")
    order = Sequence(tuple(frozenset(Event(n) for n in c) for c in classes))
    compiled = priority.prioritise(term, order, ev.unfold, None, ev).table.moves
    reference = priority.prioritise(term, order, ev.unfold, None).table.moves
    mine, theirs = _lts(list(compiled)), _lts(list(reference))
    # no count comparison: a machine keys a call by its name and arguments, not
    # its unfolded body, so in ``N = A ; a -> STOP`` the loop back through A is a
    # state apart from N's start (bisimilar, one state more than the term rules)
    assert _bisimilar(mine, theirs)
    assert _nearest_deadlock(mine) == _nearest_deadlock(theirs)


def test_a_prioritised_network_inside_a_choice_is_explored_by_the_compiled_engines():
    model = loads(DECLARED + "N = (A [| {a} |] C) ||| B\n"
                  "P = c -> STOP [] prioritise(N, <{a}, {tock}>)\n")
    with patch.object(priority, "_explored", side_effect=AssertionError("term rules")):
        rules = model.spec.rules()
        moves = rules.transitions(rules.normalise(model.process("P")))
    assert sorted({str(label) for label, _ in moves}) == ["a", "c", "τ"]  # tock waits for a


def test_an_operand_the_compiled_engines_refuse_falls_back_to_the_term_rules():
    model = loads(DECLARED + "P = prioritise(A ||| B, <{a}, {b}>)\n")
    ev = model.spec.evaluator
    with patch.object(compiled_operand, "operand_lts", return_value=None):
        table = priority.prioritise(model.process("A ||| B"), Sequence(
            (frozenset({Event("a")}), frozenset({Event("b")}))), ev.unfold, None, ev)
        assert len(table.table.moves) > 0


def test_a_part_given_up_on_below_a_priority_gives_up_the_compression_around_it(
        monkeypatch) -> None:
    from procalg.semantics import compress

    monkeypatch.setattr(compress, "LOSSLESS_BUDGET", 20)  # P has 61 states
    model = loads("channel c : {0..59}\nchannel d : {0..59}\nchannel a\n"
                  "P = c?x -> d!x -> P\nW = sbisim(P)\n"
                  "Outer = sbisim(a -> prioritise(W, <{}>))\n"
                  "assert Outer :[deadlock free]\n")
    outer = model.spec.evaluator.unfold(model.process("Outer"))
    assert type(outer).__name__ == "Prefix"  # given up on: itself, not an error about 2 M
    [result] = check_model(model)
    assert result.result == "pass"


WIDE_DATA = "channel c : {0..59}\nchannel d : {0..59}\nP = c?x -> d!x -> P\n"


def test_a_lossless_compression_of_a_prioritised_process_ignores_the_budget(
        monkeypatch) -> None:
    from procalg.semantics import compress as module
    from procalg.terms.compressed import Compressed

    monkeypatch.setattr(module, "LOSSLESS_BUDGET", 20)  # P has 61 states
    model = loads(WIDE_DATA + "pri(X) = prioritise(X, <{}>) \\ {}\nQ = sbisim(pri(P)[[d <- d]])\n")
    # FDR's timed idiom, a compression per prioritised layer: compressed whatever its size
    assert isinstance(model.spec.evaluator.unfold(model.process("Q")), Compressed)
    assert model.lts("Q").num_states == 61
