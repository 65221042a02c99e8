"""A rule's factors fire exactly the Cartesian product of its components' local moves."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import LTS
from procalg.lts.firing import fire_factors
from procalg.lts.network import Network, SyncRule
from procalg.lts.vectors import Tables


@st.composite
def components(draw: st.DrawFn) -> list[LTS]:
    """Two to four small components, each with some (possibly no, possibly
    nondeterministic) ``a`` moves."""
    out = []
    for _ in range(draw(st.integers(2, 4))):
        n = draw(st.integers(1, 4))
        pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                              max_size=6, unique=True))
        out.append(LTS.build(n, 0, ["a"], [(s, "a", d) for s, d in pairs]))
    return out


def _by_hand(tables: Tables, comps: list[LTS], codes: np.ndarray) -> list[tuple[int, int]]:
    """Every (code index, target code) of the joint ``a``, one combination at a time."""
    stride = tables.layout.stride
    locs = tables.decode(codes)
    out = []
    for i, code in enumerate(codes.tolist()):
        options = [[d for s, _, d in comp.triples() if s == int(locs[c][i])]
                   for c, comp in enumerate(comps)]
        for combo in itertools.product(*options):
            out.append((i, code + sum((d - int(locs[c][i])) * stride[c]
                                      for c, d in enumerate(combo))))
    return sorted(out)


@settings(max_examples=80, deadline=None)
@given(components())
def test_a_rule_over_several_components_fires_every_combination_of_their_moves(comps):
    rule = SyncRule("a", tuple((c, "a") for c in range(len(comps))))
    tables = Tables(Network(tuple(comps), (rule,)))
    codes = _every_code(tables, comps)
    src, dst, lab = fire_factors(tables.rule_factors(rule), codes, tables.decode(codes),
                                 tables.layout)
    assert sorted(zip(src.tolist(), dst.tolist(), strict=True)) == _by_hand(tables, comps, codes)
    assert set(lab.tolist()) <= {tables.label_index["a"]}


def _every_code(tables: Tables, comps: list[LTS]) -> np.ndarray:
    """The code of every combination of local states."""
    stride = tables.layout.stride
    return np.array([sum(s * stride[c] for c, s in enumerate(states)) for states in
                     itertools.product(*(range(c.num_states) for c in comps))], dtype=np.int64)


def test_a_rule_one_of_whose_components_cannot_move_fires_nothing():
    moves = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)])
    stuck = LTS.build(1, 0, ["a"], [])
    rule = SyncRule("a", ((0, "a"), (1, "a"), (2, "a")))
    tables = Tables(Network((moves, moves, stuck), (rule,)))
    codes = _every_code(tables, [moves, moves, stuck])
    src, dst, lab = fire_factors(tables.rule_factors(rule), codes, tables.decode(codes),
                                 tables.layout)
    assert (len(src), len(dst), len(lab)) == (0, 0, 0)


@settings(max_examples=80, deadline=None)
@given(components())
def test_a_joint_table_with_several_targets_per_state_fires_each_of_them(comps):
    # a small group gets one joint table: non-deterministic ones take the
    # single-table path (runs laid out at once), which must match by hand
    rule = SyncRule("a", tuple((c, "a") for c in range(len(comps))))
    tables = Tables(Network(tuple(comps), (rule,)))
    (group,) = tables.forward
    assert len(group) == 1
    codes = _every_code(tables, comps)
    src, dst, lab = fire_factors(group, codes, tables.decode(codes), tables.layout)
    assert sorted(zip(src.tolist(), dst.tolist(), strict=True)) == _by_hand(tables, comps, codes)
    assert set(lab.tolist()) <= {tables.label_index["a"]}


def test_a_lossy_channel_fires_both_of_its_targets_from_the_same_state():
    lossy = LTS.build(3, 0, ["in"], [(0, "in", 1), (0, "in", 2), (1, "in", 0)])
    tables = Tables(Network((lossy,), (SyncRule("in", ((0, "in"),)),)))
    (group,) = tables.forward
    assert not group[0].deterministic
    codes = np.array([1, 0, 2], dtype=np.int64)  # unsorted, one state with no move
    src, dst, _ = fire_factors(group, codes, tables.decode(codes), tables.layout)
    stride = tables.layout.stride[0]
    pairs = zip(src.tolist(), (dst // stride).tolist(), strict=True)
    assert sorted(pairs) == [(0, 0), (1, 1), (1, 2)]


def test_a_clock_over_deterministic_components_moves_each_of_them_once_per_code():
    # a rule over many components (each with one move per state) sums their
    # deltas, and a code where one of them cannot move fires nothing
    tick = LTS.build(2, 0, ["tock"], [(0, "tock", 1), (1, "tock", 0)])
    last = LTS.build(2, 0, ["tock"], [(0, "tock", 1)])
    comps = [tick, tick, last]
    rule = SyncRule("tock", tuple((c, "tock") for c in range(3)))
    tables = Tables(Network(tuple(comps), (rule,)))
    factors = tables.rule_factors(rule)
    assert len(factors) == 3 and all(f.deterministic for f in factors)
    codes = _every_code(tables, comps)
    src, dst, _ = fire_factors(factors, codes, tables.decode(codes), tables.layout)
    assert sorted(zip(src.tolist(), dst.tolist(), strict=True)) == _by_hand(tables, comps, codes)
    assert len(src) == 4  # the codes where ``last`` is still in its state 0
