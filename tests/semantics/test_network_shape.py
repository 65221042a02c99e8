"""Which subterms the network compiler compiles, and their operands' normal forms.

The walk down an operator tree normalises each operand; the shortcut (an
operand with no call in its active part is normal already) must give the
reference ``Rules.normalise`` exactly, including calls the unfolding leaves
folded behind an internal choice (``D = D |~| D``), and keep a deep ``|||``
chain linear.
"""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts.product import explore_product
from procalg.semantics.deep import run_deep
from procalg.semantics.network import NotApplicable, compile_network
from procalg.semantics.network_shape import Shape
from procalg.semantics.sos import Rules
from procalg.terms import (
    SKIP,
    STOP,
    Call,
    Event,
    ExceptionOp,
    Hide,
    InternalChoice,
    Parallel,
    Prefix,
    Process,
    Timeout,
)
from tests.semantics.test_network import (
    BODIES,
    LOOP,
    _bisimilar,
    _network_terms,
    _operator_terms,
    _reference,
)

D = Call("D")
SHAPE_BODIES: dict[Call, Process] = {**BODIES, D: InternalChoice(D, D),
                                     Call("T"): Timeout(STOP, Call("T"))}
UNFOLD = SHAPE_BODIES.__getitem__
_divergent = st.sampled_from([D, Call("T"), InternalChoice(D, STOP)])


@settings(max_examples=150, deadline=None)
@given(st.one_of(_network_terms(2), _operator_terms(2, (InternalChoice, Timeout))), _divergent)
def test_a_shape_normalises_every_operand_as_the_term_rules_do(term, divergent):
    shape, reference = Shape(Rules(UNFOLD)), Shape(Rules(UNFOLD))
    reference._call_free = lambda term: False  # type: ignore[method-assign]  # always walk
    top = Rules(UNFOLD).normalise(Parallel(term, divergent, frozenset()))
    todo = [top]
    while todo:  # the operands the compiler walks, each against a fresh normalisation
        here = todo.pop()
        if not shape.compiled(here):
            continue
        operands = shape.operands(here)
        assert operands == reference.operands(here)
        todo.extend(operands)


def test_a_two_thousand_deep_interleaving_chain_compiles_in_linear_time_as_the_rules_read_it():
    n = 2_000
    term: Process = Call("R")  # R = a -> R |~| b -> STOP: unfolds to a choice
    for _ in range(n - 1):  # left-nested, as the grammar reads a ||| chain
        term = Parallel(term, STOP, frozenset())
    started = time.perf_counter()
    net = compile_network(term, UNFOLD, reduce=False)
    elapsed = time.perf_counter() - started
    product = explore_product(net)
    reference = run_deep(lambda: _reference(term, UNFOLD))  # terms 2,000 deep
    assert (product.num_states, product.num_transitions) == (
        reference.num_states, reference.num_transitions)
    assert _bisimilar(product, reference)
    # each operand normalised afresh walked the chain below it: 2,000 took 8 s, now 0.1 s
    assert elapsed < 5, elapsed


class _CountingRules(Rules):
    """The term rules, counting the normalisations asked of them (the shape walk's work)."""

    def __init__(self, unfold) -> None:
        super().__init__(unfold)
        self.normalised = 0

    def normalise(self, term: Process) -> Process:
        self.normalised += 1
        return super().normalise(term)


def _stalling_body(inner: Process) -> Process:
    """``(R [| {c} |] STOP |~| SKIP [| {} |> STOP ||| STOP) [> ((c -> STOP ||| STOP) [> inner)``:
    hypothesis's body that took seconds, then ``RecursionError``, to compile under hiding."""
    none, c = frozenset(), Event("c")
    left = ExceptionOp(InternalChoice(Parallel(Call("R"), STOP, frozenset({c})), SKIP),
                       Parallel(STOP, STOP, none), none)
    return Timeout(left, Timeout(Parallel(Prefix(c, STOP), STOP, none), inner))


def test_a_recursive_body_behind_timeouts_compiles_under_hiding_with_a_bounded_walk():
    # normalising is not idempotent where T stays behind a τ: each operand normalised
    # again unfolded T once more, so the walk met an ever-deeper term at every step
    body = _stalling_body(LOOP)
    rules = _CountingRules({**BODIES, LOOP: body}.__getitem__)
    net = compile_network(Hide(LOOP, frozenset()), type("Spec", (), {"rules": lambda _: rules})(),
                          max_states=600, reduce=False)
    assert not isinstance(net, NotApplicable), net
    assert any("restart on their own call" in note for note in net.notes)
    assert rules.normalised < 40, rules.normalised  # 10 now; before: RecursionError
    reference = _reference(Hide(LOOP, frozenset()), {**BODIES, LOOP: body}.__getitem__)
    assert _bisimilar(explore_product(net), reference)


class _BoundedRules(_CountingRules):
    """Counting rules that give up past ``limit`` normalisations (a stall fails fast)."""

    def __init__(self, unfold, limit: int) -> None:
        super().__init__(unfold)
        self.limit = limit

    def normalise(self, term: Process) -> Process:
        if self.normalised >= self.limit:
            raise AssertionError(f"the shape walk normalised more than {self.limit} terms")
        return super().normalise(term)


def test_a_recursion_left_behind_nested_internal_choices_compiles_with_a_bounded_walk():
    # T = c -> STOP |~| ((b -> STOP ||| a -> STOP) |~| (T |~| STOP)): normalising T
    # leaves the inner T behind its |~|; each operand of that normal form normalised
    # alone unfolded T once more, so the walk met a larger term at every level (a
    # model with this body hung `procalg check`; the reference answers at once)
    a, b, c = Event("a"), Event("b"), Event("c")
    body = InternalChoice(Prefix(c, STOP), InternalChoice(
        Parallel(Prefix(b, STOP), Prefix(a, STOP), frozenset()), InternalChoice(LOOP, STOP)))
    rules = _BoundedRules({**BODIES, LOOP: body}.__getitem__, 200)
    net = compile_network(LOOP, type("Spec", (), {"rules": lambda _: rules})(),
                          max_states=600, reduce=False)
    assert not isinstance(net, NotApplicable), net
    assert rules.normalised < 40, rules.normalised
    assert _bisimilar(explore_product(net), _reference(LOOP, {**BODIES, LOOP: body}.__getitem__))
