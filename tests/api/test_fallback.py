"""What auto does after the engine it chose stops: the term-level rules after growth."""

from __future__ import annotations

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions

# two counters that grow without bound, and a deadlock three events deep
GROWING = """channel gen, stop : Int
channel a
Gen(x) = gen!x -> Gen(x + 1) [] stop!x -> STOP
Main = a -> (Gen(0) ||| Gen(0))
assert Main :[deadlock free [F]]
assert a -> STOP [T= Main
assert Main :[has trace]: <a, gen.0, gen.1>
"""


def _reports(text: str, **options):
    return list(check_model(loads(text), options=SearchOptions(**options)))


def test_a_shallow_counterexample_past_a_growing_leaf_is_found_by_the_term_rules() -> None:
    deadlock, refinement, trace = _reports(GROWING)
    assert deadlock.result == "fail"
    assert deadlock.check.counterexample.trace == ("a", "stop.0", "stop.0")
    assert refinement.result == "fail"
    assert refinement.check.counterexample.trace == ("a", "gen.0")
    assert trace.result == "pass"
    for report in (deadlock, refinement, trace):
        assert report.stats.extra["engine"] == "reference"
        assert report.stats.extra["why"].startswith("parameter x of Gen grows without bound")


def test_the_product_engine_chosen_by_the_user_still_reports_the_growth() -> None:
    for report in _reports(GROWING, engine=CheckEngine.PRODUCT):
        assert report.result == "error"
        assert "has grown past" in report.error.message


def test_growth_without_a_shallow_answer_is_still_the_growth_error() -> None:
    # deadlock free, and infinite: the term rules meet their bound, the growth is the news
    text = GROWING.replace("[] stop!x -> STOP", "[] stop!x -> Gen(x)")
    deadlock = _reports(text)[0]
    assert deadlock.result == "error"
    assert "parameter x of Gen has grown past" in deadlock.error.message
