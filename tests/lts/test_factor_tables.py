"""The two builders of a factor table agree: numpy columns and Python tuples."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts.factor_tables import table_of_arrays, table_of_tuples

entries = st.lists(st.tuples(st.integers(0, 7), st.integers(-50, 50), st.integers(0, 3)),
                   max_size=30)


@settings(max_examples=200, deadline=None)
@given(entries)
def test_a_table_built_from_arrays_equals_the_one_built_from_tuples(rows):
    by_tuples = table_of_tuples(list(rows), 8, (0,), (1,))
    j, delta, tag = (np.array([r[i] for r in rows], dtype=np.int64) for i in range(3))
    by_arrays = table_of_arrays(j, delta, tag, 8, (0,), (1,))
    assert by_arrays.offsets.tolist() == by_tuples.offsets.tolist()
    assert by_arrays.delta.tolist() == by_tuples.delta.tolist()
    assert by_arrays.label.tolist() == by_tuples.label.tolist()
    assert by_arrays.count.tolist() == by_tuples.count.tolist()
    assert by_arrays.deterministic == by_tuples.deterministic


def test_a_delta_past_62_bits_stays_an_exact_python_integer():
    table = table_of_tuples([(0, 1 << 70, 1)], 1, (0,), (1,))
    assert table.delta.tolist() == [1 << 70]
