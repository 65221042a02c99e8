"""A move's target whose construction raised a model error, as a state of its own.

A model error belongs to the state whose expansion needs the failing value
(``docs/checks.md``, "Model errors: which state raises one"): building the target
of a move (unfolding ``Cnt(3)``, whose body divides by zero; the continuation
of ``c?x -> d!(x + 1) -> P`` for ``x = 3`` where ``d`` stops at 3) does not
raise, it gives a :class:`Failed` term, and the error is raised only if a
check expands that state. A move a partner blocks never leads there, so a
process that never reaches the state never meets the error, as the product
engine's held errors (``procalg.lts.held``) never meet the error of a leaf
state it does not reach.

Two targets failing with the same error (type, message, place and hint) are
one state: that is all the state is.

Example:
    >>> from procalg.errors import ModelError
    >>> state = Failed.of(ModelError("division by zero"))
    >>> print(state)
    error(division by zero)
    >>> state == Failed.of(ModelError("division by zero")), len({state, state})
    (True, 1)
"""

from __future__ import annotations

from typing import Any, NoReturn

from procalg.errors import ProcalgError
from procalg.terms.process import Process, term_class


class Fault:
    """A model error compared by its type, message, place and hint (not by the
    object: the same error made twice is one fault)."""

    __slots__ = ("_hash", "error", "key")

    def __init__(self, error: ProcalgError) -> None:
        self.error = error
        self.key: tuple[Any, ...] = (type(error), error.message, repr(error.span), error.hint)
        self._hash = hash(self.key)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other or (type(other) is Fault and self.key == other.key)

    def __repr__(self) -> str:
        return f"Fault({self.error.message!r})"


@term_class
class Failed(Process):
    """The state a move reaches when building its target raised ``fault``'s error:
    its expansion raises it."""

    fault: Fault

    @classmethod
    def of(cls, error: ProcalgError) -> Failed:
        """The failed state of ``error``."""
        return cls(Fault(error))

    @property
    def error(self) -> ProcalgError:
        """The error the state raises."""
        return self.fault.error

    def show(self) -> str:
        """How the state prints (in ``procalg lts`` state names, explanations)."""
        return f"error({self.fault.error.message})"

    def fail(self) -> NoReturn:
        """Raise the error (a fresh traceback each time: the error is kept with the
        state, and a traceback kept with it would grow with every raise).

        Example:
            >>> from procalg.errors import ModelError
            >>> Failed.of(ModelError("no")).fail()
            Traceback (most recent call last):
            procalg.errors.ModelError: <input>: error: no
        """
        raise self.fault.error.with_traceback(None)
