"""Activities for ``models/order_children.proc`` (an order with a child payment run).

Run it::

    procalg run models/order_children.proc 'Order(1)' --activities examples.payments

Set ``PAY_FAIL`` to an activity name (``PAY_FAIL=charge``) to make that
activity fail every attempt: the child run compensates, and the parent
reacts to ``Pay.1.compensated``.

Example:
    >>> charge(1, idempotency_key="r1.0:0")
    'charged order 1 (key r1.0:0)'
"""

from __future__ import annotations

import os

import procalg


def _maybe_fail(name: str) -> None:
    if os.environ.get("PAY_FAIL") == name:
        raise ConnectionError(f"{name} service unavailable")


@procalg.activity("charge")
def charge(order: int, idempotency_key: str) -> str:
    _maybe_fail("charge")
    return f"charged order {order} (key {idempotency_key})"


@procalg.activity("ship")
def ship(order: int, idempotency_key: str) -> str:
    _maybe_fail("ship")
    return f"shipped order {order} (key {idempotency_key})"


@procalg.activity("refund")
def refund(order: int, idempotency_key: str) -> str:
    return f"refunded order {order} (key {idempotency_key})"


@procalg.activity("notify")
def notify(order: int, idempotency_key: str) -> str:
    return f"told the customer of order {order} (key {idempotency_key})"
