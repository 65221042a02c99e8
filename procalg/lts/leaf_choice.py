"""Whole or lazy: how a network compiler takes each sequential leaf.

A small leaf is explored whole into an :class:`~procalg.lts.lts.LTS` (the
network can reduce it modulo strong bisimulation and give it joint
tables, which pays when the product is large); a large one becomes a
:class:`~procalg.lts.lazy.LazyComponent` that the product search expands
only where it goes, resuming where the whole exploration stopped.

Example:
    >>> class Counter:
    ...     def initial_state(self): return 0
    ...     def successors(self, n): return [("inc", (n + 1) % 10)]
    >>> leaf(Counter(), {"inc"}).num_states
    10
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

import numpy as np

from procalg.errors import LimitExceeded
from procalg.lts.exploration import Edges, Exploration
from procalg.lts.lazy import LazyComponent
from procalg.lts.lts import LTS, TransitionSystem

EAGER_LIMIT = 2_000
"""Leaves with at most this many states are explored whole by :func:`leaf`."""


def leaf(system: TransitionSystem[Any], alphabet: Iterable[str] | None, *,
         eager_limit: int = EAGER_LIMIT, max_states: int | None = None,
         name: str = "") -> LTS | LazyComponent:
    """The network component for one sequential leaf, whole or lazy.

    A leaf of at most ``eager_limit`` states is explored whole (an
    :class:`~procalg.lts.lts.LTS`: the network can reduce it and give it
    joint tables, which pays when the product is large); a larger one
    becomes a :class:`LazyComponent` that resumes where the exploration
    stopped (only the expansion the limit interrupted is made again). Pass the result to
    :func:`procalg.lts.network.component`.

    Args:
        system: the leaf's transition system.
        alphabet: a superset of its labels (✓ included if it may
            terminate); ``None`` when unknown: then the leaf is always
            explored whole (up to ``max_states``).
        eager_limit: the largest leaf explored whole.
        max_states: the most local states either way.
        name: shown in the search's notes.

    Raises:
        LimitExceeded: the leaf has more than ``max_states`` states.

    Example:
        >>> class Counter:
        ...     def initial_state(self): return 0
        ...     def successors(self, n): return [("inc", (n + 1) % 10)]
        >>> leaf(Counter(), {"inc"}).num_states
        10
        >>> leaf(Counter(), {"inc"}, eager_limit=5)
        LazyComponent(Counter: 5 states, 4 expanded)
    """
    bounds = [b for b in (None if alphabet is None else eager_limit, max_states)
              if b is not None]
    walk = Exploration(system, max_states=max(1, min(bounds)) if bounds else None)
    done: list[tuple[int, Edges]] = []
    try:
        done.extend(walk)
    except LimitExceeded:
        if alphabet is None or (max_states is not None and max_states <= eager_limit):
            raise
        name = name or type(system).__name__
        return LazyComponent.resume(walk, done, alphabet, max_states=max_states, name=name)
    src, lab, dst = _columns(done)
    return LTS.from_arrays(walk.num_states, 0, list(walk.labels), src, lab, dst)


def _columns(done: list[tuple[int, Edges]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The source, label and target columns of the expanded states' edges.

    Made by numpy from the edge pairs as they are: a leaf of 40,000 transitions
    used to build as many ``(source, label, target)`` tuples, then transpose them.

    Example:
        >>> [c.tolist() for c in _columns([(0, [(2, 1), (3, 0)]), (1, []), (2, [(2, 2)])])]
        [[0, 0, 2], [2, 3, 2], [1, 0, 2]]
    """
    pairs = list(chain.from_iterable(edges for _, edges in done))
    if not pairs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    flat = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    src = np.repeat(np.array([n for n, _ in done], dtype=np.int64), [len(e) for _, e in done])
    return src, flat[:, 0], flat[:, 1]
