"""How ``procalg runs list`` and ``runs show`` present child runs (docs/engine.md).

``runs list`` puts each child right under its parent, marked ``└``;
``runs show`` ends with the run's tree: its parent, if it is a child, and its
children with their statuses.

Example:
    >>> from procalg.runtime.ports import RunRecord
    >>> listed_id(1, RunRecord("a.0", "K"))
    '└ a.0'
"""

from __future__ import annotations

from procalg.api.children import EventLog, RunRecord, RunTree, family, named, tree


def listed_id(depth: int, record: RunRecord) -> str:
    """The ID column of ``runs list``: a child is marked and indented by its depth."""
    return record.run_id if depth == 0 else "  " * (depth - 1) + "└ " + record.run_id


def listing(log: EventLog, records: list[RunRecord]) -> list[tuple[str, str, RunRecord]]:
    """``runs list``'s rows: ``(id column, process column, record)``, children under
    their parents (a child's process with its arguments: ``Pay(1)``)."""
    parents = log.parents()
    if not parents:
        return [(r.run_id, r.process, r) for r in records]
    return [(listed_id(depth, r), named(r), r) for depth, r in family(records, parents)]


def tree_lines(log: EventLog, run_id: str) -> list[str]:
    """The lines ``runs show`` adds for a parent or a child run (none for a lone run)."""
    found: RunTree = tree(log, run_id)
    lines = []
    if found.parent:
        lines.append(f"parent: {found.parent}")
    if found.children:
        lines.append("children:")
        lines += found.text().splitlines()[1:]
    return lines
