"""The two reserved label names, apart from the arrays so that importing them is free.

The runtime and the firing rules need only these names; the LTS arrays
(:mod:`procalg.lts.lts`) bring numpy, which a process resuming a run after a
crash should not have to load.

Example:
    >>> TAU, TICK, TAU_INDEX, TICK_INDEX
    ('τ', '✓', 0, 1)
"""

from procalg.reserved import TAU, TICK

__all__ = ["TAU", "TAU_INDEX", "TICK", "TICK_INDEX"]
TAU_INDEX = 0
TICK_INDEX = 1
