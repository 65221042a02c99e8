"""Types whose values are tested, never listed: FDR's ``Proc``, tuple types
with such a part, and ``Set(A)`` of an ``A`` with too many subsets to list.

FDR (since 2.91) lets a process be a field of a user datatype
(``datatype PStruct = PSLeaf.(Proc, Set(Events)) | PSNode.Seq(PStruct)``,
the network structures of FDR's compression examples). ``Proc`` has no list
of values, so such a type is only ever tested for membership, like ``Int``.

Example:
    >>> from procalg.terms import STOP
    >>> STOP in PROCESSES, 3 in PROCESSES, str(PROCESSES)
    (True, False, 'Proc')
    >>> pairs = TupleType((PROCESSES, frozenset({1})))
    >>> (STOP, 1) in pairs, (STOP, 2) in pairs, str(pairs)
    (True, False, '(Proc, {1})')
"""

from __future__ import annotations

from procalg.errors import ModelError
from procalg.semantics.infinite import Infinite, Unlistable
from procalg.terms import Process, show


class Processes(Infinite):
    """The type ``Proc``: every process."""

    def __contains__(self, value: object) -> bool:
        return isinstance(value, Process)

    def __hash__(self) -> int:
        return hash("Proc")

    def __eq__(self, other: object) -> bool:
        return type(other) is Processes

    def __repr__(self) -> str:
        return "Proc"


PROCESSES = Processes()


class TupleType(Infinite):
    """``(A, B, ...)`` as a type when a part cannot be listed: its tuples, tested.

    Args:
        parts: the component types, one per position.
    """

    parts: tuple[frozenset, ...]

    def __new__(cls, parts: tuple[frozenset, ...]) -> TupleType:
        obj = frozenset.__new__(cls)
        obj.parts = parts
        return obj

    def __contains__(self, value: object) -> bool:
        return (type(value) is tuple and len(value) == len(self.parts)
                and all(v in t for v, t in zip(value, self.parts, strict=True)))

    def __hash__(self) -> int:
        return hash(("tuple", self.parts))

    def __eq__(self, other: object) -> bool:
        return type(other) is TupleType and other.parts == self.parts

    def __reduce__(self):
        return (TupleType, (self.parts,))

    def __repr__(self) -> str:
        return "(" + ", ".join(_shown(p) for p in self.parts) + ")"


def _shown(part: frozenset) -> str:
    return repr(part) if isinstance(part, Infinite) else show(part)


class Subsets(Infinite):
    """``Set(A)`` over an ``A`` too big to list its subsets (``Set(Events)``): tested.

    Args:
        base: the set whose subsets these are.

    Example:
        >>> big = Subsets(frozenset(range(40)))
        >>> frozenset({1, 2}) in big, frozenset({99}) in big, len(big) == 2**40
        (True, False, True)
    """

    base: frozenset

    def __new__(cls, base: frozenset) -> Subsets:
        obj = frozenset.__new__(cls)
        obj.base = base
        return obj

    def __contains__(self, value: object) -> bool:
        return isinstance(value, frozenset) and not isinstance(value, Infinite) \
            and value <= self.base

    def __iter__(self):  # type: ignore[override]
        n = len(self.base)
        raise Unlistable(f"Set of a set of {n} elements has 2^{n} subsets",
                         hint="Set(A) lists every subset of A: use a smaller A")

    def __len__(self) -> int:
        n = len(self.base)
        if n > 62:  # len() must fit a machine word
            raise ModelError(f"Set of a set of {n} elements has 2^{n} subsets: too many to count",
                             hint="Set(A) over a smaller A")
        return 1 << n

    def __hash__(self) -> int:
        return hash(("Set", self.base))

    def __eq__(self, other: object) -> bool:
        return type(other) is Subsets and other.base == self.base

    def __reduce__(self):
        return (Subsets, (self.base,))

    def __repr__(self) -> str:
        return f"Set({_shown(self.base)})"
