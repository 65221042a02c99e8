"""Process terms: the closed set of CSP operators as frozen dataclasses.

A term is immutable and hashable; its hash is computed once at construction
(terms are dictionary keys in every exploration). Terms hold evaluated
values only: guards, ``if``, ``let`` and input prefixes are resolved when a
model is evaluated, and recursion is a :class:`Call` that the semantics
unfolds on demand. The operational rules live in ``procalg.semantics.sos``.

Example:
    >>> a, b = Event("a"), Event("b")
    >>> p = ExternalChoice(Prefix(a, STOP), Prefix(b, SKIP))
    >>> print(p)
    a -> STOP [] b -> SKIP
    >>> p == ExternalChoice(Prefix(a, STOP), Prefix(b, SKIP)), len({p, p})
    (True, 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, ClassVar

from procalg.terms.renaming import PairRenaming, Renaming
from procalg.terms.values import Event, Value, show, sort_key


class Process:
    """Base class of every process term (no fields of its own)."""

    __slots__ = ()
    precedence: ClassVar[int] = 0  # binding strength for printing; 0 = atomic


def term_class(cls: type) -> type:
    """Make ``cls`` a frozen slotted dataclass with a hash computed once.

    Hash and equality read the fields through one ``attrgetter`` (a C call):
    terms are built, hashed and compared for every transition explored.
    """
    cls.__annotations__["_hash"] = int
    cls._hash = field(init=False, repr=False, compare=False)
    kind = cls.__name__
    get: Any = None

    def __post_init__(self: Any) -> None:
        object.__setattr__(self, "_hash", hash((kind, get(self))))

    def __hash__(self: Any) -> int:
        return self._hash

    def __eq__(self: Any, other: object) -> bool:
        if self is other:
            return True
        if type(other) is not type(self):
            return False
        return self._hash == other._hash and get(self) == get(other)

    cls.__post_init__ = __post_init__
    cls.__hash__ = __hash__
    cls.__eq__ = __eq__
    new = dataclass(frozen=True, slots=True, eq=False)(cls)
    names = tuple(f.name for f in fields(new) if f.name != "_hash")
    # a tuple of the fields (one field is read twice: attrgetter of one name gives no tuple)
    get = attrgetter(*names) if len(names) > 1 else \
        attrgetter(names[0], names[0]) if names else (lambda self: ())
    new.__str__ = lambda self: show_process(self)
    return new


@term_class
class Stop(Process):
    """``STOP``: refuses everything, never terminates."""


@term_class
class Skip(Process):
    """``SKIP``: terminates at once (✓ then Ω)."""


@term_class
class Omega(Process):
    """Ω: the state after termination; no transitions, not a deadlock."""


@term_class
class Prefix(Process):
    """``e -> P``: perform ``event``, then behave as ``then``."""

    event: Event
    then: Process
    precedence: ClassVar[int] = 2


@term_class
class ExternalChoice(Process):
    """``P [] Q``: the environment chooses by the first visible event."""

    left: Process
    right: Process
    precedence: ClassVar[int] = 6


@term_class
class InternalChoice(Process):
    """``P |~| Q``: the process chooses, by τ."""

    left: Process
    right: Process
    precedence: ClassVar[int] = 7


@term_class
class Seq(Process):
    """``P ; Q``: ``second`` starts (by τ) when ``first`` terminates."""

    first: Process
    second: Process
    precedence: ClassVar[int] = 3


@term_class
class Timeout(Process):
    """``P [> Q``: sliding choice; ``left`` may be withdrawn in favour of ``right`` by τ."""

    left: Process
    right: Process
    precedence: ClassVar[int] = 4


@term_class
class Interrupt(Process):
    """``P /\\ Q``: ``left`` runs until ``right`` performs a visible event."""

    left: Process
    right: Process
    precedence: ClassVar[int] = 5


@term_class
class Parallel(Process):
    """``P [| A |] Q``: synchronise on ``sync``, interleave the rest (``|||`` is A = {})."""

    left: Process
    right: Process
    sync: frozenset[Event] = frozenset()
    precedence: ClassVar[int] = 8


@term_class
class AlphaParallel(Process):
    """``P [A || B] Q``: ``left`` confined to ``left_alpha``, ``right`` to ``right_alpha``,
    synchronising on their intersection."""

    left: Process
    right: Process
    left_alpha: frozenset[Event]
    right_alpha: frozenset[Event]
    precedence: ClassVar[int] = 8


@term_class
class Hide(Process):
    """``P \\ A``: events in ``hidden`` become τ."""

    process: Process
    hidden: frozenset[Event]
    precedence: ClassVar[int] = 9


@term_class
class Rename(Process):
    """``P [[ a <- b ]]``: ``process``'s ``a`` appears as each ``b`` with ``a R b``.

    ``relation`` is a :class:`~procalg.terms.renaming.Renaming` (explicit pairs,
    or a rule on channels that is never listed); a frozenset of pairs is taken
    as explicit pairs. A relation, not only a function: one event may map to
    several, and events not mentioned keep their name.

    Example:
        >>> a, b = Event("a"), Event("b")
        >>> term = Rename(Prefix(a, STOP), frozenset({(a, b)}))
        >>> type(term.relation).__name__, term.relation.images(a) == (b,)
        ('PairRenaming', True)
    """

    process: Process
    relation: Renaming
    precedence: ClassVar[int] = 1


_hashed_rename = Rename.__post_init__


def _rename_post_init(self: Rename) -> None:
    """Take a frozenset of pairs as a :class:`PairRenaming`, then hash as every term."""
    if type(self.relation) is frozenset:
        object.__setattr__(self, "relation", PairRenaming(self.relation))
    _hashed_rename(self)


Rename.__post_init__ = _rename_post_init  # type: ignore[method-assign]


@term_class
class Call(Process):
    """A named process applied to arguments, unfolded by the semantics on demand.

    ``name`` identifies the definition (for local ``let`` definitions the
    evaluator makes the name unique and passes captured values in ``args``).
    """

    name: str
    args: tuple[Value, ...] = ()


@term_class
class ExceptionOp(Process):
    """``P [| A |> Q``: behave as ``process`` until it performs an event of
    ``sync``; that event hands control to ``handler`` (Roscoe, UCS, 2010, §5.3).

    Example:
        >>> a, b = Event("a"), Event("b")
        >>> print(ExceptionOp(Prefix(a, STOP), Prefix(b, STOP), frozenset({a})))
        a -> STOP [| {a} |> b -> STOP
    """

    process: Process
    handler: Process
    sync: frozenset[Event]
    precedence: ClassVar[int] = 8

    def show(self) -> str:
        """The term in ``.proc`` syntax (the operator is non-associative)."""
        return (f"{bracketed(self.process, self.precedence)} [| {_events(self.sync)} |> "
                f"{bracketed(self.handler, self.precedence)}")


STOP = Stop()
SKIP = Skip()
OMEGA = Omega()

_INFIX = {
    ExternalChoice: "[]",
    InternalChoice: "|~|",
    Seq: ";",
    Timeout: "[>",
    Interrupt: "/\\",
}


def _events(events: frozenset[Event]) -> str:
    return "{" + ", ".join(str(e) for e in sorted(events, key=sort_key)) + "}"


def bracketed(p: Process, outer: int) -> str:
    text = show_process(p)
    return f"({text})" if p.precedence >= outer and p.precedence != 0 else text


def show_process(p: Process, limit: int | None = None) -> str:
    """Print a term in ``.proc`` syntax (parenthesised where precedence needs it);
    past ``limit`` characters, cut short with ``...``.

    A loop over an explicit stack of pieces, not a recursion: a run's term may
    be a chain of thousands of prefixes (a snapshot prints it, on an ordinary
    thread).

    Example:
        >>> a = Event("a")
        >>> print(Seq(Prefix(a, ExternalChoice(STOP, SKIP)), STOP))
        a -> (STOP [] SKIP) ; STOP
        >>> print(Rename(Prefix(a, STOP), frozenset({(a, Event("b"))})))
        (a -> STOP)[[a <- b]]
        >>> show_process(Prefix(a, Prefix(a, STOP)), limit=8)
        'a -> a -...'
    """
    out: list[str] = []
    length = 0
    todo: list[str | tuple[Process, int]] = [(p, 0)]  # outer 0: never bracketed
    while todo:
        item = todo.pop()
        if type(item) is str:
            out.append(item)
            length += len(item)
            if limit is not None and length > limit:
                return "".join(out)[:limit] + "..."
            continue
        term, outer = item
        pieces = _pieces(term)
        if outer and term.precedence >= outer and term.precedence != 0:
            pieces = ["(", *pieces, ")"]
        todo.extend(reversed(pieces))
    return "".join(out)


def _pieces(p: Process) -> list[str | tuple[Process, int]]:
    """One operator of ``p``: text, and its operands with the precedence that
    brackets them."""
    match p:
        case Stop():
            return ["STOP"]
        case Skip():
            return ["SKIP"]
        case Omega():
            return ["Ω"]
        case Prefix(event, then):
            return [f"{event} -> ", (then, p.precedence + 1)]
        case ExternalChoice() | InternalChoice() | Seq() | Timeout() | Interrupt():
            left, right = p.left if hasattr(p, "left") else p.first, (
                p.right if hasattr(p, "right") else p.second
            )
            return [(left, p.precedence + 1), f" {_INFIX[type(p)]} ", (right, p.precedence)]
        case Parallel(left, right, sync):
            op = "|||" if not sync else f"[| {_events(sync)} |]"
            return [(left, p.precedence), f" {op} ", (right, p.precedence)]
        case AlphaParallel(left, right, la, ra):
            op = f"[{_events(la)} || {_events(ra)}]"
            return [(left, p.precedence), f" {op} ", (right, p.precedence)]
        case Hide(process, hidden):
            return [(process, p.precedence), f" \\ {_events(hidden)}"]
        case Rename(process, relation):
            return [(process, 1), f"[[{relation}]]"]
        case Call(name, args):
            return [name if not args else f"{name}({', '.join(show(a) for a in args)})"]
    own = getattr(p, "show", None)  # terms added by later layers print themselves
    return [own() if own is not None else repr(p)]
