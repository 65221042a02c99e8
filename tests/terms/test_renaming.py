"""Renaming relations: a channel rule answers as the explicit pairs it stands for.

Each prefix rule ``old <- new`` is listed here, independently of the rule's own
code, as the pairs ``(old.v, new.v)`` over a small universe of events; the
rule, the listed pairs and their union with random explicit pairs must give
the same images, preimages and images of printed names for every event (the
firing rules on renamed processes: tests/semantics/test_sos.py).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.terms import Event, sort_key
from procalg.terms.renaming import PairRenaming, PrefixRenaming, Renaming

CHANNELS = ("c", "d", "e")
UNIVERSE = tuple(Event(ch, (x, y)) for ch in CHANNELS for x in (0, 1) for y in (0, 1))
"""Every event: three channels of the same type {0,1}.{0,1} (so any prefix rule
between equally long prefixes keeps the remaining field types)."""


@st.composite
def prefix_rules(draw) -> tuple[tuple[Event, Event], ...]:
    """Rules ``old <- new`` between prefixes of equal length (0, 1 or 2 fields)."""
    rules = []
    for _ in range(draw(st.integers(1, 3))):
        size = draw(st.integers(0, 2))
        fields = st.tuples(*[st.sampled_from((0, 1))] * size)
        rules.append((Event(draw(st.sampled_from(CHANNELS)), draw(fields)),
                      Event(draw(st.sampled_from(CHANNELS)), draw(fields))))
    return tuple(rules)


explicit_pairs = st.frozensets(st.tuples(st.sampled_from(UNIVERSE), st.sampled_from(UNIVERSE)),
                               max_size=3)


def listed(rules: tuple[tuple[Event, Event], ...]) -> frozenset[tuple[Event, Event]]:
    """The pairs the rules stand for, by enumerating the universe."""
    return frozenset(
        (event, Event(new.channel, new.fields + event.fields[len(old.fields):]))
        for old, new in rules for event in UNIVERSE
        if event.channel == old.channel and event.fields[:len(old.fields)] == old.fields)


def answers(relation: Renaming) -> list:
    """Everything a relation tells about the universe, comparable across kinds."""
    return [(set(relation.images(e)), set(relation.preimages(e)),
             set(relation.name_images(str(e)))) for e in UNIVERSE]


@settings(max_examples=150, deadline=None)
@given(prefix_rules(), explicit_pairs)
def test_a_prefix_rule_answers_as_the_pairs_it_stands_for(rules, pairs) -> None:
    ruled = Renaming.of(pairs, rules)
    as_pairs = PairRenaming(pairs | listed(rules))
    assert answers(ruled) == answers(as_pairs)
    assert answers(ruled) == answers(as_pairs)  # asked again: from the rules' memo
    for e in UNIVERSE:  # in sort_key order, as the pairs give them (keys made per rule)
        assert ruled.images(e) == as_pairs.images(e)
        assert ruled.preimages(e) == as_pairs.preimages(e)
    assert Renaming.of(*ruled.parts()) == ruled


def test_a_channel_rule_maps_only_the_events_under_its_prefix() -> None:
    rule = PrefixRenaming(((Event("c", (1,)), Event("d", (0,))),))
    assert rule.images(Event("c", (1, 1))) == (Event("d", (0, 1)),)
    assert rule.images(Event("c", (0, 1))) == (Event("c", (0, 1)),)  # not under c.1
    assert rule.preimages(Event("d", (0, 1))) == (Event("c", (1, 1)), Event("d", (0, 1)))
    assert rule.name_images("c.10") == ("c.10",)  # c.1 is a prefix of fields, not of text


def test_a_rule_over_a_hundred_thousand_values_is_never_listed() -> None:
    rule = Renaming.of((), [(Event("c"), Event("d"))])
    assert len(rule) == 1 and str(rule) == "c <- d"
    assert rule.images(Event("c", (99_999,))) == (Event("d", (99_999,)),)


def test_a_rule_with_many_images_sorts_them_once_per_event() -> None:
    rules = Renaming.of((), [(Event("m"), Event("move", (q,))) for q in range(200)])
    first = rules.images(Event("m", (3,)))
    assert [e.fields for e in first] == [(q, 3) for q in range(200)]
    assert rules.images(Event("m", (3,))) is first  # remembered, not moved and sorted again
    assert rules.preimages(Event("move", (7, 3))) == (Event("m", (3,)), Event("move", (7, 3)))


def test_images_of_rules_on_tuple_fields_come_in_sort_key_order() -> None:
    # the order of a relation's images is the order events are offered in
    targets = [Event("move", ((i, j),)) for i in (2, 0, 1) for j in (1, 0)]
    rules = PrefixRenaming(tuple((Event("m"), t) for t in targets))  # unsorted on purpose
    images = rules.images(Event("m", (7,)))
    assert list(images) == sorted(images, key=sort_key) and len(images) == 6
