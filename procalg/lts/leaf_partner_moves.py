"""The eager partners' side of a lazy leaf's rules, read off their local tables.

:class:`~procalg.lts.leaf_partners.PartneredLeaf` walks one lazy leaf beside
eager partners. Every rule of the network either moves the leaf (by one
local label of it, the *leaf label*) with some partners, or moves partners
only. :class:`PartnerMoves` splits the rules that way once, and answers
where the partners go: from the partners' code ``p`` (every digit but the
leaf's), a rule's partner parts lead to the codes :meth:`PartnerMoves.targets`
lists, one per choice of each partner's local move. That is enough to make the
template of a leaf state with one move (:meth:`PartnerMoves.derived`) with no
firing at all.

Complexity: a partner code's digits are decoded once (one numpy call), each
partner label's moves grouped by source once; :meth:`PartnerMoves.targets` is
O(product of the parts' choices).

Example:
    >>> from procalg.lts.exploration import ExplicitSystem
    >>> from procalg.lts.lazy import LazyComponent
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component, parallel
    >>> from procalg.lts.vectors import Tables
    >>> line = LTS.build(9, 0, ["up"], [(i, "up", i + 1) for i in range(8)])
    >>> beat = LTS.build(2, 0, ["up", "tick"], [(0, "up", 1), (1, "tick", 0)])
    >>> leaf = component(LazyComponent(ExplicitSystem(line), {"up"}))
    >>> tables = Tables(close(parallel(leaf, component(beat), {"up"})))
    >>> moves = PartnerMoves(tables, 0)
    >>> up = tables.network.components[0].code["up"]
    >>> [(tables.labels[g], p) for g, p in moves.derived(0, (up,))]  # beat at 0: up, to 1
    [('up', 1)]
    >>> moves.derived(1, (up,)) is None  # beat at 1: tick, without the leaf
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from procalg.lts.vectors import Tables

Parts = list[tuple[int, str]]  # a rule's partners' (component, local label)
Rule = tuple[int, Parts]  # a rule the leaf is in: its label, its partners' parts


class PartnerMoves:
    """The rules of ``tables``' network split by the leaf ``leaf``, and the
    partners' moves they make (see the module)."""

    def __init__(self, tables: Tables, leaf: int) -> None:
        self.tables = tables
        # each leaf label's rules as (label, the partners' parts), and the rules without
        # it; by label code, only the codes some rule uses (a wide channel: 200,000)
        self.with_leaf: dict[int, set[int]] = {}  # by leaf label code: global labels
        self.without: set[int] = set()  # labels of rules the leaf is not in
        self.rules_of: dict[int, list[Rule]] = {}
        self.alone_rules: list[Parts] = []
        label_index, code = tables.label_index, tables.network.components[leaf].code
        for rule in tables.network.rules:
            g, mine, others = label_index[rule.label], None, []
            for c, name in rule.parts:
                if c == leaf:
                    mine = code[name] if mine is None else mine
                else:
                    others.append((c, name))
            if mine is None:
                self.without.add(g)
                self.alone_rules.append(others)
            elif mine in self.rules_of:
                self.with_leaf[mine].add(g)
                self.rules_of[mine].append((g, others))
            else:
                self.with_leaf[mine], self.rules_of[mine] = {g}, [(g, others)]
        self.steps: dict[tuple[int, str], dict[int, list[int]]] = {}  # partner moves by source
        self.digits: dict[int, dict[int, int]] = {}  # partners' code -> each partner's state
        self.alone: dict[int, bool] = {}  # partners' code -> some move without the leaf

    def forget(self) -> None:
        """Drop what depends on the codes' layout (the partners' digits moved)."""
        self.digits, self.alone = {}, {}

    def derived(self, p: int, sig: tuple[int, ...]) -> list[tuple[int, int]] | None:
        """The moves ``(label, partners' code)`` of a leaf state of one move
        (signature ``sig``) at partners' code ``p``, if there is at most one product
        move (one move has one order), else None: a counter ``w!(n % 2000)`` beside
        ``w?x`` has 2,000 keys, and firing each (0.1 ms) cost more than the term
        rules' whole search."""
        if len(sig) != 1 or self._alone(p):
            return None
        found: list[tuple[int, int]] = []
        for g, parts in self.rules_of.get(sig[0], ()):
            for tp in self.targets(p, parts):
                if found:
                    return None
                found.append((g, tp))
        return found

    def _alone(self, p: int) -> bool:
        """Whether the partners have a move at ``p`` that the leaf is not in."""
        found = self.alone.get(p)
        if found is None:
            found = self.alone[p] = any(self.targets(p, parts) for parts in self.alone_rules)
        return found

    def targets(self, p: int, parts: Parts) -> list[int]:
        """The partners' codes after a rule whose partners' parts are ``parts``
        moves from partners' code ``p`` (one per choice of their moves)."""
        digits = self.digits.get(p)
        if digits is None:
            comps = range(len(self.tables.network.components))
            rows = self.tables.layout.decode(np.array([p], dtype=np.int64), comps)
            digits = self.digits[p] = {c: int(row[0]) for c, row in rows.items()}
        stride = self.tables.layout.stride
        out = [p]
        for c, name in parts:
            at = digits[c]
            out = [t + (d - at) * stride[c] for d in self._steps(c, name).get(at, ()) for t in out]
        return out

    def _steps(self, c: int, name: str) -> dict[int, list[int]]:
        """Eager partner ``c``'s moves on local label ``name``, by source."""
        found = self.steps.get((c, name))
        if found is None:
            found = self.steps[(c, name)] = {}
            src, dst = self.tables.local_moves(c).get(name, ([], []))
            for a, d in zip(src, dst, strict=True):
                found.setdefault(a, []).append(d)
        return found
