"""Deep evaluation without crashing the interpreter: a big stack, a bounded depth.

Value functions recurse on Python's stack (``F(n) = 1 + F(n-1)`` is about
seven Python frames per level), so a model needs a recursion limit well above
Python's default 1000. A limit only bounds Python frames, though; the C stack
they use depends on the code path (measured on CPython 3.11: about 10 bytes
per frame for plain calls, 70 through ``tuple(generator)``, 230 when deep
terms are compared for equality) and on the thread's stack, which can be
small (a 1 MiB thread crashed at 50 000 frames with a segmentation fault).

So :func:`run_deep` runs an evaluation on a thread whose stack size is known
(:data:`STACK_BYTES`), under :data:`RECURSION_LIMIT`, chosen so that
even at 2 KiB per frame the limit is reached long before the stack's end:
past it Python raises ``RecursionError``, which callers turn into a
``ModelError``. Loading a model (parsing, building, evaluating), the
api's model operations (terms, LTSs, networks, checks) and a run's
workflow all run there: generated models nest thousands of operators (a
chain of 10,000 prefixes, an ``if ... else if ...`` chain, nested ``[]``),
and each nesting level costs a few frames in the evaluator, the term rules
and when deep terms are compared. The syntax refuses nesting past
``procalg.syntax.parser.MAX_NESTING`` (20,000) before any of that.

The limit is process-wide while raised. On CPython 3.11 a call from Python
to Python uses no C stack, so another thread that recurses in Python
meanwhile still gets its ``RecursionError``; one that recurses through C
(``repr`` or ``==`` of deeply nested data) has only its own stack (8 MiB
usually) for up to :data:`RECURSION_LIMIT` frames.

Example:
    >>> import sys
    >>> before = sys.getrecursionlimit()
    >>> run_deep(lambda: sys.getrecursionlimit()) == RECURSION_LIMIT
    True
    >>> sys.getrecursionlimit() == before
    True
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from procalg.source import Span

T = TypeVar("T")

RECURSION_LIMIT = 120_000
"""Python frames an evaluation may use: ``F(2000)``-deep value recursion fits, and
operators nested :data:`~procalg.syntax.parser.MAX_NESTING` deep (about six frames
a level where the evaluator and the term rules recurse)."""

STACK_BYTES = 256 * 2**20
"""Stack of the evaluating thread: 256 MiB, over 2 KiB per frame at the limit.

Only address space is reserved; pages are committed as the stack grows.
"""

_local = threading.local()
_start_lock = threading.Lock()
_make_lock = threading.Lock()
_limit_lock = threading.Lock()
_raised = [0, 0]  # evaluations running now, the limit before the first of them


def _raise_limit() -> None:
    """Raise the limit for one more evaluation (the first one saves the old limit)."""
    with _limit_lock:
        if _raised[0] == 0:
            _raised[1] = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_raised[1], RECURSION_LIMIT))
        _raised[0] += 1


def _restore_limit() -> None:
    """The last evaluation to end puts the old limit back (overlapping ones keep it raised)."""
    with _limit_lock:
        _raised[0] -= 1
        if _raised[0] == 0:
            sys.setrecursionlimit(_raised[1])


class _Worker:
    """One daemon thread with a :data:`STACK_BYTES` stack that runs evaluations in turn.

    A persistent thread: starting one per evaluation costs about a millisecond
    (a big stack is mapped and unmapped each time); a hand-over costs tens
    of microseconds.
    """

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        thread = threading.Thread(target=self.serve, name="procalg-eval", daemon=True)
        with _start_lock:  # stack_size applies to threads started from now on: restore it
            previous = threading.stack_size(STACK_BYTES)
            try:
                thread.start()
            finally:
                threading.stack_size(previous)

    def serve(self) -> None:
        _local.deep = True
        while True:
            action, outcome, done = self.jobs.get()
            _raise_limit()
            try:
                outcome.append((True, action()))
            except BaseException as err:  # re-raised in the caller's thread
                outcome.append((False, err))
            finally:
                _restore_limit()
                # the job's closure (a model, its evaluator) and its result are the
                # caller's: not held by this thread until the next job comes
                action = outcome = None
                done.set()

    def run(self, action: Callable[[], T]) -> T:
        outcome: list = []
        done = threading.Event()
        self.jobs.put((action, outcome, done))
        done.wait()
        ok, result = outcome[0]
        if ok:
            return result
        raise result.with_traceback(result.__traceback__)


_worker: list[_Worker] = []


def _forget_worker() -> None:
    """After ``fork`` the child has no worker thread: start a new one when needed."""
    _worker.clear()


os.register_at_fork(after_in_child=_forget_worker)


def run_deep(action: Callable[[], T]) -> T:
    """Run ``action`` on a thread with a :data:`STACK_BYTES` stack and a raised limit.

    Nested calls (from inside such a thread) run directly. Exceptions, and the
    result, pass to the caller as if ``action`` had run in its thread. If no
    thread can be started, ``action`` runs here under the current limit (a
    ``RecursionError`` then comes sooner, but never a crash).
    """
    if getattr(_local, "deep", False):
        return action()
    if not _worker:
        with _make_lock:
            if not _worker:
                try:
                    _worker.append(_Worker())
                except (RuntimeError, ValueError, MemoryError):
                    return action()
    return _worker[0].run(action)


HOP_DEPTH = RECURSION_LIMIT // 2
"""Frames a thread may use before :func:`with_room` moves on to a fresh stack."""

MAX_HOPS = 8
"""Fresh stacks one evaluation may chain (then ``RecursionError``, as without hops):
8 × 60,000 frames, 2 GiB of address space at most, pages committed as used."""


def _depth_over(frames: int) -> bool:
    """Whether this thread's stack holds more than ``frames`` Python frames (O(frames))."""
    try:
        sys._getframe(frames)
    except ValueError:
        return False
    return True


def with_room(action: Callable[[], T]) -> T:
    """Run ``action`` here, or on a fresh :data:`STACK_BYTES` thread if this one is deep.

    Nested evaluations that each go a little deeper (a compression whose
    process calls a function that compresses again, 1,000 levels in FDR's
    dining philosophers of powers of two) would pass any fixed limit; past
    :data:`HOP_DEPTH` frames the work goes on in a new thread, with its own
    stack and recursion count, while this one waits. An unbounded recursion
    still ends in ``RecursionError`` after :data:`MAX_HOPS` stacks.

    Example:
        >>> with_room(lambda: 6 * 7)
        42
    """
    if not _depth_over(HOP_DEPTH):
        return action()
    hops = getattr(_local, "hops", 0)
    if hops >= MAX_HOPS:
        raise RecursionError("evaluation nested too deeply")
    outcome: list = []

    def hop() -> None:
        _local.deep, _local.hops = True, hops + 1
        try:
            outcome.append((True, action()))
        except BaseException as err:  # re-raised in the waiting thread
            outcome.append((False, err))

    with _start_lock:
        previous = threading.stack_size(STACK_BYTES)
        try:
            thread = threading.Thread(target=hop, name="procalg-eval-deeper", daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous)
    thread.join()
    ok, result = outcome[0]
    if ok:
        return result
    raise result.with_traceback(result.__traceback__)


def innermost_span(err: BaseException) -> Span | None:
    """Where a ``RecursionError`` went too deep: the span of the syntax node that the
    innermost frame of ``err``'s traceback holding one was working on, or None.

    Example:
        >>> from procalg.syntax import parse_expr
        >>> def dive(expr, n):
        ...     return dive(expr, n + 1) if n < 5 else 1 // 0
        >>> try:
        ...     dive(parse_expr("a -> STOP"), 0)
        ... except ZeroDivisionError as err:
        ...     print(innermost_span(err))
        1:1
    """
    frames = []
    tb = err.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in reversed(frames):
        for value in frame.f_locals.values():
            if type(value).__module__.startswith("procalg.syntax"):
                span: Any = getattr(value, "span", None)
                if isinstance(span, Span):
                    return span
    return None
