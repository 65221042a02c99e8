"""A search's worker threads, started when a chunk is first handed off.

Start-up: :mod:`concurrent.futures` loads :mod:`logging` with it, ~3 ms of
CPU, and a level search (:mod:`procalg.lts.level_search`) whose levels each
fit one chunk, as a small model's do, expands them all in its own thread and
never needs a worker. :class:`ThreadPool` stands where the search held a
``ThreadPoolExecutor``: the executor, and its module, come with the first
:meth:`~ThreadPool.submit`.

Example:
    >>> with ThreadPool(2) as pool:
    ...     started_before = pool.started
    ...     result = pool.submit(pow, 2, 10).result()
    >>> started_before, result, pool.started
    (False, 1024, True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor


class ThreadPool:
    """A ``ThreadPoolExecutor`` of ``workers`` threads, made on first use; as a
    context manager, shut down (waiting for its work) on leaving, if it was made."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ThreadPoolExecutor | None = None

    @property
    def started(self) -> bool:
        """Whether a chunk was handed off (the executor exists)."""
        return self._executor is not None

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Run ``fn(*args)`` on a worker thread; its future."""
        if self._executor is None:
            from concurrent.futures import ThreadPoolExecutor

            self._executor = ThreadPoolExecutor(self.workers)
        return self._executor.submit(fn, *args)

    def __enter__(self) -> ThreadPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
