"""The pruned normal form against the plain subset construction.

Leaving dominated members out of each set (``normal_pruned``) must not change
what any node means: along every trace both normal forms reach nodes with the
same initials, minimal acceptances and divergence, on random LTSs with τ, ✓
and hidden labels; minimised, both have the same number of states; and on a
normalised chain of philosophers the pruned sets are far fewer.
"""

from __future__ import annotations

from hypothesis import example, given, settings

from procalg.lts import LTS, normal_pruned
from procalg.lts.compressions import normal_lts
from procalg.lts.normal import NormalForm
from procalg.lts.normal_pruned import pruned_normal_lts
from procalg.lts.normal_simulation import Moves
from procalg.lts.normal_table import normal_lts as table_lts
from procalg.lts.normal_table import normal_table
from procalg.lts.partition import Bisimulation, minimize
from tests.lts.test_normal_table import specs


def _pairs_walk(plain: NormalForm, pruned: NormalForm) -> None:
    """Both normal forms in step along every trace (✓ ends it), comparing each pair
    of nodes reached. Pairs, not a map: pruning may make one node of sets that
    mean the same, which the plain form keeps apart, and the other way round."""
    seen, todo = {(plain.root, pruned.root)}, [(plain.root, pruned.root)]
    while todo:
        a, b = todo.pop()
        left, right = plain.node(a), pruned.node(b)
        assert (left.initials, left.acceptances, left.divergent) == (
            right.initials, right.acceptances, right.divergent)
        for event, target in plain.afters(a).items():
            there = pruned.after(b, event)
            assert there is not None, f"the pruned normal form cannot do {event}"
            if event != "✓" and (target, there) not in seen:
                seen.add((target, there))
                todo.append((target, there))


@settings(max_examples=300, deadline=None)
@given(specs())
@example(LTS.build(3, 0, ["a", "b", "c"], [(0, "a", 2), (2, "a", 0), (2, "a", 2)]))
def test_the_pruned_normal_form_has_the_same_nodes_along_every_trace(spec: LTS) -> None:
    # the example: {0, 2} is pruned to {0} (each simulates the other), so the plain
    # form's {0, 2} meets the pruned form's {0} and {2} in turn
    pruned = pruned_normal_lts(spec)
    assert pruned is not None
    _pairs_walk(NormalForm(spec), NormalForm(pruned))


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
