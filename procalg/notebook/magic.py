"""The ``%%proc`` cell magic, as a plain function of the line, the cell and a namespace.

``%%proc [NAME] [--max-states N]`` loads the cell as a ``.proc`` model,
binds it to ``NAME`` in the notebook when a name is given, and returns the
reports of its assertions (which the notebook shows as a table). IPython
registration lives in :mod:`procalg.notebook.ipython`; this module needs no
IPython, so tests call :func:`proc_cell` directly.

Example:
    >>> ns = {}
    >>> reports = proc_cell("m", "channel a\\nP = a -> P\\nassert P :[deadlock free]", ns)
    >>> [str(r.result) for r in reports], ns["m"].source.name
    (['pass'], '<%%proc m>')
"""

from __future__ import annotations

import shlex
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from procalg.api.check import AssertionReport, check_model
from procalg.api.model import loads
from procalg.errors import ProcalgError

USAGE = "%%proc [NAME] [--max-states N]"


class MagicUsageError(ProcalgError):
    """The ``%%proc`` line itself is malformed (not the model in the cell)."""


@dataclass(frozen=True)
class MagicLine:
    """The parsed arguments of ``%%proc``."""

    name: str | None = None
    max_states: int | None = None


def parse_line(line: str) -> MagicLine:
    """Parse ``[NAME] [--max-states N]``.

    Example:
        >>> parse_line("dp --max-states 1000")
        MagicLine(name='dp', max_states=1000)

    Raises:
        MagicUsageError: an unknown option, a name that is not an identifier,
            or a state limit that is not a positive integer.
    """
    words = shlex.split(line)
    name, limit = None, None
    while words:
        word = words.pop(0)
        if word == "--max-states":
            value = words.pop(0) if words else ""
            if not value.isdigit() or int(value) <= 0:
                raise MagicUsageError(f"--max-states needs a positive integer, not {value!r}",
                                      hint=f"usage: {USAGE}")
            limit = int(value)
        elif word.isidentifier() and name is None:
            name = word
        else:
            raise MagicUsageError(f"unexpected {word!r} on the %%proc line",
                                  hint=f"usage: {USAGE}")
    return MagicLine(name, limit)


def proc_cell(line: str, cell: str, namespace: MutableMapping[str, Any]) -> list[AssertionReport]:
    """Load ``cell`` as a model, bind it to the line's name, check its assertions.

    Raises:
        ProcalgError: the line or the model is malformed (checks that fail
            are reports, not errors).
    """
    args = parse_line(line)
    model = loads(cell, f"<%%proc {args.name}>" if args.name else "<%%proc>")
    if args.name:
        namespace[args.name] = model
    return list(check_model(model, max_states=args.max_states))
