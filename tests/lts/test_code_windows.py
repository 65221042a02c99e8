"""A group fired through a window of code bits moves as its table fired from decoded digits."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import LTS
from procalg.lts.code_windows import Window
from procalg.lts.factor_tables import TableFactor
from procalg.lts.firing import fire_factors
from procalg.lts.network import Network, SyncRule
from procalg.lts.vectors import Tables


@st.composite
def networks(draw: st.DrawFn) -> Network:
    """Two to five deterministic components of up to six states; rules over
    one, two or three of them (neighbours or not), some never enabled."""
    comps = []
    for _ in range(draw(st.integers(2, 5))):
        n = draw(st.integers(1, 6))
        moves = draw(st.dictionaries(st.integers(0, n - 1), st.integers(0, n - 1), max_size=n))
        label = draw(st.sampled_from(["a", "b"]))
        comps.append(LTS.build(n, 0, ["a", "b"], [(s, label, d) for s, d in moves.items()]))
    rules = []
    for name in ("a", "b"):
        for group in draw(st.lists(st.sets(st.integers(0, len(comps) - 1), min_size=1,
                                           max_size=3), min_size=1, max_size=4)):
            rules.append(SyncRule(name, tuple((c, name) for c in sorted(group))))
    return Network(tuple(comps), tuple(dict.fromkeys(rules)))


@settings(max_examples=80, deadline=None)
@given(networks())
def test_a_windowed_group_fires_the_moves_of_its_table_in_the_same_order(network):
    tables = Tables(network)
    radix = [c.num_states for c in network.components]
    codes = np.array([sum(s * tables.layout.stride[c] for c, s in enumerate(states))
                      for states in itertools.product(*(range(r) for r in radix))],
                     dtype=np.int64)
    locs = tables.decode(codes)
    windows = 0
    for groups in (tables.forward, tables.backward):
        for group in groups:
            if not (len(group) == 1 and isinstance(group[0], TableFactor)):
                continue
            window = Window.of(group[0], tables.layout)
            if window is None:  # fields of at most 3 bits: a lone deterministic one has one
                assert len(group[0].comps) > 1 or not group[0].deterministic
                continue
            windows += 1
            want = fire_factors(group, codes, locs, tables.layout)
            got = window.fire(codes)
            assert [x.tolist() for x in got] == [x.tolist() for x in want]
    assert windows <= 2 * len(tables.forward)


def test_a_group_whose_fields_lie_far_apart_has_no_window():
    p = LTS.build(2, 0, ["a"], [(0, "a", 1)])
    wide = [p] + [LTS.build(64, 0, ["a"], [])] * 2 + [p]  # 6-bit fields between
    tables = Tables(Network(tuple(wide), (SyncRule("a", ((0, "a"), (3, "a"))),)))
    assert Window.of(tables.forward[0][0], tables.layout) is None
    src, dst, _ = tables.successors(np.array([tables.initial]))
    assert src.tolist() == [0] and dst.tolist() == [tables.initial + 1 + tables.layout.stride[3]]
