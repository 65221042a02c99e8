"""Keeping freed scratch memory for the next batch of a level search.

A level search (:mod:`procalg.lts.level_search`) makes and drops arrays of
tens of MB per batch (successor keys, their hashes, sort orders). glibc's
``malloc`` hands such a block back to the kernel when it is freed: a block
above its mmap threshold (at most 32 MiB, raised only as larger blocks are
freed) is unmapped, and free space at the top of the heap beyond its trim
threshold is given back. The next batch's block is then fresh memory, every
page of it zeroed by the kernel on first touch: on Tokeneer's first 19
levels (10.7 M states) that was 16 s of system time beside 38 s of user time
(``perf``: ``clear_page_erms`` under ``memmove``, 20 % of the samples).

:func:`keep_freed_memory` fixes the mmap threshold at its maximum, so blocks
up to 32 MiB come from the heap, and keeps up to :data:`TRIM_BYTES` of free
heap instead of trimming it; the next batch reuses the pages already
mapped. It calls ``mallopt`` (``man 3 mallopt``) once per process, and
does nothing where the C library has no ``mallopt`` (not glibc). The
setting is the whole process's and lasts: a search asks for it only once it
has visited :data:`LARGE_STATES` states (:func:`keep_freed_memory_past`), so a
long-lived process (a worker, a notebook) that only checks small models keeps
glibc's usual trimming.

Example:
    >>> keep_freed_memory() in (True, False)
    True
"""

from __future__ import annotations

import ctypes
import functools

M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
"""``mallopt`` parameter numbers (glibc's ``malloc.h``)."""

MMAP_BYTES = 32 << 20
"""glibc's largest mmap threshold on 64-bit machines (``DEFAULT_MMAP_THRESHOLD_MAX``)."""

TRIM_BYTES = 1 << 30
"""Free heap kept for reuse instead of being handed back (a few batches' worth:
it bounds how much the process may hold beyond what it uses)."""

TOP_PAD_BYTES = 64 << 20
"""Extra heap asked for whenever the heap grows (fewer ``brk`` calls)."""


LARGE_STATES = 1 << 20
"""Visited states past which a search's batches are large enough for fresh
pages to cost (Tokeneer: tens of MB a batch past a few million states)."""


def keep_freed_memory_past(states: int) -> bool:
    """:func:`keep_freed_memory` once ``states`` passes :data:`LARGE_STATES`
    (else nothing); True if the settings are in force.

    Example:
        >>> keep_freed_memory_past(10)
        False
    """
    return states > LARGE_STATES and keep_freed_memory()


@functools.cache
def keep_freed_memory() -> bool:
    """Tell glibc's ``malloc`` to keep freed blocks for reuse (once per process);
    True if it took the settings."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library already loaded
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return all(mallopt(param, value) == 1 for param, value in (
        (M_MMAP_THRESHOLD, MMAP_BYTES), (M_TRIM_THRESHOLD, TRIM_BYTES),
        (M_TOP_PAD, TOP_PAD_BYTES)))
