"""Symbolic counterexamples are walked on the reference rules before they count."""

from __future__ import annotations

import pytest

from procalg.api.model import loads
from procalg.symbolic.replay import ReplayError, replay
from procalg.syntax import parse_expr

SPEC = ("channel c : Int\nchannel done\n"
        "P(n) = c?x:Int -> (if x == n + 3 then done -> STOP else P(x))")


def test_a_trace_with_int_inputs_replays_using_only_its_own_integers() -> None:
    replay(loads(SPEC).spec, parse_expr("P(0)"), ("c.5", "c.8", "done"), deadlock=True)


def test_an_impossible_step_is_a_replay_error_naming_the_step() -> None:
    with pytest.raises(ReplayError, match=r"done \(step 3\)"):
        replay(loads(SPEC).spec, parse_expr("P(0)"), ("c.5", "c.7", "done"))


def test_a_claimed_deadlock_where_the_process_moves_on_is_refused() -> None:
    with pytest.raises(ReplayError, match="deadlock"):
        replay(loads(SPEC).spec, parse_expr("P(0)"), ("c.5",), deadlock=True)


def test_the_replay_leaves_the_model_unable_to_enumerate_int() -> None:
    spec = loads(SPEC).spec
    replay(spec, parse_expr("P(0)"), ("c.1",))
    from procalg.errors import ProcalgError
    from procalg.lts import explore

    with pytest.raises(ProcalgError, match="every integer"):
        explore(spec.system(spec.process(parse_expr("P(0)"))))
