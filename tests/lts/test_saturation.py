"""Bit-set τ-saturation against a direct reading of the definition."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import LimitExceeded
from procalg.lts import LTS, saturation
from procalg.lts.saturation import saturate


@st.composite
def random_lts(draw) -> LTS:
    n = draw(st.integers(1, 70))  # crosses the 64-state word boundary
    state = st.integers(0, n - 1)
    rows = draw(st.lists(st.tuples(state, st.sampled_from(["τ", "τ", "a", "✓"]), state),
                         max_size=2 * n))
    return LTS.build(n, 0, ["a"], rows)


def _weak(lts: LTS) -> set[tuple[int, str, int]]:
    star = []
    for s in range(lts.num_states):
        seen, todo = {s}, [s]
        while todo:
            u = todo.pop()
            for lab, d in lts.successors(u):
                if lab == 0 and d not in seen:
                    seen.add(d)
                    todo.append(d)
        star.append(seen)
    out = {(s, "τ", t) for s in range(lts.num_states) for t in star[s]}
    for s in range(lts.num_states):
        for u in star[s]:
            for lab, v in lts.successors(u):
                if lab != 0:
                    out |= {(s, lts.labels[lab], w) for w in star[v]}
    return out


@settings(max_examples=80, deadline=None)
@given(lts=random_lts())
def test_saturation_is_tau_star_and_tau_star_a_tau_star(lts):
    assert set(saturate(lts).triples()) == _weak(lts)


def test_saturation_refuses_huge_lts_and_suggests_branching(monkeypatch):
    monkeypatch.setattr(saturation, "MAX_STATES", 3)
    with pytest.raises(LimitExceeded) as err:
        saturate(LTS.build(4, 0, [], []))
    assert "branching" in err.value.hint
