"""Keeping an exploring command (``check``, ``lts``, ``graph``) from taking the
machine down: its address space is capped below physical memory, so an
infinite model ends in a ``MemoryError`` that :func:`procalg.cli.main.main`
reports as an ``error:`` (with a hint) instead of swapping or being killed.

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
