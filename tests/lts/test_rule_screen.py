"""A screen fires many-component rules together: the same moves, in the same
order, as firing them one by one (random networks, narrow and word-aligned
codes), and the same verdicts and counterexamples as the term rules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import rule_screen, vectors
from procalg.lts.lts import LTS
from procalg.lts.network import Network, SyncRule, close
from procalg.lts.rule_screen import Screen
from procalg.lts.vectors import Tables
from tests.lts.test_product import _network, _philosophers, trees
from tests.lts.test_vectors import _reachable


@contextmanager
def tables_built(*, screened: bool = True, wide: bool = False) -> Iterator[None]:
    """Tables built inside have every rule over two or more components as
    factors under one screen (``screened``) and codes in words (``wide``)."""
    with pytest.MonkeyPatch.context() as patch:
        if screened:
            patch.setattr(vectors, "JOINT_LIMIT", 1)
            patch.setattr(rule_screen, "LEAST_RULES", 1)
        if wide:
            patch.setattr(vectors, "_MAX_BITS", 0)
            patch.setattr(vectors, "_MAX_CODE", 1)
        yield


def _moves_both_ways(tables: Tables, codes: np.ndarray) -> list[list[list[int]]]:
    out = []
    for backward in (False, True):
        for i in range(0, len(codes), 5):  # several batch sizes: one code, a few
            moves = tables.successors(codes[i: i + 1 + i % 7], backward=backward)
            out.append([a.tolist() for a in moves])
    return out


def _check_screen_fires_as_one_by_one(net: Network, *, wide: bool = False) -> None:
    with tables_built(wide=wide):
        tables = Tables(net)
        codes = _reachable(tables)
        keys = tables.layout.keys(codes) if tables.layout.words else codes
        screened = _moves_both_ways(tables, keys)
        shown = tables._screens
        tables._screens = [None, None]
        alone = _moves_both_ways(tables, keys)
    assert screened == alone  # same moves, same order (traces pick among them)
    many = any(isinstance(g, list) and len(g) > 1 for g in tables.forward)
    assert (shown[0] is not None) == many


@settings(max_examples=80, deadline=None)
@given(trees(), st.booleans())
def test_a_screen_fires_the_moves_of_the_rules_one_by_one_in_their_order(tree, wide):
    _check_screen_fires_as_one_by_one(close(_network(tree)), wide=wide)


def test_philosophers_forks_and_a_shared_clock_fire_alike_screened():
    _check_screen_fires_as_one_by_one(_philosophers(4))
    _check_screen_fires_as_one_by_one(_philosophers(4), wide=True)


def test_rules_between_other_groups_keep_their_places():
    # groups by the components they read: a (0, 1), c (0), b (0, 2); the
    # screened a and b have c between them, so the moves are sorted by group
    p = LTS.build(2, 0, ["a", "b", "c"], [(0, "a", 1), (0, "b", 1), (1, "c", 0), (0, "c", 0)])
    net = Network((p, p, p), (SyncRule("a", ((0, "a"), (1, "a"))), SyncRule("c", ((0, "c"),)),
                              SyncRule("b", ((0, "b"), (2, "b")))))
    _check_screen_fires_as_one_by_one(net)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vectors, "JOINT_LIMIT", 1)
        patch.setattr(rule_screen, "LEAST_RULES", 1)
        tables = Tables(net)
        src, _, lab = tables.successors(np.array([0]))
    assert tables._screens[0].positions.tolist() == [0, 2]
    assert [tables.labels[x] for x in lab.tolist()] == ["a", "c", "b"]
    assert src.tolist() == [0, 0, 0]


def test_few_rules_or_too_many_cells_get_no_screen(monkeypatch):
    tables = Tables(_philosophers(3))
    groups = rule_screen.screened(tables.forward)
    assert Screen.of(groups, least=len(groups) + 1) is None
    monkeypatch.setattr(rule_screen, "MOST_CELLS", 1)
    assert Screen.of(groups, least=1) is None


REGISTERS = """\
channel take, put : {0..3}
channel done
Cell(i) = take!i -> put!i -> Cell(i) [] put?j:{k | k <- {0..3}, k != i} -> Cell(i)
Reg(n) = take?i -> (if n < 2 then Reg(n + 1) else done -> STOP) [] put?i -> Reg(n)
System = (||| i : {0..3} @ Cell(i)) [| {| take, put |} |] Reg(0)
assert System :[deadlock free]
assert STOP [T= System \\ {| take, put |}
"""


def test_a_register_shared_by_every_rule_checks_as_the_term_rules_do(monkeypatch):
    monkeypatch.setattr(vectors, "JOINT_LIMIT", 1)
    monkeypatch.setattr(rule_screen, "LEAST_RULES", 1)
    model = loads(REGISTERS)
    product = list(check_model(model))
    reference = list(check_model(model, options=SearchOptions(engine=CheckEngine.REFERENCE)))
    assert [r.check.stats.extra["engine"] for r in product] == ["product", "product"]
    assert Tables(model.network("System"))._screens[0] is not None
    assert [r.result for r in product] == ["fail", "fail"]  # Reg stops after 3 takes
    for p, r in zip(product, reference, strict=True):
        mine, theirs = p.check.counterexample, r.check.counterexample
        assert (p.result, mine.trace, mine.full_path) == (r.result, theirs.trace, theirs.full_path)
