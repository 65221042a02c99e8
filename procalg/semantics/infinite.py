"""Infinite sets: ``Int``, FDR's ``{n..}``, ``Char`` and ``Seq(A)``, and the set
algebra on them.

Each is a :class:`~procalg.semantics.channels.Infinite` set (tested, never
listed). FDR evaluates ``{1} <= {0..}``, ``union({0..}, {1..})`` or
``diff({1..}, {1}) == {2..}`` exactly; so does :func:`set_op` wherever the
result is again a finite set, ``Int`` or ``{n..}``, and says so in an error
where it is not (``diff({0..}, {5})`` has a hole).

Example:
    >>> s = IntegersFrom(1)
    >>> 1 in s, 0 in s, str(s), set_op("diff", s, frozenset({1, 2}), None)
    (True, False, '{1..}', {3..})
    >>> subset(frozenset({4}), s, proper=False, span=None)
    True
"""

from __future__ import annotations

from procalg.errors import ModelError
from procalg.source import Span
from procalg.terms import Atom, Dotted, Sequence, show
from procalg.terms.values import Char


class Unlistable(ModelError):
    """An infinite set was asked for its values. FDR evaluates lazily, so a
    declaration whose value needs them is an error only where it is used
    (:meth:`procalg.semantics.spec.Spec.force_all` skips this error)."""


class Infinite(frozenset):
    """A set that can be tested but never listed (``Int``, ``{n..}``, ``Char``,
    ``Seq(A)``; ``sized``: a datatype too big to list up front, whose ``len()``
    is true): subclasses give ``__contains__``, ``__eq__``, ``__hash__`` and ``__repr__``."""

    sized = False

    def __iter__(self):  # type: ignore[override]
        raise Unlistable(f"{self!r} is infinite: its values cannot be listed",
                         hint="restrict it to a finite set, such as {0..9}")

    def __and__(self, other: object) -> frozenset:  # frozenset's own sees no elements
        if isinstance(other, Infinite) or not isinstance(other, (frozenset, set)):
            raise ModelError(f"procalg cannot intersect {self!r} with {other!r} here")
        return frozenset(x for x in other if x in self)

    __rand__ = __and__

    def __len__(self) -> int:
        return 2**63 - 1

    def __reduce__(self):  # frozenset's own would list the elements
        return (type(self), ())


class Integers(Infinite):
    """The type ``Int``: every integer, so it can be tested but never enumerated.

    A channel field or input over ``Int`` is legal; the explicit engines only
    stop where they would have to list every integer (an unrestricted input
    ``c?x`` over an ``Int`` field), with an error that points at the symbolic
    engine. The counterexample replay lists exactly the values a trace uses
    (:data:`REPLAY_VALUES`).

    Example:
        >>> 37 in INTEGERS, True in INTEGERS, "a" in INTEGERS, str(INTEGERS)
        (True, False, False, 'Int')
    """

    def __contains__(self, value: object) -> bool:
        return type(value) is int

    def __iter__(self):  # type: ignore[override]
        if REPLAY_VALUES:
            return iter(sorted(REPLAY_VALUES[-1]))
        raise Unlistable("an input over Int would offer every integer: the explicit engines "
                         "cannot list them", hint="use --engine symbolic, or restrict the "
                         "input to a finite set (c?x:{0..9})")

    def __len__(self) -> int:
        return len(REPLAY_VALUES[-1]) if REPLAY_VALUES else 2**63 - 1

    def __hash__(self) -> int:
        return hash("Int")

    def __eq__(self, other: object) -> bool:
        return type(other) is Integers

    def __repr__(self) -> str:
        return "Int"


INTEGERS = Integers()
REPLAY_VALUES: list[frozenset[int]] = []
"""While a symbolic counterexample is replayed on the reference rules, the
integers its events carry (a stack): ``Int`` inputs offer exactly these."""


class IntegersFrom(Integers):
    """``{n..}``: every integer from ``low`` on.

    Example:
        >>> IntegersFrom(3) == IntegersFrom(3), IntegersFrom(3) == IntegersFrom(4)
        (True, False)
    """

    low: int

    def __new__(cls, low: int) -> IntegersFrom:
        obj = frozenset.__new__(cls)
        obj.low = low
        return obj

    def __contains__(self, value: object) -> bool:
        return type(value) is int and value >= self.low

    def __hash__(self) -> int:
        return hash(("Int", self.low))

    def __eq__(self, other: object) -> bool:
        return type(other) is IntegersFrom and other.low == self.low

    def __reduce__(self):
        return (IntegersFrom, (self.low,))

    def __repr__(self) -> str:
        return f"{{{self.low}..}}"

    __str__ = __repr__


class Characters(Infinite):
    """``Char``: every character (a :class:`~procalg.terms.values.Char`).

    Example:
        >>> Char("c") in CHARS, "c" in CHARS, 3 in CHARS
        (True, False, False)
    """

    def __contains__(self, value: object) -> bool:
        return type(value) is Char

    def __hash__(self) -> int:
        return hash("Char")

    def __eq__(self, other: object) -> bool:
        return type(other) is Characters

    def __repr__(self) -> str:
        return "Char"


CHARS = Characters()


class SequencesOf(Infinite):
    """``Seq(A)``: every finite sequence of elements of ``A``.

    Example:
        >>> from procalg.terms import Sequence
        >>> s = SequencesOf(frozenset({0, 1}))
        >>> Sequence((0, 1, 1)) in s, Sequence((2,)) in s, str(s)
        (True, False, 'Seq({0, 1})')
    """

    base: frozenset

    def __new__(cls, base: frozenset) -> SequencesOf:
        obj = frozenset.__new__(cls)
        obj.base = base
        return obj

    def __contains__(self, value: object) -> bool:
        return type(value) is Sequence and all(x in self.base for x in value.items)

    def __hash__(self) -> int:
        return hash(("Seq", self.base))

    def __eq__(self, other: object) -> bool:
        return type(other) is SequencesOf and other.base == self.base

    def __reduce__(self):
        return (SequencesOf, (self.base,))

    def __repr__(self) -> str:
        return f"Seq({self.base!r})" if isinstance(self.base, Infinite) \
            else f"Seq({show(self.base)})"

    __str__ = __repr__


def _low(s: Integers) -> int | None:
    """The least element of an infinite set (``None``: unbounded below, ``Int``)."""
    return s.low if type(s) is IntegersFrom else None


def _from(low: int | None) -> Integers:
    return INTEGERS if low is None else IntegersFrom(low)


def is_infinite(value: object) -> bool:
    """Whether ``value`` is an infinite set (``Int``, ``{n..}``, ``Char``, ``Seq(A)``)."""
    return isinstance(value, Infinite)


def cardinality(s: frozenset, span: Span | None) -> int:
    """``card(s)``: an error for an infinite set (FDR's ``card(Int)`` is one too),
    the size for a finite one, listed or a big datatype.

    Example:
        >>> cardinality(frozenset({1, 2}), None)
        2
        >>> try:
        ...     cardinality(IntegersFrom(1), None)
        ... except ModelError as err:
        ...     print(err.message)
        {1..} is infinite: card has no answer
    """
    if isinstance(s, Infinite) and not s.sized:
        raise Unlistable(f"{s!r} is infinite: card has no answer", span,
                         hint="restrict it to a finite set, such as {0..9}")
    return len(s)


def _unrepresentable(op: str, a: frozenset, b: frozenset, span: Span | None) -> ModelError:
    return ModelError(f"{op}({_text(a)}, {_text(b)}) is an infinite set that procalg cannot "
                      "represent", span,
                      hint="the infinite sets are Int, {n..}, Char and Seq(A): restrict the "
                      "set to a finite one such as {0..99}")


def _text(s: frozenset) -> str:
    return repr(s) if is_infinite(s) else "{" + ", ".join(sorted(map(str, s))) + "}"


def set_op(op: str, a: frozenset, b: frozenset, span: Span | None) -> frozenset:
    """``union``, ``inter`` or ``diff`` of two sets, either of which may be infinite.

    Raises:
        ModelError: the result is infinite but neither ``Int`` nor ``{n..}``.

    Example:
        >>> set_op("union", IntegersFrom(2), frozenset({0, 1, 5}), None)
        {0..}
        >>> set_op("inter", IntegersFrom(2), frozenset({0, 1, 5}), None)
        frozenset({5})
    """
    inf_a, inf_b = is_infinite(a), is_infinite(b)
    if not inf_a and not inf_b:  # one operation (not all three); an operand that is the
        # answer returned, not copied: a mobile alphabet's union(A, {}) is O(1), not O(|A|)
        if op == "union":
            return (a if b <= a else a | b) if len(b) <= len(a) else (b if a <= b else a | b)
        return (a if a.isdisjoint(b) else a - b) if op == "diff" else a & b
    if not (isinstance(a, Integers) or not inf_a) or not (isinstance(b, Integers) or not inf_b):
        return _other_op(op, a, b, span)  # Char, Seq(A): only what membership decides
    if op == "inter":
        if inf_a and inf_b:
            lows = [x for x in (_low(a), _low(b)) if x is not None]
            return _from(max(lows) if lows else None)
        finite, infinite = (b, a) if inf_a else (a, b)
        return frozenset(x for x in finite if x in infinite)
    if op == "union":
        if inf_a and inf_b:
            lows = (_low(a), _low(b))
            return _from(None if None in lows else min(lows))  # type: ignore[type-var]
        finite, infinite = (b, a) if inf_a else (a, b)
        outside = {x for x in finite if x not in infinite}
        low = _low(infinite)
        while low is not None and low - 1 in outside:  # {2..} with 0 and 1 is {0..}
            low -= 1
            outside.discard(low)
        if outside:
            raise _unrepresentable(op, a, b, span)
        return _from(low)
    if not inf_a:  # diff(finite, infinite)
        return frozenset(x for x in a if x not in b)
    if inf_b:  # diff({a..}, {b..}) is {a..b-1} when a < b
        low_a, low_b = _low(a), _low(b)
        if low_b is None or (low_a is not None and low_a >= low_b):
            return frozenset()
        if low_a is None:
            raise _unrepresentable(op, a, b, span)
        return frozenset(range(low_a, low_b))
    low = _low(a)
    removed = {x for x in b if x in a}
    while low is not None and low in removed:  # diff({1..}, {1}) is {2..}
        removed.discard(low)
        low += 1
    if removed:
        raise _unrepresentable(op, a, b, span)
    return _from(low)


def _other_op(op: str, a: frozenset, b: frozenset, span: Span | None) -> frozenset:
    """``set_op`` where an operand is ``Char`` or a ``Seq(A)``."""
    if a == b:
        return frozenset() if op == "diff" else a
    if op == "inter" and not (is_infinite(a) and is_infinite(b)):
        finite, infinite = (b, a) if is_infinite(a) else (a, b)
        return frozenset(x for x in finite if x in infinite)
    if op == "diff" and not is_infinite(a):
        return frozenset(x for x in a if x not in b)
    if op == "union" and not (is_infinite(a) and is_infinite(b)):
        finite, infinite = (b, a) if is_infinite(a) else (a, b)
        if all(x in infinite for x in finite):
            return infinite
    raise _unrepresentable(op, a, b, span)


def subset(a: frozenset, b: frozenset, proper: bool, span: Span | None) -> bool:
    """``a <= b`` (``a < b`` when ``proper``) where either set may be infinite.

    Example:
        >>> subset(IntegersFrom(1), frozenset({0}), proper=False, span=None)
        False
        >>> subset(IntegersFrom(1), INTEGERS, proper=True, span=None)
        True
    """
    if not is_infinite(a):
        inside = all(x in b for x in a)
        return inside and not (proper and not is_infinite(b) and len(a) == len(b))
    if not is_infinite(b):
        return False
    if a == b:
        return not proper
    if not (isinstance(a, Integers) and isinstance(b, Integers)):
        raise ModelError(f"procalg cannot compare the infinite sets {a!r} and {b!r}", span,
                         hint="compare finite sets")
    low_a, low_b = _low(a), _low(b)
    inside = low_b is None or (low_a is not None and low_a >= low_b)
    return inside and not (proper and low_a == low_b)


class DatatypeValues(Infinite):
    """The values of a datatype that is recursive (``datatype T = L | N.T.T``) or
    has an infinite field (``Leaf.Int``): tested constructor by constructor.

    Args:
        name: the datatype's name.
        constructors: the names of its constructors.
        fields: constructor name -> its field types (looked up when a value is
            tested, so a recursive field type may be this set itself).

    Example:
        >>> from procalg.terms import Atom, Dotted
        >>> tree = DatatypeValues("T", frozenset({"L", "N"}), {})
        >>> tree.fields.update({"L": (), "N": (tree, tree)})
        >>> leaf = Atom("L")
        >>> Dotted(Atom("N"), (leaf, Dotted(Atom("N"), (leaf, leaf)))) in tree
        True
        >>> Dotted(Atom("N"), (leaf,)) in tree, Atom("X") in tree, str(tree)
        (False, False, 'T')
    """

    name: str
    constructors: frozenset[str]
    fields: dict[str, tuple[frozenset, ...]]

    def __new__(cls, name: str, constructors: frozenset[str],
                fields: dict[str, tuple[frozenset, ...]]) -> DatatypeValues:
        obj = frozenset.__new__(cls)
        obj.name, obj.constructors, obj.fields = name, constructors, fields
        return obj

    def __contains__(self, value: object) -> bool:
        if type(value) is Atom:
            return value.name in self.constructors and self.fields.get(value.name) == ()
        if type(value) is not Dotted or type(value.head) is not Atom \
                or value.head.name not in self.constructors:
            return False
        types = self.fields.get(value.head.name)
        return (types is not None and len(types) == len(value.fields)
                and all(v in t for v, t in zip(value.fields, types, strict=True)))

    def __hash__(self) -> int:
        return hash(("datatype", self.name))

    def __eq__(self, other: object) -> bool:
        return type(other) is DatatypeValues and other.name == self.name

    def __reduce__(self):
        return (DatatypeValues, (self.name, self.constructors, self.fields))

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__
