"""Compression functions: each result keeps the semantics it promises, and sbisim is minimal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import check_model, loads
from procalg.api.search import SearchOptions
from procalg.api.vocabulary import CheckEngine
from procalg.assertion_kinds import Equivalence, RefinementModel
from procalg.checks.equivalence import check_equivalence
from procalg.checks.refinement import check_refinement
from procalg.errors import ModelError
from procalg.lts import explore
from procalg.lts.partition import Bisimulation, minimize
from procalg.lts.tau import collapse_tau_sccs
from procalg.semantics import kinds
from procalg.semantics.compress import compress
from procalg.semantics.system import TermSystem
from procalg.syntax import ast
from procalg.terms import (
    SKIP,
    STOP,
    Call,
    Event,
    ExternalChoice,
    Hide,
    InternalChoice,
    Parallel,
    Prefix,
    Process,
    Seq,
)
from procalg.terms.compressed import Compressed

EVENTS = [Event("a"), Event("b"), Event("c")]
alphabets = st.frozensets(st.sampled_from(EVENTS))


def random_terms(parallel_weight: int = 1, hide_weight: int = 1) -> st.SearchStrategy[Process]:
    """Random finite terms over a, b, c; a weight makes its operator that much likelier."""
    return st.recursive(
        st.sampled_from([STOP, SKIP]),
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(EVENTS), inner).map(lambda t: Prefix(*t)),
            st.tuples(inner, inner).map(lambda t: ExternalChoice(*t)),
            st.tuples(inner, inner).map(lambda t: InternalChoice(*t)),
            st.tuples(inner, inner).map(lambda t: Seq(*t)),
            *[st.tuples(inner, inner, alphabets).map(lambda t: Parallel(*t))] * parallel_weight,
            *[st.tuples(inner, alphabets).map(lambda t: Hide(*t))] * hide_weight,
        ),
        max_leaves=8,
    )


terms = random_terms()


def _lts(term: Process):
    return explore(TermSystem(term))


@settings(max_examples=120, deadline=None)
@given(terms)
def test_sbisim_is_strongly_bisimilar_and_has_the_minimal_number_of_states(term) -> None:
    original, reduced = _lts(term), _lts(compress("sbisim", term, None))
    assert check_equivalence(original, reduced, Equivalence.STRONG).passed
    assert reduced.num_states == _minimal_with_omega(original)


def _minimal_with_omega(lts, kind: Bisimulation = Bisimulation.STRONG) -> int:
    """States of the strong quotient, counted as a process's LTS has them: a ✓ always
    enters Ω, a state of its own (the quotient may merge Ω with a deadlocked STOP)."""
    quotient = minimize(lts, kind)
    entered = {quotient.initial} | {d for _, lab, d in quotient.triples() if lab != "✓"}
    ticks = any(lab == "✓" for _, lab, _ in quotient.triples())
    return len(entered) + int(ticks)


@settings(max_examples=80, deadline=None)
@given(terms)
def test_wbisim_is_weakly_bisimilar(term) -> None:
    reduced = _lts(compress("wbisim", term, None))
    assert check_equivalence(_lts(term), reduced, Equivalence.WEAK).passed
    assert reduced.num_states == _minimal_with_omega(_lts(term), Bisimulation.WEAK)


@settings(max_examples=80, deadline=None)
@given(terms)
def test_normal_and_tau_loop_factor_are_failures_divergences_equivalent(term) -> None:
    original = _lts(term)
    for name in ("normal", "tau_loop_factor", "explicate"):
        reduced = _lts(compress(name, term, None))
        fd = RefinementModel.FAILURES_DIVERGENCES
        assert check_refinement(original, reduced, fd).passed, name
        assert check_refinement(reduced, original, fd).passed, name


def test_tau_loop_factor_keeps_divergence_as_a_self_loop() -> None:
    model = loads("channel a, b\nX = a -> X\nD = tau_loop_factor((X ||| X) \\ {a})\n")
    lts = model.lts("D")
    assert lts.num_states == 1 and list(lts.triples()) == [(0, "τ", 0)]


def test_compressed_processes_compose_like_the_original_in_a_model() -> None:
    model = loads("""\
channel a, b, c
P = a -> b -> P [] a -> (b -> P [] b -> P) [] c -> STOP
Q = a -> b -> Q
assert sbisim(P) [| {a, b} |] Q = P [| {a, b} |] Q :[strong]
assert sbisim(P) :[deadlock free]
assert normal(P) [FD= P
assert P [FD= normal(P)
""")
    assert [r.result for r in check_model(model)] == ["pass", "fail", "pass", "pass"]
    # P, b -> P, b -> P [] b -> P, STOP; the two after a are strongly bisimilar
    assert model.lts("P").num_states == 4
    assert model.lts("sbisim(P)").num_states == 3


def test_equal_compressions_are_the_same_states() -> None:
    model = loads("channel a\nP = a -> a -> P\n")
    assert model.lts("sbisim(P) ||| sbisim(P)").num_states == 1


@pytest.mark.parametrize(("text", "message"), [
    ("Q = sbisim(1)", "needs a process"),
    ("Q = sbisim(P, P)", "takes 1 argument"),
])
def test_misuse_is_a_model_error(text, message) -> None:
    with pytest.raises(ModelError, match=message):
        loads(f"channel a\nP = a -> P\n{text}\n")


# ---------------------------------------------------------------- diamond

# hiding often: it makes the τ-diamonds diamond elimination removes
diamond_terms = random_terms(hide_weight=2)


@settings(max_examples=150, deadline=None)
@given(diamond_terms)
def test_diamond_is_failures_divergences_equivalent(term) -> None:
    original, reduced = _lts(term), _lts(compress("diamond", term, None))
    assert check_refinement(original, reduced, RefinementModel.FAILURES_DIVERGENCES).passed
    assert check_refinement(reduced, original, RefinementModel.FAILURES_DIVERGENCES).passed


@settings(max_examples=100, deadline=None)
@given(diamond_terms)
def test_diamond_keeps_only_the_tau_steps_that_encode_refusals_and_divergence(term) -> None:
    reduced = _lts(compress("diamond", term, None))
    for src, label, dst in reduced.triples():
        if label != "τ" or src == dst:
            continue  # a visible move, or a divergence's self-loop
        # otherwise the τ leads to an acceptance state: stable, and never divergent
        assert all(lab != "τ" for lab, _ in _names(reduced, dst)), (src, dst)
    # the kept nodes are states of the τ-SCC quotient, so never more than it has
    kept = {reduced.initial} | {d for _, lab, d in reduced.triples()
                                if lab not in ("τ", "✓")}
    assert len(kept) <= collapse_tau_sccs(_lts(term))[0].num_states


def _names(lts, state):
    return [(lts.labels[lab], d) for lab, d in lts.successors(state)]


def test_diamond_removes_the_interleaving_of_a_hidden_event() -> None:
    # (a -> STOP ||| b -> STOP) \ {a}: four states, two orders of a (hidden) and b;
    # from the start b is the only visible event, and after b only τ to STOP:
    # diamond keeps the start and the minimal b-target (before the hidden a), b -> STOP
    a, b = Event("a"), Event("b")
    term = Hide(Parallel(Prefix(a, STOP), Prefix(b, STOP)), frozenset({a}))
    assert _lts(term).num_states == 4
    reduced = _lts(compress("diamond", term, None))
    assert reduced.num_states == 2 and list(reduced.triples()) == [(0, "b", 1)]


def test_diamond_of_an_internal_choice_offers_each_branch_from_a_stable_state() -> None:
    # a -> STOP |~| b -> STOP: one node with initials {a, b} and minimal acceptances
    # {a}, {b}; encoded as that node (a and b to STOP) with a τ to each acceptance state
    a, b = Event("a"), Event("b")
    reduced = _lts(compress("diamond", InternalChoice(Prefix(a, STOP), Prefix(b, STOP)), None))
    start = sorted(_names(reduced, reduced.initial))
    assert [lab for lab, _ in start] == ["a", "b", "τ", "τ"]
    offered = sorted(tuple(lab for lab, _ in _names(reduced, d)) for lab, d in start
                     if lab == "τ")
    assert offered == [("a",), ("b",)]


def test_diamond_keeps_divergence_and_is_usable_in_a_model() -> None:
    model = loads("""\
channel a, b
X = a -> X
D = diamond((X ||| b -> STOP) \\ {a})
assert D :[divergence free]
assert D [FD= (X ||| b -> STOP) \\ {a}
assert (X ||| b -> STOP) \\ {a} [FD= D
""")
    assert [r.result for r in check_model(model)] == ["fail", "pass", "pass"]


def test_the_evaluator_knows_every_compression_by_name() -> None:
    from procalg.semantics import compress, kinds

    aliases = kinds.COMPRESSION_ALIASES
    assert set(compress.REDUCTIONS) == kinds.COMPRESSIONS - set(aliases)
    assert set(aliases.values()) <= set(compress.REDUCTIONS)  # every alias names a reduction


def test_compressions_nested_three_thousand_deep_evaluate() -> None:
    # each level compresses a process that calls the level below: FDR's dining
    # philosophers of powers of two nest 1,000 normal() calls this way
    model = loads("channel a\nL(n) = if n == 0 then a -> STOP else sbisim(L(n-1) [] STOP)\n"
                  "P = L(3000)")
    assert model.lts("P").num_states == 2


def test_a_compression_nested_without_end_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="recursion too deep in function L"):
        loads("channel a\nL(n) = sbisim(a -> L(n+1))\nP = L(0)").lts("P")


@pytest.mark.parametrize("engine", ["product", "reference"])
def test_a_compression_met_again_inside_its_own_argument_is_a_model_error_naming_it(
        engine: str) -> None:
    # exploring Q for normal(Q) meets normal(Q) again: the same exploration over,
    # without end (it went 10,000 compressions deep, then named the wrong process)
    model = loads("channel a\nQ = a -> normal(Q)\nassert Q :[deadlock free]\n")
    options = SearchOptions(engine=CheckEngine.parse(engine))
    [report] = check_model(model, options=options)
    assert report.result == "error"
    assert "normal(Q) is part of its own argument: exploring Q meets normal(Q) again" \
        in str(report.error)


def test_a_process_defined_as_its_own_compression_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="'P' is defined in terms of itself"):
        loads("channel a\nP = normal(P)\n").lts("P")


WIDE = "channel c : {0..59}\nchannel d : {0..59}\nP = c?x -> d!x -> P\n"


def _unfolded(model, name: str) -> Process:
    """The term a named process stands for: a compression of a process is a process
    definition, so the model names it by a call, unfolded here to its compressed term."""
    term = model.process(name)
    return model.spec.evaluator.unfold(term) if isinstance(term, Call) else term


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every operand a compression explores, recorded in order."""
    from procalg.semantics import compress as module

    explored: list[object] = []
    original = module._explored

    def explored_once(term, *args):
        explored.append(term)
        return original(term, *args)

    monkeypatch.setattr(module, "_explored", explored_once)
    return explored


def test_a_compression_of_a_process_is_a_process_compressed_when_used_not_at_load(
        monkeypatch: pytest.MonkeyPatch) -> None:
    explored = _counting(monkeypatch)
    model = loads(WIDE + "Q = sbisim(P)\nM(i) = dbisim(N(i))\nN(i) = c.i -> N(i)\n"
                  "U = M(1) ||| M(1)\n")
    assert kinds.is_process(ast.Apply(ast.Name("sbisim"), (ast.Name("P"),)), {"P"})
    assert explored == []  # neither Q nor M is computed while loading
    assert model.lts("U").num_states == 1
    assert len(explored) == 1  # M(1) compressed once, for both of its uses
    model.lts("M(1)")
    assert len(explored) == 1


def test_a_lossless_compression_over_its_budget_is_explored_once_when_nested(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from procalg.semantics import compress as module

    monkeypatch.setattr(module, "LOSSLESS_BUDGET", 20)  # P has 61 states
    explored = _counting(monkeypatch)
    model = loads(WIDE + "Q = dbisim(sbisim(P))\nR = sbisim(P)\n")
    assert _unfolded(model, "Q") == _unfolded(model, "R") == model.process("P")
    assert len(explored) == 1  # sbisim gave P up; dbisim and the second sbisim know it


def test_a_lossless_compression_beyond_its_budget_is_its_argument_with_the_same_lts(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from procalg.semantics import compress as module

    monkeypatch.setattr(module, "LOSSLESS_BUDGET", 20)  # P has 61 states
    model = loads(WIDE + "Q = sbisim(P)\nR = dbisim(P)\nS = explicate(P)\n")
    for name in ("Q", "R", "S"):
        assert not isinstance(_unfolded(model, name), Compressed)
        verdict = check_equivalence(model.lts("P"), model.lts(name), Equivalence.STRONG)
        assert verdict.verdict, name


def test_a_lossless_compression_within_its_budget_is_still_compressed() -> None:
    model = loads(WIDE + "Q = sbisim(P)\n")
    assert isinstance(_unfolded(model, "Q"), Compressed)
    assert model.lts("Q").num_states == 61  # after c.x, d!x: one state per x


def test_a_compression_that_changes_the_lts_ignores_the_budget(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from procalg.semantics import compress as module

    monkeypatch.setattr(module, "LOSSLESS_BUDGET", 20)
    model = loads(WIDE + "Q = normal(P)\nW = wbisim(P)\n")
    assert isinstance(_unfolded(model, "Q"), Compressed)
    assert isinstance(_unfolded(model, "W"), Compressed)


def test_a_compressed_process_with_large_event_sets_is_named_by_its_operator_alone() -> None:
    text = "channel c : {0..99}\nchannel d : {0..199}\nP = c?x -> P\n"
    model = loads(text + "Q = sbisim(P [[ c <- d ]])\nR = sbisim(c.1 -> STOP)\n"
                  "S = sbisim(P [[ c <- c ]])\n")  # over equal types: one rule, short
    big, small, rule = _unfolded(model, "Q"), _unfolded(model, "R"), _unfolded(model, "S")
    assert big.table.name == "sbisim(Rename(…))" and len(big.table.moves) == 1
    assert small.table.name == "sbisim(c.1 -> STOP)"
    assert rule.table.name == "sbisim(P[[c <- c]])"


NODE = """channel go
channel inp, setv, getv, out : {0..29}
Node = go -> inp?x -> setv!x -> getv?y -> out!y -> Node
Mem(m) = getv!m -> Mem(m) [] setv?x -> Mem(x)
Hidden = (Node [| {|setv, getv|} |] Mem(0)) \\ {|setv, getv|}
"""
"""RoboChart's shape in small: a node whose input is wide (and whose memory input is
wider still in isolation), compressed beside the memory that narrows what it reads."""


@pytest.mark.parametrize("inner", ["dbisim", "sbisim"])
def test_a_wide_node_compressed_beside_the_memory_that_narrows_it_is_the_same_process(
        inner: str) -> None:
    model = loads(NODE + f"C = dbisim(sbisim({inner}(Node) [| {{|setv, getv|}} |] Mem(0))"
                         " \\ {|setv, getv|})\n")
    assert isinstance(_unfolded(model, "C"), Compressed)
    plain, reduced = model.lts("Hidden", max_states=50_000), model.lts("C", max_states=50_000)
    fd = RefinementModel.FAILURES_DIVERGENCES
    assert check_refinement(plain, reduced, fd).passed
    assert check_refinement(reduced, plain, fd).passed
    assert check_equivalence(plain, reduced, Equivalence.WEAK).passed


def test_dbisim_merges_the_hidden_steps_of_a_node_that_sbisim_keeps() -> None:
    model = loads(NODE + "S = sbisim(Hidden)\nD = dbisim(Hidden)\n")
    # go, then inp, then one state per x: after inp.x the hidden setv and getv merge into
    # the state that offers out.x
    assert model.lts("D").num_states == 1 + 1 + 30
    assert model.lts("S").num_states > model.lts("D").num_states


def test_dbisim_keeps_divergence_and_model_compress_is_dbisim() -> None:
    model = loads("channel a, b\nX = a -> X\nP = (X ||| b -> STOP) \\ {a}\n"
                  "D = dbisim(P)\nM = model_compress(P)\n"
                  "assert D :[divergence free]\nassert D [FD= P\nassert P [FD= D\n")
    assert [r.result for r in check_model(model)] == ["fail", "pass", "pass"]
    assert model.lts("D").num_states == model.lts("M").num_states == 2


@settings(max_examples=100, deadline=None)
@given(diamond_terms)
def test_dbisim_is_failures_divergences_equivalent_and_no_larger_than_sbisim(term) -> None:
    original, reduced = _lts(term), _lts(compress("dbisim", term, None))
    fd = RefinementModel.FAILURES_DIVERGENCES
    assert check_refinement(original, reduced, fd).passed
    assert check_refinement(reduced, original, fd).passed
    assert reduced.num_states <= _lts(compress("sbisim", term, None)).num_states


SCHEDULER_CHAIN = r"""
N = 7
channel a, b, c : {0..N-1}
CELL(i) = if i == 0 then a.0 -> c.1 -> b.0 -> c.0 -> CELL(0)
          else c.i -> a.i -> c.((i+1)%N) -> b.i -> CELL(i)
SEEN(i) = {a.i, c.i, c.((i+1)%N)}
-- Milner's scheduler built from its last cell inwards, normalised at each step,
-- with every a visible: the shape of an inductive compression against a spec on a
Chain(k) = if k == N-1 then normal(CELL(k) \ {b.k})
           else normal(((CELL(k) \ {b.k}) [SEEN(k) || Union({SEEN(j) | j <- {k+1..N-1}})]
                        Chain(k+1)) \ {c.(k+1)})
"""


def test_an_inductively_normalised_scheduler_chain_grows_by_every_other_fibonacci_number() -> None:
    model = loads(SCHEDULER_CHAIN)
    sizes = [model.lts(f"Chain({k})").num_states for k in range(6, 0, -1)]
    # the minimal normal form of j cells with their a's visible has F(2j + 2) nodes:
    # exponential in any exact normalisation (FDR's text calls this shape "very poor")
    assert sizes == [3, 8, 21, 55, 144, 377]


def test_each_level_of_the_scheduler_chain_is_failures_divergences_equal_to_the_plain_network(
) -> None:
    model = loads(SCHEDULER_CHAIN + r"""
Plain(k) = (|| j : {k..N-1} @ [union(SEEN(j), {b.j})] CELL(j))
           \ union({b.j | j <- {k..N-1}}, {c.j | j <- {k+1..N-1}})
""")
    fd = RefinementModel.FAILURES_DIVERGENCES
    for k in (5, 3):
        chain, plain = model.lts(f"Chain({k})"), model.lts(f"Plain({k})", max_states=10_000)
        assert chain.num_states < plain.num_states
        assert check_refinement(chain, plain, fd).passed
        assert check_refinement(plain, chain, fd).passed


def test_two_model_errors_in_one_level_of_a_compressed_network_raise_the_term_rules_first():
    """``sbisim`` explores its operand whole; compiled as a network of two leaves,
    both errors (``3 / 0`` after ``a``, ``d.4`` after ``b``) sit in one level, whose
    order only the term rules know (``HeldOrder``). On s33-base that escaped as a
    Python traceback from every engine (a dev seed's draw, hunt, session 33,
    reduced); now the term rules explore the operand and raise the first they meet."""
    from procalg.api import check_model, loads
    from procalg.api.search import CheckEngine, SearchOptions

    text = ("channel a, b\nchannel d : {0..3}\nQ(n) = d!(3 / n) -> STOP\n"
            "V(n) = d!(n + 1) -> V(n + 1)\nS = (a -> Q(0)) ||| (b -> V(3))\n"
            "assert sbisim(S) :[deadlock free]\n")
    for engine in (CheckEngine.AUTO, CheckEngine.REFERENCE):
        report, = check_model(loads(text), options=SearchOptions(engine=engine))
        assert (str(report.result), report.error.message) == ("error", "division by zero")
