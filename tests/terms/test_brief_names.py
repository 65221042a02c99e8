"""A term is named as written while its event sets are small, else by its operator."""

from __future__ import annotations

from procalg.terms import (
    STOP,
    Call,
    Event,
    ExternalChoice,
    Hide,
    Parallel,
    Prefix,
    Rename,
    show_process,
)
from procalg.terms.brief_names import brief_name, clipped, opening
from procalg.terms.renaming import Renaming


def _events(n: int) -> frozenset[Event]:
    return frozenset(Event("c", (i,)) for i in range(n))


def test_a_term_with_small_sets_is_named_as_written_and_cut_to_the_width() -> None:
    term = Parallel(Prefix(Event("c", (1,)), STOP), STOP, _events(3))
    assert brief_name(term) == show_process(term)
    assert brief_name(term, width=5) == show_process(term)[:5] + "…"  # said to be cut
    assert brief_name(term, width=500) == show_process(term)  # not cut: no ellipsis


def test_sets_are_counted_together_at_any_depth() -> None:
    inner = Hide(Prefix(Event("a"), STOP), _events(40))
    assert brief_name(inner) == show_process(inner)
    outer = Parallel(inner, STOP, _events(30))  # 70 events in all: past the budget of 64
    assert brief_name(outer) == "Parallel(…)"
    assert brief_name(outer, max_events=70) == show_process(outer)


def test_a_renaming_counts_its_pairs() -> None:
    pairs = {(Event("c", (i,)), Event("d", (i,))) for i in range(100)}
    term = Rename(STOP, Renaming.of(pairs, []))
    assert brief_name(term) == "Rename(…)"


def test_an_opening_prints_a_choice_only_up_to_its_width(monkeypatch):
    # a mobile regulator's leaf: a choice of branches, each calling on with a large set
    big = frozenset(Event("e", (i,)) for i in range(300))
    term = STOP
    for i in range(50):
        term = ExternalChoice(Prefix(Event("c", (i,)), Call("Reg", (big,))), term)
    assert opening(term, 40) == clipped(show_process(term), 40)
    shown = []
    original = Event.__str__
    monkeypatch.setattr(Event, "__str__", lambda e: shown.append(e) or original(e))
    assert opening(term, 40).startswith("c.49 -> Reg({e.0, e.1")
    assert len(shown) <= 2 * len(big)  # one branch's set, not fifty
