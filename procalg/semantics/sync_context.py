"""Which events the parallels above a subterm synchronise: does one narrow a wide input?

The term-level parallel asks a side whose wide input is wholly synchronised only
for the events its partner offers (:mod:`procalg.semantics.partners`): a
100,000-way ``c?x`` beside ``c!3`` costs one continuation. An input that no
parallel above synchronises on (``c?x -> STOP ||| d -> STOP``, or one whose
events a hiding between it and the parallel turns into τ) is expanded whole by
every engine, so a network leaf holding it may be compiled like any other.

A :data:`Context` lists, from the top down, each parallel's synchronised set
seen from the operand, as :func:`procalg.semantics.partners.partner_demand` reads
it, with the hidden sets met below that parallel; a renaming maps the sets back
to its operand's events as :func:`~procalg.semantics.partners.renamed_demand`
does. Deciding costs one walk of the operator tree (the network compiler's
``wide_leaf``), never a look at a leaf's states.

Example:
    >>> from procalg.terms import Event, Parallel, STOP
    >>> c = frozenset({Event("c", (1,))})
    >>> net = Parallel(STOP, STOP, c)
    >>> [len(ctx) for ctx in operand_contexts(net, (), 2)]
    [1, 1]
"""

from __future__ import annotations

from procalg.semantics.operands import moving_operands
from procalg.semantics.partners import PASSING
from procalg.semantics.partners import images_within as renamed_sets
from procalg.terms import AlphaParallel, Hide, Parallel, Process, Rename
from procalg.terms.input import Input

Context = tuple[tuple[frozenset, tuple[frozenset, ...]], ...]
"""Pairs ``(S, H)`` from the parallels above: ``S`` the events the parallel
synchronises with this operand's partner, ``H`` the sets hidden between it and here."""


def operand_contexts(term: Process, context: Context, count: int) -> list[Context]:
    """The context of each of the ``count`` operands of a compiled ``term``, in
    :meth:`procalg.semantics.network_shape.Shape.operands`' order (every operator
    but parallel, hiding and renaming keeps its operands' labels: they share its
    context)."""
    if type(term) is Parallel:
        return [(*context, (term.sync, ())), (*context, (term.sync, ()))]
    if type(term) is AlphaParallel:  # the partner's alphabet: shared, or never fired
        return [(*context, (term.right_alpha, ())), (*context, (term.left_alpha, ()))]
    if type(term) is Hide:
        return [tuple((sync, (*hidden, term.hidden)) for sync, hidden in context)]
    if type(term) is Rename:
        return [tuple((renamed_sets(term.relation, sync),
                       tuple(renamed_sets(term.relation, h) for h in hidden))
                      for sync, hidden in context)]
    return [context] * count


_LOOK = 64  # subterms of a leaf looked at, as partners.widest_input looks


def widest_synchronised(term: Process, context: Context,
                        within: int | None = None) -> tuple[int, Input] | None:
    """The widest input among a leaf's moving operands (through the operators whose
    moves carry theirs, parallels and hiding inside the leaf included) that a
    parallel of ``context`` or of the leaf synchronises on, with its width; or None.
    With ``within``, only the first ``within`` parallels of ``context`` count.

    Example:
        >>> from procalg.api import loads
        >>> model = loads("channel c : {0..9}\\nP = c?x -> STOP")
        >>> leaf = model.spec.rules().normalise(model.process("P"))
        >>> every_c = model.spec.events
        >>> widest_synchronised(leaf, ()), widest_synchronised(leaf, ((every_c, ()),))[0]
        (None, 10)
    """
    best: tuple[int, Input] | None = None
    todo = [(term, context)]
    for _ in range(_LOOK):
        if not todo:
            break
        item, here = todo.pop()
        kind = type(item)
        if kind is Input:
            width = item.width() if item.is_wide() else None
            if width is not None and (best is None or width > best[0]) \
                    and synchronised(item, here if within is None else here[:within]):
                best = (width, item)
        elif kind in PASSING:
            operands = moving_operands(item)
            todo.extend(zip(operands, operand_contexts(item, here, len(operands)), strict=True))
    return best


def synchronised(term: Input, context: Context) -> bool:
    """Whether some parallel of ``context`` synchronises on every event ``term``
    may offer, none of them hidden on the way (then the term rules narrow it)."""
    site, captured = term.site, term.captured
    return any(site.is_within(captured, sync)
               and not any(site.is_within(captured, h) for h in hidden)
               for sync, hidden in context)

