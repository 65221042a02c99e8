"""Building a move's target never raises: a model error makes a failed state.

The rule every engine follows (``docs/checks.md``, "Model errors: which state
raises one"): a model error belongs to the state whose expansion needs the
failing value, and is raised only when a check expands a state the process
reaches. So where the firing rules build a target (a call's unfolding, an
input's continuation for one value) a :class:`~procalg.errors.ModelError` is
kept in a :class:`~procalg.terms.failed.Failed` state instead, which raises it
when expanded. The errors that stop an engine rather than describe a state
(:func:`passing`: a counter growing without bound, recursion nesting without
bound, a limit) still raise at once.

Example:
    >>> from procalg.errors import ModelError
    >>> def broken():
    ...     raise ModelError("division by zero")
    >>> print(target(broken))
    error(division by zero)
"""

from __future__ import annotations

from collections.abc import Callable

from procalg.errors import ModelError
from procalg.terms import Process
from procalg.terms.failed import Failed


def passing() -> tuple[type[ModelError], ...]:
    """Model errors that stop the engine wherever they arise (its callers fall back
    on them: ``api/fallback.py``, ``semantics/nesting_watch.py``), never a state's
    (imported when asked: the evaluator, which imports this module, is below them)."""
    from procalg.semantics.growth import UnboundedGrowth
    from procalg.semantics.nesting import UnboundedNesting

    return (UnboundedGrowth, UnboundedNesting)


def failed(err: Exception) -> Failed | None:
    """The failed state ``err`` makes, or None where ``err`` must raise on.

    Example:
        >>> from procalg.errors import LimitExceeded
        >>> failed(ModelError("x")) is not None, failed(LimitExceeded("y"))
        (True, None)
    """
    if isinstance(err, ModelError) and not isinstance(err, passing()):
        return Failed.of(err)
    return None


def target(build: Callable[[], Process]) -> Process:
    """``build()``, or the :class:`~procalg.terms.failed.Failed` state of the model
    error it raised (:func:`passing` errors raise on)."""
    try:
        return build()
    except ModelError as err:
        state = failed(err)
        if state is None:
            raise
        return state


def in_call(err: ModelError) -> ModelError:
    """``err`` marked as raised unfolding a call (its body's, not its arguments'):
    where a prefix's continuation is made, such an error is its target's (the term
    rules unfold a continuation's calls when the prefix fires), any other the source's.

    Example:
        >>> err = ModelError("division by zero")
        >>> unfolding(err), unfolding(in_call(err))
        (False, True)
    """
    err.in_call = True  # type: ignore[attr-defined]
    return err


def unfolding(err: ModelError) -> bool:
    """Whether ``err`` was raised unfolding a call (:func:`in_call`)."""
    return getattr(err, "in_call", False)
