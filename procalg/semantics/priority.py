"""FDR's priority operator ``prioritise(P, <A1, ..., An>)``, and ``chase(P)``.

An event of ``Ai`` may happen only where no event of an earlier ``Aj``
(``j < i``) is offered; τ and ✓ rank with ``A1``, and events in no ``Ai``
are never held back (FDR manual, "Prioritise"; the operational rule is
Roscoe's, *Understanding Concurrent Systems* §20.2, and the tock-CSP idiom
``prioritise(P, <{}, {tock}>)`` gives maximal progress: time passes only
when no τ or ✓ can). The rule looks at the other moves of the same state,
which no compositional term rule can, so ``P`` is explored to an explicit
table (as the compressions of :mod:`procalg.semantics.compress` are: by the
compiled engines where they apply, :mod:`procalg.semantics.compiled_operand`,
else by the term rules) and the table keeps only the moves priority allows.

``chase(P)`` (FDR manual, "Compression functions") is the same kind of
filter: where P can do τ it must, taking the first τ and offering nothing
else. It preserves P's semantics only where P's τs are confluent, which is
the user's promise when writing it, as in FDR.

Example:
    >>> from procalg.api import loads
    >>> model = loads("channel a, b\\nP = prioritise(a -> STOP [] b -> STOP, <{a}, {b}>)")
    >>> [str(label) for label, _ in model.process("P").moves()]
    ['a']
"""

from __future__ import annotations

from collections import abc
from collections.abc import Callable
from typing import Any, NamedTuple

from procalg.errors import LimitExceeded, ModelError, ProcalgError
from procalg.lts.held import HeldOrder
from procalg.lts.priority import Preemption
from procalg.lts.tau import effective_labels
from procalg.semantics.deep import with_room
from procalg.semantics.sos import Rules
from procalg.source import Span
from procalg.terms import OMEGA, Call, Hide, Process, Rename, Sequence, show_process
from procalg.terms.compressed import Compressed, MoveTable

MAX_STATES = 2_000_000
TAU, TICK = "τ", "✓"


def chase(term: Any, unfold: Callable[[Call], Process], span: Span | None = None,
          evaluator: Any = None) -> Compressed:
    """``chase(term)`` as an explicit process (see the module docstring).

    Example:
        >>> from procalg.api import loads
        >>> model = loads("channel a, b\\nP = chase((a -> STOP |~| b -> STOP) [] b -> STOP)")
        >>> [str(label) for label, _ in model.process("P").moves()]
        ['τ']
    """
    if not isinstance(term, Process):
        raise ModelError(f"chase needs a process, got {term!r}", span,
                         hint="write chase(P) with P a process")
    return _deferred("chase", term, unfold, span, _first_tau, None, Preemption.chasing(),
                     evaluator)


def _first_tau(moves: list[tuple[Any, Process]]) -> list:
    taus = [move for move in moves if move[0] == TAU]
    return taus[:1] if taus else moves


def prioritise(term: Any, order: Any, unfold: Callable[[Call], Process],
               span: Span | None = None, evaluator: Any = None) -> Compressed:
    """``prioritise(term, order)`` as an explicit process (explored by the
    compiled engines where they apply, given the model's ``evaluator``).

    Raises:
        ModelError: the arguments are not a process and a sequence of sets, or
            the process has more than :data:`MAX_STATES` states.
    """
    if not isinstance(term, Process):
        raise ModelError(f"prioritise needs a process first, got {term!r}", span,
                         hint="write prioritise(P, <A1, A2>) with P a process")
    if type(order) is not Sequence or not all(isinstance(s, frozenset) for s in order.items):
        raise ModelError("prioritise needs a sequence of sets of events second", span,
                         hint="write prioritise(P, <{}, {tock}>): earlier sets win")
    if not order.items:  # as libcspm: 'Prioritise must be called with a non-empty list'
        raise ModelError("prioritise needs at least one set of events", span,
                         hint="write prioritise(P, <{}, {tock}>): earlier sets win")
    rank: dict[Any, int] = {}
    for index, events in enumerate(order.items):
        for event in events:
            rank.setdefault(event, index)
    return _deferred("prioritise", term, unfold, span, lambda moves: _allowed(moves, rank),
                     rank, Preemption.ranks({str(e): k for e, k in rank.items()}), evaluator)


def _deferred(name: str, term: Process, unfold: Callable[[Call], Process], span: Span | None,
              keep: Callable[[list], list], rank: dict[Any, int] | None, order: Preemption,
              evaluator: Any = None) -> Compressed:
    """``name(term)`` whose table (of the moves ``keep`` allows) is explored when first read."""
    return Compressed(MoveTable(f"{name}({show_process(term)})", Deferred(
        lambda: _explicit(name, term, unfold, span, keep, evaluator).table.moves, term, rank,
        order)), 0)


class Deferred(abc.Sequence):
    """A prioritised process's table of moves, explored when first read.

    The product engine compiles ``term``'s network and filters it by ``rank``
    (:mod:`procalg.lts.priority`), or by ``order`` where it is one component of
    another network (:mod:`procalg.lts.nested`), without ever reading the
    table; the term-level rules read it (all of it, numbered breadth first).

    Attributes:
        term: the process under ``prioritise``, ``prioritisepo`` or ``chase``.
        rank: ``prioritise``'s classes (0 for ``A1``; τ and ✓ rank 0, others
            never wait), None for the other two.
        order: the same filter over label names, for all three.
    """

    def __init__(self, explore: Callable[[], tuple], term: Process,
                 rank: dict[Any, int] | None, order: Preemption) -> None:
        self._explore = explore
        self._rows: tuple | None = None
        self.term = term
        self.rank = rank
        self.order = order

    def _table(self) -> tuple:
        if self._rows is None:
            self._rows = self._explore()
        return self._rows

    def __getitem__(self, index):  # type: ignore[override]
        row = self._table()[index]
        if isinstance(row, ProcalgError):  # that state's model error, met when it is expanded
            raise row
        return row

    def __len__(self) -> int:
        return len(self._table())


class Source(NamedTuple):
    """What a prioritised (or chased) process is made of (see :class:`Deferred`)."""

    process: Process
    rank: dict[Any, int] | None
    order: Preemption


def priority_source(term: Process) -> Source | None:
    """``(P, rank, order)`` if ``term`` is the start of ``prioritise(P, ...)``,
    ``prioritisepo(P, ...)`` or ``chase(P)`` (the product engine may compile
    ``P`` and filter it), else None.

    Example:
        >>> from procalg.api import loads
        >>> model = loads("channel a, b\\nP = prioritise(a -> STOP [] b -> STOP, <{a}, {b}>)")
        >>> source = priority_source(model.spec.rules().normalise(model.process("P")))
        >>> str(source.process), sorted((str(e), k) for e, k in source.rank.items())
        ('a -> STOP [] b -> STOP', [('a', 0), ('b', 1)])
    """
    if type(term) is not Compressed or term.state != 0:
        return None
    moves = term.table.moves
    return Source(moves.term, moves.rank, moves.order) if isinstance(moves, Deferred) else None


def prioritised(term: Process, unfold: Callable[[Call], Process]) -> bool:
    """Whether ``term`` is a priority operator (``prioritise``, ``prioritisepo``,
    ``chase``) under nothing but hiding, renaming and calls: FDR's timed idiom
    ``sbisim(pri(P) \\ X)``, whose compression must not be given up on.

    Raises:
        LimitExceeded: a part of ``term`` a lossless compression gave up on was
            met while normalising it (transformations).

    Example:
        >>> from procalg.api import loads
        >>> model = loads("channel a, b\\nP = prioritise(a -> STOP [] b -> STOP, <{a}, {b}>)")
        >>> from procalg.terms import STOP
        >>> unfold = model.spec.evaluator.unfold
        >>> prioritised(Hide(model.process("P"), frozenset()), unfold), prioritised(STOP, unfold)
        (True, False)
    """
    try:
        top = Rules(unfold).normalise(term)
    except LimitExceeded:  # a part given up on: the compression around must see it
        raise
    except ProcalgError:  # the explorations report it
        return False
    while type(top) in (Hide, Rename):
        top = top.process
    return priority_source(top) is not None


def prioritise_po(term: Any, events: Any, order: Any, maximal: Any,
                  unfold: Callable[[Call], Process], span: Span | None = None,
                  evaluator: Any = None) -> Compressed:
    """``prioritisepo(P, A, R, M)``: priority by a partial order (FDR manual,
    "prioritisepo").

    ``R`` is a set of pairs ``(a, b)`` of events of ``A``: ``a`` pre-empts ``b``
    (transitively). ``M``, the events of ``A`` with τ's and ✓'s priority, must
    be maximal; τ and ✓ pre-empt every other event of ``A``. Events outside
    ``A`` are never held back, as in :func:`prioritise`. FDR's tick-tock
    encoding gives ``x`` priority over ``ref.x`` this way.

    Raises:
        ModelError: the arguments have the wrong kinds, ``R`` relates events
            outside ``A``, or an event of ``M`` is pre-empted by another.

    Example:
        >>> from procalg.api import loads
        >>> model = loads("channel a, b, c\\nP = prioritisepo(a -> STOP [] b -> STOP [] "
        ...               "c -> STOP, {a, b}, {(a, b)}, {a})")
        >>> sorted(str(label) for label, _ in model.process("P").moves())
        ['a', 'c']
    """
    if not isinstance(term, Process):
        raise ModelError(f"prioritisepo needs a process first, got {term!r}", span,
                         hint="write prioritisepo(P, A, {(a, b), ...}, M)")
    if not all(isinstance(s, frozenset) for s in (events, order, maximal)) or not all(
            type(p) is tuple and len(p) == 2 for p in order):
        raise ModelError("prioritisepo needs a set of events, a set of pairs of events and "
                         "a set of events after the process", span,
                         hint="write prioritisepo(P, A, {(a, b), ...}, M): a pre-empts b")
    outside = sorted({str(e) for pair in order for e in pair if e not in events}
                     | {str(e) for e in maximal if e not in events})
    if outside:
        raise ModelError(f"prioritisepo: {', '.join(outside)} not in its set of events", span,
                         hint="the order and the maximal events must be events of A")
    above: dict[Any, set[Any]] = {}  # b -> every a that pre-empts it (transitive closure)
    for a, b in order:
        above.setdefault(b, set()).add(a)
    changed = True
    while changed:  # O(|A|^3) at worst: orders are small
        changed = False
        for tops in above.values():
            more = set().union(*(above.get(a, ()) for a in tops)) - tops
            if more:
                tops |= more
                changed = True
    beaten = sorted(str(m) for m in maximal if above.get(m))
    if beaten:
        raise ModelError(f"prioritisepo: {', '.join(beaten)} must be maximal but some event "
                         "pre-empts it", span, hint="M holds events no pair (a, m) puts lower")
    below_tau = events - maximal
    order = Preemption({str(b): frozenset(str(a) for a in tops) for b, tops in above.items()}
                       | {str(b): frozenset({TAU, TICK}) | {str(a) for a in above.get(b, ())}
                          for b in below_tau})
    return _deferred("prioritisepo", term, unfold, span,
                     lambda moves: _allowed_po(moves, above, below_tau), None, order, evaluator)


def _allowed_po(moves: list[tuple[Any, Process]], above: dict[Any, set[Any]],
                below_tau: frozenset) -> list:
    offered = {label for label, _ in moves}
    silent = TAU in offered or TICK in offered
    return [(label, target) for label, target in moves
            if not ((silent and label in below_tau) or not offered.isdisjoint(
                above.get(label, ())))]


def _explicit(name: str, term: Process, unfold: Callable[[Call], Process], span: Span | None,
              keep: Callable[[list], list], evaluator: Any = None) -> Compressed:
    """Explore ``term`` breadth first, keeping in each state the moves ``keep``
    allows: by the compiled engines where they apply (as FDR compiles the
    operand of priority), else by the term rules."""
    if evaluator is not None:
        found = with_room(lambda: _compiled(name, term, span, keep, evaluator))
        if found is not None:
            return found
    return with_room(lambda: _explored(name, term, unfold, span, keep))


def _compiled(name: str, term: Process, span: Span | None, keep: Callable[[list], list],
              evaluator: Any) -> Compressed | None:
    """``term``'s compiled LTS (:func:`~procalg.semantics.compiled_operand.operand_lts`)
    filtered by ``keep``, its states numbered breadth first from the initial one;
    None where the compiled engines do not apply.

    The operand's LTS may be reduced modulo strong bisimulation: bisimilar
    states offer the same labels, so ``keep`` treats them alike and the
    filtered table stays strongly bisimilar to the term-level one. A model error
    met there gives None: the operand is explored whole, but a state only the
    moves ``keep`` drops reach is never the process's (docs/checks.md, "Model
    errors"), so :func:`_explored` decides, raising it only where it is reached.
    """
    from procalg.semantics.compiled_operand import operand_lts  # it imports the network,
    # which imports us
    try:
        found = operand_lts(term, evaluator, MAX_STATES)
    except LimitExceeded as err:
        if not err.states:  # no exploration stopped: a part a lossless compression
            raise  # around gave up on (transformations), which that one must see
        raise ModelError(f"{name}({show_process(term)}) has more than {MAX_STATES} states",
                         span, hint=f"apply {name} to a smaller part of the model") from err
    except (ProcalgError, HeldOrder):  # met in some state of the whole operand, which the
        return None  # filter may never let the process reach: the term rules walk the kept moves
    if found is None:
        return None
    lts, events = found
    rows: list[list[tuple[Any, int]]] = [[] for _ in range(lts.num_states)]
    for s, lab, d in zip(lts.src.tolist(), effective_labels(lts).tolist(), lts.dst.tolist(),
                         strict=True):
        rows[s].append((events[lab], d))
    index_of = {lts.initial: 0}
    order, kept = [lts.initial], []
    while len(kept) < len(order):
        row = keep(rows[order[len(kept)]])
        kept.append(row)
        for label, d in row:
            if label != TICK and d not in index_of:  # ✓ leads to Ω whatever its target
                index_of[d] = len(order)
                order.append(d)
    table = MoveTable(f"{name}({show_process(term)})", tuple(
        tuple((label, -1 if label == TICK else index_of[d]) for label, d in row)
        for row in kept))
    return Compressed(table, 0)


def _explored(name: str, term: Process, unfold: Callable[[Call], Process], span: Span | None,
              keep: Callable[[list], list]) -> Compressed:
    rules = Rules(unfold)
    start = rules.normalise(term)
    index_of: dict[Process, int] = {start: 0}
    queue, rows = [start], []
    while len(rows) < len(queue):
        state = queue[len(rows)]
        try:
            moves = keep(rules.transitions(state))
        except LimitExceeded:
            raise
        except ProcalgError as err:  # the state's own: raised only if a check expands it
            rows.append(err)  # (docs/checks.md, "Model errors"), as a held error is
            continue
        rows.append(moves)
        for _, target in moves:
            if target is not OMEGA and target not in index_of:
                if len(index_of) >= MAX_STATES:
                    raise ModelError(f"{name}({show_process(term)}) has more than "
                                     f"{MAX_STATES} states", span,
                                     hint=f"apply {name} to a smaller part of the model")
                index_of[target] = len(queue)
                queue.append(target)
    table = MoveTable(f"{name}({show_process(term)})", tuple(
        row if isinstance(row, ProcalgError) else
        tuple((label, -1 if target is OMEGA else index_of[target]) for label, target in row)
        for row in rows))
    return Compressed(table, 0)


def _allowed(moves: list[tuple[Any, Process]], rank: dict[Any, int]) -> list:
    """The moves no move of a better-ranked label pre-empts (τ and ✓ rank 0)."""
    def rank_of(label: Any) -> int | None:
        return 0 if label in (TAU, TICK) else rank.get(label)

    ranks = [r for r in (rank_of(label) for label, _ in moves) if r is not None]
    best = min(ranks, default=None)
    return [(label, target) for label, target in moves
            if (r := rank_of(label)) is None or r <= best]
