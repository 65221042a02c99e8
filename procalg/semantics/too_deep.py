"""The error of a value recursion that never reaches its base case.

Python stops a recursion at its stack limit (``RecursionError``), in whichever
frame the limit happens to fall: that depends on how deep the stack already
was when the evaluation began, which differs between engines (the term rules
evaluate an argument under fewer frames than the product engine's compiled
leaf). So the function named must not be the innermost one. The error is
raised in the innermost :meth:`~procalg.semantics.evaluate.Evaluator.apply`
frame and passes, unchanged in kind, through every enclosing one, each adding
its function; it names the *first function met again* going inwards from the
outermost call (``f`` for ``f -> g -> h -> f -> ...``, ``f`` for a
non-recursive ``g`` calling a self-recursive ``f``), which depends on the
model alone, as :func:`procalg.semantics.state_unfold._first_repeated` names an
unguarded chain of process calls.
"""

from __future__ import annotations

from typing import Any

from procalg.errors import ModelError
from procalg.source import Span

HINT = "does it reach its base case? value recursion is limited in depth"


class RecursionTooDeep(ModelError):
    """A value recursion past Python's stack, naming the first function that recurs.

    Built in the innermost frame; :meth:`through` is called by each enclosing
    frame, outermost last, so the text is final once the error leaves the
    evaluator. O(1) per frame: a frame's function is the new answer exactly when
    it was met deeper (then it is the outermost function met again).

    Example:
        >>> err = RecursionTooDeep("h", None)
        >>> for name in ["g", "f", "h", "g", "f"]:  # inner to outer: f -> g -> h -> f -> g -> h
        ...     err = err.through(name, None)
        >>> err.message
        'recursion too deep in function f'
    """

    def __init__(self, name: str, span: Span | None) -> None:
        super().__init__(f"recursion too deep in function {name}", span, hint=HINT)
        self._deeper: set[str] = {name}

    def through(self, name: str, span: Span | None) -> RecursionTooDeep:
        """This error as the frame of ``name`` (defined at ``span``) passes it on."""
        if name in self._deeper:
            self.message = f"recursion too deep in function {name}"
            self.args = (self.message,)
            self.span = span
        else:
            self._deeper.add(name)
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # a pickled copy keeps its final text
        state = {k: v for k, v in self.__dict__.items() if k != "_deeper"}
        return (ModelError, (self.message, self.span), state)
