"""Function values of the evaluator: closures, what applying one needs, and
lazily evaluated value definitions (re-exported by :mod:`procalg.semantics.evaluate`).

Example:
    >>> str(Closure("f#2", (1,)))
    'f'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from procalg.errors import ModelError
from procalg.semantics.channels import ChannelRef
from procalg.source import Span
from procalg.syntax import ast
from procalg.terms import Process, Value, show

Env = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Closure:
    """A function value: a definition's (unique) name and the values it captured."""

    name: str
    captured: tuple[Value, ...] = ()

    def __str__(self) -> str:
        return self.name.split("#")[0]


@dataclass(frozen=True, slots=True)
class FunctionInfo:
    """What :class:`Closure` s and ``Call`` s of one definition need to be applied."""

    name: str
    display: str
    clauses: tuple[ast.Definition, ...]
    is_process: bool
    captured: tuple[str, ...] = ()
    let: ast.Let | None = None

    @property
    def arity(self) -> int | None:
        params = self.clauses[0].params
        return None if params is None else len(params)


class Thunk:
    """A zero-parameter value definition, evaluated on first use."""

    __slots__ = ("env", "expr", "name", "state", "value")

    def __init__(self, name: str, expr: ast.Node, env: Env) -> None:
        self.name, self.expr, self.env = name, expr, env
        self.state, self.value = 0, None  # 0 = not started, 1 = evaluating, 2 = done


class CyclicValue(ModelError):
    """A value definition that needs its own value (``loop = loop``).

    FDR evaluates lazily, so such a definition is an error only where it is
    used: :meth:`procalg.semantics.spec.Spec.force_all` skips this error.
    """


def not_a_function(value: Any, span: Span | None) -> ModelError:
    """The error for applying something that is not a function value."""
    return ModelError(f"{shown(value)} is not a function", span,
                      hint="only definitions with parameters can be applied")


def shown(value: Any) -> str:
    """A value as an error message shows it (processes and functions by their own names)."""
    return str(value) if isinstance(value, Process | Closure | ChannelRef) else show(value)

