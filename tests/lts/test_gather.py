"""A gather's matrix product (few codes) and its per-row gathers (many) give the same moves."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from procalg.lts import gather
from procalg.lts.network import Network, close
from procalg.lts.vectors import Tables
from tests.lts.test_narrow_levels import _odometer
from tests.lts.test_product import _network, _philosophers, trees
from tests.lts.test_vectors import _moves, _reachable


def _check_product_matches_gathers(net: Network) -> None:
    tables = Tables(net)
    codes = _reachable(tables)
    few = [_moves(tables, codes[i: i + 3], backward) for i in range(0, len(codes), 3)
           for backward in (False, True)]
    with pytest.MonkeyPatch.context() as m:
        m.setattr(gather, "SMALL", 0)  # every index from the gathers, row by row
        rows = [_moves(tables, codes[i: i + 3], backward) for i in range(0, len(codes), 3)
                for backward in (False, True)]
    assert few == rows


@settings(max_examples=60, deadline=None)
@given(trees())
def test_the_matrix_product_gives_the_moves_of_the_gathers(tree):
    _check_product_matches_gathers(close(_network(tree)))


def test_deep_and_wide_networks_fire_the_same_moves_either_way():
    _check_product_matches_gathers(_philosophers(4))
    _check_product_matches_gathers(close(_network(_odometer(4, wrap=True))))
    assert isinstance(Tables(_philosophers(4))._batch[0].matrix, np.ndarray)


@pytest.mark.parametrize(("cells", "parts"), [(1 << 8, 64), (1, 64), (1 << 18, 1), (1 << 18, 3)])
def test_codes_read_in_slices_give_the_moves_of_the_gathers(cells, parts):
    # slices of a field or two; fields too wide for a slice, too many slices
    # (both: the matrix product); the default (philosophers(4): one slice)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(gather, "PART_CELLS", cells)
        m.setattr(gather, "MAX_PARTS", parts)
        m.setattr(gather, "WARM", 1)
        _check_product_matches_gathers(_philosophers(4))
        _check_product_matches_gathers(close(_network(_odometer(5, wrap=True))))
        tables = Tables(_philosophers(4))
        tables.successors(_reachable(tables)[:5])
        sliced = tables._batch[0].parts[2]
    if cells == 1 << 8:
        assert sliced is not None and len(sliced) > 3
    else:
        assert (sliced is None) == (cells == 1 or parts == 1)


def test_a_shallow_search_builds_no_slice_tables():
    codes = _reachable(Tables(_philosophers(4)))[:5]
    tables = Tables(_philosophers(4))  # not fired yet
    for _ in range(gather.WARM - 1):
        tables.successors(codes)
    assert tables._batch[0].parts[1:] == [gather.WARM - 1, None]
    tables.successors(codes)
    assert tables._batch[0].parts[2] is not None
