"""Replaying a path through the terms: the exact labels, the visible trace with τ
anywhere, and the shortest τ-cycle."""

from __future__ import annotations

import pytest

from procalg.errors import ProcalgError
from procalg.lts import TAU
from procalg.semantics.explain.components import Structure
from procalg.semantics.explain.replay import strict, tau_cycle, weak
from procalg.semantics.sos import Rules
from procalg.terms import STOP, Call, Event, Hide, InternalChoice, Prefix

a, b, h = Event("a"), Event("b"), Event("h")


def test_strict_replay_keeps_every_candidate_and_lets_the_end_choose() -> None:
    s = Structure(Rules(None))
    term = InternalChoice(Prefix(a, STOP), Prefix(a, Prefix(b, STOP)))
    going = strict(s.moves, term, (TAU, "a"), lambda t: bool(s.moves(t)))
    assert [str(t) for _, _, t in going] == ["a -> b -> STOP", "b -> STOP"]
    assert strict(s.moves, term, ("a",), lambda t: True) is None  # the τ is missing


def test_weak_replay_puts_taus_where_they_are_needed() -> None:
    s = Structure(Rules(None))
    term = Hide(Prefix(h, Prefix(a, STOP)), frozenset({h}))
    path = weak(s.moves, term, ["a"], lambda t: True, 100)
    assert [str(lab) for lab, _, _ in path] == [TAU, "a"]
    with pytest.raises(ProcalgError, match="cannot replay"):
        weak(s.moves, term, ["b"], lambda t: True, 100)


def test_the_tau_cycle_is_a_shortest_one_back_to_its_entry() -> None:
    bodies = {Call("X"): Prefix(h, Prefix(h, Call("X")))}
    s = Structure(Rules(bodies.__getitem__))
    entry = s.rules.normalise(Hide(Call("X"), frozenset({h})))
    loop = tau_cycle(s.moves, entry)
    assert [lab for lab, _, _ in loop] == [TAU, TAU] and loop[-1][2] == entry
    assert tau_cycle(s.moves, Prefix(a, STOP)) == []
