"""Child runs as people see them: a run's tree, and which runs are children.

Read from the store's ``run_parents`` (``EventLog.children``/``parents``):
``procalg runs show`` prints :func:`tree`, ``procalg runs list`` orders and
marks runs by :func:`family`.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.api.run import engine, workflow
    >>> model = loads("channel a\\nKid = a -> SKIP\\nP = child(Kid) ; child(Kid)")
    >>> eng = engine("memory:")
    >>> run = eng.start(workflow(model, "P"), run_id="p")
    >>> print(tree(eng.log, "p").text())
    p  P  completed
      p.0  Kid  completed
      p.1  Kid  completed
"""

from __future__ import annotations

from dataclasses import dataclass

from procalg.runtime.ports import EventLog, RunRecord
from procalg.terms.values import show


@dataclass(frozen=True, slots=True)
class RunTree:
    """A run, its status and its child runs (each a tree)."""

    run_id: str
    process: str
    status: str
    children: tuple[RunTree, ...] = ()
    parent: str = ""  # the parent's run id, for the tree's root

    def text(self, depth: int = 0) -> str:
        """The tree, one run a line, children indented under their parent."""
        lines = [f"{'  ' * depth}{self.run_id}  {self.process}  {self.status}"]
        lines += [child.text(depth + 1) for child in self.children]
        return "\n".join(lines)


def named(record: RunRecord) -> str:
    """The process a record started, with its arguments (``Pay(1)``).

    Example:
        >>> named(RunRecord("r", "Pay", (1, 2)))
        'Pay(1, 2)'
    """
    return record.process + (f"({', '.join(map(show, record.args))})" if record.args else "")


def tree(log: EventLog, run_id: str) -> RunTree:
    """The run ``run_id`` and its child runs, recursively (RunError if unknown)."""
    record = log.get_run(run_id)
    kids = tuple(tree(log, child) for child in log.children(run_id))
    parent = log.parents().get(run_id)
    return RunTree(run_id, named(record), record.status, kids, parent[0] if parent else "")


def family(records: list[RunRecord], parents: dict[str, tuple[str, int]]
           ) -> list[tuple[int, RunRecord]]:
    """``records`` with each child right after its parent: ``(depth, record)`` pairs.

    Example:
        >>> rs = [RunRecord("a", "P"), RunRecord("b", "Q"), RunRecord("a.0", "K")]
        >>> [(d, r.run_id) for d, r in family(rs, {"a.0": ("a", 0)})]
        [(0, 'a'), (1, 'a.0'), (0, 'b')]
    """
    known = {r.run_id for r in records}
    kids: dict[str, list[RunRecord]] = {}
    for r in records:
        parent = parents.get(r.run_id)
        if parent is not None and parent[0] in known:
            kids.setdefault(parent[0], []).append(r)
    out: list[tuple[int, RunRecord]] = []

    def visit(record: RunRecord, depth: int) -> None:
        out.append((depth, record))
        for child in kids.get(record.run_id, ()):
            visit(child, depth + 1)

    for r in records:
        parent = parents.get(r.run_id)
        if parent is None or parent[0] not in known:
            visit(r, 0)
    return out
