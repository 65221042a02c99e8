"""Rules alike but for their label, fired once: targets for a traces search.

An xUML model's associations take ``link.caller.a.b``, where the caller's
name is a field the association ignores: 17 rules over the same three
components, each target reached by 8 moves that differ only in their label.
A level search sorts every successor to find the new states, so on such a
model it sorted 8 copies of each. A search whose goal reads only each
move's target and the least label of the moves from a source into it (a
traces refinement: the spec's state in the target, and the least label into
its error node; :func:`~procalg.lts.refine_product.find_violation`) fires
one move per (source, target, group) instead: :class:`Alike` holds each
forward joint table with one move per (joint index, delta), the least label
tag's (:func:`~procalg.lts.factor_tables.alike_table`), and a screen of one
rule per class of many-component rules with the same tables
(:func:`~procalg.lts.rule_screen.distinct`); the moves left out are counted,
so the search's transitions are those of every rule. Groups read through a
code window, batched, or lazy are fired in full. Building is O(entries) once.

Example:
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import Network, SyncRule
    >>> from procalg.lts.vectors import Tables
    >>> p = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (0, "b", 1)])
    >>> t = Tables(Network((p, p), (SyncRule("a", ((0, "a"), (1, "a"))),
    ...                             SyncRule("b", ((0, "b"), (1, "b"))))))
    >>> [x.tolist() for x in t.successors(np.array([0]))]
    [[0, 0], [3, 3], [2, 3]]
    >>> [x.tolist() if hasattr(x, "tolist") else x for x in t.targets(np.array([0]))]
    [[0], [3], [2], 1]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from procalg.lts.factor_tables import TableFactor, alike_table
from procalg.lts.firing import fire_factors
from procalg.lts.rule_screen import Screen, distinct, screened

Part = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True, slots=True)
class Alike:
    """Per forward group: its table with alike moves merged and the moves lost
    per joint index (None: fired as it is); the screen of one rule per class."""

    tables: tuple[tuple[TableFactor, np.ndarray] | None, ...]
    screen: Screen | None

    @classmethod
    def of(cls, forward: list, screened_too: bool) -> Alike:
        """Of ``forward`` groups (a screen only if ``screened_too``: the full one exists)."""
        tables = tuple(alike_table(g[0]) if isinstance(g, list) and len(g) == 1
                       and isinstance(g[0], TableFactor) else None for g in forward)
        return cls(tables, distinct(screened(forward)) if screened_too else None)

    def fire(self, i: int, codes: np.ndarray, locs: dict[int, np.ndarray], layout: object
             ) -> tuple[Part, int] | None:
        """Group ``i``'s moves from ``codes``, alike ones merged, and the number
        left out; None if the group has none alike."""
        made = self.tables[i]
        if made is None:
            return None
        table, lost = made
        return fire_factors([table], codes, locs, layout), int(lost.take(table.index(locs)).sum())
