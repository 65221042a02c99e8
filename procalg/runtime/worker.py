"""Performing activity attempts: the only place the engine calls user code.

An attempt calls the bound function with the fields the model gives (sync
functions directly, or on a thread when it has a timeout or runs alongside
others; async functions in a fresh event loop), passes the idempotency key
``run_id:step`` to functions that take ``idempotency_key`` (and to a
compensation that takes ``undoes``, the keys of the calls it undoes), and turns the
return value into the fields the model reads. Every way an attempt can go
wrong becomes an :class:`Outcome` with an error type and message; nothing
escapes.

Start-to-close timeouts are wall-clock: they guard against hung code, which
a virtual clock cannot make faster. A hung sync function cannot be killed in
Python; its thread is abandoned and its result ignored (at-least-once, as in
every engine of this kind). Async functions are cancelled.

Example:
    >>> from procalg.terms.values import Event
    >>> call = Perform(0, "double", (2,), 1, frozenset({Event("double", (2, 4))}), False)
    >>> attempt(lambda x: 2 * x, call, "run:0", None, arity=2)
    Outcome(output=(4,), error_type='', message='', details=None)
    >>> attempt(lambda x: 5, call, "run:0", None, arity=2).message
    'activity double returned 5: double.2.5 is not in the set the model offers, {double.2.4}'
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from procalg.errors import RunError
from procalg.runtime.conform import compatible
from procalg.runtime.daemons import DAEMONS
from procalg.runtime.decide import Perform
from procalg.runtime.heartbeat import HEARTBEAT_TIMEOUT, Beat, leave
from procalg.runtime.history import encode_value
from procalg.runtime.telemetry import ACTIVITY
from procalg.runtime.uncertain import TIMEOUT
from procalg.terms.values import Event, show, sort_key

OUTSIDE_SET = "ValueOutsideChannel"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an attempt produced: the output fields, or an error."""

    output: tuple[Any, ...] | None
    error_type: str = ""
    message: str = ""
    details: Any = None  # a failed attempt's last heartbeat details


@lru_cache(maxsize=1024)
def takes_key(fn: Callable[..., Any], name: str = "idempotency_key") -> bool:
    """True if ``fn`` accepts keyword ``name``: ``idempotency_key`` (also through
    ``**kwargs``), or ``undoes`` (only by name: it costs a history read per call)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name or (p.kind is p.VAR_KEYWORD and name == "idempotency_key")
               for p in params)


def plan_of(fn: Callable[..., Any]) -> tuple[bool, bool, bool]:
    """How to call ``fn``: ``(takes idempotency_key, takes undoes, async)`` (see :func:`_plan`).

    Example:
        >>> plan_of(lambda x, undoes: None)
        (False, True, False)
    """
    try:
        plan = _PLANS.get(fn)
    except TypeError:  # an unhashable callable object
        plan = None
    return _plan(fn) if plan is None else plan


def _invoke(fn: Callable[..., Any], call: Perform, key: str, timeout: float | None) -> Any:
    args = call.input
    plan = plan_of(fn)
    if plan == _PLAIN:  # the common activity: no keys, not async (no inspect per call)
        return fn(*args)
    keyed, undoes, is_async = plan
    kwargs: dict[str, Any] = {"idempotency_key": key} if keyed else {}
    if undoes:
        kwargs["undoes"] = list(call.undoes)
    if is_async:
        import asyncio  # only for async activities: it costs ~20 ms to import

        return asyncio.run(asyncio.wait_for(fn(*args, **kwargs), timeout))
    return fn(*args, **kwargs)


_PLANS: dict[Any, tuple[bool, bool, bool]] = {}
"""Per activity function: whether it takes ``idempotency_key``, ``undoes``, and is async
(:func:`_plan`); a step asked ``inspect`` these three each call (~3 µs of a step's CPU)."""
_PLAIN = (False, False, False)


def _plan(fn: Callable[..., Any]) -> tuple[bool, bool, bool]:
    """How to call ``fn``: ``(takes idempotency_key, takes undoes, async)``, remembered
    (bounded) when ``fn`` is hashable.

    Example:
        >>> async def pay(x, idempotency_key): ...
        >>> _plan(pay), _plan(lambda x: x)
        ((True, False, True), (False, False, False))
    """
    plan = (takes_key(fn), takes_key(fn, "undoes"), inspect.iscoroutinefunction(fn))
    try:
        if len(_PLANS) >= 1024:  # functions made per run (closures): keep a bounded few
            _PLANS.clear()
        _PLANS[fn] = plan
    except TypeError:  # unhashable callable: asked again next time
        pass
    return plan


def _shape(call: Perform, value: Any, arity: int) -> Outcome:
    """Fit the return value to the fields the model reads, and check it is offered."""
    missing = arity - len(call.input)
    if missing == 0:
        output: tuple[Any, ...] = ()
    elif missing == 1:
        output = (value,)
    elif isinstance(value, tuple | list) and len(value) == missing:
        output = tuple(value)
    else:
        return Outcome(None, OUTSIDE_SET, f"activity {call.channel} returned {value!r}; "
                                          f"the model reads {missing} fields, give a tuple")
    try:
        event = Event(call.channel, call.input + output)
    except TypeError:  # unhashable (a list, a dict): no model value is
        return Outcome(None, OUTSIDE_SET, f"activity {call.channel} returned {value!r}, "
                                          "which is not a value of the model")
    match = _offered(call, event)
    if match is None:
        offered = ", ".join(str(e) for e in sorted(call.offered, key=sort_key))
        model_kind = type(value) in (int, bool, tuple, frozenset) or \
            type(value).__module__.startswith("procalg")
        shown = show(value) if model_kind else f"{value!r} (a {type(value).__name__})"
        return Outcome(None, OUTSIDE_SET, f"activity {call.channel} returned {shown}: {event} "
                                          f"is not in the set the model offers, {{{offered}}}")
    # the model's own values (10, not 10.0 or numpy.int64(10)): what the store records
    output = match.fields[len(call.input):]
    if all(type(v) in _RECORDABLE for v in output):  # stored as they are: nothing to try
        return Outcome(output)
    try:
        encode_value(output)
    except Exception as err:  # any failure to encode is the value's fault
        return Outcome(None, OUTSIDE_SET, f"activity {call.channel} returned a value the "
                                          f"store cannot record: {err}")
    return Outcome(output)


_RECORDABLE = frozenset({int, bool, str})
"""Value types :func:`~procalg.runtime.value_json.encode_value` stores as they are."""


def _offered(call: Perform, event: Event) -> Event | None:
    """The offered event ``event`` stands for (Python equality, then kind by kind)."""
    if event not in call.offered:
        return None
    fresh, wanted = len(call.input), hash(event)
    for offered in call.offered:
        # hashes first: equal events hash alike, and most offered ones are not equal
        if hash(offered) == wanted and offered == event and all(
                compatible(v, m) for v, m in zip(event.fields[fresh:], offered.fields[fresh:],
                                                 strict=True)):
            return offered
    return None


Job = tuple[Callable[..., Any], Perform, str, float | None, int, float | None]
"""An attempt to make: function, call, idempotency key, start-to-close and heartbeat
timeouts (seconds or None), and the channel's arity."""


def attempt(fn: Callable[..., Any], call: Perform, key: str, timeout: float | None,
            arity: int, beat: Beat | None = None) -> Outcome:
    """Run one attempt in the calling thread (no timeout enforcement for sync code)."""
    beat = beat or Beat(call.details)
    token = ACTIVITY.set(key)  # log records made by the activity name its run and step
    outer = beat.enter()  # Beat.active, without a generator's cost per attempt
    try:
        value = _invoke(fn, call, key, timeout)
    except TimeoutError:
        return Outcome(None, TIMEOUT, f"activity {call.channel} exceeded {timeout}s")
    except SystemExit as err:  # not a failed attempt: the code asked to end the process
        raise RunError(f"activity {call.channel} called sys.exit({err.code!r})",
                       hint="raise an exception to fail an attempt") from None
    except Exception as err:  # user code: any exception is a failed attempt
        return Outcome(None, type(err).__name__, str(err))
    finally:
        leave(outer)
        ACTIVITY.reset(token)
    return _shape(call, value, arity)


def _on_daemon(job: Job, beat: Beat) -> Future[Outcome]:
    """An attempt with a time limit, on a daemon thread of its own while it runs
    (:mod:`~procalg.runtime.daemons`): if it hangs past the limit it is abandoned, and a
    pool thread would keep the process from exiting (pools are joined at exit)."""
    future: Future[Outcome] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(attempt(*job[:5], beat))
        except BaseException as err:  # handed to the waiting driver
            future.set_exception(err)

    DAEMONS.submit(run)  # a daemon thread, reused: starting one per attempt cost ~100 µs
    return future


def attempt_all(pool: ThreadPoolExecutor, jobs: list[Job]) -> list[Outcome]:
    """Run attempts concurrently (one alone without a time limit runs inline, no thread).

    A failed attempt's outcome carries its last heartbeat details.
    """
    beats = [Beat(job[1].details) for job in jobs]
    if len(jobs) == 1 and jobs[0][3] is None and jobs[0][5] is None:
        outcomes = [attempt(*jobs[0][:5], beats[0])]
    else:
        began = time.monotonic()
        futures = [pool.submit(attempt, *job[:5], beat) if job[3] is None and job[5] is None
                   else _on_daemon(job, beat) for job, beat in zip(jobs, beats, strict=True)]
        outcomes = [_await(future, job, beat, began)
                    for future, job, beat in zip(futures, jobs, beats, strict=True)]
    return [o if o.output is not None or beat.details is None
            else replace(o, details=beat.details) for o, beat in zip(outcomes, beats, strict=True)]


def _await(future: Future[Outcome], job: Job, beat: Beat, began: float) -> Outcome:
    """The attempt's outcome, or a timeout: start-to-close (from the batch's start, not
    from when an earlier attempt finished) or a heartbeat missed."""
    call, timeout, silent = job[1], job[3], job[5]
    while True:
        waits = [] if timeout is None else [began + timeout - time.monotonic()]
        if silent is not None:
            waits.append(silent - beat.silent_for())
        try:
            return future.result(timeout=max(0.0, min(waits)) if waits else None)
        except FutureTimeout:
            if timeout is not None and time.monotonic() >= began + timeout:
                future.cancel()
                return Outcome(None, TIMEOUT, f"activity {call.channel} exceeded "
                                              f"{timeout}s (start-to-close timeout)")
            if silent is not None and beat.silent_for() >= silent:
                future.cancel()
                return Outcome(None, HEARTBEAT_TIMEOUT, f"activity {call.channel} sent no "
                                                        f"heartbeat for {silent}s")
