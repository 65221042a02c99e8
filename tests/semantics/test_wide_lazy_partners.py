"""Random wide inputs beside lazy counters: the product agrees with the term rules.

A wide input (``w?x``, kept or not) beside a counter past the 2,000 states a
leaf is explored whole up to (so lazy, declaring every event) runs on the
product; its deadlock trace is rebuilt backwards through the counted cone
(:class:`~procalg.lts.lazy_counts.IntoCounts`) and the walk's templates
(:mod:`procalg.lts.leaf_partners`). Oracle: the term rules: the same verdicts,
the same least counterexamples, the same LTS up to strong bisimulation.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import check_model, loads
from procalg.api.export import process_lts
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import lazy_counts
from tests.semantics.test_network import _bisimilar

REFERENCE = SearchOptions(engine=CheckEngine.REFERENCE)
WIDES = {  # the wide side: plain, kept (a value-dependent move after), or branching on it
    "plain": "W = w?x -> W\n",
    "kept": "W = w?x -> Seen(x)\nSeen(x) = num!(x % 5) -> W\n",
    "branching": "W = w?x -> (if x % 3 == 0 then num!0 -> W else W)\n",
}


@st.composite
def models(draw) -> str:
    """A wide input over ``K`` values beside a counter of ``N`` > 2,000 steps."""
    values = draw(st.integers(20, 120))
    size = draw(st.integers(2_050, 2_400))
    step = draw(st.sampled_from(["n", "3 * n + 1", "n / 2"]))
    tail = draw(st.sampled_from(["STOP", "num!1 -> STOP", "Cnt(0)"]))
    wide = WIDES[draw(st.sampled_from(sorted(WIDES)))]
    return (f"N = {size}\nchannel w : {{0..{values - 1}}}\nchannel num : {{0..4}}\n"
            f"Cnt(n) = if n < N then w!(({step}) % {values}) -> Cnt(n + 1) else {tail}\n"
            f"{wide}Sys = W [| {{| w |}} |] Cnt(0)\n"
            "assert Sys :[deadlock free]\nassert num?x -> STOP [T= Sys\n")


@settings(max_examples=12, deadline=None)
@given(models())
def test_a_wide_input_beside_a_lazy_counter_checks_as_the_term_rules_do(text):
    counted = []
    real = lazy_counts.IntoCounts.count
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lazy_counts.IntoCounts, "count",
                      lambda self, locs: counted.append(1) or real(self, locs))
        fast = list(check_model(loads(text), options=SearchOptions()))
    slow = list(check_model(loads(text), options=REFERENCE))
    assert [r.check.stats.extra.get("engine") for r in fast] == ["product"] * 2
    assert [r.result for r in fast] == [r.result for r in slow]
    for mine, theirs in zip(fast, slow, strict=True):
        if theirs.check.counterexample is not None:
            assert mine.check.counterexample.trace == theirs.check.counterexample.trace
    if "else Cnt(0)" not in text:  # a deadlock at the counter's end: its cone was counted
        assert counted and slow[0].result.value == "fail"
    whole = process_lts(loads(text), "Sys")
    assert _bisimilar(whole, process_lts(loads(text), "Sys", engine=CheckEngine.REFERENCE))
