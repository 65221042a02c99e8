"""A deep chain walked one call per state against the walk's general loop and numpy.

:func:`procalg.lts.leaf_chain.walk_chain` must leave the leaf exactly as the
vectorised level search does (it is switched off for the oracle): the same
local numbers, the same move table (runs, slots, counts, labels used), and
the same search results, with the leaf asked straight (a compiled machine's
path) or through the general expansion.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.deadlock import deadlock_goal
from procalg.errors import LimitExceeded
from procalg.lts import leaf_chain, leaf_levels
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.held import Holding
from procalg.lts.lazy import LazyComponent
from procalg.lts.lts import LTS
from procalg.lts.network import close, component
from procalg.lts.product import count_states, find_path
from tests.lts.test_leaf_levels import deep_leaves


def _leaf_after(lts: LTS, goal: str, max_states: int | None, walk: bool) -> tuple:
    lazy = LazyComponent(Holding(ExplicitSystem(lts)), {"a", "b", "c"}, max_states=max_states)
    net = close(component(lazy))
    with pytest.MonkeyPatch.context() as m:
        if not walk:
            m.setattr(leaf_levels.OneLeaf, "of", classmethod(lambda cls, tables: None))
        try:
            found = count_states(net) if goal == "count" else find_path(net, deadlock_goal)
            result = (found.states, found.transitions, getattr(found, "path", None))
        except LimitExceeded as err:
            result = ("limit", err.states)
    width = len(lazy.labels)
    return (result, lazy.states, lazy.expanded, lazy.transitions, sorted(lazy.used),
            lazy._slot.view.tolist(), lazy._src.view.tolist(), lazy._dst.view.tolist(),
            (lazy._key.view % width).tolist())


@settings(max_examples=80, deadline=None)
@given(deep_leaves(), st.sampled_from(["count", "deadlock"]),
       st.one_of(st.none(), st.integers(1, 300)))
def test_a_chain_walked_in_one_loop_leaves_the_leaf_and_its_table_as_numpy_does(
        lts, goal, max_states):
    assert _leaf_after(lts, goal, max_states, True) == _leaf_after(lts, goal, max_states, False)


def test_a_long_chain_is_walked_by_the_loop_and_held_as_one_block_of_runs():
    ring = LTS.build(5000, 0, ["a"], [(i, "a", (i + 1) % 5000) for i in range(5000)])
    lazy = LazyComponent(Holding(ExplicitSystem(ring)), {"a"})
    walked = []
    real = leaf_chain.walk_chain

    def counting(*args):
        out = real(*args)
        walked.append(out[0])
        return out

    with pytest.MonkeyPatch.context() as m:
        m.setattr(leaf_levels, "walk_chain", counting)
        found = find_path(close(component(lazy)), deadlock_goal)  # a goal: the chain's loop
    assert (found.found, found.states, found.transitions) == (False, 5000, 5000)
    assert sum(walked) >= 4990  # a level or two by the general loop (its first, the column)
    assert (lazy.expanded, lazy.transitions) == (5000, 5000)
    assert [x.tolist() for x in lazy.known_moves()] == [
        list(range(5000)), [1] * 5000, [(i + 1) % 5000 for i in range(5000)]]
