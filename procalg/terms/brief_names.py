"""Naming a term briefly: as written while its event sets are small, else by its operator.

Printing a term sorts every event set in it, and generated models hide,
rename and synchronise on channels of hundreds of thousands of events: the
names of compressed processes and of network leaves (shown in ``--stats``)
would cost seconds each. A term is printed only while its sets hold at most
``max_events`` events in all; past that, its operator stands for it.

Example:
    >>> from procalg.terms import STOP, Call, Event, Hide, Prefix
    >>> brief_name(Hide(Prefix(Event("a"), STOP), frozenset({Event("a")})))
    'a -> STOP \\\\ {a}'
    >>> brief_name(Hide(STOP, frozenset(Event("c", (i,)) for i in range(100))))
    'Hide(…)'
    >>> brief_name(Call("P", (frozenset(range(100)),)))
    'Call(…)'
    >>> brief_name(Prefix(Event("a"), Prefix(Event("b"), STOP)), width=8)
    'a -> b -…'
"""

from __future__ import annotations

from procalg.terms.process import Process, show_process
from procalg.terms.renaming import Renaming

NAMED_EVENTS = 64
"""A term is named as written while its event sets hold at most this many events."""


def brief_name(term: Process, max_events: int = NAMED_EVENTS, width: int | None = None) -> str:
    """``term`` as written (its first ``width`` characters) when its event sets hold
    at most ``max_events`` events in all, else its operator alone.

    Sets are counted in the term's fields at any depth: hidden, synchronised
    and interface sets, renamings (their pairs and rules), and set arguments
    of calls. O(size of the term) until the budget runs out.
    """
    budget, todo = max_events, [term]
    while todo and budget >= 0:
        node = todo.pop()
        for field in getattr(type(node), "__slots__", ()):
            value = getattr(node, field, None)
            if isinstance(value, Process):
                todo.append(value)
            elif isinstance(value, frozenset | Renaming):
                budget -= len(value)
            elif isinstance(value, tuple):  # a call's arguments
                budget -= sum(len(v) for v in value if isinstance(v, frozenset))
    if budget < 0:
        return f"{type(term).__name__}(…)"
    return clipped(show_process(term), width)


def clipped(text: str, width: int | None) -> str:
    """``text`` cut to ``width`` characters, an ellipsis saying it was cut.

    Example:
        >>> clipped("a -> b -> STOP", 8), clipped("STOP", 8)
        ('a -> b -…', 'STOP')
    """
    if width is None or len(text) <= width:
        return text
    return text[:width] + "…"


def opening(term: Process, width: int) -> str:
    """:func:`clipped` ``show_process(term)``, printing stopped just past ``width``
    characters: a network leaf's term is a choice of many branches, each with
    its own large sets (a mobile regulator's alphabets: seconds to print whole).

    Example:
        >>> from procalg.terms import STOP, Event, ExternalChoice, Prefix
        >>> opening(ExternalChoice(Prefix(Event("a"), STOP), Prefix(Event("b"), STOP)), 9)
        'a -> STOP…'
    """
    return clipped(show_process(term, width + 1), width)
