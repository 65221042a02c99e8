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

from procalg.errors import RunError
from procalg.runtime.ports import ActivityRegistry
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
    """Every activity channel is bound to a function that can take its given fields."""
    unbound = [c.name for c in workflow.activities() if c.name not in registry]
    if unbound:
        raise RunError(
            f"activities without a bound function: {', '.join(unbound)}",
            hint='bind each with @procalg.activity("name") or an activities={...} mapping',
        )
    for channel in workflow.activities():
        fn = registry.lookup(channel.name)
        try:
            params = inspect.signature(fn).parameters.values()
        except (TypeError, ValueError):
            continue  # builtins without a signature: checked when called
        required = [p for p in params if p.default is p.empty
                    and p.name not in ("idempotency_key", "undoes")
                    and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if len(required) > channel.arity:
            raise RunError(
                f"activity {channel.name} takes {len(required)} required arguments but its "
                f"channel has {channel.arity} field(s)",
                hint=f"the function gets the fields the model gives, at most {channel.arity}",
            )
