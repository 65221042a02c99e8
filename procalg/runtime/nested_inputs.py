"""States with inputs under operators, compiled from their events: a continuation is
evaluated for the event a run takes.

:mod:`~procalg.runtime.input_states` compiles a state that *is* an input
prefix. Workflow states are rarely that bare: an account waits in
``deposit?x -> ... [] withdraw?x -> ... [] close -> ...`` beside a clerk
(``[| |]``), a loop body runs under ``;`` or a saga. The term rules
(:mod:`procalg.semantics.sos`) expand every value of every such input to
give the state's moves, although a run takes one of them.

:meth:`Pendings.moves` gives the same moves with each input's continuations
left *pending*: every input in active position offers its events and their
bindings (:meth:`~procalg.terms.input.InputSite.offer`), and each move of
the input gets a :class:`Pending` placeholder as its target instead of the
continuation. The operators above it are fired by the rules' own
:func:`~procalg.semantics.sos.fire` (and
:func:`~procalg.semantics.saga.fire`), which place an operand's target in
the new term without looking into it (``P [] Q --a--> P'``,
``P ; Q --a--> P' ; Q``, ``P [| A |] Q --a--> P' [| A |] Q'``, ...), so a
move's label, and the shape of its target around the placeholders, are the
rules' own. :class:`NestedTargets` replaces a label's placeholders by their
continuations (normalised as the rules would) the first time a run takes
the label. Operators that do look into their operands' targets (the
synchronising choice and interrupt, compressed and child-run terms) take
their operand's moves from the rules in full; an input whose events include
``throw`` (which the rules rewrite) is expanded too. This is the lazy
successor generation of on-the-fly model checking (Holzmann, *The SPIN
Model Checker*, 2003, ch. 8) pushed through the operator tree, as FDR's
supercombinators fire an operator tree over its leaves' transitions
(Roscoe, *Understanding Concurrent Systems*, 2010, ch. 9).

Example:
    >>> from procalg.api import run as api
    >>> from procalg.api.model import loads
    >>> from procalg.runtime.machine import Machine
    >>> from procalg.runtime.workflow import Workflow
    >>> from procalg.semantics.system import TermSystem
    >>> from procalg.terms import Event
    >>> model = loads("activity c : {0..2} never fails\\nchannel d : {0..2}\\n"
    ...               "P = c?x -> d!x -> P [] d?x -> STOP")
    >>> wf = api.workflow(model, "P")
    >>> rules = TermSystem(wf.system.term, wf.system.rules)  # the term path: no compiled states
    >>> machine = Machine(Workflow(rules, wf.channels))
    >>> node = machine.node(machine.initial())
    >>> type(node.targets).__name__, len(node.labels), len(machine)
    ('NestedTargets', 6, 1)
    >>> [str(machine.term(t)) for t in node.targets[Event("c", (1,))]], len(machine)
    (['d.1 -> P'], 2)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from procalg.errors import ProcalgError
from procalg.runtime.input_states import LazyTargets
from procalg.semantics import saga
from procalg.semantics.operands import active_operands, moving_operands, with_operands
from procalg.semantics.sos import Rules, fire
from procalg.terms import (
    AlphaParallel,
    ExceptionOp,
    ExternalChoice,
    Hide,
    Interrupt,
    Parallel,
    Prefix,
    Rename,
    Seq,
    Stop,
    Timeout,
)
from procalg.terms.input import Input
from procalg.terms.process import Process, term_class
from procalg.terms.saga import (
    THROW_EVENT,
    After,
    CExt,
    CPar,
    CSeq,
    Revert,
    Rollback,
    Saga,
    SagaTerm,
    Step,
)
from procalg.terms.values import Event, Label

if TYPE_CHECKING:
    from procalg.runtime.machine import Machine

Move = tuple[Label, Process]

PLACING = frozenset({ExternalChoice, Seq, Parallel, AlphaParallel, Hide, Rename, Interrupt,
                     Timeout, ExceptionOp, Saga, Step, CSeq, After, CPar, CExt, Rollback,
                     Revert})
"""Operators whose rules place an operand's target in the new term without reading it
(for a visible event of the operand): fired over pending targets."""


@term_class
class Pending(Process):
    """The continuation of the ``index``-th offered event of input ``term``, not yet evaluated.

    Never a state: it stands in a move's target until the move is taken.
    """

    term: Input
    index: int
    precedence: ClassVar[int] = 0

    def show(self) -> str:
        return f"<pending {self.index} of {self.term}>"


class Pendings:
    """The moves with pending targets of the subterms a machine's states hold, kept across
    states: ``Account(b)`` recurs beside every count of the clerk, and its moves (whose
    placeholders name the input, not the state) are computed once.

    Args:
        rules: the rules the machine's system fires.
    """

    __slots__ = ("memo", "offers", "rules")

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.memo: dict[Process, list[Move]] = {}  # subterms whose moves hold a Pending
        self.offers: dict[Input, Any] = {}  # per input term: its events and bindings

    def moves(self, term: Process) -> list[Move] | None:
        """``term``'s moves by the rules with its inputs' continuations :class:`Pending`;
        None if no input is pending, or evaluating failed (the rules then give the
        moves, or report the error)."""
        try:
            moves, pending = self._moves(term)
        except (ProcalgError, RecursionError):
            return None
        return moves if pending else None

    def bindings(self, term: Input) -> tuple[Any, ...]:
        """The bindings of a pending input's events."""
        return self.offers[term][1]

    def _moves(self, node: Process) -> tuple[list[Move], bool]:
        """``node``'s moves, and whether a target holds a :class:`Pending`."""
        found = self.memo.get(node)
        if found is not None:
            return found, True
        rules = self.rules
        found = rules.memo.get(node)
        if found is not None:
            return found, False
        kind = type(node)
        if kind is Input:
            return self._input(node)
        if kind is ExternalChoice:
            found = self._choice(node)
            if found is not None:
                return found
        if kind not in PLACING:
            return rules.transitions(node), False
        parts = [self._moves(op) for op in moving_operands(node)]
        if not any(pending for _, pending in parts):
            return rules.transitions(node), False
        out = fire(node, [m for m, _ in parts], rules.normalise)
        found = self.memo[node] = out if isinstance(node, SagaTerm) else saga.aborting(out)
        return found, True

    def _choice(self, node: ExternalChoice) -> tuple[list[Move], bool] | None:
        """A choice of prefixes and inputs (a sequential process's usual state) in one pass,
        as the rules' ``_prefix_moves`` gives it: the branches' moves, left to right; None if
        a branch is anything else."""
        out: list[Move] = []
        pending = False
        todo: list[Process] = [node]
        normal = self.rules.normalise
        while todo:
            item = todo.pop()
            kind = type(item)
            if kind is Prefix:
                out.append((item.event, normal(item.then)))
            elif kind is Input:
                moves, waits = self._input(item)  # type: ignore[arg-type]
                out.extend(moves)
                pending = pending or waits
            elif kind is ExternalChoice:
                todo.append(item.right)  # type: ignore[attr-defined]
                todo.append(item.left)  # type: ignore[attr-defined]
            elif kind is not Stop:
                return None
        if not pending:
            return self.rules.transitions(node), False
        found = self.memo[node] = saga.aborting(out)
        return found, True

    def _input(self, node: Input) -> tuple[list[Move], bool]:
        site = node.site
        if site.offer is None:
            return self.rules.transitions(node), False
        found = self.offers.get(node)
        if found is None:
            found = self.offers[node] = site.offer(node.captured)
        labels, _ = found
        if THROW_EVENT in labels:  # the rules rewrite a throw's target: theirs, in full
            return self.rules.transitions(node), False
        moves = self.memo[node] = [(label, Pending(node, i)) for i, label in enumerate(labels)]
        return moves, True


class NestedTargets(LazyTargets):
    """A state's target ids per label, each label's evaluated when first asked.

    Args:
        machine: the machine that interns the targets.
        term: the state.
        moves: its moves with pending targets (:meth:`Pendings.moves`), and
            ``pendings``, where the bindings of each pending input are.
        normal: normalises a continuation as the rules do; ``post`` turns a
            target of the rules into the system's (child runs made opaque), or None.
    """

    __slots__ = ("_moves", "labels", "normal", "pendings", "post", "term")

    def __init__(self, machine: Machine, term: Process, moves: list[Move],
                 pendings: Pendings, normal: Callable[[Process], Process],
                 post: Callable[[Process], Process] | None) -> None:
        self.term, self.normal, self.post = term, normal, post
        self.pendings = pendings
        self.labels = tuple(label for label, _ in moves)
        by_label: dict[Label, list[Process]] = {}
        for label, target in moves:
            by_label.setdefault(label, []).append(target)
        self._moves = by_label
        super().__init__(machine, by_label)

    def continuations(self, label: Label) -> list[Process]:
        """The targets of ``label`` as terms, in the canonical order (by printed term)."""
        try:
            found = [self._fill(t) for t in self._moves[label]]
        except (ProcalgError, RecursionError):
            self.machine.workflow.system.successors(self.term)  # the error as the rules say it
            raise
        if self.post is not None:
            found = [self.post(t) for t in found]
        if len(found) > 1:
            found.sort(key=str)  # the canonical order of decide.targets
        return found

    def _fill(self, term: Process) -> Process:
        """``term`` with each :class:`Pending` replaced by its continuation (placeholders
        stand only where operands are active: the walk follows those)."""
        if type(term) is Pending:
            source = term.term
            binding = self.pendings.bindings(source)[term.index]
            return self.normal(source.site.followed(source.captured, binding))
        operands = active_operands(term)
        if not operands:
            return term
        new = [self._fill(op) for op in operands]
        if all(a is b for a, b in zip(new, operands, strict=True)):
            return term
        return with_operands(term, new)

    def after_once(self) -> Callable[[Event, Event], bool]:
        """``after(e, f)``: whether ``f`` is offered in every state ``e`` leads to, for one
        batch (:func:`~procalg.runtime.units.choose`; memoised per ``e`` while it runs)."""
        successors = self.machine.workflow.system.successors
        memo: dict[Event, frozenset[Label]] = {}

        def after(event: Event, other: Event) -> bool:
            found = memo.get(event)
            if found is None:
                found = memo[event] = frozenset.intersection(*[
                    frozenset(lab for lab, _ in successors(t))
                    for t in self.continuations(event)])
            return other in found

        return after


def rules_of(system: Any) -> tuple[Rules, Callable[[Process], Process] | None] | None:
    """The rules ``system`` fires, and what it does to their targets (None: nothing);
    None for a system that is not the term rules."""
    from procalg.semantics.child import OpaqueChildren, opaque  # imports the syntax (lark)

    if isinstance(system, OpaqueChildren):
        inner = rules_of(system.system)
        return None if inner is None or inner[1] is not None else (inner[0], opaque)
    rules = getattr(system, "rules", None)
    return (rules, None) if isinstance(rules, Rules) else None
