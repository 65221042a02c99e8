"""Which subterms of a process the network compiler compiles as operators.

:func:`procalg.semantics.network.compile_network` compiles an operator when a
parallel operator lies somewhere below it (through operators it compiles);
every other subterm is a leaf.

Example:
    >>> from procalg.terms import Call, Event, Parallel, Prefix, STOP
    >>> from procalg.semantics.sos import Rules
    >>> shape = Shape(Rules({}.__getitem__))
    >>> a = Event("a")
    >>> net = Parallel(STOP, STOP, frozenset())
    >>> shape.compiled(Prefix(a, net)), shape.compiled(Prefix(a, STOP))
    (True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

from procalg.errors import ProcalgError
from procalg.semantics.operands import active_operands
from procalg.semantics.priority import priority_source
from procalg.semantics.sos import Rules
from procalg.semantics.sync_context import Context, operand_contexts, widest_synchronised
from procalg.terms import (
    AlphaParallel,
    Call,
    ExceptionOp,
    ExternalChoice,
    Hide,
    Input,
    InternalChoice,
    Interrupt,
    Omega,
    Parallel,
    Prefix,
    Process,
    Rename,
    Seq,
    Timeout,
)
from procalg.terms.synchronising import SyncChoice, SyncInterrupt

NETWORK_OPERATORS = (Parallel, AlphaParallel, Hide, Rename)
CONTROL_OPERATORS = (Seq, ExternalChoice, InternalChoice, Interrupt, Timeout, Prefix, ExceptionOp,
                     SyncChoice, SyncInterrupt, Input)
CHOICES = (ExternalChoice, InternalChoice, Interrupt, Timeout, SyncChoice, SyncInterrupt)
INPUT_BRANCHES = 64
"""The most events an input on top may offer and still be compiled (one
control component over its branches, each branch its own operand network);
a wider one is a leaf."""
WIDE_INPUT = 1_000
"""Events one input of a leaf may offer at once before the term-level rules run instead:
a component explored on its own expands every value, while the term-level parallel
asks it only for its partners' events (``procalg.semantics.partners``)."""
WIDE_WHOLE_MOVES = 50_000
"""Most moves a leaf may have to be explored whole when its wide synchronised input
has no partner labels to narrow it (a lazy partner declares every event): past
this, the term-level rules, which ask it only for the events its partners offer
(:func:`procalg.semantics.network_narrow.leaf_scope`).

Measured (session 31, CPU s, ``W = w?x -> W`` beside a 60,000-step counter
``w!(n % K)``, product / term rules): K = 2,000: 2.1 / 2.8; K = 20,000: 2.2 / 2.3;
K = 50,000: 3.4 / 3.1; K = 200,000 (this bound raised): 9.5 / 4.5. The product
pays a rule, an event and a template per value at set-up (about 40 µs each);
the term rules only for the values the counter offers. So past this bound the
term rules are the faster engine, and ``auto`` takes them.

Session 33 (wide9) split that cost (``python -m benchmarks.wide_setup --check
60000``): at 200,000 values about 25 µs a value in a dozen places (the leaf's
static offers and moves, ``{|v|}`` listed, a SyncRule, driver rows and trace
counts per value, and freeing them), against 0.6 s for the counter's walk
itself. Raising this bound needs labels with a value range and a rule per
channel, not a faster loop in one of them."""
MAX_DEPTH = 64
"""Control operators nested on one path before the structure counts as
unbounded (recursion with changing parameters, ``Net(n) = ... ; Net(n+1)``)."""


@dataclass(frozen=True, slots=True)
class NotApplicable:
    """Why the product engine does not apply to a process (the reference runs).

    Attributes:
        reason: one line for people (``--stats`` shows it).
    """

    reason: str


class Shape:
    """Which subterms the walk compiles as operators and which are leaves.

    An operator is compiled when a ``Parallel`` (or ``AlphaParallel``) lies
    somewhere below it; ``leaves`` holds the terms found to recurse through
    the operator tree, which stay leaves whatever lies below them.
    """

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.memo: dict[tuple[Process, bool], bool] = {}
        self.leaves: set[Process] = set()
        self.call_free: dict[Process, bool] = {}
        self.normal_forms: set[Process] = set()

    def operands(self, term: Process) -> list[Process]:
        """The operands a compiled ``term`` is built from, normalised."""
        normal = self.normal
        source = priority_source(term)
        if source is not None:
            return [normal(source.process)]
        if isinstance(term, Parallel | AlphaParallel | ExternalChoice | InternalChoice
                      | Interrupt | Timeout | SyncChoice | SyncInterrupt):
            return [normal(term.left), normal(term.right)]
        if isinstance(term, Seq):
            return [normal(term.first), normal(term.second)]
        if isinstance(term, Prefix):
            return [normal(term.then)]
        if isinstance(term, Input):
            return [normal(then) for then in input_branches(term)[1]]
        if isinstance(term, ExceptionOp):
            return [normal(term.process), normal(term.handler)]
        return [normal(term.process)]

    def normal(self, term: Process) -> Process:
        """``term`` normalised (:meth:`Rules.normalise`), without a walk where
        no call and no hiding directly over a hiding stands in its active part:
        then it is normal already (the term rules' normal form merges
        ``(P \\ A) \\ B`` into ``P \\ (A ∪ B)``; a leaf kept unmerged had a
        state more than the term rules, its start before the merge).

        The walk down an operator tree asks for every operand's normal form;
        normalising each one afresh walked its whole active part again, so an
        n-deep ``|||`` chain cost n² (issue 11). Which subterms are free of
        active calls is decided once per subterm (memoised): linear overall.

        A normal form is never normalised again: normalising is not idempotent
        where a recursive call stays behind a τ (``T = X [> (Y [> T)`` keeps
        its inner ``T``, which a second normalisation unfolds into a larger
        term, and so on at every operand: the walks below met an ever-deeper
        term each step, a stall and then ``RecursionError`` in term equality).
        Kept as the first normalisation made it, the walk meets the same term
        again and sees the loop. So are its active subterms: the walk asks for
        them next, and normalising one alone unfolds the call its parent left
        behind a ``|~|`` (``T = c -> STOP |~| ((b -> STOP ||| a -> STOP) |~|
        (T |~| STOP))`` met a larger term at every level, a stall).
        """
        if term in self.normal_forms or self._call_free(term):
            return term
        normal = self.rules.normalise(term)
        self._keep(normal)
        return normal

    def _keep(self, normal: Process) -> None:
        """Record ``normal`` and its active subterms but calls as normal forms."""
        kept = self.normal_forms
        todo = [normal]
        while todo:
            here = todo.pop()
            if here in kept or type(here) is Call:
                continue
            kept.add(here)
            todo.extend(active_operands(here))

    def _call_free(self, term: Process) -> bool:
        """No :class:`Call` nor nested hiding in ``term``'s active part (post-order,
        explicit stack)."""
        known = self.call_free
        found = known.get(term)
        if found is not None:
            return found
        todo: list[tuple[Process, bool]] = [(term, False)]
        while todo:
            here, ready = todo.pop()
            if here in known:
                continue
            if type(here) is Call or (type(here) is Hide and type(here.process) is Hide):
                known[here] = False  # a hiding over a hiding too: the term rules merge them
                continue
            operands = active_operands(here)
            if ready:
                known[here] = all(known[op] for op in operands)
                continue
            todo.append((here, True))
            todo.extend((op, False) for op in operands if op not in known)
        return known[term]

    def compiled(self, term: Process) -> bool:
        """Whether ``term`` is compiled as an operator (else it is a leaf)."""
        if term in self.leaves:
            return False
        if isinstance(term, Parallel | AlphaParallel):
            return True
        return self.structured(term, 0, prefixes=True)

    def structured(self, term: Process, depth: int, *, prefixes: bool) -> bool:
        """A parallel operator lies below ``term`` through compiled operators.

        A term met again while it is being decided (recursion) or below
        ``MAX_DEPTH`` operators counts as unstructured: a leaf is always
        correct. Prefixes are looked through only outside choices (``prefixes``),
        so that a choice over many inputs (``c?x -> P(x)``) costs nothing here.
        """
        if isinstance(term, Parallel | AlphaParallel):
            return True
        if priority_source(term) is not None and term not in self.leaves:
            return self._evaluates(term)  # over a sequential operand: a filtered leaf
        if not (isinstance(term, NETWORK_OPERATORS + CONTROL_OPERATORS)
                or priority_source(term) is not None) or term in self.leaves or depth > MAX_DEPTH \
                or (isinstance(term, Prefix | Input) and not prefixes) \
                or (isinstance(term, Input) and not _narrow(term)):
            return False
        key = (term, prefixes)
        if key not in self.memo:
            self.memo[key] = False  # in progress: a cycle back here finds no parallel
            inner = prefixes and not isinstance(term, CHOICES)
            try:
                operands = self.operands(term)
            except ProcalgError:  # e.g. a continuation that fails to evaluate: a leaf
                return False  # says so when (and if) the term rules reach it
            self.memo[key] = any(self.structured(op, depth + 1, prefixes=inner)
                                 for op in operands)
        return self.memo[key]


    def _evaluates(self, term: Process) -> bool:
        """Whether ``term``'s operands evaluate (else it is a leaf: the term rules
        report the error where they reach it)."""
        try:
            self.operands(term)
        except ProcalgError:
            return False
        return True


def wide_leaf(top: Process, shape: Shape, context: Context = ()) -> str | None:
    """Why a leaf is better left to the term-level rules, found before any leaf is
    explored; None if no leaf is. With ``context`` (the parallels above ``top``),
    only a leaf whose wide input one of those synchronises counts.

    A leaf whose input offers more than :data:`WIDE_INPUT` events and which a
    parallel above synchronises on those events: the term-level parallel asks it
    only for the events its partner offers (:mod:`procalg.semantics.partners`),
    while a component explored on its own would expand every value. An input no
    parallel above synchronises on (``c?x -> STOP ||| d -> STOP``) is expanded
    whole by both engines, so such a leaf is compiled.

    Example:
        >>> from procalg.api import loads
        >>> model = loads("channel c : {0..1999}\\nchannel d\\n"
        ...               "Free = c?x -> STOP ||| d -> STOP\\n"
        ...               "Held = c?x -> STOP [| {|c|} |] c!3 -> STOP")
        >>> shape = Shape(model.spec.rules())
        >>> wide_leaf(shape.normal(model.process("Free")), shape) is None
        True
        >>> wide_leaf(shape.normal(model.process("Held")), shape)[:44]
        "a component's input offers up to 2,000 event"
    """
    seen: set[tuple[Process, Context]] = set()
    todo: list[tuple[Process, Context]] = [(top, context)]
    within = len(context) or None
    while todo and len(seen) < 10_000:  # a bounded look: the build finds recursion itself
        term, context = todo.pop()
        if (term, context) in seen or type(term) is Omega:
            continue
        seen.add((term, context))
        if shape.compiled(term):
            try:
                operands = shape.operands(term)
                contexts = operand_contexts(term, context, len(operands))
                todo.extend(zip(operands, contexts, strict=True))
            except ProcalgError:
                continue  # the build reports it where it matters
            continue
        found = widest_synchronised(term, context, within)
        if found is not None and found[0] > WIDE_INPUT:
            return wide_reason(*found)
    return None


def wide_reason(width: int, term: Input, *, whole: str | None = None) -> str:
    """Why a leaf with wide input ``term`` is left to the term rules (its partner's
    labels are unknown before the search: a lazy partner, or wide itself; with
    ``whole``, why it was not explored whole either).

    Example:
        >>> from procalg.api import loads
        >>> model = loads("channel c : {0..1999}\\nP = c?x -> P")
        >>> term = model.spec.rules().normalise(model.process("P"))
        >>> wide_reason(2000, term, whole="more than 50,000 moves")[-44:]
        '(not explored whole: more than 50,000 moves)'
    """
    return (f"a component's input offers up to {width:,} events at once "
            f"({str(term)[:40]}): the term-level rules ask it only for the "
            "events its partners offer" + (
                f" (not explored whole: {whole})" if whole else ""))


def too_large_whole(max_states: int | None) -> str:
    """Why a leaf the network must explore whole (in a nested network kept one
    component, as ``chase``'s, or its events unknown) leaves the process to the term
    rules: it passed ``max_states``. (A leaf under a control operator a recursion
    restarts is lazy: :mod:`procalg.lts.lazy_returns`; one under a priority scope
    too: :mod:`procalg.semantics.network_nested`.)

    Example:
        >>> too_large_whole(50)[:50]
        'a sequential component has more than 50 states and'
    """
    return (f"a sequential component has more than {max_states} states and is explored "
            "whole here (in a nested network, as chase's, or its events unknown), so "
            "the term rules walk only what the check needs")


def _narrow(term: Input) -> bool:
    """Whether input ``term`` offers at most :data:`INPUT_BRANCHES` events
    (known without expanding a wider one)."""
    width = term.width()
    if width is None and term.is_wide():
        return False
    try:
        return len(term.moves()) <= INPUT_BRANCHES if width is None else width <= INPUT_BRANCHES
    except ProcalgError:  # a continuation that fails to evaluate: the term rules say so
        return False


def input_branches(term: Input) -> tuple[list[tuple[Process, int]], list[Process]]:
    """An input's events, each with the index of its continuation, and its
    distinct continuations (in first-offered order).

    Equal continuations are one branch (``c?x -> P`` has one), so the
    compiled input has one state per distinct term after it, as the term
    rules have.

    Example:
        >>> from procalg.api import loads
        >>> model = loads("channel c : {0..2}\\nchannel d\\n"
        ...               "P = c?x -> (if x == 0 then STOP else d -> STOP)")
        >>> events, branches = input_branches(model.spec.rules().normalise(model.process("P")))
        >>> [(str(e), i) for e, i in events], len(branches)
        ([('c.0', 0), ('c.1', 1), ('c.2', 1)], 2)
    """
    index: dict[Process, int] = {}
    events: list[tuple[Process, int]] = []
    for event, then in term.moves():
        events.append((event, index.setdefault(then, len(index))))
    return events, list(index)
