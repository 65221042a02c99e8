"""procalg: model workflows as CSP processes, prove them correct, then run them."""

from procalg import compiled_methods

__version__ = "0.1.0"

# procalg's dataclasses take their generated methods' bytecode from __pycache__
# (a third of the package's import time otherwise: procalg/compiled_methods.py)
compiled_methods.install()


def __getattr__(name: str) -> object:
    """``procalg.activity``, ``procalg.heartbeat``: loaded on first use (``import procalg``
    stays light)."""
    if name == "activity":
        from procalg.runtime.activities import activity

        return activity
    if name == "validator":  # an update validator (procalg.runtime.updates)
        from procalg.runtime.updates import validator

        return validator
    if name in ("heartbeat", "heartbeat_details"):
        from procalg.runtime import heartbeat

        return getattr(heartbeat, name)
    raise AttributeError(f"module 'procalg' has no attribute {name!r}")
