"""What the end of a counterexample shows: who offers what, who blocks whom, saga outcomes.

For each parallel operator in the end state, every event one side offers
that the operator holds back is reported with the components that want it
and the components that block it:

- an event both sides must do (``[| A |]``'s ``A``, ``[A || B]``'s ``A ∩
  B``) that the other side does not offer now is blocked by the components
  of the other side whose **alphabet** has it. A component's alphabet is
  the one the term gives (the side's set of the nearest ``[A || B]`` above
  it), else the events it can ever do from where it started (bounded
  search). If no component there has the event in its alphabet, the other
  side *never* does it and all its components are named;
- an event outside the offering side's own alphabet of ``[A || B]`` is
  held back by the operator itself.

Events are named as the parallel operator sees them (after the renaming
and hiding inside its operands), with the name the whole system gives them
(after the renaming and hiding around the operator) when that differs.

For sagas (``docs/sagas.md``), :func:`saga_notes` tells the story the
marker events of a path tell: which activity failed, which completed step
the rollback could not undo (``stranded.s``), which compensation threw
(``unreverted.s``).

Complexity: per parallel operator, O(d) for the offers of its operands plus
one bounded exploration per component whose alphabet is needed (memoised).

Example:
    >>> saga_notes(["reserve", "fail.ship", "compensate", "stranded.reserve"])[-1]
    'the rollback reached step reserve, which completed and has no undo: it stays done'
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from procalg.lts import TAU, TICK
from procalg.reserved import COMPENSATE, COMPENSATED, FAIL, STRANDED, THROW, UNREVERTED
from procalg.semantics.explain.components import PARALLEL, Position, Structure
from procalg.semantics.operands import active_operands
from procalg.semantics.sos import Label
from procalg.terms import AlphaParallel, Hide, Process, Rename


@dataclass(frozen=True)
class Blocked:
    """An event some components offer at the end that a parallel operator holds back.

    Attributes:
        event: the event as the parallel operator sees it.
        wanted_by: the components that offer it.
        blocked_by: the components that hold it back (empty when the operator does).
        reason: ``"waits"`` (they could do it, not now), ``"never"`` (no
            component on the other side ever does it) or ``"alphabet"`` (outside
            the offering side's alphabet of ``[A || B]``).
        outer: the event's name in the whole system, ``"τ"`` if hidden, or ``""``
            when it is the same.
    """

    event: str
    wanted_by: tuple[str, ...]
    blocked_by: tuple[str, ...]
    reason: str = "waits"
    outer: str = ""


class Ending:
    """The end-state analysis of one model's terms (alphabets memoised).

    Args:
        structure: the model's components and blamed moves.
        max_terms: bound on the states one alphabet search visits.
    """

    def __init__(self, structure: Structure, max_terms: int = 20_000) -> None:
        self.structure, self.max_terms = structure, max_terms
        self._alphabets: dict[Process, frozenset[Label]] = {}

    def blocked(self, end: Process, names: dict[Position, str],
                born: dict[Position, Process]) -> list[Blocked]:
        """Held-back events of every parallel operator in ``end``.

        Args:
            end: the end state.
            names: the component at each position of ``end``.
            born: each component's term when it appeared (its alphabet's start).
        """
        out: list[Blocked] = []
        for at, node, context in self._operators(end, (), ()):
            left, right = active_operands(node)
            offered = [self._offered(side, (*at, i)) for i, side in enumerate((left, right))]
            both, alphas = _synchronised(node)
            for me, other in ((0, 1), (1, 0)):
                for event in sorted(offered[me], key=str):
                    wanted = tuple(names[p] for p in sorted(offered[me][event]) if p in names)
                    outer = _outer(event, context)
                    if alphas is not None and event not in alphas[me]:
                        out.append(Blocked(str(event), wanted, (), "alphabet", outer))
                    elif event in both and event not in offered[other]:
                        side = [p for p in names if p[:len(at) + 1] == (*at, other)]
                        having = [p for p in side
                                  if event in self._alphabet(end, at, p, born[p])]
                        reason = "waits" if having else "never"
                        who = tuple(names[p] for p in sorted(having or side))
                        out.append(Blocked(str(event), wanted, who, reason, outer))
        return out

    def _operators(self, term: Process, at: Position, context: tuple[Process, ...]):
        """The parallel operators of ``term``: position, term, and the hiding and
        renaming operators around it (outermost first)."""
        if self.structure.is_leaf(term):
            return
        if isinstance(term, PARALLEL):
            yield at, term, context
        inner = (*context, term) if isinstance(term, Hide | Rename) else context
        for i, op in enumerate(active_operands(term)):
            yield from self._operators(op, (*at, i), inner)

    def _offered(self, side: Process, at: Position) -> dict[Label, set[Position]]:
        found: dict[Label, set[Position]] = {}
        for lab, _, blame in self.structure.moves(side):
            if lab not in (TAU, TICK):
                found.setdefault(lab, set()).update((*at, *p) for p, _ in blame)
        return found

    def _alphabet(self, end: Process, at: Position, leaf: Position,
                  born: Process) -> frozenset[Label]:
        """The events the component at ``leaf`` can contribute to the operator at ``at``."""
        path = [(self.structure.subterm(end, leaf[:k]), leaf[k])
                for k in range(len(at), len(leaf))]  # the operators from ``at`` down
        alphabet: frozenset[Label] | None = None
        for node, side in reversed(path):  # from the component up to the operator
            if isinstance(node, AlphaParallel) and alphabet is None:
                alphabet = node.left_alpha if side == 0 else node.right_alpha
            elif isinstance(node, AlphaParallel):
                alphabet &= node.left_alpha if side == 0 else node.right_alpha
            elif alphabet is None and isinstance(node, Hide | Rename):
                alphabet = self._own(born)  # the names it has here: map its own ones up
            if alphabet is not None and isinstance(node, Hide | Rename):
                alphabet = _through(alphabet, node)
        return self._own(born) if alphabet is None else alphabet

    def _own(self, term: Process) -> frozenset[Label]:
        """Every event ``term`` can ever do (bounded breadth-first search)."""
        if term not in self._alphabets:
            found: set[Label] = set()
            seen, queue = {term}, deque([term])
            while queue and len(seen) <= self.max_terms:
                for lab, target in self.structure.rules.transitions(queue.popleft()):
                    if lab not in (TAU, TICK):
                        found.add(lab)
                    if target not in seen:
                        seen.add(target)
                        queue.append(target)
            self._alphabets[term] = frozenset(found)
        return self._alphabets[term]


def _synchronised(node: Process) -> tuple[frozenset, tuple[frozenset, frozenset] | None]:
    """The events both operands must do, and ``[A || B]``'s own alphabets."""
    if isinstance(node, AlphaParallel):
        return node.left_alpha & node.right_alpha, (node.left_alpha, node.right_alpha)
    return node.sync, None  # [| A |] and a saga's parallel: any event, A synchronised


def _through(events: frozenset[Label], node: Hide | Rename) -> frozenset[Label]:
    """``events`` as they leave ``node``: hidden ones dropped, renamed ones renamed."""
    if isinstance(node, Hide):
        return events - node.hidden
    return frozenset(y for x in events for y in node.relation.images(x))


def _outer(event: Label, context: tuple[Process, ...]) -> str:
    """``event``'s name in the whole system (innermost operator applied first)."""
    names: list[Label] = [event]
    for node in reversed(context):
        if isinstance(node, Hide):
            names = [x for x in names if x not in node.hidden]
        else:
            names = [y for x in names for y in node.relation.images(x)]
        if not names:
            return TAU
    shown = ", ".join(sorted(str(x) for x in names))
    return "" if shown == str(event) else shown


def saga_notes(steps: Sequence[str]) -> list[str]:
    """What a path's saga events say, one sentence each (empty for other paths)."""
    notes: list[str] = []
    failed: str | None = None
    for name in steps:
        channel, _, rest = name.partition(".")
        if channel == FAIL and rest:
            failed = rest
            notes.append(f"activity {rest} failed (fail.{rest})")
        elif name == COMPENSATE:
            notes.append("the saga rolls back: the compensations of its completed steps run")
        elif channel == STRANDED:
            notes.append(f"the rollback reached step {rest}, which completed and has no "
                         f"undo: it stays done")
        elif channel == UNREVERTED:
            why = f" (fail.{failed})" if failed else ""
            notes.append(f"the compensation of step {rest} threw{why}: {rest} stays done")
        elif name == COMPENSATED:
            notes.append("the rollback finished: every completed step was undone")
        elif name == THROW:
            notes.append("the failure was not caught: the run ends (throw)")
    return notes


__all__ = ["Blocked", "Ending", "saga_notes"]
