"""A process with no parallel at its top runs as one component of the product engine.

Differential tests against the term-level rules (the oracle): random
sequential terms with choice, interrupt, timeout, exception, ``;``, hiding,
renaming and throw, and data-carrying processes of loaded models, compiled by
:func:`compile_network` into one component, must give the same LTS (same
counts where the component is the term rules' own exploration, else
strongly bisimilar), the same deadlock and divergence verdicts and the same
shortest counterexamples.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.checks.deadlock import check_deadlock, check_deadlock_product
from procalg.checks.divergence import check_divergence, check_divergence_product
from procalg.lts.product import explore_product
from procalg.semantics.network import NotApplicable, compile_network
from procalg.semantics.sos import Rules
from procalg.terms import (
    SKIP,
    STOP,
    Call,
    ExceptionOp,
    ExternalChoice,
    Hide,
    InternalChoice,
    Interrupt,
    Prefix,
    Process,
    Rename,
    Seq,
    Timeout,
)
from procalg.terms.saga import THROW
from tests.semantics.test_network import BODIES as network_bodies
from tests.semantics.test_network import EVENTS, A, _bisimilar, _reference

BODIES: dict[Call, Process] = {
    **network_bodies,
    # hiding around its own recursion: finite only as (P \ A) \ B = P \ (A ∪ B)
    Call("H"): Hide(Seq(Prefix(A, SKIP), Call("H")), frozenset({A})),
}
UNFOLD = BODIES.__getitem__


def _terms(depth: int):
    """Sequential terms: every operator but parallel, over calls, STOP, SKIP, throw."""
    events = st.frozensets(st.sampled_from(EVENTS))
    base = st.sampled_from([STOP, SKIP, THROW, *BODIES])
    if depth == 0:
        return base
    sub = _terms(depth - 1)
    binary = st.sampled_from([ExternalChoice, InternalChoice, Seq, Timeout, Interrupt])
    pairs = st.frozensets(st.tuples(st.sampled_from(EVENTS), st.sampled_from(EVENTS)),
                          min_size=1, max_size=2)
    return st.one_of(
        base,
        st.builds(Prefix, st.sampled_from(EVENTS), sub),
        st.builds(lambda op, p, q: op(p, q), binary, sub, sub),
        st.builds(ExceptionOp, sub, sub, events),
        st.builds(Hide, sub, events),
        st.builds(Rename, sub, pairs),
    )


@settings(max_examples=200, deadline=None)
@given(_terms(3))
def test_a_sequential_term_gives_the_term_rules_lts_verdicts_and_traces_as_one_component(term):
    net = compile_network(term, UNFOLD, reduce=False)
    assert not isinstance(net, NotApplicable)
    assert net.notes[0] == "one sequential component"
    reference = _reference(term, UNFOLD)
    product = explore_product(net)
    # the component is the term rules' own exploration: nothing merged, nothing split
    assert (product.num_states, product.num_transitions) == (
        reference.num_states, reference.num_transitions)
    assert _bisimilar(product, reference)
    system = _System(term)
    on_product, on_reference = check_deadlock_product(net), check_deadlock(system)
    assert on_product.verdict == on_reference.verdict
    if on_reference.counterexample is not None:  # equally short in moves, τ included: two
        # shortest runs may differ ((a -> STOP) [> STOP: <> by the τ, or <a>)
        ours, theirs = on_product.counterexample, on_reference.counterexample
        assert ours.full_path is not None and theirs.full_path is not None
        assert len(ours.full_path) == len(theirs.full_path), (ours, theirs)
    on_product, on_reference = check_divergence_product(net), check_divergence(system)
    assert on_product.verdict == on_reference.verdict
    if on_reference.counterexample is not None:  # the least shortest path: one answer
        assert on_product.counterexample.trace == on_reference.counterexample.trace


class _System:
    """``term`` by the term-level rules, as the reference engine explores it."""

    def __init__(self, term: Process) -> None:
        self.rules = Rules(UNFOLD)
        self.term = term

    def initial_state(self) -> Process:
        return self.rules.normalise(self.term)

    def successors(self, state: Process):
        return self.rules.transitions(state)


def test_hiding_around_its_own_recursion_stays_finite_on_both_engines():
    # P4 = (a -> SKIP ; P4) \ {a}: each pass wrapped one more hiding around the term
    reference = _reference(Call("H"), UNFOLD)
    net = compile_network(Call("H"), UNFOLD, reduce=False)
    assert reference.num_states == explore_product(net).num_states == 2


DATA = """\
channel a, b
channel d : {0..3}
channel e : {0..2}.{0..2}
P7 = d?x -> d!((x+1)%4) -> P7
Q(x, y) = d?i -> (if i == 0 then Q((x+1)%3, y) else e!x!y -> Q(x, (y+i)%3))
        [] x == 2 & b -> STOP
R(n) = d!n -> (if n < 3 then R(n+1) else SKIP)
I = R(0) /\\ (a -> I)
S = (d?x -> e!(x%3)!0 -> S) [> (b -> S)
L = d?x -> (if x == 3 then a -> STOP else L)
T = L [| {a} |> (b -> T)
U = (I ; (e?x?y -> STOP)) \\ {| d |}
V = Q(0, 0) [[ b <- a ]]
W = (d?x -> a -> SKIP ; W) \\ {a}
"""
PROCESSES = ["P7", "Q(0,0)", "I", "S", "T", "U", "V", "W"]
PROPERTIES = ["deadlock free", "divergence free", "deterministic"]


def _checked(engine: CheckEngine) -> list:
    assertions = "".join(f"assert {p} :[{prop}]\n" for p in PROCESSES for prop in PROPERTIES)
    refinements = "".join(f"assert {p} [T= {q}\nassert {p} [FD= {q}\n"
                          for p, q in [("P7", "S"), ("S", "S"), ("Q(0,0)", "V"), ("W", "U")])
    model = loads(DATA + assertions + refinements)
    return list(check_model(model, options=SearchOptions(engine=engine, max_states=100_000)))


def test_data_carrying_sequential_processes_give_the_reference_verdicts_on_the_product_engine():
    product, reference = _checked(CheckEngine.AUTO), _checked(CheckEngine.REFERENCE)
    for mine, theirs in zip(product, reference, strict=True):
        text = mine.assertion.text
        assert mine.result == theirs.result, text
        assert mine.check.stats.extra["engine"] != "reference", text
        ours, oracle = mine.check.counterexample, theirs.check.counterexample
        assert (ours is None) == (oracle is None), text
        if oracle is not None:  # shortest in moves, τ included: both searches are breadth-first
            assert _moves(ours) == _moves(oracle), text


def _moves(counterexample) -> int:
    """The length of a counterexample's run, τ included where it is known."""
    path = counterexample.full_path
    return len(path if path is not None else counterexample.trace)
