"""A view's runs per state agree with a plain filter of the move table."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts.move_columns import Column, View

WIDTH = 4

# per expansion: the labels of its moves (one run per expanded state, in order)
expansions = st.lists(st.lists(st.integers(0, WIDTH - 1), max_size=5), max_size=8)


def _append(key, src, dst, slot, state, labels):
    s = len([x for x in slot.view if x >= 0])
    slot.data[state] = s
    key.extend([s * WIDTH + lab for lab in sorted(labels)])
    src.extend([state] * len(labels))
    dst.extend(list(range(len(labels))))


@settings(max_examples=200, deadline=None)
@given(expansions, expansions, st.sets(st.integers(0, WIDTH - 1)), st.booleans())
def test_a_view_finds_each_states_run_of_wanted_moves_as_it_grows(before, after, codes,
                                                                  as_arrays):
    key, src, dst, slot = Column(), Column(), Column(), Column(-1)
    slot.extend([-1] * (len(before) + len(after) + 2))  # the last two: never expanded
    for state, labels in enumerate(before):
        _append(key, src, dst, slot, state, labels)
    view = View(key, src, dst, slot, WIDTH, frozenset(codes))
    for state, labels in enumerate(after, start=len(before)):
        since = key.size
        _append(key, src, dst, slot, state, labels)
        new = slice(since, key.size)
        k, s, d = key.view[new], src.view[new], dst.view[new]
        if as_arrays:
            view.append_arrays(k, s, k % WIDTH, d)
        else:
            view.append(k.tolist(), s.tolist(), (k % WIDTH).tolist(), d.tolist())
    locs = np.arange(len(before) + len(after) + 2, dtype=np.int64)
    count, start = view.lookup_all(locs)
    vsrc, _ = view.entries()
    labels = view.entry_labels(np.arange(len(vsrc)))
    for loc, n, lo in zip(locs.tolist(), count.tolist(), start.tolist(), strict=True):
        wanted = sorted(lab for lab in (before + after + [[], []])[loc] if lab in codes)
        assert vsrc[lo: lo + n].tolist() == [loc] * n
        assert labels[lo: lo + n].tolist() == wanted
