"""Observability for the faces (layer 5): spans, metrics and run-aware logging.

The CLI and notebooks reach :mod:`procalg.runtime.telemetry` through here.
Pass a :class:`Telemetry` to :func:`procalg.api.run.engine` (``telemetry=``)
to get OpenTelemetry spans and metrics (``pip install 'procalg[otel]'``), and
call :func:`log_runs` to have every log record carry its run id and step.

Example:
    >>> import logging, io
    >>> from procalg.api.run import engine, start
    >>> from procalg.api.model import loads
    >>> from procalg.runtime.clock import VirtualClock
    >>> stream = io.StringIO()
    >>> handler = log_runs(handler=logging.StreamHandler(stream))
    >>> handler.setFormatter(logging.Formatter("run=%(run_id)s step=%(step)s %(message)s"))
    >>> eng = engine("memory:", activities={"pay": lambda amount: None}, clock=VirtualClock(),
    ...              telemetry=Telemetry(spans=False, metrics=False))
    >>> _ = start(loads("activity pay : {1, 2}\\nP = pay.2 -> SKIP"), "P", store=eng,
    ...           run_id="r1")
    >>> print(stream.getvalue().strip())
    run=r1 step=- run started: P
    run=r1 step=0 activity pay completed (attempt 1)
    run=r1 step=- run completed
    >>> logging.getLogger().removeHandler(handler); logging.getLogger().setLevel(logging.WARNING)
"""

from __future__ import annotations

from procalg.runtime.telemetry import LOG_FORMAT, RunContext, Telemetry, log_runs

__all__ = ["LOG_FORMAT", "RunContext", "Telemetry", "log_runs"]
