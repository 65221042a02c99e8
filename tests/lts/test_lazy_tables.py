"""Firing a lazy rule group: the work per level stays bounded by the moves found.

:class:`procalg.lts.lazy_tables.LazyGroup` fires from the moves its driver
really has; a few states go through the plain-Python loop of
:mod:`procalg.lts.lazy_small` only when each driver move leads to few rules.
"""

from __future__ import annotations

from functools import partial

import pytest

from procalg.api import search
from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import lazy_tables, leaf_choice
from procalg.lts.lazy import LazyComponent
from procalg.semantics import leaves

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
    runs = lazy_tables.runs

    def measured(starts, counts):
        out = runs(starts, counts)
        widest[0] = max(widest[0], len(out[0]))
        return out

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "LEAF_LIMIT", 100)
        patch.setattr(lazy_tables, "runs", measured)
        (report,) = check_model(loads(NESTED))
    assert report.stats.extra["engine"] == "product"
    assert widest[0] <= report.stats.transitions


# a wide input (one state, a self-loop per value) beside a lazy counter on that channel
WIDE = """N = 30
channel v : {0..2999}
Cnt(n) = n < N & v!(n % 3000) -> Cnt(n + 1)
W = v?x -> W
Sys = W [| {|v|} |] Cnt(0)
assert Sys :[deadlock free]
"""


def _lazy_counter(patch: pytest.MonkeyPatch) -> None:
    """Leaves past 5 states lazy (the counter; the wide leaf has one state)."""
    patch.setattr(leaves, "leaf", partial(leaf_choice.leaf, eager_limit=5))


def _wide_group(model):
    from procalg.lts.vectors import Tables

    with pytest.MonkeyPatch.context() as patch:
        _lazy_counter(patch)
        net = model.network(model.process("Sys"))
    tables = Tables(net)
    groups = [g for g in tables.forward + tables.backward if isinstance(g, lazy_tables.LazyGroup)]
    return tables, groups


def test_a_groups_eager_moves_are_gathered_per_label_not_listed_per_move():
    # s30-base listed the wide leaf's 3,000 labels' moves as Python lists
    # (LabelMoves.by_name) and sorted a tuple per move: per value, at set-up
    from procalg.lts.local_moves import LabelMoves

    listed = [0]
    by_name = LabelMoves.by_name

    def counted(self):
        listed[0] += 1
        return by_name(self)

    _, groups = _wide_group(loads(WIDE))
    assert any(v.lazy is None for g in groups for v in g.variants)  # the wide leaf drives
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LabelMoves, "by_name", counted)
        _, groups = _wide_group(loads(WIDE))
        for group in groups:
            assert group.variants
    assert listed[0] == 0


def test_a_groups_eager_tables_hold_every_move_of_its_rules_in_both_directions():
    import numpy as np

    tables, groups = _wide_group(loads(WIDE))
    for group in groups:
        rules = tables.rules[(tables.forward if not group.backward else tables.backward)
                             .index(group)]
        for driven in group.variants:
            for c, part in [(driven.driver, None), *driven.others]:
                if c != driven.driver and isinstance(part[0], LazyComponent):
                    continue
                if c in tables.lazy:
                    continue
                moves = tables.local_moves(c)
                expected = sorted(
                    (r, d, s) if group.backward else (r, s, d)
                    for r, rule in enumerate(rules)
                    for s, d in zip(*moves.get(dict(rule.parts)[c], ([], [])), strict=True))
                if c == driven.driver:  # (source, label, target) rows, labels numbered by name
                    names = sorted({dict(rule.parts)[c] for rule in rules})
                    frm, to = driven.table.entries()
                    got = sorted((names[lab], f, t) for f, lab, t in zip(
                        frm.tolist(), driven.table.label.tolist(), to.tolist(), strict=True))
                    want = sorted((dict(rules[r].parts)[c], f, t) for r, f, t in expected)
                    assert got == sorted(set(want)) or got == want
                else:
                    radix, offsets, steps = part
                    counts = np.diff(offsets)
                    keys = np.repeat(np.arange(len(counts)), counts)
                    got = sorted(zip((keys // radix).tolist(), (keys % radix).tolist(),
                                     steps.tolist(), strict=True))
                    assert got == sorted((r, f, t - f) for r, f, t in expected)


def test_a_wide_input_driving_its_group_keeps_the_term_rules_verdict_and_trace():
    model = loads(WIDE.replace("N = 30", "N = 40"))
    with pytest.MonkeyPatch.context() as patch:
        _lazy_counter(patch)
        (mine,) = check_model(model)
    (theirs,) = check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE))
    assert mine.stats.extra["engine"] == "product"
    assert mine.result == theirs.result
    assert mine.result.value == "fail"  # the counter stops: a deadlock 40 events deep
    mine_path, their_path = (r.check.counterexample for r in (mine, theirs))
    assert (mine_path.trace, mine_path.full_path) == (their_path.trace, their_path.full_path)
