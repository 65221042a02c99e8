"""Errors FDR reports only where a value is needed.

FDR type-checks a whole file when it loads it, but it evaluates lazily: a
declaration nothing uses is never evaluated, so a pattern that no clause
matches, a value outside a constructor's field type or a type defined in
terms of itself is an error only when an assertion (or a value it uses)
needs that value. procalg has no separate type checker: it evaluates every
declaration at load time to find mistakes early
(:meth:`procalg.semantics.spec.Spec.force_all`), and skips there the errors
of this class, which FDR would not report for an unused declaration.
"""

from __future__ import annotations

from procalg.errors import ModelError


class EvaluationError(ModelError):
    """An error of evaluation, not of type: FDR reports it only where the value is used.

    Example:
        >>> from procalg.semantics.lazy_errors import EvaluationError
        >>> issubclass(EvaluationError, ModelError)
        True
    """
