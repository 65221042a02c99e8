"""Activity calls from offered labels: :class:`~procalg.runtime.units.Choices` remembers
:func:`~procalg.runtime.units.choose` and must answer exactly as it would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.runtime.units import Choices, choose
from procalg.runtime.workflow import ChannelKind
from procalg.terms.saga import fail_event
from procalg.terms.values import Event

EVENTS = [Event(c, (i, v)) for c in ("a", "b") for i in range(2) for v in range(2)]
KINDS = {"a": ChannelKind.ACTIVITY, "b": ChannelKind.ACTIVITY, "s": ChannelKind.SIGNAL}


def kind(label: object) -> ChannelKind:
    if isinstance(label, Event) and label.channel == "fail":
        return ChannelKind.FAILURE
    return KINDS[label.channel]  # type: ignore[union-attr]


def _answers(seed: int):
    """Deterministic ``after`` and ``follows`` answers drawn from ``seed``."""
    def after(e: Event, f: Event) -> bool:
        return hash((seed, e, f, "after")) % 3 != 0

    def follows(e: Event, c: str) -> bool:
        return hash((seed, e, c, "follows")) % 4 != 0

    return after, follows


label_sets = st.lists(st.sampled_from(EVENTS + [fail_event(e) for e in EVENTS]
                                      + [Event("s", ())]), min_size=1, max_size=8, unique=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(label_sets, st.integers(0, 5), st.booleans()), min_size=1,
                max_size=12))
def test_remembered_choices_equal_choose_whatever_the_answers(cases: list) -> None:
    choices = Choices(kind)
    for labels, seed, with_follows in cases:
        labels = tuple(labels)
        after, follows = _answers(seed)
        expected = choose(kind, labels, after, follows if with_follows else None)
        assert list(choices.choose(labels, after, follows if with_follows else None)) == expected


def test_the_same_labels_and_answers_give_the_calls_already_made() -> None:
    choices = Choices(kind)
    labels = tuple(EVENTS[:4])
    after, follows = _answers(1)
    choices.choose(labels, after, follows)  # first sight: not kept
    first = choices.choose(labels, after, follows)
    again = choices.choose(labels, after, follows)
    assert again is first and all(x is y for x, y in zip(first, again, strict=True))


def test_other_answers_for_the_same_labels_are_computed_afresh() -> None:
    choices = Choices(kind)
    labels = (Event("a", (0, 0)), Event("a", (1, 0)))
    apart = choices.choose(labels, lambda e, f: False)
    together = choices.choose(labels, lambda e, f: True)
    assert [c.given for c in apart] == [()]
    assert [c.given for c in together] == [(0, 0), (1, 0)]  # commuting: a call each
