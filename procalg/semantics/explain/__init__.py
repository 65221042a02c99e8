"""Counterexamples explained component by component, like FDR's debugger.

- :mod:`.components`: the parallel components of each state, and moves with blame;
- :mod:`.replay`: finding the states a check's path passes;
- :mod:`.ending`: what the end state shows (offers, blocked events, saga outcomes);
- :mod:`.explanation`: :func:`explain`, which puts them together.
"""

from procalg.semantics.explain.components import Structure
from procalg.semantics.explain.ending import Blocked
from procalg.semantics.explain.explanation import Component, Explanation, Goal, explain

__all__ = ["Blocked", "Component", "Explanation", "Goal", "Structure", "explain"]
