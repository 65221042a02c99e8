"""The failures simulation on arrays against its definition worked out pair by pair.

The oracle below is the relation's definition (``normal_pruned``'s module
notes) as a plain fixed point over Python sets: candidates by the local
conditions, then pairs whose τ- or visible moves are not matched removed until
none is. The array version must give the same relation on random LTSs with τ,
✓ and hidden labels, also when its chunks and its move-by-move path are forced
small, and give way (``None``) past its pair limit.
"""

from __future__ import annotations

from hypothesis import example, given, settings

from procalg.lts import LTS, normal_simulation
from procalg.lts.lts import TICK_INDEX
from procalg.lts.normal_pruned import pruned_normal_lts
from procalg.lts.normal_simulation import Moves, failures_simulation
from tests.lts.test_normal_table import specs


def _oracle(m: Moves) -> list[set[int]]:
    """The relation by its definition, one pair at a time."""
    weak: list[dict[int, set[int]]] = []
    for y in range(m.n):
        found: dict[int, set[int]] = {}
        for z in m.closure[y]:
            for a, d in m.moves[z]:
                found.setdefault(a, set()).add(d)
        weak.append(found)
    reach = [[c for z in m.closure[y] if (c := m.contribution[z]) is not None]
             for y in range(m.n)]
    relation = [{y for y in range(m.n) if y != x
                 and m.offer[x] <= set(weak[y])
                 and (m.divergent[y] or not m.divergent[x])
                 and (m.contribution[x] is None
                      or any(c <= m.contribution[x] for c in reach[y]))}
                for x in range(m.n)]

    def matched(x: int, y: int) -> bool:
        if any(t != y and y not in relation[t] for t in m.taus[x]):
            return False
        return all(a == TICK_INDEX or any(d == e or e in relation[d] for e in weak[y][a])
                   for a, d in m.moves[x])

    changed = True
    while changed:
        changed = False
        for x in range(m.n):
            bad = {y for y in relation[x] if not matched(x, y)}
            if bad:
                relation[x] -= bad
                changed = True
    return relation


def _chain() -> LTS:
    # 1 and 2 each offer a then b; 3 offers a then c: 1 and 2 simulate each other
    return LTS.build(7, 0, ["a", "b", "c"], [
        (0, "τ", 1), (0, "τ", 2), (0, "τ", 3), (1, "a", 4), (2, "a", 5), (3, "a", 6),
        (4, "b", 4), (5, "b", 5), (6, "c", 6)])


@settings(max_examples=400, deadline=None)
@given(specs(max_states=9))
@example(_chain())
def test_the_array_simulation_is_the_relation_of_its_definition(spec: LTS) -> None:
    m = Moves(spec)
    assert failures_simulation(m) == _oracle(m)


@settings(max_examples=150, deadline=None)
@given(specs(max_states=9))
def test_small_chunks_and_wide_fans_give_the_same_relation(spec: LTS) -> None:
    m = Moves(spec)
    expected = _oracle(m)
    saved = normal_simulation.CHUNK, normal_simulation.FAN
    try:
        normal_simulation.CHUNK, normal_simulation.FAN = 3, 0  # every chunk expanded
        assert failures_simulation(m) == expected
    finally:
        normal_simulation.CHUNK, normal_simulation.FAN = saved


def test_states_that_offer_the_same_futures_simulate_each_other_and_no_other() -> None:
    relation = failures_simulation(Moves(_chain()))
    assert 2 in relation[1] and 1 in relation[2]
    assert 3 not in relation[1] and 1 not in relation[3]
    assert 5 in relation[4] and 6 not in relation[4]


def test_past_its_pair_limit_the_simulation_gives_way(monkeypatch) -> None:
    monkeypatch.setattr(normal_simulation, "MAX_PAIRS", 1)
    m = Moves(_chain())
    assert failures_simulation(m) is None
    assert pruned_normal_lts(_chain()) is None
