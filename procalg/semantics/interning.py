"""Values numbered in the order they are first met, for columns of small integers.

Column expansion (:mod:`procalg.semantics.vector_exprs`,
:mod:`procalg.semantics.linear_vector_values`) holds constructors, sequences,
tuples and other values as int64 codes shared by every machine of a process,
so ``==`` on values is ``==`` on codes. Machines may expand on several
threads: a new value takes the lock, looked up again inside it
(double-checked), so two threads meeting one new value give it one code.

Example:
    >>> names = Interning()
    >>> names.code("busy"), names.code("idle"), names.code("busy")
    (0, 1, 0)
    >>> names.values[1]
    'idle'
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any


class Interning:
    """Codes 0, 1, 2, … for the keys met, with the value each stands for.

    Attributes:
        values: the value of each code, by code (read without the lock:
            a list only grows).
    """

    def __init__(self) -> None:
        self._codes: dict[Hashable, int] = {}
        self.values: list[Any] = []
        self._lock = threading.Lock()

    def code(self, key: Hashable, value: Any = None) -> int:
        """The code of ``key`` (new keys get the next one, standing for
        ``value``, or ``key`` itself when no value is given)."""
        found = self._codes.get(key)
        if found is None:
            with self._lock:  # two threads meeting one new key: one code
                found = self._codes.get(key)
                if found is None:
                    found = self._codes[key] = len(self.values)
                    self.values.append(key if value is None else value)
        return found
