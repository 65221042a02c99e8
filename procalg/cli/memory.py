"""Keeping an exploring command (``check``, ``lts``, ``graph``) from taking the
machine down: its address space is capped below physical memory, so an
infinite model ends in a ``MemoryError`` that :func:`procalg.cli.main.main`
reports as an ``error:`` (with a hint) instead of swapping or being killed;
and a CPU-time limit the caller set (``ulimit -t``) ends in the same kind of
``error:``, saying how far the check got, a little before the kernel's kill.

Example:
    >>> 0 < MEMORY_SHARE < 1
    True
"""

from __future__ import annotations

import os

MEMORY_SHARE = 0.8
"""Share of physical memory an exploring command may take before it stops
cleanly (an infinite model must not take the machine down with it)."""


def guard_memory(share: float = MEMORY_SHARE) -> int | None:
    """Cap this process's address space at ``share`` of physical memory.

    Only lowers the soft limit (never raises one set by the caller), so a
    runaway exploration ends in a ``MemoryError`` that
    :func:`procalg.cli.main.main` reports.
    Returns the limit in bytes, or ``None`` where the platform cannot tell.
    """
    try:
        import resource

        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = int(total * share)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
            return limit
        return soft
    except (ImportError, ValueError, OSError):
        return None


CPU_MARGIN = 0.05
"""Share of a CPU-time limit (``ulimit -t``) kept for saying how far a check got
(at least :data:`MIN_MARGIN` seconds): the kernel's ``SIGKILL`` at the hard limit
leaves no word, not even which assertion was running."""

MIN_MARGIN = 2.0
"""Fewest CPU seconds kept: the exploring threads burn up to two a second meanwhile."""


class CpuLimitReached(BaseException):
    """The process's CPU-time limit is near: the command stops and says how far it got.

    A ``BaseException``, as ``KeyboardInterrupt``: no engine's ``except Exception``
    may take it for a model error and go on to the next assertion.
    """

    def __init__(self, limit: float) -> None:
        super().__init__(f"CPU time limit ({limit:g} s) reached")
        self.limit = limit


def cpu_limit() -> float | None:
    """Seconds of CPU time this process may use (``ulimit -t``), or ``None``: no limit.

    Example:
        >>> cpu_limit() is None or cpu_limit() > 0
        True
    """
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    except (ImportError, ValueError, OSError):
        return None
    limits = [x for x in (soft, hard) if x != resource.RLIM_INFINITY]
    return float(min(limits)) if limits else None


def guard_cpu(limit: float | None = None, poll: float = 0.2) -> float | None:
    """Stop this process cleanly shortly before its CPU-time limit.

    At the soft limit the kernel sends ``SIGXCPU`` to any thread, and at the
    hard one ``SIGKILL`` (``ulimit -t`` sets both: the kill comes first). A
    daemon thread instead watches the process's CPU time (all threads:
    :func:`time.process_time`) and, :data:`CPU_MARGIN` before ``limit``, sends
    ``SIGXCPU`` to the main thread itself: a signal to another thread would
    not wake the main one where it waits for the evaluation thread. Its
    handler raises :class:`CpuLimitReached` there, once.
    Returns the limit watched (``None``: none, nothing started).
    """
    import signal
    import threading
    import time

    limit = cpu_limit() if limit is None else limit
    if limit is None or threading.current_thread() is not threading.main_thread():
        return None
    stop_at = limit - max(MIN_MARGIN, CPU_MARGIN * limit)

    def handler(_signum: int, _frame: object) -> None:
        signal.signal(signal.SIGXCPU, signal.SIG_IGN)  # once: the exit needs the rest
        raise CpuLimitReached(limit)

    def watch(main: int) -> None:
        while time.process_time() < stop_at:
            time.sleep(poll)
        signal.pthread_kill(main, signal.SIGXCPU)

    signal.signal(signal.SIGXCPU, handler)
    threading.Thread(target=watch, args=(threading.get_ident(),), name="procalg-cpu-limit",
                     daemon=True).start()
    return limit
