"""A narrowing drops exactly the moves no operator chain above lets fire.

Oracle: the labels a move turns into on its way up (renaming: every image; hiding:
τ, which always fires), cut where a parallel's partner lacks them or an alphabet
excludes them, followed as sets from the leaf up; the move goes when none is left.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.semantics.narrowing import Narrowed, Narrowing
from procalg.terms import Event

LABELS = ("a", "b", "c", "d")
_sets = st.frozensets(st.sampled_from(LABELS))
_images = st.dictionaries(st.sampled_from(LABELS), st.lists(st.sampled_from(LABELS),
                                                            min_size=1, max_size=2))
_steps = st.lists(st.one_of(
    st.tuples(st.just("sync"), _sets, _sets),
    st.tuples(st.just("alpha"), _sets, _sets, _sets),
    st.tuples(st.just("hide"), _sets),
    st.tuples(st.just("rename"), _images)), max_size=5)


def _narrowing(steps: list) -> Narrowing:
    out = Narrowing()
    for kind, *args in steps:
        if kind == "sync":
            out = out.synchronised(*args)
        elif kind == "alpha":
            out = out.alphabetised(*args)
        elif kind == "hide":
            out = out.hidden(args[0])
        else:
            out = out.renamed(lambda a, table=args[0]: tuple(table.get(a, [a])))
    return out


def _survives(label: str, steps: list) -> bool:
    alive = {label}
    for kind, *args in reversed(steps):
        if kind == "hide" and alive & args[0]:
            return True  # a τ: nothing above blocks it
        if kind == "sync":
            alive -= args[0] - args[1]
        elif kind == "alpha":
            own, other, partner = args
            alive = {a for a in alive if a in own and (a not in other or a in partner)}
        elif kind == "rename":
            alive = {b for a in alive for b in args[0].get(a, [a])}
    return bool(alive)


@settings(max_examples=300, deadline=None)
@given(_steps, st.sampled_from(LABELS))
def test_a_narrowing_drops_a_move_exactly_when_no_way_up_lets_it_fire(steps, label) -> None:
    assert (label in _narrowing(steps)) == (not _survives(label, steps))


def test_internal_labels_and_held_errors_are_never_dropped() -> None:
    narrowing = Narrowing().alphabetised(set(), set(), set())  # every event outside
    assert "a" in narrowing
    assert not any(label in narrowing for label in ("τ", "✓", "\x00done", "\x00held 0.1"))


def test_a_narrowed_leaf_makes_only_the_input_targets_its_partner_can_join() -> None:
    model = loads("channel c : {0..9999}\nchannel d\nP = c?x -> d -> P")
    rules = model.spec.rules()
    every = frozenset(Event("c", (v,)) for v in range(10_000))
    wanted = frozenset({Event("c", (3,)), Event("c", (5,))})
    leaf = Narrowed(rules, rules.normalise(model.process("P")),
                    Narrowing().synchronised({str(e) for e in every}, {"c.3", "c.5", "d"}),
                    ((every, wanted),))
    moves = leaf.successors(leaf.initial_state())
    assert sorted(str(label) for label, _ in moves) == ["c.3", "c.5"]
    site = leaf.initial_state().site
    assert site.memo == {}  # never expanded whole
