"""Membership of a value in a declared field type, with booleans kept apart from integers.

Python's ``True == 1`` (and equal hashes) would let ``true`` pass for ``1`` in
``{0..3}`` and ``1`` for ``true`` in ``Bool``; CSPM's types keep them apart
(FDR rejects ``d!true`` on ``channel d : {0..3}`` when it type-checks), so a
field check asks :func:`in_type` rather than ``in``.

Example:
    >>> in_type(True, frozenset({0, 1, 2})), in_type(1, frozenset({False, True}))
    (False, False)
    >>> in_type(1, frozenset({0, 1})), in_type(True, frozenset({False, True}))
    (True, True)
"""

from __future__ import annotations

from procalg.semantics.infinite import Infinite

_NUMERIC = (bool, int)
_AMBIGUOUS = frozenset({0, 1})  # also False and True: the values Python confuses


def in_type(value: object, values: frozenset) -> bool:
    """Whether ``value`` is in the type ``values``, a boolean never standing for an integer.

    Only a ``true``, ``false``, ``0`` or ``1`` looks further than ``in``: for the
    first element of the same Python type, which a type set (all of one type, as
    CSPM's are) has first, so constant time. A cache keyed by the set could not
    work: ``{false, true} == {0, 1}`` as Python sets. An :class:`Infinite` set
    tests the kind itself (``Int``).

    Example:
        >>> in_type(0, frozenset({False})), in_type("a", frozenset({"a"}))
        (False, True)
    """
    if value not in values:
        return False
    kind = type(value)
    if kind not in _NUMERIC or value not in _AMBIGUOUS or isinstance(values, Infinite):
        return True
    return any(type(member) is kind for member in values)
