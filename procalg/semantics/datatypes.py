"""Datatype declarations: each constructor's field types and each datatype's values.

A datatype's values are listed once, on first use, while there are at most
:data:`LISTED_UP_TO` of them. A bigger one (``datatype M = Msg.{0..999}.{0..999}``
has a million values; a message type over a few such fields has billions) is
a :class:`DatatypeSet`: its size is computed from the structure (per
constructor the product of its field sizes, summed), membership is tested
field by field, and values are listed only where something iterates over the
set -- so a process that offers ``c.Msg.3.4`` builds that value alone, as FDR
does. A recursive datatype (``T = L | N.T.T``) or one with an infinite field
(``L.Int``) is a :class:`~procalg.semantics.infinite.DatatypeValues`: tested,
never listed.

Example:
    >>> from procalg.api import loads
    >>> from procalg.syntax import parse_expr
    >>> m = loads("datatype M = Msg.{0..9999}.{0..9999} | Ack\\nchannel c : M")
    >>> big = m.spec.datatypes["M"]
    >>> type(big).__name__, len(big), m.value(parse_expr("member(Msg.3.4, M)"))
    ('DatatypeSet', 100000001, True)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

from procalg.semantics.channels import Infinite, Types
from procalg.semantics.infinite import DatatypeValues
from procalg.semantics.lazy_errors import EvaluationError
from procalg.source import Span
from procalg.syntax import ast
from procalg.terms import Atom, Dotted, Value, sort_key

LISTED_UP_TO = 100_000
"""A datatype with more values than this is a :class:`DatatypeSet`, listed only on demand."""


class DatatypeSet(DatatypeValues):
    """The values of a finite datatype too big to list up front.

    Args:
        name: the datatype's name.
        order: its constructors, in declaration order (the order values are listed in).
        fields: constructor name -> its field types.
        size: how many values the datatype has.

    Example:
        >>> big = DatatypeSet("T", ("A", "B"), {"A": (), "B": (frozenset({0, 1}),)}, 3)
        >>> len(big), Dotted(Atom("B"), (1,)) in big, Dotted(Atom("B"), (2,)) in big
        (3, True, False)
        >>> [str(v) for v in big]
        ['A', 'B.0', 'B.1']
    """

    order: tuple[str, ...]
    size: int
    sized = True

    def __new__(cls, name: str, order: tuple[str, ...],
                fields: dict[str, tuple[frozenset, ...]], size: int) -> DatatypeSet:
        obj = DatatypeValues.__new__(cls, name, frozenset(order), fields)
        obj.order, obj.size = order, size
        return obj

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[Value]:  # type: ignore[override]
        for con in self.order:
            types = self.fields[con]
            if not types:
                yield Atom(con)
                continue
            columns = [sorted(t, key=sort_key) for t in types]
            for combo in itertools.product(*columns):
                yield Dotted(Atom(con), combo)

    def __hash__(self) -> int:
        return hash(("datatype", self.name))

    def __eq__(self, other: object) -> bool:
        return type(other) is DatatypeSet and other.name == self.name

    def __reduce__(self):
        return (DatatypeSet, (self.name, self.order, self.fields, self.size))


def product_size(types: tuple[frozenset, ...]) -> int:
    """How many values a constructor with these field types has (``len`` of
    an infinite set is huge, so an infinite field gives a huge product).

    Example:
        >>> product_size((frozenset({0, 1}), frozenset({0, 1, 2}))), product_size(())
        (6, 1)
    """
    size = 1
    for t in types:
        size *= len(t)
    return size


class Datatypes:
    """The datatypes of one model: field types per constructor, values per datatype.

    Args:
        decls: datatype name -> its declaration.
        constructors: constructor name -> its declaration.
        types: the model's field-type tables (constructors' entries are filled here).
        type_sets: the field types one type expression stands for.
        in_progress: the declarations being evaluated (shared with the
            channels, so a type defined in terms of itself is caught).
    """

    def __init__(self, decls: dict[str, ast.DatatypeDecl],
                 constructors: dict[str, ast.Constructor], types: Types,
                 type_sets: Callable[[ast.Node], tuple[frozenset, ...]],
                 in_progress: set[str]) -> None:
        self.decls, self.constructors, self.types = decls, constructors, types
        self.type_sets, self.in_progress = type_sets, in_progress
        self.sets: dict[str, frozenset] = {}

    def guard(self, key: str, span: Span | None, what: str) -> None:
        """Mark ``key`` as being evaluated (an error if it already is: a cycle)."""
        if key in self.in_progress:
            raise EvaluationError(f"{what} is defined in terms of itself", span,
                             hint="types must be finite: no recursive datatypes or channels")
        self.in_progress.add(key)

    def constructor_fields(self, name: str) -> tuple[frozenset, ...]:
        """The field types of constructor ``name`` (evaluated once)."""
        found = self.types.constructors.get(name)
        if found is None:
            con = self.constructors[name]
            self.guard("constructor " + name, con.span, f"constructor {name}")
            try:
                found = tuple(t for f in con.fields for t in self.type_sets(f))
            finally:
                self.in_progress.discard("constructor " + name)
            self.types.constructors[name] = found
        return found

    def values(self, name: str) -> frozenset:
        """Every value of datatype ``name``: a set, a :class:`DatatypeSet` if
        there are more than :data:`LISTED_UP_TO`, or tested-only values."""
        found = self.sets.get(name)
        if found is None and self._in_progress(name):
            found = self.sets[name] = self._tested(name)  # recursive
        if found is None:
            self.in_progress.add("datatype " + name)
            try:
                fields = [self.constructor_fields(c.name) for c in self.decls[name].constructors]
            finally:
                self.in_progress.discard("datatype " + name)
            found = self.sets.get(name)
            if found is None and any(isinstance(t, Infinite) and not isinstance(t, DatatypeSet)
                                     for f in fields for t in f):
                found = self.sets[name] = self._tested(name)
            elif found is None:
                size = sum(product_size(f) for f in fields)
                if size > LISTED_UP_TO:
                    order = tuple(c.name for c in self.decls[name].constructors)
                    found = self.sets[name] = DatatypeSet(name, order, self.types.constructors,
                                                          size)
        if found is None:
            found = self.sets[name] = frozenset(self._listed(name))
        return found

    def _in_progress(self, name: str) -> bool:
        """Whether datatype ``name`` is being evaluated: itself, or one of its
        constructors' field types (reached first through a constructor, as in
        ``channel c : T`` before ``T``), so a use of ``name`` now is recursion."""
        return "datatype " + name in self.in_progress or any(
            "constructor " + c.name in self.in_progress for c in self.decls[name].constructors)

    def _listed(self, name: str) -> set[Value]:
        values: set[Value] = set()
        for con in self.decls[name].constructors:
            fields = self.constructor_fields(con.name)
            start = Atom(con.name) if not fields else Dotted(Atom(con.name), ())
            partial: list[Value] = [start]
            for _ in fields:
                partial = [self.types.dot(v, f, con.span) for v in partial
                           for f in self.types.constructors[con.name][len(v.fields)]]
            values.update(partial)
        return values

    def _tested(self, name: str) -> DatatypeValues:
        """A recursive datatype or one with an infinite field: its values are
        tested, never listed, as in FDR."""
        names = frozenset(c.name for c in self.decls[name].constructors)
        return DatatypeValues(name, names, self.types.constructors)
