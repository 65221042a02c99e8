"""The parallel components of a term, and its moves with the components to blame.

A term's **components** are found afresh in every state, by walking its
*active* positions (:func:`procalg.semantics.sos.active_operands`: the first
part of ``;``, the body of hiding and renaming, both operands of choices,
interrupt, timeout and parallel, and the saga operators) down to the
subterms that hold no parallel operator: those are the components (the
body of a hiding or renaming is one, so it shows its own event names). So a
parallel composition under a prefix or inside ``;`` shows up once it is
reached, and a component that terminated stays as Ω in its place. A
position is the tuple of operand indices from the root.

Every move of a term is re-derived with its *blame*: the components that
took part and the label each did (its own name, before hiding and
renaming). Rather than restating the firing rules, an operator's moves are
obtained by calling :func:`procalg.semantics.sos.fire` on *one* move of one
operand at a time (and on pairs, for the synchronisations of a parallel
operator), so the blame follows Roscoe's rules (*Understanding Concurrent
Systems*, ch. 9) and the saga rules exactly; every blamed move is
cross-checked against :meth:`Rules.transitions`.

:meth:`Structure.carry` says which components of a move's target continue
components of its source (the rest are new), by matching the two terms:
an operator that keeps its shape keeps its components; a resolved choice
or timeout continues with the chosen operand's.

Complexity: per term (memoised), one ``fire`` call per operand move, and
per parallel operator one per pair of equally labelled operand moves.

Example:
    >>> from procalg.semantics.sos import Rules
    >>> from procalg.terms import Event, Parallel, Prefix, Seq, SKIP, STOP
    >>> a, b = Event("a"), Event("b")
    >>> s = Structure(Rules(None))
    >>> term = Prefix(b, Seq(Parallel(Prefix(a, SKIP), Prefix(a, STOP), frozenset({a})), STOP))
    >>> [pos for pos, _ in s.leaves(term)]
    [()]
    >>> inner = s.rules.transitions(term)[0][1]
    >>> [(pos, str(t)) for pos, t in s.leaves(inner)]
    [((0, 0), 'a -> SKIP'), ((0, 1), 'a -> STOP')]
    >>> [(str(lab), blame) for lab, _, blame in s.moves(inner)]
    [('a', (((0, 0), Event(channel='a', fields=())), ((0, 1), Event(channel='a', fields=()))))]
"""

from __future__ import annotations

from collections.abc import Mapping

from procalg.semantics import saga
from procalg.semantics.operands import active_operands, moving_operands, with_operands
from procalg.semantics.sos import Label, Rules, fire
from procalg.terms import OMEGA, AlphaParallel, Call, Hide, Parallel, Process, Rename, show_process
from procalg.terms.saga import CPar, SagaTerm, Step

Position = tuple[int, ...]
"""Operand indices from the root of a term down to a component."""
Blame = tuple[tuple[Position, Label], ...]
"""The components that took part in one move and the label each did."""
Move = tuple[Label, Process, Blame]

PARALLEL = (Parallel, AlphaParallel, CPar)
"""The operators whose operands are separate components."""


class Structure:
    """Components and blamed moves of the terms of one model (memoised).

    Args:
        rules: the model's firing rules (their unfoldings also name components).
        names: more names of terms (a saga's definitions expanded in place).
    """

    def __init__(self, rules: Rules, names: Mapping[Process, str] | None = None) -> None:
        self.rules = rules
        self._split: dict[Process, bool] = {}
        self._moves: dict[Process, list[Move]] = {}
        self._names: dict[Process, str] = dict(names or {})
        self._seen_unfoldings = 0

    def is_leaf(self, term: Process) -> bool:
        """Whether ``term`` is one component: no parallel operator in an active position,
        and not hiding or renaming (whose body is the component, with its own names)."""
        return not isinstance(term, Hide | Rename) and not self.has_parallel(term)

    def has_parallel(self, term: Process) -> bool:
        """Whether a parallel operator stands in an active position of ``term``."""
        found = self._split.get(term)
        if found is None:
            found = isinstance(term, PARALLEL) or any(
                self.has_parallel(op) for op in active_operands(term))
            self._split[term] = found
        return found

    def leaves(self, term: Process, at: Position = ()) -> list[tuple[Position, Process]]:
        """The components of ``term`` (position, subterm), in tree order."""
        if self.is_leaf(term):
            return [(at, term)]
        return [leaf for i, op in enumerate(active_operands(term))
                for leaf in self.leaves(op, (*at, i))]

    def subterm(self, term: Process, at: Position) -> Process:
        """The subterm of ``term`` at position ``at``."""
        for i in at:
            term = active_operands(term)[i]
        return term

    def moves(self, term: Process) -> list[Move]:
        """``term``'s moves with blame; the same ``(label, target)`` pairs as the rules."""
        found = self._moves.get(term)
        if found is None:
            actual = self.rules.transitions(term)
            if self.is_leaf(term):
                found = [(lab, t, (((), lab),)) for lab, t in actual]
            else:
                present = set(actual)
                found = [m for m in self._derive(term) if (m[0], m[1]) in present]
                seen = {(lab, t) for lab, t, _ in found}
                found += [(lab, t, ()) for lab, t in actual if (lab, t) not in seen]
            self._moves[term] = found
        return found

    def _derive(self, term: Process) -> list[Move]:
        """The operator's moves from its operands' blamed moves, one (or a pair) at a time."""
        operands = moving_operands(term)
        # the moving operands come first among the active ones, so k is also a position
        sub = [[(lab, t, tuple(((k, *p), own) for p, own in b))
                for lab, t, b in self.moves(op)] for k, op in enumerate(operands)]
        base = set(self._fire(term, [[] for _ in operands]))
        out: list[Move] = [(lab, t, ()) for lab, t in base]
        singles: list[list[set]] = []
        for k, moves in enumerate(sub):
            singles.append([])
            for lab, t, blame in moves:
                alone = [[] for _ in operands]
                alone[k] = [(lab, t)]
                made = set(self._fire(term, alone)) - base
                singles[k].append(made)
                out += [(x, y, blame) for x, y in made]
        if isinstance(term, PARALLEL) and len(sub) == 2:
            for i, (la, ta, ba) in enumerate(sub[0]):
                for j, (lb, tb, bb) in enumerate(sub[1]):
                    if la == lb and not isinstance(la, str):  # events only synchronise
                        made = set(self._fire(term, [[(la, ta)], [(lb, tb)]]))
                        made -= base | singles[0][i] | singles[1][j]
                        out += [(x, y, ba + bb) for x, y in made]
        return out

    def _fire(self, term: Process, moves: list[list]) -> list[tuple[Label, Process]]:
        made = fire(term, moves, self.rules.target)  # targets as the rules make them
        # as Rules.transitions: outside sagas a throw ends the whole run
        return made if isinstance(term, SagaTerm) else saga.aborting(made)

    def reaches(self, source: Process, target: Process) -> bool:
        """Whether ``source`` has a move to ``target``."""
        return any(t == target for _, t in self.rules.transitions(source))

    def carry(self, source: Process, target: Process, blame: Blame = (),
              at: Position = (), to: Position = ()) -> dict[Position, Position]:
        """For the components of ``target`` (reached from ``source`` by a move with
        ``blame``) that continue one of ``source``, the source position of each (keys:
        target positions); the others are new."""
        if source == target:
            return {(*to, *p): (*at, *p) for p, _ in self.leaves(target)}
        if self.is_leaf(source):
            # a component moved on; one that forks into a parallel ends, its parts are new
            return {to: at} if self.is_leaf(target) else {}
        ops = active_operands(source)
        kept = active_operands(target) if type(target) is type(source) else ()
        if len(kept) == len(ops) and with_operands(source, list(kept)) == target and all(
                a == b or self.reaches(a, b) for a, b in zip(ops, kept, strict=True)):
            out: dict[Position, Position] = {}
            for i, (a, b) in enumerate(zip(ops, kept, strict=True)):
                out.update(self.carry(a, b, _below(blame, i), (*at, i), (*to, i)))
            return out
        # a choice resolved: the chosen operand goes on (the blamed one, if equal operands)
        blamed = {p[0] for p, _ in blame if p}
        for i in sorted(range(len(ops)), key=lambda i: i not in blamed):
            if target != OMEGA and (ops[i] == target or self.reaches(ops[i], target)):
                return self.carry(ops[i], target, _below(blame, i), (*at, i), to)
        return {}  # e.g. ``;`` handing over to its second part: new components

    def name(self, term: Process, width: int = 40) -> str:
        """A component's name: the call it is the unfolding of, else its term."""
        unfolded = self.rules.unfolded
        if len(unfolded) != self._seen_unfoldings:  # new unfoldings since last time
            for call, body in list(unfolded.items())[self._seen_unfoldings:]:
                self._names.setdefault(body, _call_name(call))
            self._seen_unfoldings = len(unfolded)
        text = self._names.get(term)
        if text is None and type(term) is Step:  # a saga step: its name, not its long term
            text = f"step {term.name}"
        text = text or show_process(term)
        return text if len(text) <= width else text[:width - 1] + "…"


def _below(blame: Blame, operand: int) -> Blame:
    """The part of ``blame`` inside ``operand``, relative to it."""
    return tuple((p[1:], own) for p, own in blame if p and p[0] == operand)


def _call_name(call: Call) -> str:
    """``Phil(3)``; a local definition's unique suffix (``name#2``) left out."""
    return show_process(Call(call.name.split("#")[0], call.args))
