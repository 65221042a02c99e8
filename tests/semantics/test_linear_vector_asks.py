"""Batched successors of lazy leaves whose inputs wait for a partner's ask.

A lazy leaf (:class:`~procalg.lts.lazy.LazyComponent`) defers the labels its
partners must offer: a state's moves under them are made only when the product
asks (``Machine.successors_where``). Over a compiled machine with vectorised
definitions, a frontier of 16 or more such states, and the states asked again
for more labels, go through the batch function
(:meth:`~procalg.semantics.linear_vector.VectorMoves.batch` with ``waiting``):
the same moves, the same local numbering and the same errors as one
``successors_where`` call per state, and, once everything is asked, the term
rules' LTS up to strong bisimulation.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.errors import ModelError
from procalg.lts import LTS, explore, lazy_asks
from procalg.lts.lazy import LazyComponent
from procalg.lts.network import DONE
from procalg.semantics.linear import Machine
from tests.semantics.test_linear import _bisimilar
from tests.semantics.test_linear_vector import _R, _branch, _models, _PerState

WAITING = ("d", "g", "k")
"""The channels whose labels the leaves defer (as partners offering them would)."""


class _PerStateAsking(_PerState):
    """The per-state path of a machine, with its deferred inputs but no batch function."""

    def successors_where(self, state: int, waiting, asked):
        return self.machine.successors_where(state, waiting, asked)

    def waits(self, label: str) -> bool:
        return self.machine.waits(label)


def _alphabet() -> set[str]:
    model_labels = {"e", "✓", *(f"c.{i}" for i in range(4)), *(f"d.{i}" for i in range(4)),
                    *(f"w.{i}" for i in range(10))}
    model_labels |= {f"g.{i}.{j}" for i in range(4) for j in range(4)}
    return model_labels | {f"k.{b}.{i}" for b in ("true", "false") for i in range(4)}


def _leaves(text: str, start: str, alphabet: set[str] | None = None,
            waiting: tuple[str, ...] = WAITING
            ) -> tuple[LazyComponent, LazyComponent, Machine, object]:
    """The batch path's leaf, the per-state path's, the batch machine and the terms."""
    vector_machine, plain, system = _models(text, start)
    alphabet = _alphabet() if alphabet is None else alphabet
    fast = LazyComponent(vector_machine, alphabet)
    slow = LazyComponent(_PerStateAsking(plain), alphabet)
    for lazy in (fast, slow):
        lazy.defer([c for c, name in enumerate(lazy.labels) if name.split(".")[0] in waiting])
    return fast, slow, vector_machine, system


def _table(lazy: LazyComponent) -> list[tuple[int, str, int]]:
    """Every move of the expanded states' current runs, with local ids."""
    locs = np.arange(lazy.num_states)
    counts, starts = lazy.lookup_all(locs.copy(), False)
    _, dst = lazy.entries(False)
    out = []
    for loc, count, start in zip(locs.tolist(), counts.tolist(), starts.tolist(), strict=True):
        entry = np.arange(start, start + count)
        labels = lazy.entry_labels(entry, False).tolist()
        out += [(loc, lazy.labels[c], int(d)) for c, d in zip(labels, dst[entry], strict=True)]
    return out


def _asks(lazy: LazyComponent, rng: random.Random, share: float
          ) -> tuple[np.ndarray, np.ndarray]:
    """A random share of (local state, deferred label) pairs, as a product asks them."""
    pairs = [(loc, code) for loc in range(lazy.num_states) for code in sorted(lazy.deferred)
             if rng.random() < share]
    if not pairs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    locs, codes = np.array(pairs, dtype=np.int64).T
    return locs, codes


def _step(lazy: LazyComponent, asks: tuple[np.ndarray, np.ndarray]) -> str | None:
    """Expand every numbered state under ``asks``; the error it raises, if any."""
    try:
        lazy.expand(np.arange(lazy.num_states), (asks[0].copy(), asks[1].copy()))
    except ModelError as err:
        return str(err)
    return None


def _explore_alike(fast: LazyComponent, slow: LazyComponent, seed: int, rounds: int = 12,
                   share: float = 0.2) -> str | None:
    """Drive both leaves with the same random asks, then with every ask; they must
    agree after each step. The error both raised, if any."""
    rng = random.Random(seed)
    for round_ in range(rounds + 8):
        asks = _asks(slow, rng, share if round_ < rounds else 1.0)
        err = _step(slow, asks)
        assert _step(fast, asks) == err
        if err is not None:
            return err
        assert fast.num_states == slow.num_states
        assert (fast.expanded, fast.transitions) == (slow.expanded, slow.transitions)
        assert _table(fast) == _table(slow)
    return None


def _lts(lazy: LazyComponent) -> LTS:
    triples = [t for t in _table(lazy) if t[1] != DONE]
    return LTS.build(lazy.num_states, 0, sorted({t[1] for t in triples}), triples)


def _batched(machine: Machine) -> list[int]:
    """The frontier sizes the batch function is asked with, waiting labels given."""
    vector, sizes = machine.vector(), []
    assert vector is not None
    batch = vector.batch

    def counted(states, waiting=None, asked=()):
        if waiting is not None:
            sizes.append(len(states))
        return batch(states, waiting, asked)

    vector.batch = counted  # type: ignore[method-assign]
    return sizes


def test_a_deferred_leaf_batches_its_frontier_and_its_later_asks_like_the_per_state_path(
        ) -> None:
    text = ("Q(x, y) = d?i -> Q((x + i) % 9, (y + x) % 9) [] g!(x % 4)?j -> Q(y, (x + j) % 9)"
            " [] x == y & e -> Q(x, (y + 1) % 9) [] d!(y % 4) -> Q(y, x)")
    fast, slow, machine, system = _leaves(text, "Q(0, 0)")
    sizes = _batched(machine)
    assert _explore_alike(fast, slow, seed=7) is None
    assert len(sizes) >= 2 and max(sizes) >= 16  # first expansions and later asks batched
    assert fast.num_states == 81
    assert _bisimilar(_lts(fast), explore(system, max_states=20_000))


def test_an_input_asked_for_one_value_makes_one_target_in_the_batch() -> None:
    text = "P(n) = w?v -> P((n + v) % 40) [] c!(n % 4) -> P((n + 1) % 40)"
    fast, _, machine, _ = _leaves(text.replace("w?v", "d?v"), "P(0)")
    while fast.expand(np.arange(fast.num_states)):  # nothing asked: c's moves only
        pass
    assert fast.num_states == 40 and machine.num_states == 40
    d1 = fast.code["d.1"]
    locs = np.arange(40)
    fast.expand(locs, (locs, np.full(40, d1)))  # 40 states asked for d.1: one batch
    assert machine.num_states == 40  # every target a state already there
    assert sorted({lab for _, lab, _ in _table(fast)}) == ["c.0", "c.1", "c.2", "c.3", "d.1"]


_WIDE = "w?v -> P(n, (m + v) % 20) [] c!(n % 4) -> P((n + 1) % 9, m)"
"""A frontier of 20 states per level (m), n counting the levels up to the error at 6."""


@pytest.mark.parametrize("moves", [
    "d?i -> P(n, m) [] d!((4 / (n - 6)) % 4) -> P(n, m)",  # a waiting output's label
    "d?i -> P(n, m) [] d!0 -> P(5 / (n - 6), m)",  # a waiting output's target
    "d?i -> P((n * i + 1) / (n - 6), m)",  # an input's target, when asked
])
def test_an_error_is_raised_as_the_per_state_path_raises_it_whatever_is_asked(
        moves: str) -> None:
    text = f"P(n, m) = {moves} [] {_WIDE}"
    fast, slow, machine, _ = _leaves(text, "P(0, 0)")
    sizes = _batched(machine)
    err = _explore_alike(fast, slow, seed=1, share=0.0)  # asked only at the end
    assert sizes and max(sizes) >= 16
    assert err is not None and "division by zero" in err


@settings(max_examples=40, deadline=None)
@given(st.lists(_branch(), min_size=1, max_size=3), st.integers(0, 3), st.integers(0, 3),
       st.integers(0, 2**16), st.sampled_from([0.05, 0.3]))
def test_random_definitions_with_random_asks_expand_alike_on_both_paths(
        branches: list[str], x: int, y: int, seed: int, share: float) -> None:
    text = "P(x, y) = " + " [] ".join(["w!9 -> P(y, x)", *branches]) + _R
    try:
        fast, slow, machine, system = _leaves(text, f"P({x}, {y})")
    except ModelError:
        return  # an error at the start state: no leaf to compare
    if machine.vector() is None:
        return
    sizes = _batched(machine)
    with pytest.MonkeyPatch.context() as patch:  # these leaves are small: batch them all
        patch.setattr(lazy_asks, "BATCH_MIN", 1)
        err = _explore_alike(fast, slow, seed, share=share)
    assert sizes or not fast.deferred
    if err is None:
        assert _bisimilar(_lts(fast), explore(system, max_states=20_000))
