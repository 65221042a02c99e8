"""A lazy rule group's moves from a handful of states, in plain Python.

A deep, narrow search (a counter leaf ``P(n) = c!n -> d -> P(n + 1)``:
one state per BFS level, 60,000 levels) fires its lazy group once per
level on one or two states. The vectorised firing of
:meth:`procalg.lts.lazy_tables._Driven.fire` takes some 30 numpy calls
whatever the frontier's size (three :func:`~procalg.lts.lazy_tables._runs`
of ten calls each), about 100 µs; below :data:`FEW` states a loop over
the few moves found costs a few µs per move instead. Both give the same
moves in the same order (state, driver move, rule, then the partners'
choices with the first partner varying fastest), so the search cannot
tell them apart.

A lazy partner (the eager partner drives, or a trace is rebuilt backward
through a lazy leaf) is read with two scalar binary searches per state and
rule (:meth:`~procalg.lts.lazy.LazyComponent.run_at`), not numpy's calls.

Complexity: O(F + M) Python steps for F states and M moves, plus three
numpy calls (the driver's lookup, its labels and its move columns) and
O(log E) per state and rule for a lazy partner of E moves.

Example:
    >>> from procalg.lts.exploration import ExplicitSystem
    >>> from procalg.lts.lazy import LazyComponent
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> from procalg.lts.vectors import Tables
    >>> p = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2), (1, "b", 0)])
    >>> t = Tables(close(component(LazyComponent(ExplicitSystem(p), {"a", "b"}))))
    >>> t.expand(np.array([t.initial])) is None
    True
    >>> src, dst, lab = t.successors(np.array([t.initial]))  # fired here: one state
    >>> src.tolist(), [t.labels[i] for i in lab], t.layout.decode(dst, [0])[0].tolist()
    ([0, 0], ['a', 'b'], [1, 2])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

FEW = 4
"""Most states fired by :func:`fire_few` (past this, numpy's calls pay off)."""


def applies(driven: Any, codes: np.ndarray, wide: bool) -> bool:
    """Whether :func:`fire_few` takes ``driven``'s moves from ``codes``:
    few states and int64 codes (a lazy partner's moves are two scalar
    binary searches per state and rule: :meth:`~procalg.lts.lazy.LazyComponent.run_at`)."""
    return len(codes) <= FEW and not wide


def _partner_moves(part: tuple, backward: bool) -> Callable[[int, int], list[int]]:
    """A partner's local steps for (rule, local state): read from an eager
    CSR ``(radix, offsets, steps)`` or a lazy ``(component, label per rule)``."""
    if len(part) == 3:  # eager
        radix, offsets, steps = part

        def eager(rule: int, loc: int) -> list[int]:
            j = rule * radix + loc
            return steps[int(offsets[j]): int(offsets[j + 1])].tolist()
        return eager
    comp, per_rule = part[0], part[1].tolist()
    frm, to = comp.entries(backward)

    def lazy(rule: int, loc: int) -> list[int]:
        n, lo = comp.run_at(per_rule[rule], loc, backward)
        return (to[lo: lo + n] - frm[lo: lo + n]).tolist() if n else []
    return lazy


def fire_few(driven: Any, codes: np.ndarray, locs: dict[int, np.ndarray], stride: tuple[int, ...],
             count: np.ndarray, start: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``driven``'s moves from ``codes`` (a :class:`~procalg.lts.lazy_tables._Driven`
    whose driver has ``count`` moves from ``start`` on in its table at each
    state): (index into codes, target code, label index), as its ``fire``."""
    table, back = driven.table, driven.backward
    states: list[int] = []
    entries: list[int] = []
    for i, (n, s) in enumerate(zip(count.tolist(), start.tolist(), strict=True)):
        states += [i] * n
        entries += range(s, s + n)
    out_state: list[int] = []
    out_target: list[int] = []
    out_label: list[int] = []
    if entries:
        at = np.array(entries, dtype=np.int64)
        labels = table.entry_labels(at, back).tolist()
        src, dst = table.entries(back)
        steps = (dst[at] - src[at]).tolist()
        first, number, by_label, glabel = driven.small_tables()
        here = codes.tolist()
        partners = [(locs[c].tolist(), _partner_moves(part, back), stride[c])
                    for c, part in driven.others]
        s = stride[driven.driver]
        for i, label, step in zip(states, labels, steps, strict=True):
            base = here[i] + step * s
            for w in range(first[label], first[label] + number[label]):
                rule = by_label[w]
                targets = [base]
                for loc, moves_of, weight in partners:
                    # the first partner's choice varies fastest, as in ``fire``
                    targets = [t + d * weight for d in moves_of(rule, loc[i]) for t in targets]
                out_state += [i] * len(targets)
                out_target += targets
                out_label += [glabel[rule]] * len(targets)
    return (np.array(out_state, dtype=np.int64), np.array(out_target, dtype=np.int64),
            np.array(out_label, dtype=np.int32))
