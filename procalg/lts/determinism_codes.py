"""What the two bulk determinism searches share: their outcome and moves on codes.

:mod:`procalg.lts.normal_product` builds the normal form level by level,
:mod:`procalg.lts.determinism_pairs` searches pairs of states; both answer
with one :class:`Determinism`, read a network's moves through
:func:`moves_exploring` (a lazily explored component's states explored as
they are met; a component that outgrows its digits restarts the search with
:class:`Regrown`), and τ-close sets with :func:`tau_tables`' τ-rules alone.

Example:
    >>> from procalg.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> tables = Tables(close(component(LTS.build(2, 0, ["a"], [(0, "a", 1)]))))
    >>> src, dst, lab = moves_exploring(tables, tables.layout.cast([0]))
    >>> [tables.labels[x] for x in lab.tolist()]
    ['a']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from procalg.lts.lts import TAU
from procalg.lts.network import Network
from procalg.lts.vectors import Tables

Moves = Callable[[np.ndarray], "tuple[np.ndarray, np.ndarray, np.ndarray]"]


@dataclass(frozen=True, slots=True)
class Determinism:
    """The outcome of a bulk determinism search.

    Attributes:
        kind: ``None`` (deterministic), ``"clash"`` or ``"divergence"``.
        trace: the trace leading to the failing node.
        event: for a clash, the first event (by name) accepted and refused there
            (the paths shown are :mod:`procalg.checks.determinism_paths`', found on
            the codes afterwards).
        nodes, states, transitions, levels: how much was built and explored.
        pairs: pairs of states searched (0: the normal form alone answered).
        screened: the screen of the states answered (:mod:`procalg.lts.determinism_screen`).
        peak_bytes: the search's largest arrays at once (an estimate).
        tables: the network's tables (to rebuild paths through its codes).
    """

    kind: str | None
    trace: tuple[str, ...] = ()
    event: str | None = None
    nodes: int = 0
    states: int = 0
    transitions: int = 0
    levels: int = 0
    peak_bytes: int = 0
    pairs: int = 0
    screened: bool = False
    tables: Tables | None = field(default=None, compare=False)


class Regrown(Exception):
    """A lazy component outgrew its digits: every code changes (``recode``)."""

    def __init__(self, recode: Callable[[np.ndarray], np.ndarray]) -> None:
        super().__init__("codes grew")
        self.recode = recode


def moves_exploring(tables: Tables, codes: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The moves of ``codes`` (index into ``codes``, target, label index), their
    lazy components' local states explored first.

    Raises:
        Regrown: a component outgrew its digits (the search restarts).
    """
    if tables.lazy:
        recode = tables.expand(codes)
        if recode is not None:
            raise Regrown(recode)
    return tables.successors(codes)


def tau_tables(tables: Tables) -> Tables | None:
    """Tables of the τ-rules alone, on the same codes (τ-closure fires only
    those, not every rule), or ``None`` where the codes could differ (lazy)."""
    if tables.lazy:
        return None
    net = tables.network
    taus = Tables(Network(net.components, tuple(r for r in net.rules if r.label == TAU),
                          net.notes, net.loose, net.scopes))
    same = (taus.layout.radix, taus.layout.stride) == (tables.layout.radix, tables.layout.stride)
    return taus if same else None


def tau_moves(tables: Tables, taus: Tables | None) -> Moves:
    """The τ-moves of codes by ``taus`` (all moves, without τ-only tables)."""
    if taus is None:
        return lambda codes: moves_exploring(tables, codes)
    return taus.successors


def traced(links: list[tuple[np.ndarray, np.ndarray]], labels: tuple[str, ...] | list[str],
           level: int, pos: int) -> tuple[str, ...]:
    """The trace to entry ``pos`` of ``level``, read back through each level's
    (parent position, label) links: the normal form's and the pairs' searches
    keep the same links.

    Example:
        >>> links = [(np.array([0]), np.array([2])), (np.array([0, 0]), np.array([3, 2]))]
        >>> traced(links, ("τ", "✓", "a", "b"), 2, 0)
        ('a', 'b')
    """
    out = []
    for parents, named in reversed(links[:level]):
        out.append(labels[int(named[pos])])
        pos = int(parents[pos])
    return tuple(reversed(out))
