"""Activities for ``models/trip_booking.proc`` and ``models/approval.proc``, as a mapping.

A module may bind its activities with a dict named ``ACTIVITIES`` instead of
decorators; ``procalg run ... --activities examples.travel`` uses it. Set
``TRAVEL_FAIL`` to an activity name to make it fail every attempt.

Example:
    >>> sorted(ACTIVITIES)[:3]
    ['cancel_car', 'cancel_flight', 'cancel_hotel']
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable


def _service(name: str, seconds: float = 0.0) -> Callable[[], None]:
    def call() -> None:
        time.sleep(seconds)  # the three reservations overlap: they run concurrently
        if os.environ.get("TRAVEL_FAIL") == name:
            raise ConnectionError(f"{name} service unavailable")
    call.__name__ = name
    return call


ACTIVITIES = {name: _service(name, 0.05 if name in ("hotel", "flight", "car") else 0.0)
              for name in ("hotel", "flight", "car", "pay", "cancel_hotel", "cancel_flight",
                           "cancel_car", "notify_manager", "grant", "revoke")}
