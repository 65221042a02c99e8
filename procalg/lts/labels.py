"""The two reserved label names, apart from the arrays so that importing them is free.

The runtime and the firing rules need only these names; the LTS arrays
(:mod:`procalg.lts.lts`) bring numpy, which a process resuming a run after a
crash should not have to load.

Example:
    >>> TAU, TICK, TAU_INDEX, TICK_INDEX
    ('τ', '✓', 0, 1)
"""

TAU = "τ"
"""The name of the internal action; always label 0."""
TICK = "✓"
"""The name of successful termination; always label 1."""
TAU_INDEX = 0
TICK_INDEX = 1
