"""Firing a lazy rule group: the work per level stays bounded by the moves found.

:class:`procalg.lts.lazy_tables.LazyGroup` fires from the moves its driver
really has; a few states go through the plain-Python loop of
:mod:`procalg.lts.lazy_small` only when each driver move leads to few rules.
"""

from __future__ import annotations

import pytest

from procalg.api import search
from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import lazy_tables
from procalg.lts.lazy import LazyComponent

# the falls survey's "prioritise over a large leaf, nested" row: the []'s control
# component drives with one label shared by every event of its right side (2,000
# of channel w among them), beside the lazy counter
NESTED = """N = 400
channel a, c, d, up, down
channel w : {0..1999}
Count(n) = n < N & up -> Count(n + 1) [] n > 0 & down -> Count(n - 1) [] a -> SKIP
Lim(n) = n < 3 & up -> Lim(n + 1) [] down -> Lim(n) [] a -> Lim(0)
Sys = (d -> STOP [] prioritise(Count(0) ||| c -> STOP, <{up}, {c}>)) [| {up} |] Lim(0)
assert Sys :[deadlock free]
"""


def test_a_driver_label_shared_by_thousands_of_rules_never_asks_a_lazy_partner_per_rule():
    # s25's few-state loop asked the lazy counter once per (state, rule): 2,016 binary
    # searches a level, 13 ms a level, and the 60,000 row never finished
    asked = [0]
    run_at = LazyComponent.run_at

    def counted(self, label, loc, backward):
        asked[0] += 1
        return run_at(self, label, loc, backward)

    model = loads(NESTED)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "LEAF_LIMIT", 100)
        patch.setattr(LazyComponent, "run_at", counted)
        product = list(check_model(model))
    reference = check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE))
    for mine, theirs in zip(product, reference, strict=True):
        assert mine.stats.extra["engine"] == "product"
        assert mine.result == theirs.result
        assert asked[0] <= 4 * mine.stats.transitions  # s27-base: 5,346,320 of 15,279


def test_a_folded_group_enumerates_about_as_many_pairs_as_it_finds_moves():
    # the folded joint table fires every code at once: driven by the control
    # component, every state paired its one move with 2,016 rules (at N=60,000,
    # a 1.5 GB array and 19 GB resident before the kernel killed the check)
    widest = [0]
    runs = lazy_tables._runs

    def measured(starts, counts):
        out = runs(starts, counts)
        widest[0] = max(widest[0], len(out[0]))
        return out

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "LEAF_LIMIT", 100)
        patch.setattr(lazy_tables, "_runs", measured)
        (report,) = check_model(loads(NESTED))
    assert report.stats.extra["engine"] == "product"
    assert widest[0] <= report.stats.transitions
