"""The bisimulations :mod:`procalg.lts.partition` computes, as names.

A light module (no numpy): the command line's ``--minimize`` is read before
the partition engines load. ``procalg.lts.partition.Bisimulation`` is this class.

Example:
    >>> Bisimulation.parse("Weak")
    <Bisimulation.WEAK: 'weak'>
"""

from __future__ import annotations

import enum

from procalg.choices import Choice


class Bisimulation(Choice, enum.Enum):
    """The bisimulations :mod:`procalg.lts.partition` computes.

    ``procalg.checks.Equivalence`` (what a user asks ``P = Q :[...]`` for) adds
    trace equivalence, which is not a bisimulation; its other values equal these.
    """

    STRONG = "strong"
    WEAK = "weak"
    BRANCHING = "branching"
