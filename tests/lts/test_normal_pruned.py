"""The pruned normal form against the plain subset construction.

Leaving dominated members out of each set (``normal_pruned``) must not change
what any node means: along every trace both normal forms reach nodes with the
same initials, minimal acceptances and divergence, on random LTSs with τ, ✓
and hidden labels; minimised, both have the same number of states; and on a
normalised chain of philosophers the pruned sets are far fewer.
"""

from __future__ import annotations

from hypothesis import given, settings

from procalg.lts import LTS, normal_pruned
from procalg.lts.compressions import normal_lts
from procalg.lts.normal import NormalForm
from procalg.lts.normal_pruned import pruned_normal_lts
from procalg.lts.normal_simulation import Moves
from procalg.lts.normal_table import normal_lts as table_lts
from procalg.lts.normal_table import normal_table
from procalg.lts.partition import Bisimulation, minimize
from tests.lts.test_normal_table import _walk, specs


@settings(max_examples=300, deadline=None)
@given(specs())
def test_the_pruned_normal_form_has_the_same_nodes_along_every_trace(spec: LTS) -> None:
    def same(a, b):
        assert (a.initials, a.acceptances, a.divergent) == (b.initials, b.acceptances,
                                                             b.divergent)

    pruned = pruned_normal_lts(spec)
    assert pruned is not None
    _walk(NormalForm(spec), NormalForm(pruned), same, after_tick=False)


@settings(max_examples=200, deadline=None)
@given(specs())
def test_minimised_the_pruned_and_plain_normal_forms_are_as_small(spec: LTS) -> None:
    pruned = minimize(pruned_normal_lts(spec), Bisimulation.STRONG)
    plain = minimize(table_lts(spec), Bisimulation.STRONG)
    assert pruned.num_states <= plain.num_states


def test_a_member_another_member_covers_is_left_out_of_the_set() -> None:
    # 2 chooses internally between 4 (offers b) and 5 (offers b and c); 3 offers b
    # and c, so every behaviour of 3 is one of 2's: after a (in 2 or 3) the spec
    # means what it means after b (in 2), and the two sets are one node
    spec = LTS.build(8, 0, ["a", "b", "c"], [
        (0, "a", 2), (0, "a", 3), (0, "b", 2), (2, "τ", 4), (2, "τ", 5),
        (3, "b", 7), (3, "c", 7), (4, "b", 7), (5, "b", 7), (5, "c", 7)])
    relation = normal_pruned.failures_simulation(Moves(spec))
    assert 2 in relation[3] and 3 not in relation[2]
    assert len(normal_table(spec)) == 4  # {0}, {2, 3, 4, 5}, {2, 4, 5}, {7}
    assert pruned_normal_lts(spec).num_states < table_lts(spec).num_states


def test_beyond_its_limit_the_pruned_form_gives_way_to_the_table(monkeypatch) -> None:
    spec = LTS.build(3, 0, ["a"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 1)])
    monkeypatch.setattr(normal_pruned, "LIMIT", 2)
    assert pruned_normal_lts(spec) is None
    assert normal_lts(spec).num_states == table_lts(spec).num_states
