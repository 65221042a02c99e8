"""procalg in Jupyter (layer 6): rich views of models, LTSs and check reports.

Load it in a notebook with ``%load_ext procalg.notebook`` (or call
:func:`enable`); then an :class:`~procalg.lts.LTS` shows as a picture (a table
of counts when it is large or Graphviz is missing), assertion reports as
tables with ✓/✗ and counterexamples, a :class:`~procalg.api.Model` as its
channels, definitions and assertions, and the ``%%proc [NAME]`` cell magic
loads a cell as a model and checks it. The views are plain functions
(:mod:`procalg.notebook.html`, :mod:`procalg.notebook.text`); only
:mod:`procalg.notebook.ipython` talks to IPython, and it imports IPython only
when :func:`enable` is called without a shell.

Example:
    >>> from procalg.lts import LTS
    >>> sorted(draw(LTS.build(2, 0, ["a"], [(0, "a", 1)]), draw=False)._repr_mimebundle_())
    ['text/html', 'text/plain']
"""

from collections.abc import Sequence

from procalg.lts import LTS
from procalg.lts.dot import trace_path
from procalg.notebook.html import (
    DRAW_LIMIT,
    Drawing,
    error_html,
    lts_bundle,
    lts_html,
    model_html,
    report_html,
    reports_html,
    result_html,
)
from procalg.notebook.ipython import (
    disable,
    enable,
    load_ipython_extension,
    unload_ipython_extension,
)
from procalg.notebook.magic import proc_cell
from procalg.notebook.runs import history_rows, run_html, run_text
from procalg.notebook.stepper import Stepper, stepper
from procalg.notebook.text import lts_text, model_text, report_text, reports_text, result_text


def draw(lts: LTS, highlight_trace: Sequence[str] | None = None, *,
         max_states: int = DRAW_LIMIT, draw: bool | None = None) -> Drawing:
    """An LTS to display in a cell, with a trace's path highlighted (thick, blue).

    Raises:
        ProcalgError: the trace is not one of ``lts`` (checked now, not when displayed,
            so the cell fails with the error rather than the display).
    """
    trace = None if highlight_trace is None else tuple(highlight_trace)
    if trace is not None:
        trace_path(lts, trace)
    return Drawing(lts, trace, max_states, draw)


__all__ = [
    "DRAW_LIMIT",
    "Drawing",
    "Stepper",
    "disable",
    "draw",
    "enable",
    "error_html",
    "history_rows",
    "load_ipython_extension",
    "lts_bundle",
    "lts_html",
    "lts_text",
    "model_html",
    "model_text",
    "proc_cell",
    "report_html",
    "report_text",
    "reports_html",
    "reports_text",
    "result_html",
    "result_text",
    "run_html",
    "run_text",
    "stepper",
    "unload_ipython_extension",
]
