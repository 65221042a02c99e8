"""FDR's functions over relations (sets of pairs): ``transpose``,
``relational_image``, ``relational_inverse_image`` and ``mtransclose``.

FDR declares them with ``external`` (FDR manual, "External functions"); a
model may use them with or without that declaration. ``relational_image(R)``
is curried: it gives a function value (:class:`Image`), and
``relational_image(R)(x)`` is the set of the ``y`` with ``(x, y)`` in ``R``.

``mtransclose(R, D)`` reads ``R`` as the generator of an equivalence on
``D`` (reflexive, symmetric and transitive closure, by union-find, near
O(|R| + |D|)) and gives, for each class, a pair ``(r, y)`` from the class's
representative ``r`` (its least member in procalg's value order) to every
other member ``y``: a relation that is small and still says which elements
are equivalent. FDR's manual does not say which member represents a class;
procalg picks the least.

Example:
    >>> sorted(mtransclose(frozenset({(1, 0), (2, 1)}), frozenset({0, 1, 2}), None))
    [(0, 1), (0, 2)]
    >>> Image(frozenset({(0, True), (1, True)}), inverse=True).apply((True,), None)
    frozenset({0, 1})
"""

from __future__ import annotations

from dataclasses import dataclass

from procalg.errors import ModelError
from procalg.source import Span
from procalg.terms import Value, show, sort_key


def expect_relation(value: Value, span: Span | None, name: str) -> frozenset:
    """``value`` if it is a set of pairs, else the error naming ``name``."""
    if not isinstance(value, frozenset) or not all(
            type(p) is tuple and len(p) == 2 for p in value):
        raise ModelError(f"{name} needs a set of pairs, got {show(value)}", span,
                         hint="write the relation as {(x, y), ...}")
    return value


def transpose(relation: Value, span: Span | None) -> frozenset:
    """``transpose(R)``: every pair of ``R`` turned round.

    Example:
        >>> transpose(frozenset({(0, True)}), None)
        frozenset({(True, 0)})
    """
    return frozenset((y, x) for x, y in expect_relation(relation, span, "transpose"))


@dataclass(frozen=True, slots=True)
class Image:
    """The function value ``relational_image(R)`` (or the inverse image)."""

    relation: frozenset
    inverse: bool = False

    def apply(self, args: tuple[Value, ...], span: Span | None) -> frozenset:
        """The image of the one argument."""
        name = "relational_inverse_image(R)" if self.inverse else "relational_image(R)"
        if len(args) != 1:
            raise ModelError(f"{name} takes 1 argument, got {len(args)}", span,
                             hint=f"call it as {name}(x)")
        (x,) = args
        if self.inverse:
            return frozenset(a for a, b in self.relation if b == x)
        return frozenset(b for a, b in self.relation if a == x)

    def __str__(self) -> str:
        return "relational_inverse_image(...)" if self.inverse else "relational_image(...)"


def image(relation: Value, span: Span | None) -> Image:
    """``relational_image(R)``."""
    return Image(expect_relation(relation, span, "relational_image"))


def inverse_image(relation: Value, span: Span | None) -> Image:
    """``relational_inverse_image(R)``."""
    return Image(expect_relation(relation, span, "relational_inverse_image"), inverse=True)


def mtransclose(relation: Value, domain: Value, span: Span | None) -> frozenset:
    """``mtransclose(R, D)`` (see the module docstring)."""
    pairs = expect_relation(relation, span, "mtransclose")
    if not isinstance(domain, frozenset):
        raise ModelError(f"mtransclose needs a set second, got {show(domain)}", span,
                         hint="write mtransclose(R, D) with D the set R relates")
    parent: dict[Value, Value] = {x: x for x in domain}

    def find(x: Value) -> Value:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for a, b in pairs:
        if a in parent and b in parent:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[rb] = ra
    classes: dict[Value, list[Value]] = {}
    for x in domain:
        classes.setdefault(find(x), []).append(x)
    out = set()
    for members in classes.values():
        members.sort(key=sort_key)
        out.update((members[0], y) for y in members[1:])
    return frozenset(out)
