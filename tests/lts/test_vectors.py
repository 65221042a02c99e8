"""Firing every single-table group in one gather gives the moves of firing them in turn."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from procalg.lts import vectors
from procalg.lts.network import Network, close
from procalg.lts.vectors import Tables
from tests.lts.test_product import _network, _philosophers, trees


def _moves(tables: Tables, codes: np.ndarray, backward: bool) -> list[tuple[int, int, int]]:
    src, dst, lab = tables.successors(codes, backward=backward)
    return sorted(zip(src.tolist(), dst.tolist(), lab.tolist(), strict=True))


def _reachable(tables: Tables) -> np.ndarray:
    seen = np.array([tables.initial], dtype=np.int64)
    while True:
        more = np.union1d(seen, tables.successors(seen)[1])
        if len(more) == len(seen):
            return seen
        seen = more


def _check_batch_matches_one_by_one(net: Network) -> None:
    tables = Tables(net)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(vectors, "_BATCH_CELLS", 0)  # every group fired on its own
        codes = _reachable(tables)
        alone = [_moves(tables, codes, backward) for backward in (False, True)]
    assert [_moves(tables, codes, backward) for backward in (False, True)] == alone


@settings(max_examples=60, deadline=None)
@given(trees())
def test_batched_groups_give_the_moves_of_firing_each_group(tree):
    _check_batch_matches_one_by_one(close(_network(tree)))


def test_philosophers_batch_their_single_table_groups_and_keep_every_move():
    net = _philosophers(4)
    batch = Tables(net)._batch[0]
    assert batch is not None and len(batch.groups) >= 2
    _check_batch_matches_one_by_one(net)
