"""Activities for ``models/order_saga.proc``, bound with ``@procalg.activity``.

Run it::

    procalg run models/order_saga.proc Order --activities examples.shop

Set ``SHOP_FAIL`` to an activity name (``SHOP_FAIL=ship``) to make that
activity fail every attempt and watch the saga compensate. Every function
takes the idempotency key ``run_id:step``, which a real payment or shipping
API would receive so that a call repeated after a crash is applied once.

Example:
    >>> charge("r1:1")
    'charged (key r1:1)'
"""

from __future__ import annotations

import os

import procalg


def _maybe_fail(name: str) -> None:
    if os.environ.get("SHOP_FAIL") == name:
        raise ConnectionError(f"{name} service unavailable")


@procalg.activity("reserve")
def reserve(idempotency_key: str) -> str:
    _maybe_fail("reserve")
    return f"reserved (key {idempotency_key})"


@procalg.activity("charge")
def charge(idempotency_key: str) -> str:
    _maybe_fail("charge")
    return f"charged (key {idempotency_key})"


@procalg.activity("ship")
def ship(idempotency_key: str) -> str:
    _maybe_fail("ship")
    return f"shipped (key {idempotency_key})"


@procalg.activity("refund")
def refund(idempotency_key: str) -> str:
    return f"refunded (key {idempotency_key})"


@procalg.activity("release")
def release(idempotency_key: str) -> str:
    return f"released (key {idempotency_key})"
