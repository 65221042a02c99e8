"""procalg: model workflows as CSP processes, prove them correct, then run them."""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``procalg.activity``, ``procalg.heartbeat``: loaded on first use (``import procalg``
    stays light)."""
    if name == "activity":
        from procalg.runtime.ports import activity

        return activity
    if name == "validator":  # an update validator (procalg.runtime.updates)
        from procalg.runtime.updates import validator

        return validator
    if name in ("heartbeat", "heartbeat_details"):
        from procalg.runtime import heartbeat

        return getattr(heartbeat, name)
    raise AttributeError(f"module 'procalg' has no attribute {name!r}")
