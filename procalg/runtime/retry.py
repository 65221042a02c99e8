"""Retry policies for activities, with Temporal's field names and defaults.

The wait before attempt ``n + 1`` (after ``n`` failures) is
``min(initial_interval * backoff_coefficient ** (n - 1), maximum_interval)``,
exactly Temporal's schedule (without jitter, so that histories are
reproducible). ``maximum_attempts`` counts every try including the first;
0 means unlimited, as in Temporal. An error whose type name is in
``non_retryable_error_types`` ends the activity at once.

Example:
    >>> p = RetryPolicy(initial_interval=1.0, maximum_attempts=4)
    >>> [p.next_delay(n, "IOError") for n in (1, 2, 3, 4)]
    [1.0, 2.0, 4.0, None]
    >>> RetryPolicy(maximum_interval=3.0).next_delay(5, "X")
    3.0
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from procalg.errors import ModelError
from procalg.runtime.clock import parse_duration


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How an activity is retried (Temporal's ``RetryPolicy`` fields, seconds).

    Attributes:
        initial_interval: wait before the first retry.
        backoff_coefficient: each wait is this times the previous one.
        maximum_interval: cap on the wait; None means 100 x initial_interval.
        maximum_attempts: total tries including the first; 0 is unlimited.
        non_retryable_error_types: exception class names that are never retried.
        start_to_close_timeout: limit on one attempt (wall-clock); None is no limit.
        heartbeat_timeout: an attempt that calls :func:`procalg.heartbeat` no
            more often than this fails (``HeartbeatTimeout``); None: not checked.
    """

    initial_interval: float = 1.0
    backoff_coefficient: float = 2.0
    maximum_interval: float | None = None
    maximum_attempts: int = 0
    non_retryable_error_types: tuple[str, ...] = ()
    start_to_close_timeout: float | None = None
    heartbeat_timeout: float | None = None

    def __post_init__(self) -> None:
        if self.initial_interval < 0 or self.backoff_coefficient < 1.0:
            raise ModelError(
                "retry policy needs initial_interval >= 0 and backoff_coefficient >= 1",
                hint="Temporal's defaults are initial_interval=1s, backoff_coefficient=2.0",
            )
        if self.maximum_attempts < 0:
            raise ModelError("maximum_attempts cannot be negative (0 means unlimited)")

    @property
    def cap(self) -> float:
        """The effective maximum interval."""
        if self.maximum_interval is None:
            return 100.0 * self.initial_interval
        return self.maximum_interval

    def next_delay(self, failures: int, error_type: str) -> float | None:
        """Seconds to wait after the ``failures``-th failed attempt, or None to give up.

        Example:
            >>> RetryPolicy(non_retryable_error_types=("ValueError",)).next_delay(1, "ValueError")
        """
        if error_type in self.non_retryable_error_types:
            return None
        if self.maximum_attempts and failures >= self.maximum_attempts:
            return None
        delay = self.initial_interval * self.backoff_coefficient ** (failures - 1)
        return min(delay, self.cap)

    def with_overrides(self, **changes: Any) -> RetryPolicy:
        """A copy with some fields replaced; durations may be strings (``"30s"``).

        Example:
            >>> RetryPolicy().with_overrides(initial_interval="250ms").initial_interval
            0.25
        """
        for name in ("initial_interval", "maximum_interval", "start_to_close_timeout",
                     "heartbeat_timeout"):
            if isinstance(changes.get(name), str):
                changes[name] = parse_duration(changes[name])
        if "non_retryable_error_types" in changes:
            changes["non_retryable_error_types"] = tuple(changes["non_retryable_error_types"])
        try:
            return replace(self, **changes)
        except TypeError as err:
            raise ModelError(f"unknown retry policy field: {err}") from err
