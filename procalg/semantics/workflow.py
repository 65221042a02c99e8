"""Workflow declarations: activities, signals, timers, and fallible activities.

:func:`declare` records ``activity``, ``signal`` and ``timer`` declarations
on the :class:`~procalg.semantics.spec.Spec` (each also declares its channel,
like ``channel``); :func:`prefix` adds the failure alternative
``fail.c.v -> THROW`` to every event of a fallible activity. Sagas
(``THROW``, ``saga (...)``, ``undo``) are read by
:mod:`procalg.semantics.saga_body`; the rules are in ``docs/sagas.md``.

Example:
    >>> from procalg.api.model import loads
    >>> model = loads("activity pay : {1, 2} attempts 3 backoff 2s\\ntimer t = 24h")
    >>> model.spec.activities["pay"].attempts, model.spec.timers["t"].duration_ms
    (3, 86400000)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from procalg import reserved
from procalg.errors import ModelError
from procalg.source import Span
from procalg.syntax import ast
from procalg.syntax.walk import walk
from procalg.terms import (
    Event,
    ExternalChoice,
    Prefix,
    Process,
)
from procalg.terms.cancel import CANCEL, CANCEL_EVENT
from procalg.terms.saga import (
    COMPENSATE,
    COMPENSATED,
    FAIL,
    RESERVED,
    THROW,
    THROW_EVENT,
    fail_event,
)

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Evaluator


@dataclass(frozen=True, slots=True)
class Activity:
    """An activity channel's run-time options (durations in ms; ``None``: not given)."""

    name: str
    attempts: int | None = None
    backoff_ms: int | None = None
    timeout_ms: int | None = None
    never_fails: bool = False
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Signal:
    """A signal channel: its events come from outside."""

    name: str
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Timer:
    """A timer event, fired ``duration_ms`` after it is first offered."""

    name: str
    duration_ms: int
    span: Span | None = None


_RESERVED_VALUES = {reserved.THROW: THROW_EVENT, reserved.COMPENSATE: COMPENSATE,
                    reserved.COMPENSATED: COMPENSATED, CANCEL: CANCEL_EVENT}
SAGA_MARKERS = frozenset({COMPENSATE, COMPENSATED})
"""The events a saga adds to a model's ``Events`` (docs/sagas.md)."""


def check_name(name: str, span: Span | None) -> None:
    """Refuse a declaration of a name the saga semantics owns.

    Example:
        >>> try:
        ...     check_name("throw", None)
        ... except ModelError as err:
        ...     print(err.message)
        'throw' is reserved: it is the label of abnormal termination (THROW)
    """
    if name in RESERVED or name == CANCEL:
        what = {reserved.THROW: "the label of abnormal termination (THROW)",
                reserved.FAIL: "the channel of activity failures (fail.c.v)",
                CANCEL: "the event by which a run is cancelled"}.get(
                    name, "a marker event of sagas (docs/sagas.md)")
        raise ModelError(f"'{name}' is reserved: it is {what}", span,
                         hint=f"rename it, e.g. '{name}_'")


def reserved_value(name: str) -> Event | None:
    """``throw``, ``compensate``, ``compensated`` and ``cancel`` as events."""
    return _RESERVED_VALUES.get(name)


def declare(spec: Any, decl: ast.Node) -> None:
    """Record an activity, signal or timer declaration and declare its channels."""
    match decl:
        case ast.ActivityDecl(names, fields, attempts, backoff, timeout, never):
            if timeout is not None and timeout <= 0:
                raise ModelError("an activity's timeout must be longer than 0", decl.span,
                                 hint="give the limit on one try, e.g. timeout 30s")
            for name in names:
                _channel(spec, name, fields, decl.span)
                spec.activities[name] = Activity(name, attempts, backoff, timeout, never,
                                                 decl.span)
            _failures(spec, decl.span)
        case ast.SignalDecl(names, fields):
            for name in names:
                _channel(spec, name, fields, decl.span)
                spec.signals[name] = Signal(name, decl.span)
        case ast.TimerDecl(name, duration):
            _channel(spec, name, (), decl.span)
            spec.timers[name] = Timer(name, duration, decl.span)


def _channel(spec: Any, name: str, fields: tuple, span: Span | None) -> None:
    spec.declare_channel(name, ast.ChannelDecl((name,), fields, span=span))


def _failures(spec: Any, span: Span | None) -> None:
    """Declare (again) the channel ``fail : {| fallible activities |}``.

    So models can name failures (``fail.ship``, ``{| fail |}``) and ``Events``
    includes them. Field types are evaluated lazily, after every declaration.
    """
    names = tuple(ast.Name(n, span=span) for n in sorted(fallible(spec)))
    if names:
        spec.declare_channel(FAIL, ast.ChannelDecl((FAIL,), (ast.EventSet(names, span=span),),
                                                   span=span), claim=False)


def fallible(spec: Any) -> frozenset[str]:
    """The activity channels whose events may fail."""
    return frozenset(n for n, a in spec.activities.items() if not a.never_fails)


def prefix(ev: Evaluator, event: Event, then: Process) -> Process:
    """``event -> then``, with ``[] fail.event -> THROW`` when the activity may fail.

    Example:
        >>> from procalg.terms import SKIP
        >>> class Ev: fallible = frozenset({"pay"})
        >>> print(prefix(Ev(), Event("pay"), SKIP))
        pay -> SKIP [] fail.pay -> THROW
    """
    step = Prefix(event, then)
    if event.channel in ev.fallible:
        return ExternalChoice(step, Prefix(fail_event(event), THROW))
    return step


def uses_cancel(spec: Any, module: ast.Module) -> bool:
    """Whether the model names the reserved event ``cancel`` (then runs can be cancelled).

    In a model without workflow constructs ``cancel`` may be an ordinary
    channel; declared so, it is not the cancellation event.

    Example:
        >>> from procalg.api.model import loads
        >>> [loads(t).spec.cancellable for t in ("activity a\\nP = a -> SKIP [] cancel -> SKIP",
        ...  "channel cancel\\nP = cancel -> SKIP", "activity a\\nP = a -> SKIP")]
        [True, False, False]
    """
    if CANCEL in spec.channel_decls:
        return False
    return any(type(here) is ast.Name and here.id == CANCEL for here in walk(module))


def uses_sagas(module: ast.Module) -> bool:
    """Whether the model has a ``saga (...)`` anywhere (then ``Events`` has the markers).

    Example:
        >>> from procalg.syntax import parse
        >>> uses_sagas(parse("activity a\\nP = a -> SKIP")), uses_sagas(parse("P = saga (SKIP)"))
        (False, True)
    """
    return any(type(here) is ast.Saga for here in walk(module))
