"""Fitting values from Python (activity results, signal arguments) to the model's values.

Python's ``==`` says ``10.0 == 10``, ``numpy.int64(10) == 10`` and
``True == 1``, and such values hash alike, so a set of model events "contains"
an event built from them. The engine must not accept them as they are: the
store records the model's values (an ``int``, never a ``float``), and a Bool
field must not accept ``1``. :func:`conform` returns the model's own value for
a numerically equal number and refuses a value of another kind, so what the
run records is always a value of the model, and recordable.

Example:
    >>> conform(10.0, {10, 11}), conform(True, {True, False}), conform(1, {True, False})
    (10, True, None)
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any


def compatible(value: Any, model: Any) -> bool:
    """True if ``value`` from Python may stand for the model value ``model``.

    Example:
        >>> compatible(2.0, 2), compatible(2.5, 2), compatible(1, True)
        (True, False, False)
        >>> compatible((1, 2.0), (1, 2))
        True
    """
    if isinstance(model, bool):
        return _is_bool(value) and bool(value == model)
    if isinstance(model, int):
        return (not _is_bool(value) and isinstance(value, numbers.Number)
                and bool(value == model))
    if type(model) is tuple:
        return (isinstance(value, tuple | list) and len(value) == len(model)
                and all(compatible(v, m) for v, m in zip(value, model, strict=True)))
    if isinstance(model, frozenset):
        return isinstance(value, set | frozenset) and bool(value == model)
    return type(value) is type(model) and bool(value == model)


def _is_bool(value: Any) -> bool:
    # numpy's bool is no subclass of bool (nor of numbers.Number)
    return isinstance(value, bool) or (type(value).__module__ == "numpy"
                                       and type(value).__name__ in ("bool", "bool_"))


def conform(value: Any, allowed: Iterable[Any]) -> Any | None:
    """The value of ``allowed`` that ``value`` stands for, or None if there is none.

    ``allowed`` is a collection of model values; a hashed one is probed first (O(1)).
    """
    if isinstance(allowed, set | frozenset):
        try:
            if value not in allowed:
                return None
        except TypeError:  # unhashable (a list): compare one by one
            pass
    for model in allowed:
        if compatible(value, model):
            return model
    return None
