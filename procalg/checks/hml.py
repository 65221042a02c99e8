"""Hennessy–Milner formulas that explain why two states are not bisimilar.

Following Cleaveland ("On automatically explaining bisimulation
inequivalence", CAV 1990), the formula is read off the history of partition
refinement: if ``p`` and ``q`` were first separated in round ``k``, their
signatures differed in round ``k-1``, so one has a move ``-a-> p'`` into a
block the other cannot reach with ``a``; recursively distinguishing ``p'``
from every ``a``-successor ``q'`` of ``q`` gives ``<a>(φ1 && ... && φn)``.
Over the τ-saturated LTS the same construction yields weak formulas
(``<<a>>``, ``[[a]]``). Each pair is explained once (memoised), so the work
is O(rounds · pairs explained · out-degree).

Formulas are printed in mCRL2-like syntax with ``tt``/``ff``; τ is ``tau``.

Example:
    >>> print(Diamond("a", Box("b", FF)))
    <a>[b]ff
    >>> print(negate(Diamond("a", TT, weak=True)))
    [[a]]ff
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from procalg.lts import LTS, TAU
from procalg.lts.signature import History


@dataclass(frozen=True, slots=True)
class Const:
    """``tt`` or ``ff``."""

    value: bool

    def __str__(self) -> str:
        return "tt" if self.value else "ff"


TT = Const(True)
FF = Const(False)


def _name(label: str) -> str:
    return "tau" if label == TAU else label


@dataclass(frozen=True, slots=True)
class Diamond:
    """``<a>φ``: some ``a``-step leads to a state satisfying ``φ``."""

    label: str
    body: Formula
    weak: bool = False

    def __str__(self) -> str:
        a = _name(self.label)
        return f"<<{a}>>{self.body}" if self.weak else f"<{a}>{self.body}"


@dataclass(frozen=True, slots=True)
class Box:
    """``[a]φ``: every ``a``-step leads to a state satisfying ``φ``."""

    label: str
    body: Formula
    weak: bool = False

    def __str__(self) -> str:
        a = _name(self.label)
        return f"[[{a}]]{self.body}" if self.weak else f"[{a}]{self.body}"


@dataclass(frozen=True, slots=True)
class Junction:
    """A conjunction (``&&``) or disjunction (``||``) of at least two formulas."""

    conjunctive: bool
    parts: tuple[Formula, ...]

    def __str__(self) -> str:
        op = " && " if self.conjunctive else " || "
        return "(" + op.join(map(str, self.parts)) + ")"


Formula = Const | Diamond | Box | Junction


def conjunction(parts: list[Formula]) -> Formula:
    """``tt`` for no parts, the part itself for one, else a deduplicated ``&&``."""
    unique = list(dict.fromkeys(p for p in parts if p != TT))
    if FF in unique:
        return FF
    if not unique:
        return TT
    return unique[0] if len(unique) == 1 else Junction(True, tuple(unique))


def negate(formula: Formula) -> Formula:
    """The negation, pushed down to the constants (positive normal form)."""
    match formula:
        case Const(value):
            return Const(not value)
        case Diamond(label, body, weak):
            return Box(label, negate(body), weak)
        case Box(label, body, weak):
            return Diamond(label, negate(body), weak)
        case Junction(conj, parts):
            return Junction(not conj, tuple(negate(p) for p in parts))
    raise TypeError(formula)


def first_path(formula: Formula) -> list[str]:
    """The labels along the formula's leftmost chain of modalities.

    Example:
        >>> first_path(Diamond("a", Junction(True, (Box("b", FF), Diamond("c", TT)))))
        ['a', 'b']
    """
    path: list[str] = []
    while True:
        match formula:
            case Diamond(label, body, _) | Box(label, body, _):
                path.append(label)
                formula = body
            case Junction(_, parts):
                formula = parts[0]
            case _:
                return path


class Explainer:
    """Distinguishing formulas for states of one refined LTS.

    Args:
        lts: the LTS the refinement partitioned (saturated for weak).
        history: its strong-refinement rounds (``Refinement.history``).
        weak: print modalities as weak (``<<a>>``).
    """

    def __init__(self, lts: LTS, history: History, *, weak: bool) -> None:
        self.lts = lts
        self.history = history
        self.weak = weak
        self.memo: dict[tuple[int, int], Formula] = {}

    def distinguish(self, p: int, q: int) -> Formula:
        """A formula ``p`` satisfies and ``q`` does not (they must be in different blocks)."""
        key = (p, q)
        if key not in self.memo:
            self.memo[key] = self._build(p, q)
        return self.memo[key]

    def _build(self, p: int, q: int) -> Formula:
        split = self.history.first_split(p, q)
        if split is None:
            raise ValueError(f"states {p} and {q} are equivalent")
        blocks = self.history.blocks_at(split - 1)
        move = self._extra_move(p, q, blocks)
        if move is None:  # q has the extra move: explain q against p, then negate
            return negate(self.distinguish(q, p))
        a, p2 = move
        rivals = [d for lab, d in self.lts.successors(q) if lab == a]
        body = conjunction([self.distinguish(p2, q2) for q2 in rivals])
        return Diamond(self.lts.labels[a], body, self.weak)

    def _extra_move(self, p: int, q: int, blocks: np.ndarray) -> tuple[int, int] | None:
        """A move of ``p`` into a block ``q`` cannot reach by the same label,
        preferring labels ``q`` has fewest moves for (shorter formulas)."""
        q_moves = self.lts.successors(q)
        q_sig = {(a, int(blocks[d])) for a, d in q_moves}
        best: tuple[int, int] | None = None
        best_cost = -1
        for a, d in self.lts.successors(p):
            if (a, int(blocks[d])) in q_sig:
                continue
            cost = sum(1 for lab, _ in q_moves if lab == a)
            if best is None or cost < best_cost:
                best, best_cost = (a, d), cost
        return best
