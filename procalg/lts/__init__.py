"""Labelled transition systems as integers and arrays (layer 1)."""

from procalg.lts.exploration import ExplicitSystem, explore
from procalg.lts.lts import LTS, TAU, TAU_INDEX, TICK, TICK_INDEX, TransitionSystem

__all__ = [
    "LTS", "TAU", "TAU_INDEX", "TICK", "TICK_INDEX", "ExplicitSystem", "TransitionSystem",
    "explore",
]
