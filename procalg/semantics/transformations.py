"""Process transformations of CSPM: the compressions (``sbisim(P)`` & co.) and
priority (``prioritise``, ``prioritisepo``, ``chase``), as a mixin of
:class:`procalg.semantics.evaluate.Evaluator`.

Each explores its process to an explicit table (``compress.py``,
``priority.py``), memoised by its arguments: equal calls give equal terms, so
the states of the process that uses them stay equal.

Example:
    >>> from procalg.api import loads
    >>> model = loads("channel a\\nP = a -> a -> P\\nQ = sbisim(P)")
    >>> model.lts("Q").num_states
    1
"""

from __future__ import annotations

from typing import Any

from procalg.errors import ModelError
from procalg.source import Span

_PRIORITY_CALLS = {1: "call it as {}(P)", 2: "call it as prioritise(P, <{{}}, {{tock}}>)",
                   3: "call it as trace_watchdog(P, A, bark)",
                   4: "call it as prioritisepo(P, A, {{(a, b)}}, M): a pre-empts b"}
_ARITY = {"prioritisepo": 4, "trace_watchdog": 3, "prioritise": 2, "prioritise_nocache": 2}


class Transformations:
    """The transformation methods of the evaluator (``self.unfold`` and the memo
    ``self.compressions`` come from :class:`~procalg.semantics.evaluate.Evaluator`)."""

    unfold: Any
    compressions: dict[tuple[Any, ...], Any]

    def compressed(self, name: str, term: Any, span: Span | None) -> Any:
        """``name(term)`` for a compression function, memoised (equal calls, equal states)."""
        key = (name, term)
        if key not in self.compressions:
            from procalg.semantics import compress  # numpy and the LTS algorithms, on demand

            self.compressions[key] = compress.compress(name, term, self.unfold, span,
                                                          evaluator=self)
        return self.compressions[key]

    def prioritised(self, name: str, args: list[Any], span: Span | None) -> Any:
        """``prioritise(P, <A1, ..., An>)``, ``prioritisepo(P, A, R, M)``, ``chase(P)`` or
        ``trace_watchdog(P, A, bark)``, memoised like the compressions."""
        from procalg.semantics import priority, watchdog

        arity = _ARITY.get(name, 1)
        if len(args) != arity:
            raise ModelError(f"{name} takes {arity} argument{'s' * (arity > 1)}, got "
                             f"{len(args)}", span, hint=_PRIORITY_CALLS[arity].format(name))
        key = (name, *args)
        if key not in self.compressions:
            self.compressions[key] = (
                priority.prioritise_po(*args, self.unfold, span, self) if arity == 4
                else watchdog.trace_watchdog(*args, self.unfold, span) if arity == 3
                else priority.prioritise(args[0], args[1], self.unfold, span, self) if arity == 2
                else priority.chase(args[0], self.unfold, span, self))
        return self.compressions[key]
