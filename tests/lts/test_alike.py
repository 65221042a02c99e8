"""Moves alike but for their label fire once for a search that needs only
targets: the same targets, the least label into each, every move counted
(random networks, screened or joint, narrow or word-aligned codes), and an
association-shaped model (a caller field nobody reads, wide keys) checks as
with every move and as the term rules do."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import vectors
from procalg.lts.factor_tables import alike_table, table_of_arrays
from procalg.lts.lts import LTS
from procalg.lts.network import Network, SyncRule, close
from procalg.lts.vectors import Tables
from tests.lts.test_product import _network, trees
from tests.lts.test_rule_screen import tables_built
from tests.lts.test_vectors import _reachable


def _moves(found: tuple) -> dict[tuple[int, bytes], list[int]]:
    src, dst, lab = found[:3]
    out: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    for s, d, g in zip(src.tolist(), dst, lab.tolist(), strict=True):
        out[s, np.asarray(d).tobytes()].append(g)
    return out


def _check_targets(net: Network, *, screened: bool, wide: bool) -> None:
    with tables_built(screened=screened, wide=wide):
        tables = Tables(net)
        codes = _reachable(tables)
        keys = tables.layout.keys(codes) if tables.layout.words else codes
        for i in range(0, len(keys), 5):  # batches of one code, a few
            batch = keys[i: i + 1 + i % 7]
            every, merged = tables.successors(batch), tables.targets(batch)
            assert len(every[0]) == len(merged[0]) + merged[3]  # every move counted
            full, few = _moves(every), _moves(merged)
            assert full.keys() == few.keys()  # the same (source, target) pairs
            for pair, labels in few.items():
                assert min(labels) == min(full[pair])  # the least label into each
                assert set(labels) <= set(full[pair])


@settings(max_examples=80, deadline=None)
@given(trees(), st.booleans(), st.booleans())
def test_targets_are_the_successors_with_moves_alike_but_for_their_label_merged(
        tree, screened, wide):
    _check_targets(close(_network(tree)), screened=screened, wide=wide)


def _caller_blind(callers: int) -> Network:
    """Two registers and a pair of them moved by ``link.c`` for every caller
    ``c``: rules alike but for their label, in one joint table or screened."""
    p = LTS.build(2, 0, [f"link{c}" for c in range(callers)] + ["drop"],
                  [(0, f"link{c}", 1) for c in range(callers)] + [(1, "drop", 0)])
    rules = [SyncRule(f"link{c}", ((0, f"link{c}"), (1, f"link{c}"))) for c in range(callers)]
    return Network((p, p), (*rules, SyncRule("drop", ((0, "drop"),))))


@pytest.mark.parametrize("screened", [False, True])
def test_a_caller_blind_link_fires_once_with_its_least_label(screened):
    _check_targets(_caller_blind(5), screened=screened, wide=False)
    with tables_built(screened=screened):
        tables = Tables(_caller_blind(5))
        src, dst, lab, left = tables.targets(np.array([0]))
    assert (src.tolist(), dst.tolist(), left) == ([0], [3], 4)
    assert tables.labels[int(lab[0])] == "link0"


def test_an_alike_table_keeps_each_index_and_delta_once_with_its_least_tag():
    f = table_of_arrays(np.array([1, 1, 1, 0]), np.array([4, 4, 9, 4]),
                        np.array([7, 3, 5, 6]), 3, (0,), (1,))
    g, lost = alike_table(f)
    assert g.offsets.tolist() == [0, 1, 3, 3] and g.delta.tolist() == [4, 4, 9]
    assert g.label.tolist() == [6, 3, 5] and lost.tolist() == [0, 1, 0]
    assert alike_table(g) is None  # nothing alike left


LINKS = """\
N = LAST
I = {0..N}
channel link, unlink : I.I.I
channel bad
Assoc(a, b) = link?c!a!b -> unlink?c!a!b -> Assoc(a, b)
Count(n) = n < 2 & link?c?a?b -> Count(n + 1) [] n > 0 & unlink?c?a?b -> Count(n - 1)
Watch = link?c!0!0 -> link?c!1!1 -> bad -> STOP
Links = (||| a : I, b : I @ Assoc(a, b)) [| {| link, unlink |} |] Count(0)
System = Links [| {| link.c.a.a | c <- I, a <- {0, 1} |} |] Watch
Spec = [] e : diff(Events, {bad}) @ e -> Spec
assert Spec [T= System
assert Spec [T= Links
"""


def _checked(last: int, engine: CheckEngine = CheckEngine.PRODUCT) -> list:
    return list(check_model(loads(LINKS.replace("LAST", str(last))),
                            options=SearchOptions(engine=engine)))


def test_associations_blind_to_their_caller_check_as_the_term_rules_do():
    product, reference = _checked(2), _checked(2, CheckEngine.REFERENCE)
    assert [r.result for r in product] == [r.result for r in reference] == ["fail", "pass"]
    mine, theirs = product[0].check.counterexample, reference[0].check.counterexample
    assert mine.trace == theirs.trace == ("link.0.0.0", "link.0.1.1", "bad")
    assert product[1].check.stats.states == reference[1].check.stats.states


def test_associations_blind_to_their_caller_count_every_move_on_word_keys():
    product = _checked(7)  # 64 associations: codes of two words
    with pytest.MonkeyPatch.context() as patch:  # every move fired, as before
        patch.setattr(vectors.Tables, "targets", lambda self, codes: (*self.successors(codes), 0))
        every = _checked(7)
    assert any("64-bit words" in n for n in product[1].check.stats.extra["notes"])
    assert [p.result for p in product] == ["fail", "pass"]
    for p, e in zip(product, every, strict=True):
        assert (p.result, p.check.stats.states, p.check.stats.transitions) == (
            e.result, e.check.stats.states, e.check.stats.transitions)
        assert (p.check.counterexample is None) == (e.check.counterexample is None)
        if p.check.counterexample is not None:
            assert p.check.counterexample.full_path == e.check.counterexample.full_path
