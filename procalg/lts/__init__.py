"""Labelled transition systems as integers and arrays (layer 1).

The label names ``TAU``/``TICK`` load at once; the array classes and
exploration (numpy) load on first use (PEP 562), so a process that only
runs workflows, e.g. one resuming a run after a crash, never imports numpy.
"""

from typing import TYPE_CHECKING, Any

from procalg.lts.labels import TAU, TAU_INDEX, TICK, TICK_INDEX

if TYPE_CHECKING:
    from procalg.lts.exploration import ExplicitSystem, explore
    from procalg.lts.lts import LTS, TransitionSystem

__all__ = [
    "LTS", "TAU", "TAU_INDEX", "TICK", "TICK_INDEX", "ExplicitSystem", "TransitionSystem",
    "explore",
]


def __getattr__(name: str) -> Any:
    """Load ``LTS``, ``TransitionSystem``, ``ExplicitSystem`` and ``explore`` on first use."""
    if name in ("LTS", "TransitionSystem"):
        from procalg.lts import lts as module
    elif name in ("ExplicitSystem", "explore"):
        from procalg.lts import exploration as module
    else:
        raise AttributeError(f"module 'procalg.lts' has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value  # later look-ups skip this function
    return value
