"""The operational (firing) rules of CSP: the reference semantics.

Each operator's rules follow Roscoe, *Understanding Concurrent Systems*
(2010), chapter 9, one ``case`` per operator in :func:`fire`. A label is an
:class:`~procalg.terms.values.Event`, ``TAU`` (τ) or ``TICK`` (✓); a
terminated process is Ω (``OMEGA``).

Recursion unfolds without a τ, as in FDR: :class:`Rules` fire only
normalised terms, whose active operands hold no ``Call``
(:mod:`procalg.semantics.unfold` says which operands are active and unfolds
them, reporting unguarded recursion).

The walk over a term is iterative (an explicit stack), so deeply nested terms
such as long ``;`` chains built by a model never hit Python's recursion limit.

Complexity: one call of :meth:`Rules.transitions` visits each active subterm
once (memoised across calls); a parallel composition costs O(|moves(P)| +
|moves(Q)| + synchronised pairs).

Example:
    >>> from procalg.terms import Event, Prefix, ExternalChoice, SKIP, STOP
    >>> a, b = Event("a"), Event("b")
    >>> term = ExternalChoice(Prefix(a, STOP), SKIP)
    >>> [(str(label), str(target)) for label, target in transitions(term, None)]
    [('a', 'STOP'), ('✓', 'Ω')]
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import assert_never

from procalg.errors import ModelError
from procalg.lts import TAU, TICK
from procalg.semantics import saga
from procalg.semantics.failing import failed
from procalg.semantics.operands import SETTLED, moving_operands
from procalg.semantics.partners import (
    PARALLELS,
    PASSING,
    Demand,
    hidden_demand,
    is_wide,
    narrowed_input,
    partner_demand,
    renamed_demand,
    wide_side,
)
from procalg.semantics.synchronising import synchronising
from procalg.semantics.unfold import Unfold, Unfolding, flat_hiding
from procalg.terms import (
    OMEGA,
    AlphaParallel,
    Call,
    Event,
    ExceptionOp,
    ExternalChoice,
    Hide,
    InternalChoice,
    Interrupt,
    Omega,
    Parallel,
    Prefix,
    Process,
    Rename,
    Seq,
    Skip,
    Stop,
    Timeout,
)
from procalg.terms.compressed import Compressed
from procalg.terms.failed import Failed
from procalg.terms.input import Input
from procalg.terms.saga import SagaTerm
from procalg.terms.synchronising import SyncChoice, SyncInterrupt
from procalg.terms.values import Label

Step = tuple[Label, Process]


def fire(
    term: Process, moves: list[list[Step]], normal: Callable[[Process], Process]
) -> list[Step]:
    """The moves of ``term``, given the moves of its :func:`moving_operands`.

    Args:
        term: a normalised term (no ``Call`` in active position).
        moves: for each moving operand, its list of ``(label, target)``.
        normal: normalises a term that becomes active (a prefix's
            continuation, the second part of ``;``): a move's target
            (:meth:`Rules.target`).

    Returns:
        The ``(label, target)`` pairs, targets normalised.
    """
    match term:
        case Stop() | Omega():
            return []  # no rules: STOP refuses everything, Ω has terminated
        case Skip():
            return [(TICK, OMEGA)]  # SKIP --✓--> Ω
        case Prefix(event, then):
            return [(event, normal(then))]  # a -> P --a--> P
        case Input():
            # c?x:S -> P(x) --c.v--> P(v) for each accepted v: the prefix rule once per
            # value, the choice [] v : S' @ c.v -> P(v) expanded only now (terms/input.py)
            return [(event, normal(then)) for event, then in term.moves()]
        case InternalChoice(left, right):
            # P |~| Q --τ--> P and --τ--> Q; an operand left folded (DIV = DIV |~| DIV,
            # semantics/unfold.py) becomes active now
            return [(TAU, normal(left) if type(left) is Call else left),
                    (TAU, normal(right) if type(right) is Call else right)]
        case ExternalChoice(left, right):
            # τ of either side keeps the choice; a visible event or ✓ resolves it
            out: list[Step] = []
            for lab, p in moves[0]:
                out.append((TAU, ExternalChoice(p, right)) if type(lab) is str and lab == TAU
                           else _resolve(lab, p))
            for lab, q in moves[1]:
                out.append((TAU, ExternalChoice(left, q)) if type(lab) is str and lab == TAU
                           else _resolve(lab, q))
            return out
        case Seq(_, second):
            # P --x--> P' (x ≠ ✓) gives P;Q --x--> P';Q; P --✓--> P' gives P;Q --τ--> Q
            return [
                (TAU, normal(second)) if lab == TICK else (lab, Seq(p, second))
                for lab, p in moves[0]
            ]
        case Parallel(_, _, sync):
            return _parallel(term, moves[0], moves[1], sync, sync)
        case AlphaParallel(_, _, left_alpha, right_alpha):
            return _parallel(term, moves[0], moves[1], left_alpha, right_alpha)
        case Hide(_, hidden):
            # events in A become τ; ✓ of the body is ✓ of the whole, to Ω
            return [
                (TICK, OMEGA) if type(lab) is str and lab == TICK
                else (TAU if lab in hidden else lab, flat_hiding(Hide(p, hidden)))
                for lab, p in moves[0]
            ]
        case Rename(_, relation):
            # P --a--> P' gives P[[R]] --b--> P'[[R]] for each a R b; unmapped a keeps its
            # name; R answers per event (a channel's rule is never listed: terms/renaming.py)
            out = []
            for lab, p in moves[0]:
                if lab == TICK:
                    out.append((TICK, OMEGA))
                    continue
                for image in relation.images(lab):
                    out.append((image, Rename(p, relation)))
            return out
        case Interrupt(left, right):
            # P's moves keep the interrupt (its ✓ ends it); Q's τ keeps it, Q's event takes over
            out = [(TICK, OMEGA) if lab == TICK else (lab, Interrupt(p, right))
                   for lab, p in moves[0]]
            for lab, q in moves[1]:
                out.append((TAU, Interrupt(left, q)) if lab == TAU else _resolve(lab, q))
            return out
        case Timeout(left, right):
            # P's τ keeps the timeout, P's event or ✓ resolves it; P [> Q --τ--> Q
            out = [(TAU, Timeout(p, right)) if lab == TAU else _resolve(lab, p)
                   for lab, p in moves[0]]
            out.append((TAU, normal(right) if type(right) is Call else right))
            return out
        case ExceptionOp(_, handler, sync):
            # P --a--> P' with a in A gives P [| A |> Q --a--> Q; other events
            # and τ keep the operator; P's ✓ ends it (Roscoe, UCS, 2010, §5.3)
            return [
                (TICK, OMEGA) if lab == TICK
                else (lab, normal(handler)) if lab in sync
                else (lab, ExceptionOp(p, handler, sync))
                for lab, p in moves[0]
            ]
        case SagaTerm():
            return saga.fire(term, moves, normal)
        case SyncChoice() | SyncInterrupt():
            return synchronising(term, moves[0], moves[1])
        case Compressed():
            return term.moves()  # sbisim(P) & co.: the reduced LTS's moves (compress.py)
        case Failed():
            term.fail()  # a target whose construction raised: its expansion raises
        case Call():
            raise AssertionError(f"Call {term} in active position: normalise first")
        case _:
            assert_never(term)  # type: ignore[arg-type]


def _resolve(label: Label, target: Process) -> Step:
    """A visible event keeps its target; ✓ always leads to Ω."""
    return (TICK, OMEGA) if type(label) is str and label == TICK else (label, target)


def _parallel(
    term: Parallel | AlphaParallel,
    left_moves: list[Step],
    right_moves: list[Step],
    left_alpha: frozenset[Event],
    right_alpha: frozenset[Event],
) -> list[Step]:
    """Parallel rules for ``[| A |]`` (both alphabets A: the synchronised set)
    and ``[A || B]`` (each side confined to its alphabet, synchronising on A ∩ B).

    τ interleaves; an event outside the other side's alphabet interleaves; an
    event in both needs both sides; a side's ✓ becomes τ to Ω in that position
    (distributed termination) and Ω ‖ Ω --✓--> Ω.
    """
    left, right = term.left, term.right
    if type(left) is Omega and type(right) is Omega:
        return [(TICK, OMEGA)]
    free = type(term) is Parallel  # [| A |]: each side may do any event
    both = left_alpha if free else _common(left_alpha, right_alpha)
    out: list[Step] = []
    waiting: dict[Label, list[Process]] = {}
    for lab, q in right_moves:
        if lab in both:
            waiting.setdefault(lab, []).append(q)
    # τ and ✓ are the only labels that are strings: testing the type first spares
    # events a Python-level Event.__eq__ against a string on every move
    for lab, p in left_moves:
        named = type(lab) is str
        if named and lab == TICK:
            out.append((TAU, _rebuild_parallel(term, OMEGA, right)))
        elif lab in both:
            out.extend([(lab, _rebuild_parallel(term, p, q)) for q in waiting.get(lab, ())])
        elif (named and lab == TAU) or free or lab in left_alpha:
            out.append((lab, _rebuild_parallel(term, p, right)))
    for lab, q in right_moves:
        named = type(lab) is str
        if named and lab == TICK:
            out.append((TAU, _rebuild_parallel(term, left, OMEGA)))
        elif lab not in both and ((named and lab == TAU) or free or lab in right_alpha):
            out.append((lab, _rebuild_parallel(term, left, q)))
    return out


@lru_cache(maxsize=4096)
def _common(left_alpha: frozenset[Event], right_alpha: frozenset[Event]) -> frozenset[Event]:
    """A ∩ B of an alphabetised parallel, computed once per pair of alphabets."""
    return left_alpha & right_alpha


def _rebuild_parallel(term: Parallel | AlphaParallel, left: Process, right: Process) -> Process:
    if type(term) is Parallel:
        return Parallel(left, right, term.sync)
    return AlphaParallel(left, right, term.left_alpha, term.right_alpha)


def _prefix_moves(term: Process, normal: Callable[[Process], Process]) -> list[Step] | None:
    """The moves of a choice of prefixes (a sequential process's usual state), or None.

    What :func:`fire` gives for such a term, without memoising each branch:
    a prefix's event resolves the choice (``a -> P [] Q --a--> P``), so the
    moves are the branches' prefix moves, left to right. None if a branch
    is anything else (the general walk then applies).
    """
    out: list[Step] = []
    todo = [term]
    while todo:
        item = todo.pop()
        kind = type(item)
        if kind is Prefix:
            out.append((item.event, normal(item.then)))
        elif kind is Input:
            out.extend([(event, normal(then)) for event, then in item.moves()])
        elif kind is ExternalChoice:
            todo.append(item.right)
            todo.append(item.left)
        elif kind is not Stop:
            return None
    return out


class Rules(Unfolding):
    """The firing rules with their caches: normalised unfoldings and moves per term.

    Args:
        unfold: gives a call's body (one unfolding, as evaluated by the model).

    Example:
        >>> from procalg.terms import Call, Prefix, Event
        >>> bodies = {Call("P"): Prefix(Event("a"), Call("P"))}
        >>> rules = Rules(bodies.__getitem__)
        >>> start = rules.normalise(Call("P"))
        >>> str(start), [(str(l), str(t)) for l, t in rules.transitions(start)]
        ('a -> P', [('a', 'a -> P')])
    """

    narrows = True
    """Whether a parallel asks a side's wide input only for its partner's events (the
    eager expansion, False, is the test oracle: ``tests/semantics/test_partners.py``)."""

    def __init__(self, unfold: Unfold | None) -> None:
        super().__init__(unfold)
        self.memo: dict[Process, list[Step]] = {}

    def target(self, term: Process) -> Process:
        """``term`` normalised as a move's target: a model error building it (a body that
        divides by zero) is a failed state's, raised when expanded (semantics/failing.py)."""
        if type(term) in SETTLED:  # normalise's own first test, spared a call per move
            return term
        try:
            return self.normalise(term)
        except ModelError as err:
            if (state := failed(err)) is None:
                raise
            return state

    def transitions(self, term: Process) -> list[Step]:
        """The moves of a normalised ``term`` (iterative post-order, memoised)."""
        memo = self.memo
        found = memo.get(term)
        if found is not None:
            return found
        kind = type(term)
        if kind is ExternalChoice or kind is Prefix or kind is Input:
            moves = _prefix_moves(term, self.target)
            if moves is not None:
                found = memo[term] = saga.aborting(moves)
                return found
        stack = [term]
        while stack:
            node = stack[-1]
            if node in memo:
                stack.pop()
                continue
            operands = moving_operands(node)
            if type(node) in PARALLELS and self.narrows:
                side = wide_side(node)  # type: ignore[arg-type]
                if side is not None:  # the partner first, then the wide side for its offers
                    partner = operands[1 - side]
                    if partner not in memo:
                        stack.append(partner)
                        continue
                    stack.pop()
                    memo[node] = saga.aborting(
                        self._partnered(node, side, memo[partner], ()))  # type: ignore[arg-type]
                    continue
            missing = [op for op in operands if op not in memo]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            moves = fire(node, [memo[op] for op in operands], self.target)
            # outside sagas a throw ends the whole run (docs/sagas.md, section 3)
            memo[node] = moves if isinstance(node, SagaTerm) else saga.aborting(moves)
        return memo[term]


    def _partnered(self, node: Parallel | AlphaParallel, side: int, partner: list[Step],
                   demand: Demand) -> list[Step]:
        """The parallel's moves, its wide ``side`` asked only for what can fire beside
        ``partner`` (the partner's moves) and the outer ``demand`` (partners.py)."""
        wanted = partner_demand(node, side, partner, demand)
        narrowed = self.towards(node.right if side else node.left, wanted, 0)
        return fire(node, [partner, narrowed] if side else [narrowed, partner], self.target)

    def towards(self, term: Process, demand: Demand, depth: int = 0) -> list[Step]:
        """The moves of ``term`` except, perhaps, some that ``demand`` says cannot fire.

        Not memoised as the term's moves (they may lack some): a parallel's own
        moves, complete, are.
        """
        kind = type(term)
        if kind is Input:
            found = narrowed_input(term, demand)  # type: ignore[arg-type]
            if found is not None:
                normal = self.target
                return saga.aborting([(event, normal(then)) for event, then in found])
        elif kind in PASSING and depth < 64 and term not in self.memo and is_wide(term):
            if kind in PARALLELS:
                side = wide_side(term)  # type: ignore[arg-type]
                if side is not None:
                    partner = self.towards(term.left if side else term.right,  # type: ignore
                                            demand, depth + 1)
                    return saga.aborting(self._partnered(term, side, partner,  # type: ignore
                                                         demand))
            inner = hidden_demand(demand, term.hidden) if kind is Hide else \
                renamed_demand(demand, term.relation) if kind is Rename else demand  # type: ignore
            moves = [self.towards(op, inner, depth + 1) for op in moving_operands(term)]
            return saga.aborting(fire(term, moves, self.target))
        return self.transitions(term)


def transitions(term: Process, unfold: Unfold | None) -> list[Step]:
    """The moves of ``term`` by the firing rules, targets normalised.

    Args:
        term: any process term (``Call`` s in active position are unfolded first).
        unfold: gives one unfolding of a :class:`~procalg.terms.Call`, or ``None``
            for terms without calls.

    Returns:
        ``(label, target)`` pairs; the label is an event, ``TAU`` or ``TICK``.

    Example:
        >>> from procalg.terms import SKIP, Parallel
        >>> [(l, str(t)) for l, t in transitions(Parallel(SKIP, SKIP), None)]
        [('τ', 'Ω ||| SKIP'), ('τ', 'SKIP ||| Ω')]
    """
    rules = Rules(unfold)
    return rules.transitions(rules.normalise(term))
