"""Observability: OpenTelemetry spans and metrics, and log records naming the run and step.

An engine observes nothing until ``engine.telemetry`` is set (``procalg.api.run.engine(...,
telemetry=Telemetry())``, ``procalg worker --otel`` / ``--log-level``): with it unset the
step path pays one ``is None`` test per hook and imports nothing.

Spans (OpenTelemetry tracing, the optional extra ``procalg[otel]``), one trace per run
(its trace id is derived from the run id, so the drives of one run by several
workers, or before and after a crash, land in the same trace)::

    run Order           one per drive of the run in this process (status at its end)
      step charge       one activity step, from its first attempt in this drive
        attempt charge  one attempt (error type and message if it failed)

Metrics (OpenTelemetry metrics rather than ``prometheus_client``: one optional
dependency for spans and metrics, and any backend — Prometheus included — through
the SDK's exporters): counters ``procalg.steps`` (transitions fired),
``procalg.retries``, ``procalg.compensations`` (saga rollbacks begun),
``procalg.runs.finished`` (by status); histogram ``procalg.attempt.duration``
(seconds, by activity and outcome); observable gauge ``procalg.runs.open`` (running
or waiting runs, counted in the store when the exporter collects).

Logging: the engine logs to ``procalg.run`` (run started, each activity outcome,
the run's end) with ``run_id`` and ``step`` on the record; :class:`RunContext`, a
``logging.Filter`` for a handler, gives EVERY record passing through it — the
activities' own logging included — ``run_id`` and ``step`` attributes (``-``
outside an activity), so a format string can always use ``%(run_id)s %(step)s``.

Example:
    >>> import logging
    >>> record = logging.LogRecord("shop", logging.INFO, "", 0, "charged", None, None)
    >>> token = ACTIVITY.set("r1:4")
    >>> RunContext().filter(record), record.run_id, record.step
    (True, 'r1', '4')
    >>> ACTIVITY.reset(token)
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from procalg.errors import RunError
from procalg.runtime.decide import FINAL, Perform
from procalg.runtime.history import (
    ActivityCompleted,
    AttemptFailed,
    CompensationStarted,
    EventFired,
    HistoryEvent,
    RunStarted,
)
from procalg.runtime.status import RunStatus
from procalg.terms.saga import COMPENSATE

ACTIVITY: contextvars.ContextVar[str] = contextvars.ContextVar("procalg_activity", default="")
"""``run_id:step`` of the activity attempt running in this thread (set by the worker)."""
LOGGER = logging.getLogger("procalg.run")
LOG_FORMAT = "%(asctime)s %(levelname)s run=%(run_id)s step=%(step)s %(name)s: %(message)s"
"""A format for handlers with the :class:`RunContext` filter."""


class RunContext(logging.Filter):
    """Adds ``run_id`` and ``step`` to every record (from the activity running in the
    thread, else the record's own ``extra``, else ``-``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        key = ACTIVITY.get()
        if key:
            run_id, _, step = key.rpartition(":")
            record.run_id, record.step = run_id, step
        else:
            record.run_id = getattr(record, "run_id", "-")
            record.step = getattr(record, "step", "-")
        return True


def log_runs(level: int | str = logging.INFO,
             handler: logging.Handler | None = None) -> logging.Handler:
    """Log to stderr (or ``handler``) with run id and step on every record.

    The handler goes on the root logger, so activities' loggers are included.
    """
    handler = handler or logging.StreamHandler()
    handler.addFilter(RunContext())
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def _otel() -> tuple[Any, Any]:
    try:
        from opentelemetry import metrics, trace
    except ImportError as err:
        raise RunError("spans and metrics need OpenTelemetry",
                       hint="pip install 'procalg[otel]'") from err
    return trace, metrics


def _ids(run_id: str) -> tuple[int, int]:
    """A run's trace id and the id of its (virtual) root span: the same in every process."""
    digest = hashlib.sha256(run_id.encode()).digest()
    return int.from_bytes(digest[:16], "big") or 1, int.from_bytes(digest[16:24], "big") or 1


class Telemetry:
    """What an engine reports; set as ``engine.telemetry``.

    Args:
        tracer_provider: an OpenTelemetry ``TracerProvider`` (default: the global one).
        meter_provider: an OpenTelemetry ``MeterProvider`` (default: the global one).
        spans, metrics: False: do without (and without OpenTelemetry installed, if
            both are False: then only log records are made).
        open_runs: counts the unfinished runs for the ``procalg.runs.open`` gauge
            (set by :meth:`attach` from the engine's store).
    """

    def __init__(self, tracer_provider: Any = None, meter_provider: Any = None,
                 spans: bool = True, metrics: bool = True,
                 open_runs: Callable[[], int] | None = None) -> None:
        self.open_runs = open_runs
        self._tracer = self._trace = None
        self._runs: dict[str, Any] = {}  # run id -> open run span
        self._steps: dict[tuple[str, int], Any] = {}  # open step spans
        self._attempts: dict[tuple[str, int], tuple[Any, float, str]] = {}
        self._last: dict[str, int] = {}  # the step each run's last attempt was in
        self._counters: dict[str, Any] = {}
        if spans or metrics:
            trace, meters = _otel()
            self._trace = trace
            if spans:
                self._tracer = trace.get_tracer("procalg", tracer_provider=tracer_provider)
            if metrics:
                self._meter(meters.get_meter("procalg", meter_provider=meter_provider))

    def _meter(self, meter: Any) -> None:
        add = meter.create_counter
        self._counters = {
            "steps": add("procalg.steps", description="transitions fired"),
            "retries": add("procalg.retries", description="failed attempts to be retried"),
            "compensations": add("procalg.compensations", description="saga rollbacks begun"),
            "finished": add("procalg.runs.finished", description="runs ended, by status"),
            "duration": meter.create_histogram("procalg.attempt.duration", unit="s",
                                               description="activity attempt latency"),
        }

        def observe(options: Any) -> Iterable[Any]:
            from opentelemetry.metrics import Observation

            if self.open_runs is not None:
                yield Observation(self.open_runs())

        meter.create_observable_gauge("procalg.runs.open", callbacks=[observe],
                                      description="running or waiting runs in the store")

    def attach(self, engine: Any) -> Telemetry:
        """Observe ``engine`` (and count its store's open runs for the gauge)."""
        from procalg.runtime.ports import UNFINISHED

        if self.open_runs is None:
            self.open_runs = lambda: len(engine.log.search_runs(UNFINISHED))
        engine.telemetry = self
        return self

    # -- hooks the engine calls (only when telemetry is set) ------------------

    def _run_span(self, run_id: str, process: str = "") -> Any:
        span = self._runs.get(run_id)
        if span is None and self._tracer is not None:
            trace = self._trace
            assert trace is not None
            trace_id, root = _ids(run_id)
            parent = trace.set_span_in_context(trace.NonRecordingSpan(trace.SpanContext(
                trace_id, root, is_remote=True,
                trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED))))
            span = self._tracer.start_span(f"run {process}".strip(), context=parent,
                                           attributes={"procalg.run_id": run_id})
            self._runs[run_id] = span
        return span

    def attempting(self, run_id: str, process: str, calls: list[Perform]) -> None:
        """Attempts of ``calls`` begin now."""
        now = time.perf_counter()
        for call in calls:
            key = (run_id, call.step)
            self._last[run_id] = call.step
            span = None
            if self._tracer is not None:
                trace = self._trace
                assert trace is not None
                step = self._steps.get(key)
                if step is None:
                    context = trace.set_span_in_context(self._run_span(run_id, process))
                    step = self._tracer.start_span(
                        f"step {call.channel}", context=context,
                        attributes={"procalg.run_id": run_id, "procalg.step": call.step,
                                    "procalg.activity": call.channel})
                    self._steps[key] = step
                span = self._tracer.start_span(
                    f"attempt {call.channel}", context=trace.set_span_in_context(step),
                    attributes={"procalg.run_id": run_id, "procalg.step": call.step,
                                "procalg.attempt": call.attempt})
            self._attempts[key] = (span, now, call.channel)

    def event(self, run_id: str, event: HistoryEvent) -> None:
        """``event`` was recorded for the run."""
        kind = type(event)
        if kind is EventFired:
            self._count("steps")
            if event.label == COMPENSATE:  # type: ignore[attr-defined]  # a saga rolls back
                self._compensating(run_id, "")
        elif kind is ActivityCompleted or kind is AttemptFailed:
            self._outcome(run_id, event)  # type: ignore[arg-type]
        elif kind is RunStarted:
            self._run_span(run_id, event.process)  # type: ignore[attr-defined]
            LOGGER.info("run started: %s", event.process,  # type: ignore[attr-defined]
                        extra={"run_id": run_id, "step": "-"})
        elif kind is CompensationStarted:
            self._compensating(run_id, event.reason)  # type: ignore[attr-defined]
        elif kind in FINAL:  # completed, compensated, failed, cancelled, continued
            status = FINAL[kind]
            self._count("finished", status=str(status))
            LOGGER.log(logging.ERROR if status is RunStatus.FAILED else logging.INFO, "run %s",
                       status,
                       extra={"run_id": run_id, "step": "-"})
            self.drove(run_id, status)

    def _compensating(self, run_id: str, reason: str) -> None:
        self._count("compensations")
        LOGGER.warning("compensating%s", f": {reason}" if reason else "",
                       extra={"run_id": run_id, "step": self._last.get(run_id, "-")})

    def _outcome(self, run_id: str, event: ActivityCompleted | AttemptFailed) -> None:
        key = (run_id, event.step)
        span, began, channel = self._attempts.pop(key, (None, time.perf_counter(), "?"))
        failed = isinstance(event, AttemptFailed)
        outcome = "failed" if failed else "completed"
        if "duration" in self._counters:
            self._counters["duration"].record(time.perf_counter() - began,
                                              {"activity": channel, "outcome": outcome})
        extra = {"run_id": run_id, "step": event.step}
        if isinstance(event, AttemptFailed):
            retry = event.retry_at is not None
            if retry:
                self._count("retries", activity=channel)
            LOGGER.warning("activity %s attempt %d failed: %s: %s%s", channel, event.attempt,
                           event.error_type, event.message, "" if retry else " (no retry)",
                           extra=extra)
            if span is not None:
                span.set_attribute("procalg.error_type", event.error_type)
                span.set_status(self._status(error=True), event.message)
                span.end()
            if not retry:
                self._end_step(key, error=True)
        else:
            LOGGER.info("activity %s completed (attempt %d)", channel, event.attempt,
                        extra=extra)
            if span is not None:
                span.end()
            self._end_step(key, error=False)

    def _status(self, error: bool) -> Any:
        from opentelemetry.trace import StatusCode

        return StatusCode.ERROR if error else StatusCode.OK

    def _end_step(self, key: tuple[str, int], error: bool) -> None:
        step = self._steps.pop(key, None)
        if step is not None:
            if error:
                step.set_status(self._status(error=True))
            step.end()

    def drove(self, run_id: str, status: str = "") -> None:
        """A drive of the run ended (it waits, ended, or the drive failed): close its spans."""
        for key in [k for k in list(self._attempts) if k[0] == run_id]:  # no outcome came
            span = self._attempts.pop(key)[0]
            if span is not None:
                span.set_status(self._status(error=True), "the drive stopped during it")
                span.end()
        for key in [k for k in list(self._steps) if k[0] == run_id]:
            self._end_step(key, error=False)
        span = self._runs.pop(run_id, None)
        if span is not None:
            if status:
                span.set_attribute("procalg.status", status)
            span.end()
        if status:
            self._last.pop(run_id, None)

    def _count(self, name: str, **attributes: str) -> None:
        counter = self._counters.get(name)
        if counter is not None:
            counter.add(1, attributes)
