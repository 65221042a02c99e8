"""FDR built-ins that are not definitions in CSPM: ``BUFFER``, the built-ins
procalg does not build (an error that names them), and the hidden event of
timed sections.

``BUFFER(n, {(in, out), ...})`` is FDR's built-in buffer. FDR's manual gives
only its type. libcspm, FDR's own front end, describes it as a buffer of
capacity ``n`` that refuses new inputs when full, over the given pairs of
input and output events. procalg builds it as CSP's buffer (Roscoe, *UCS*
§5.2): first in, first out. While fewer than ``n`` items are held it
accepts every input ``in``. While it holds one, it offers the ``out`` of the
oldest. Both are offered as an external choice, so the buffer is
deterministic. As in libcspm, a capacity below 1 is an error, and so is an
event named twice among the pairs.

``deter``, ``failure_watchdog``, ``WEAK_BUFFER`` and ``SIGNAL_BUFFER`` are
typed in FDR's prelude. Neither FDR's manual nor libcspm says what they
compute, so using one is an error that says so (:data:`UNBUILT`).

A built-in function named without its arguments is a value
(:class:`BuiltinFunction`), as in FDR: ``prioritise = prioritise_nocache`` or
``LeafCompress(normal)(P)`` pass it on, and applying it calls the built-in.

Example:
    >>> from procalg.api import loads
    >>> m = loads("channel c, d : {0, 1}\\nB = BUFFER(1, {(c.x, d.x) | x <- {0, 1}})")
    >>> m.lts("B").num_states  # empty, or holding one of the two values
    3
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from procalg.errors import ModelError
from procalg.semantics import kinds
from procalg.semantics.processes import LINK_CHANNEL
from procalg.source import Span
from procalg.syntax.timed import DONE
from procalg.terms import Call, Event, Sequence, sort_key

BUFFER_STATE = "BUFFER::B"
"""The prelude's definition of a buffer's states (``semantics/prelude.py``)."""

_WHY = "FDR's manual gives only its type, and what it computes is not documented"
UNBUILT = {
    "deter": f"FDR's 'deter' is not built: {_WHY}",
    "failure_watchdog": f"FDR's 'failure_watchdog' is not built: {_WHY} "
                        "(trace_watchdog is)",
    "WEAK_BUFFER": f"FDR's 'WEAK_BUFFER' is not built: {_WHY} beyond 'when full it "
                   "performs the explode event' (BUFFER is built)",
    "SIGNAL_BUFFER": f"FDR's 'SIGNAL_BUFFER' is not built: {_WHY} (BUFFER is built)",
}
"""FDR built-ins procalg refuses, with the reason (docs/language.md, CSPM compatibility)."""

FUNCTIONS = frozenset({"BUFFER"})
"""FDR built-in functions :func:`apply` evaluates."""


@dataclass(frozen=True)
class BuiltinFunction:
    """A built-in function used as a value (``f = normal``, ``Compress(normal)``).

    Example:
        >>> from procalg.api import loads
        >>> m = loads("channel a, b\\nnorm = normal\\nP = a -> b -> P\\nQ = norm(P)")
        >>> m.lts("Q").num_states
        2
    """

    name: str

    def __str__(self) -> str:
        return self.name


def _function_names() -> frozenset[str]:
    from procalg.semantics.values import BUILTINS

    return kinds.COMPRESSIONS | kinds.PRIORITY_FUNCTIONS | FUNCTIONS | frozenset(BUILTINS)


def call(evaluator: Any, name: str, args: list[Any], span: Span | None) -> Any:
    """Apply the built-in function ``name`` (a :class:`BuiltinFunction`'s) to ``args``.

    Raises:
        ModelError: the built-in's own errors (arity, argument types).
    """
    from procalg.semantics.values import BUILTINS, call_builtin

    if name in BUILTINS:
        return call_builtin(name, args, span)
    if name in FUNCTIONS:
        return apply(name, args, span)
    if name in kinds.PRIORITY_FUNCTIONS:
        return evaluator.prioritised(name, args, span)
    if len(args) != 1:
        raise ModelError(f"{name} takes 1 argument, got {len(args)}", span,
                         hint=f"call it as {name}(P)")
    return evaluator.compressed(kinds.COMPRESSION_ALIASES.get(name, name), args[0], span)


def value(evaluator: Any, name: str, span: Span | None) -> Any:
    """The value of a name no definition gives, or ``None`` if it has none.

    Raises:
        ModelError: ``name`` is an FDR built-in procalg does not build.
    """
    if name == DONE:
        # a fresh link event: in no model's Events, and in the leaves' alphabets
        evaluator.link_events = max(evaluator.link_events, 1)
        return Event(LINK_CHANNEL, (0,))
    if name in UNBUILT:
        raise ModelError(UNBUILT[name], span,
                         hint="see 'CSPM compatibility' in docs/language.md; "
                              "define it in the model to use your own")
    if name in _function_names():
        return BuiltinFunction(name)
    return None


def apply(name: str, args: list[Any], span: Span | None) -> Any:
    """``BUFFER(n, pairs)`` (module docstring) as the buffer's empty state.

    Raises:
        ModelError: wrong arguments, a capacity below 1, or an event in two places.

    Example:
        >>> apply("BUFFER", [0, frozenset()], None)
        Traceback (most recent call last):
        ...
        procalg.errors.ModelError: <input>: error: BUFFER's capacity is 0; it must be at least 1
          hint: give the number of items the buffer holds, e.g. BUFFER(2, {(in.x, out.x) | x <- T})
    """
    call = "give the number of items the buffer holds, e.g. BUFFER(2, {(in.x, out.x) | x <- T})"
    if len(args) != 2:
        raise ModelError(f"BUFFER takes 2 arguments, got {len(args)}", span, hint=call)
    capacity, pairs = args
    if type(capacity) is not int:
        raise ModelError("BUFFER's capacity must be an integer", span, hint=call)
    if capacity < 1:
        raise ModelError(f"BUFFER's capacity is {capacity}; it must be at least 1", span,
                         hint=call)
    if not isinstance(pairs, frozenset) or not all(
            type(p) is tuple and len(p) == 2 and all(type(e) is Event for e in p)
            for p in pairs):
        raise ModelError("BUFFER needs a set of (input, output) pairs of events", span,
                         hint=call)
    seen: set[Event] = set()
    for event in (e for p in sorted(pairs, key=sort_key) for e in p):
        if event in seen:
            raise ModelError(f"BUFFER names the event {event} more than once", span,
                             hint="each input and each output event may appear in one "
                                  "pair only")
        seen.add(event)
    return Call(BUFFER_STATE, (capacity, pairs, Sequence(())))
