"""Search attributes: those the model gives (process parameters), the caller's, and search."""

from __future__ import annotations

from procalg.api import schedule
from procalg.api.attrs import find_runs, parameter_attrs
from procalg.api.model import loads
from procalg.api.run import engine, start
from procalg.runtime.clock import VirtualClock
from procalg.runtime.schedule import fire_due
from procalg.syntax import parse_expr

MODEL = loads("datatype Tier = gold | silver\nactivity ship : {0..9}\n"
              "Order(customer, tier) = ship.customer -> SKIP\n"
              "Twice(0) = SKIP\nTwice(n) = ship.n -> Twice(n - 1)\n", "orders.proc")


def _engine():
    return engine("memory:", activities={"ship": lambda n: None}, clock=VirtualClock())


def test_a_run_is_found_by_its_process_parameters() -> None:
    eng = _engine()
    gold, silver = MODEL.value(parse_expr("gold")), MODEL.value(parse_expr("silver"))
    start(MODEL, "Order", 7, gold, store=eng, run_id="a")
    start(MODEL, "Order", 8, silver, store=eng, run_id="b", attrs={"region": "eu"})
    assert eng.log.attributes("b") == {"customer": "8", "tier": "silver", "region": "eu"}
    assert [r.run_id for r in find_runs(eng, attrs={"tier": "gold"})] == ["a"]
    assert [r.run_id for r in find_runs(eng, attrs={"customer": "8", "region": "eu"})] == ["b"]


def test_the_callers_attribute_wins_over_the_models() -> None:
    eng = _engine()
    start(MODEL, "Twice", 1, store=eng, run_id="t", attrs={"n": "override"})
    assert eng.log.attributes("t") == {"n": "override"}


def test_only_plain_parameter_names_become_attributes() -> None:
    assert parameter_attrs(MODEL, "Twice", (3,)) == {}  # first clause matches a literal
    assert parameter_attrs(MODEL, "Order", (1,)) == {}  # arguments that do not fit


def test_a_scheduled_run_carries_the_schedule_and_parameter_attributes() -> None:
    eng = _engine()
    schedule.add(eng, "daily", MODEL, "Order", 7, MODEL.value(parse_expr("gold")),
                 every="1d", now=0.0, attrs={"team": "ops"})
    [(_, run_id)] = fire_due(eng.log, 86400.0)
    assert eng.log.attributes(run_id) == {"model": "orders.proc", "customer": "7",
                                          "tier": "gold", "team": "ops", "schedule": "daily"}
