"""The activity port: channel names bound to the Python functions that perform them.

Example:
    >>> reg = ActivityRegistry()
    >>> @reg.activity("charge")
    ... def charge(amount): return amount
    >>> reg.lookup("charge") is charge, "charge" in reg
    (True, True)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from procalg.errors import RunError


class ActivityRegistry:
    """Maps activity channel names to the Python functions performing them.

    Functions may be sync or async; a function whose signature has an
    ``idempotency_key`` parameter (or ``**kwargs``) receives ``run_id:step``.

    Args:
        functions: an initial mapping, channel name to function.
    """

    def __init__(self, functions: Mapping[str, Callable[..., Any]] | None = None) -> None:
        self._functions: dict[str, Callable[..., Any]] = dict(functions or {})
        self.version = 0
        """Bumped by every binding: what was checked against the functions is stale."""
        self.fits: dict[int, tuple[Any, int]] = {}
        """Channel tables whose every declared activity fits a function here, by id
        (with the table, kept alive, and :attr:`version` then): see
        :func:`procalg.runtime.binding.check_bindings`."""

    def activity(self, channel: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator binding a function to ``channel``."""

        def bind(fn: Callable[..., Any]) -> Callable[..., Any]:
            self._functions[channel] = fn
            self.version += 1
            # tagged, so a module's own functions can be told from another module's
            # (a bound method or a builtin cannot be tagged: it is bound all the same)
            with contextlib.suppress(AttributeError, TypeError):
                fn.__procalg_activity__ = channel  # type: ignore[attr-defined]
            return fn

        return bind

    @classmethod
    def of_module(cls, module: Any) -> ActivityRegistry | None:
        """The functions ``module`` itself decorated with ``@activity`` (None if none):
        two activity modules in one process keep their own ``charge``."""
        found = {fn.__procalg_activity__: fn for fn in vars(module).values()
                 if callable(fn) and isinstance(getattr(fn, "__procalg_activity__", None), str)}
        return cls(found) if found else None

    def bind(self, channel: str, fn: Callable[..., Any]) -> None:
        """Bind ``fn`` to ``channel`` (replacing any earlier binding)."""
        self._functions[channel] = fn
        self.version += 1

    def lookup(self, channel: str) -> Callable[..., Any]:
        """The function for ``channel``; RunError naming the channel if unbound."""
        try:
            return self._functions[channel]
        except KeyError:
            raise RunError(
                f"activity {channel!r} has no bound function",
                hint=f'bind one with @procalg.activity("{channel}") or a mapping',
            ) from None

    def __contains__(self, channel: object) -> bool:
        return channel in self._functions

    def __iter__(self) -> Iterator[str]:
        return iter(self._functions)


DEFAULT_REGISTRY = ActivityRegistry()
"""Where :func:`activity` binds functions; engines built by ``procalg.api.run`` use it."""


def activity(channel: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``@procalg.activity("charge")``: bind a function in the default registry.

    Example:
        >>> @activity("doc_example_charge")
        ... def charge(amount): return None
        >>> DEFAULT_REGISTRY.lookup("doc_example_charge") is charge
        True
    """
    return DEFAULT_REGISTRY.activity(channel)
