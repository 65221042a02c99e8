"""Registering procalg's views with IPython (the one module that imports it).

:func:`enable` adds display formatters (LTS, reports, check results,
models, runs, errors), the ``%%proc`` cell magic, and a handler that shows a
:class:`~procalg.errors.ProcalgError` as the CLI does (place, caret, hint)
instead of a Python traceback. ``%load_ext procalg.notebook`` does the same.

Lists are shown as a table only when every item is an assertion report:

Example:
    >>> _reports_or_none([1, 2]) is None, _reports_or_none([]) is None
    (True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from procalg.api.check import AssertionReport
from procalg.api.model import Model
from procalg.api.run import Run
from procalg.checks.result import CheckResult
from procalg.errors import ProcalgError
from procalg.lts import LTS
from procalg.notebook import html, runs, text
from procalg.notebook.magic import proc_cell


def _reports_or_none(value: Sequence[Any]) -> str | None:
    """Lists of reports become a table; every other list keeps IPython's own view."""
    if value and all(isinstance(v, AssertionReport) for v in value):
        return html.reports_html(value)
    return None


def _pretty(render: Callable[[Any], str]) -> Callable[[Any, Any, bool], None]:
    """Adapt a ``str`` view to IPython's pretty printer protocol ``(obj, p, cycle)``."""
    def printer(obj: Any, p: Any, cycle: bool) -> None:
        p.text(render(obj))
    return printer


_HTML: dict[type, Callable[[Any], str | None]] = {
    AssertionReport: html.report_html,
    CheckResult: html.result_html,
    Model: html.model_html,
    ProcalgError: html.error_html,
    Run: runs.run_html,
    list: _reports_or_none,
    tuple: _reports_or_none,
}
_TEXT: dict[type, Callable[[Any], str]] = {
    AssertionReport: text.report_text,
    CheckResult: text.result_text,
    Model: text.model_text,
    Run: runs.run_text,
}


def _shell(ip: Any | None) -> Any:
    if ip is not None:
        return ip
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise ProcalgError("procalg.notebook.enable() needs a running IPython or Jupyter kernel",
                           hint="call it in a notebook cell, or use %load_ext procalg.notebook")
    return shell


def _show_error(shell: Any, etype: type, value: BaseException, tb: Any,
                tb_offset: int | None = None) -> list[str]:
    """IPython's custom exception hook: the error as the CLI renders it, no traceback.

    IPython discards what a custom hook returns when the error comes from running
    code, so the hook shows it itself, through the method a kernel overrides to send
    an ``error`` message (the notebook shows it, nbclient fails the cell on it).
    """
    stb = [value.render() if isinstance(value, ProcalgError) else str(value)]
    shell._showtraceback(etype, value, stb)
    return stb


def enable(ip: Any | None = None) -> None:
    """Register procalg's formatters, the ``%%proc`` magic and the error view.

    Args:
        ip: the IPython shell (default: the running one).

    Raises:
        ProcalgError: no IPython shell is running and none was given.
    """
    shell = _shell(ip)
    formatters = shell.display_formatter.formatters
    for cls, view in _HTML.items():
        formatters["text/html"].for_type(cls, view)
    for cls, view in _TEXT.items():
        formatters["text/plain"].for_type(cls, _pretty(view))
    shell.display_formatter.mimebundle_formatter.for_type(LTS, html.lts_bundle)

    def proc(line: str, cell: str) -> list[AssertionReport]:
        return proc_cell(line, cell, shell.user_ns)

    proc.__doc__ = proc_cell.__doc__
    shell.register_magic_function(proc, magic_kind="cell", magic_name="proc")
    shell.set_custom_exc((ProcalgError,), _show_error)


def disable(ip: Any | None = None) -> None:
    """Undo :func:`enable`: IPython's own views and tracebacks come back."""
    shell = _shell(ip)
    formatters = shell.display_formatter.formatters
    for cls in _HTML:
        formatters["text/html"].pop(cls, None)
    for cls in _TEXT:
        formatters["text/plain"].pop(cls, None)
    shell.display_formatter.mimebundle_formatter.pop(LTS, None)
    shell.magics_manager.magics["cell"].pop("proc", None)
    shell.set_custom_exc((), None)


def load_ipython_extension(ip: Any) -> None:
    """``%load_ext procalg.notebook``."""
    enable(ip)


def unload_ipython_extension(ip: Any) -> None:
    """``%unload_ext procalg.notebook``."""
    disable(ip)
