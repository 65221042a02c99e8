"""Checks made before a run starts: verdicts and activity bindings.

Example:
    >>> from procalg.runtime.workflow import Channel, ChannelKind, Workflow
    >>> wf = Workflow(None, {"pay": Channel("pay", ChannelKind.ACTIVITY, 1)})
    >>> check_bindings(wf, ActivityRegistry({"pay": lambda amount: None}))
    >>> try:
    ...     check_bindings(wf, ActivityRegistry({"pay": lambda a, b, c: None}))
    ... except RunError as err:
    ...     print(err.message)
    activity pay takes 3 required arguments but its channel has 1 field(s)
"""

from __future__ import annotations

import inspect
from types import MappingProxyType
from typing import Any

from procalg.errors import RunError
from procalg.runtime.activities import ActivityRegistry
from procalg.runtime.workflow import Workflow


def check_verdicts(workflow: Workflow, allow_failed: bool) -> None:
    """Refuse a model with a failed assertion unless the caller opted out.

    Verdicts are booleans or ``"pass"``/``"fail"``/``"error"`` (an assertion
    procalg could not check is recorded, not treated as failed).
    """
    failed = [text for text, ok in workflow.verdicts.items() if ok is False or ok == "fail"]
    if failed and not allow_failed:
        raise RunError(
            f"the model fails its assertion `{failed[0]}`"
            + (f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""),
            hint="fix the model, or start with allow_failed_assertions=True",
        )


def check_bindings(workflow: Workflow, registry: ActivityRegistry) -> None:
    """Every activity channel the process reaches is bound to a function that can take
    its given fields (which ones it reaches is searched only if some declared one is not)."""
    channels, fits = workflow.channels, registry.fits
    found = fits.get(id(channels))
    if found is not None and found[0] is channels and found[1] == registry.version:
        return  # checked before against these functions (a run's every signal asks)
    declared = workflow.declared_activities()
    if all(c.name in registry and _required(registry.lookup(c.name)) <= c.arity
           for c in declared):
        if type(channels) is MappingProxyType:  # read-only (procalg.api's): kept as checked
            if len(fits) > 64:  # channel tables of models come and go: keep a bounded few
                fits.clear()
            fits[id(channels)] = (channels, registry.version)
        return  # every declared activity fits: no need to search which ones are reached
    reached = workflow.activities()
    unbound = [c.name for c in reached if c.name not in registry]
    if unbound:
        raise RunError(
            f"activities without a bound function: {', '.join(unbound)}",
            hint='bind each with @procalg.activity("name") or an activities={...} mapping',
        )
    for channel in reached:
        required = _required(registry.lookup(channel.name))
        if required > channel.arity:
            raise RunError(
                f"activity {channel.name} takes {required} required arguments but its "
                f"channel has {channel.arity} field(s)",
                hint=f"the function gets the fields the model gives, at most {channel.arity}",
            )

_REQUIRED: dict[Any, int] = {}


def _required(fn: Any) -> int:
    """The positional arguments ``fn`` requires (0 if it has no signature), remembered per
    function: the check runs before every signal, and ``inspect.signature`` costs ~100 µs."""
    try:
        return _REQUIRED[fn]
    except (KeyError, TypeError):  # TypeError: an unhashable callable
        pass
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 0  # builtins without a signature: checked when called
    found = len([p for p in params if p.default is p.empty
                 and p.name not in ("idempotency_key", "undoes")
                 and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)])
    try:
        if len(_REQUIRED) > 4096:  # functions made per run (lambdas): do not grow for ever
            _REQUIRED.clear()
        _REQUIRED[fn] = found
    except TypeError:
        pass
    return found
