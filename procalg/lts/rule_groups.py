"""Synchronisation rules grouped by the components they move.

:class:`~procalg.lts.vectors.Tables` builds one table (or lazy group) per set of
components a rule moves; a network of a wide channel has a rule per value, so the
grouping is one pass over the rules with no per-rule sort (two parts, the usual
joint move, are ordered by one comparison).

Complexity: O(R × P) for R rules of at most P parts (P log P past two parts).
"""

from __future__ import annotations

from procalg.lts.network import SyncRule


def by_components(rules: tuple[SyncRule, ...]) -> dict[tuple[int, ...], list[SyncRule]]:
    """``rules`` by the sorted components they move, in rule order (one pass: a
    200,000-value channel's joint rules sort no part lists).

    Example:
        >>> rules = (SyncRule("a", ((1, "a"), (0, "a"))), SyncRule("b", ((0, "b"),)))
        >>> {k: [r.label for r in v] for k, v in by_components(rules).items()}
        {(0, 1): ['a'], (0,): ['b']}
    """
    groups: dict[tuple[int, ...], list[SyncRule]] = {}
    for rule in rules:
        parts = rule.parts
        if len(parts) == 1:
            key: tuple[int, ...] = (parts[0][0],)
        elif len(parts) == 2:  # one comparison, no generator: a rule per value
            a, b = parts[0][0], parts[1][0]
            if a == b:
                raise ValueError(f"rule {rule} moves one component twice")
            key = (a, b) if a < b else (b, a)
        else:
            key = tuple(sorted([c for c, _ in parts]))
            if any(key[i] == key[i + 1] for i in range(len(key) - 1)):
                raise ValueError(f"rule {rule} moves one component twice")
        found = groups.get(key)
        if found is None:
            groups[key] = [rule]
        else:
            found.append(rule)
    return groups
