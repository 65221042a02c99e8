"""Observability on the virtual clock: spans run -> step -> attempt (the SDK's in-memory
exporter), metrics (its in-memory reader), and log records naming the run and step."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from procalg.api.run import engine, start
from procalg.errors import RunError
from procalg.runtime.clock import VirtualClock
from procalg.runtime.memory import MemoryLog
from procalg.runtime.telemetry import RunContext, Telemetry, _ids

ORDER = Path(__file__).resolve().parents[2] / "models" / "order_saga.proc"


class Shop:
    """Order activities: ``charge`` fails its first attempt; ``ship`` fails if told to."""

    def __init__(self, ship_fails: bool) -> None:
        self.charges = 0
        self.ship_fails = ship_fails

    def functions(self) -> dict:
        def charge() -> None:
            self.charges += 1
            logging.getLogger("shop").info("charging, try %d", self.charges)
            if self.charges == 1:
                raise ConnectionError("card service down")

        def ship() -> None:
            if self.ship_fails:
                raise ConnectionError("no trucks")

        noop = lambda: None  # noqa: E731
        return {"reserve": noop, "charge": charge, "ship": ship, "release": noop,
                "refund": noop}


@pytest.fixture
def observed():
    spans = InMemorySpanExporter()
    tracer = TracerProvider()
    tracer.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    return spans, reader, Telemetry(tracer, MeterProvider(metric_readers=[reader]))


def _run(telemetry: Telemetry, ship_fails: bool = False) -> tuple[str, str]:
    clock = VirtualClock()
    eng = engine(MemoryLog(), activities=Shop(ship_fails).functions(), clock=clock,
                 telemetry=telemetry)
    run = start(ORDER, "Order", store=eng, run_id="order-1", retry={"*": {
        "initial_interval": 1.0}})
    while run.status in ("running", "waiting"):
        clock.advance(1.0)
    return run.id, run.status


def _metrics(reader: InMemoryMetricReader) -> dict[str, list]:
    found: dict[str, list] = {}
    for resource in reader.get_metrics_data().resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                found[metric.name] = [(dict(p.attributes), getattr(p, "value", None)
                                       if not hasattr(p, "count") else p.count)
                                      for p in metric.data.data_points]
    return found


def test_spans_nest_run_step_attempt_in_one_trace_per_run(observed) -> None:
    spans, _, telemetry = observed
    run_id, status = _run(telemetry)
    assert status == "completed"
    finished = spans.get_finished_spans()
    trace_id, _ = _ids(run_id)
    assert {s.context.trace_id for s in finished} == {trace_id}
    by_id = {s.context.span_id: s for s in finished}
    attempts = [s for s in finished if s.name.startswith("attempt ")]
    assert sorted(s.name for s in attempts) == ["attempt charge", "attempt charge",
                                                "attempt reserve", "attempt ship"]
    for attempt in attempts:
        step = by_id[attempt.parent.span_id]
        assert step.name == "step " + attempt.name.split()[1]
        assert by_id[step.parent.span_id].name == "run Order"
    failed = [s for s in attempts if s.status.status_code is StatusCode.ERROR]
    assert [(s.name, s.attributes["procalg.attempt"], s.attributes["procalg.error_type"])
            for s in failed] == [("attempt charge", 1, "ConnectionError")]
    runs = [s for s in finished if s.name == "run Order"]
    assert runs[-1].attributes["procalg.status"] == "completed"
    assert len(runs) == 2  # the drive before the retry's wait, and the one after it


def test_metrics_count_steps_retries_compensations_and_time_attempts(observed) -> None:
    _, reader, telemetry = observed
    _run(telemetry, ship_fails=True)
    found = _metrics(reader)
    assert sum(v for _, v in found["procalg.retries"]) == 1 + 2  # charge once, ship twice
    assert found["procalg.compensations"] == [({}, 1)]
    assert found["procalg.runs.finished"] == [({"status": "compensated"}, 1)]
    assert found["procalg.steps"][0][1] >= 6
    durations = {(a["activity"], a["outcome"]): n for a, n in found["procalg.attempt.duration"]}
    assert durations[("ship", "failed")] == 3 and durations[("charge", "completed")] == 1
    assert found["procalg.runs.open"] == [({}, 0)]


def test_every_log_record_names_its_run_and_step(caplog) -> None:
    caplog.handler.addFilter(RunContext())
    with caplog.at_level(logging.INFO):
        _run(Telemetry(spans=False, metrics=False))
    lines = [(r.name, r.run_id, str(r.step), r.getMessage()) for r in caplog.records]
    assert ("shop", "order-1", "1", "charging, try 1") in lines  # the activity's own record
    assert ("procalg.run", "order-1", "-", "run started: Order") in lines
    assert ("procalg.run", "order-1", "1",
            "activity charge attempt 1 failed: ConnectionError: card service down") in lines
    assert lines[-1] == ("procalg.run", "order-1", "-", "run completed")
    assert all(r.run_id == "order-1" for r in caplog.records if r.name in ("shop",
                                                                          "procalg.run"))


def test_without_telemetry_the_engine_makes_no_spans_or_records(caplog) -> None:
    with caplog.at_level(logging.DEBUG, logger="procalg.run"):
        eng = engine(MemoryLog(), activities=Shop(False).functions(), clock=VirtualClock())
        assert eng.telemetry is None
        start(ORDER, "Order", store=eng, retry={"*": {"initial_interval": 0.0}})
    assert [r for r in caplog.records if r.name == "procalg.run"] == []


def test_procalg_runs_without_opentelemetry_and_says_how_to_get_it(monkeypatch) -> None:
    import subprocess
    import sys

    code = ("import sys; from procalg.api.run import engine, start; "
            "from procalg.runtime.clock import VirtualClock; "
            f"start({str(ORDER)!r}, 'Order', store='memory:', clock=VirtualClock(), "
            "activities={a: (lambda: None) for a in "
            "('reserve', 'charge', 'ship', 'release', 'refund')}); "
            "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
    monkeypatch.setitem(sys.modules, "opentelemetry", None)  # as if not installed
    with pytest.raises(RunError, match="need OpenTelemetry") as info:
        Telemetry()
    assert info.value.hint == "pip install 'procalg[otel]'"
    assert Telemetry(spans=False, metrics=False) is not None  # logging alone needs nothing


def test_an_attempt_cut_short_by_sys_exit_still_ends_its_spans(observed) -> None:
    spans, _, telemetry = observed
    eng = engine(MemoryLog(), activities={"reserve": lambda: exit(3), "charge": lambda: None,
                                          "ship": lambda: None, "release": lambda: None,
                                          "refund": lambda: None},
                 clock=VirtualClock(), telemetry=telemetry)
    with pytest.raises(RunError, match=r"sys\.exit"):
        start(ORDER, "Order", store=eng, run_id="o")
    names = sorted(s.name for s in spans.get_finished_spans())
    assert names == ["attempt reserve", "run Order", "step reserve"]
    assert telemetry._attempts == {} and telemetry._steps == {} and telemetry._runs == {}


def test_a_cancelled_run_counts_as_finished_cancelled_and_its_run_span_ends(observed) -> None:
    from procalg.api.cancel import cancel

    spans, reader, telemetry = observed
    noop = lambda: None  # noqa: E731
    eng = engine(MemoryLog(), activities={n: noop for n in Shop(False).functions()},
                 clock=VirtualClock(), telemetry=telemetry)
    run = start(ORDER.parent / "cancellable_order.proc", "Order", store=eng, run_id="c")
    cancel(eng, run.id, "changed my mind")
    assert run.status == "cancelled"
    assert _metrics(reader)["procalg.runs.finished"] == [({"status": "cancelled"}, 1)]
    ended = [s for s in spans.get_finished_spans() if s.name == "run Order"]
    assert ended[-1].attributes["procalg.status"] == "cancelled"
