"""The random-model helpers: the bounded, hash-consed term rules (BoundedTerms)."""

from __future__ import annotations

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.errors import ModelError
from procalg.lts.exploration import LimitExceeded, explore
from procalg.terms import STOP, Event, ExternalChoice, Prefix
from tests.semantics.random_processes import (
    TERM_NODES,
    BoundedTerms,
    Grammar,
    TermsTooLarge,
    guarded,
    process,
)

GRAMMAR = Grammar(
    atoms=("STOP", "SKIP"),
    calls=("P({v})", "R"),
    operators=("e -> {p}", "c!{v} -> {p}", "c?{x}:{{0, 2}} -> {px}", "({p} [] {q})",
               "({p} |~| {q})", "({p} ; {q})", "({p} \\ {s})", "({p} [| {s} |] {q})",
               "({p} /\\ {q})"),
    sets=("{e}", "{| c |}", "{}"),
)

MODELS = st.builds(lambda p, r: f"channel c : {{0..3}}\nchannel e, f\nP(n) = {p}\nR = {r}\n",
                   process(GRAMMAR, ("n",), 3), guarded(GRAMMAR, ("e", "f")))


def _tree_size(term: object) -> int:
    """Nodes of ``term`` counted as a tree, the way BoundedTerms counts (no sharing)."""
    todo, size = [term], 0
    while todo:
        node = todo.pop()
        size += 1
        for name in getattr(node, "__dataclass_fields__", ()):
            value = getattr(node, name)
            parts = value if isinstance(value, tuple) else (value,)
            todo.extend(v for v in parts if hasattr(v, "__dataclass_fields__"))
    return size


class _One:
    """A system of one state and no transitions."""

    def __init__(self, term: object) -> None:
        self.term = term

    def initial_state(self) -> object:
        return self.term

    def successors(self, state: object) -> list:
        return []


def _chain(length: int) -> object:
    term = STOP
    for _ in range(length):
        term = Prefix(Event("e"), term)
    return term


@pytest.mark.parametrize("length", [10, 300, 700])
def test_a_term_is_refused_exactly_when_its_tree_outgrows_the_bound(length: int):
    shared = _chain(length)
    for term in (shared, ExternalChoice(shared, shared), ExternalChoice(shared, _chain(length))):
        size = _tree_size(term)
        if size > TERM_NODES:
            with pytest.raises(TermsTooLarge):
                BoundedTerms(_One(term)).initial_state()
        else:
            assert BoundedTerms(_One(term)).initial_state() == term


def test_the_bound_is_crossed_by_one_of_the_shapes_above():
    sizes = {_tree_size(ExternalChoice(_chain(n), _chain(n))) for n in (300, 700)}
    assert min(sizes) <= TERM_NODES < max(sizes)


@given(MODELS, st.sampled_from(["P(0)", "R"]))
@settings(max_examples=60, deadline=None)
def test_hash_consed_states_explore_to_the_same_lts_as_the_term_rules(text: str, start: str):
    model = loads(text)
    try:
        call = model.process(start)
        plain = explore(model.spec.system(call), max_states=150)
    except (ModelError, LimitExceeded, RecursionError):
        reject()
    try:
        bounded = explore(BoundedTerms(model.spec.system(call)), max_states=150)
    except TermsTooLarge:
        reject()
    assert bounded.num_states == plain.num_states and bounded.initial == plain.initial
    assert sorted(bounded.triples()) == sorted(plain.triples())
