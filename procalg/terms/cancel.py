"""Cancellation: the reserved event ``cancel``, which the environment offers a run.

A model says where a run may be cancelled by offering ``cancel`` there, as
any CSP process offers an event (``P /\\ cancel -> Cleanup``, or
``cancel -> THROW [] next_step`` between the steps of a saga, so a
cancelled saga compensates what it completed). ``procalg runs cancel`` is
the environment performing that event; the checks explore it like any other
event, so ``:[compensation complete]`` and ``:[terminates]`` cover cancelled
runs. Rules and outcome: ``docs/sagas.md`` section 8.

Example:
    >>> str(CANCEL_EVENT), is_cancel(Event("cancel")), is_cancel(Event("cancel_car"))
    ('cancel', True, False)
"""

from __future__ import annotations

from procalg import reserved
from procalg.terms.values import Event

CANCEL = reserved.CANCEL
CANCEL_EVENT = Event(CANCEL)
"""The cancellation event (no fields)."""


def is_cancel(label: object) -> bool:
    """Whether ``label`` is the cancellation event."""
    return type(label) is Event and label.channel == CANCEL and not label.fields
