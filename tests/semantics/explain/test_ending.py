"""The end state: held-back events with their alphabets, and what saga events say."""

from __future__ import annotations

from procalg.semantics.explain.components import Structure
from procalg.semantics.explain.ending import Ending, saga_notes
from procalg.semantics.sos import Rules
from procalg.terms import STOP, AlphaParallel, Event, Parallel, Prefix

a, b, c = Event("a"), Event("b"), Event("c")


def _blocked(term):
    s = Structure(Rules(None))
    leaves = s.leaves(term)
    names = {p: s.name(t) for p, t in leaves}
    return Ending(s).blocked(term, names, dict(leaves))


def test_an_event_allowed_inside_but_outside_the_outer_alphabet_is_held_back_there() -> None:
    # (b -> STOP [{a, b} || {}] STOP) [{a} || {a, c}] (c -> STOP): the inner operator lets
    # b through (it is in the left side's {a, b} and not shared); the outer one holds it
    # back (outside its left side's {a}); c is the right side's own event, not shared
    inner = AlphaParallel(Prefix(b, STOP), STOP, frozenset({a, b}), frozenset())
    term = AlphaParallel(inner, Prefix(c, STOP), frozenset({a}), frozenset({a, c}))
    found = [(x.event, x.wanted_by, x.blocked_by, x.reason) for x in _blocked(term)]
    assert found == [("b", ("b -> STOP",), (), "alphabet")]


def test_an_event_no_component_of_the_other_side_ever_does_names_them_all() -> None:
    # a -> STOP [| {a} |] (b -> STOP ||| c -> STOP): neither right component ever does a
    term = Parallel(Prefix(a, STOP), Parallel(Prefix(b, STOP), Prefix(c, STOP)), frozenset({a}))
    ((blocked,),) = [_blocked(term)]
    assert blocked.blocked_by == ("b -> STOP", "c -> STOP") and blocked.reason == "never"


def test_saga_notes_follow_the_marker_events_in_order() -> None:
    notes = saga_notes(["a", "fail.b", "compensate", "fail.ua", "unreverted.a", "throw"])
    assert notes == [
        "activity b failed (fail.b)",
        "the saga rolls back: the compensations of its completed steps run",
        "activity ua failed (fail.ua)",
        "the compensation of step a threw (fail.ua): a stays done",
        "the failure was not caught: the run ends (throw)",
    ]
    assert saga_notes(["a", "b"]) == []
