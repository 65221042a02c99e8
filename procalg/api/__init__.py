"""Composition for people and programs (layer 5): load a model, check it, run it.

Names load on first use (PEP 562), so ``procalg.api.run`` resuming a run
does not import the checks.

Example:
    >>> from procalg.api import loads, check_model
    >>> model = loads("channel a\\nP = a -> P\\nassert P :[deadlock free]")
    >>> [str(r.result) for r in check_model(model)]
    ['pass']
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from procalg.api.check import AssertionReport, check_assertion, check_model
    from procalg.api.model import Model, load, loads

__all__ = ["AssertionReport", "Model", "check_assertion", "check_model", "load", "loads"]


def __getattr__(name: str) -> Any:
    """Load the names of ``__all__`` from their modules on first use."""
    if name in ("AssertionReport", "check_assertion", "check_model"):
        from procalg.api import check as module
    elif name in ("Model", "load", "loads"):
        from procalg.api import model as module
    else:
        raise AttributeError(f"module 'procalg.api' has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value  # later look-ups skip this function
    return value
