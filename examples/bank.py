"""Activities and an update validator for ``models/account.proc``.

``procalg runs update ... --activities examples.bank`` imports this module:
the decorators bind ``payout`` and register a validator that refuses
withdrawals the model would allow but a person must approve.

Example:
    >>> payout(7) is None, large_withdrawal(5)
    (True, 'withdrawals above 4 need a person')
"""

from __future__ import annotations

import procalg


@procalg.activity("payout")
def payout(amount: int) -> None:
    """Pay the closed account's balance out (a stand-in for a bank transfer)."""


@procalg.validator("withdraw")
def large_withdrawal(amount: int) -> bool | str:
    """Refuse (with a reason) a withdrawal above 4; the model already refuses overdrafts."""
    return amount <= 4 or "withdrawals above 4 need a person"
