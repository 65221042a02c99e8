"""Which moves of a network leaf can never fire: its partners' labels bound a wide input.

Roscoe, *Understanding Concurrent Systems* (2010), §9.1: in ``P [| A |] Q`` an
event ``a ∈ A`` fires only as a joint move of both sides, and in ``[A || B]``
a side's event outside its alphabet never fires. The network compiler builds a
parallel's partner network first (:mod:`procalg.semantics.network`); its rules'
labels bound every event the partner can ever perform. A move of a leaf below
whose label the parallel synchronises and the partner lacks produces no move of
the product, so the leaf is explored without it: a ``c?x`` over 10,000 values
beside ``c!3`` makes one input target, not 10,000 (issue 9's "inputs over
large types cost the transitions produced"), the static twin of the term
rules' :func:`~procalg.semantics.partners.partner_demand`.

A :class:`Narrowing` lists the operators between such parallels and the leaf,
from the top down: hiding turns events into τ (always wanted), renaming maps
a leaf's label to its images (a move may go when every image may). Other
operators keep their operands' labels, but for priority, whose order reads
offers that never fire: the network compiler drops the narrowing there.
Deciding one label costs a walk of the steps (memoised per label); a leaf's
input labels are asked once per input site (``successors_where``'s cache).

Example:
    >>> narrowing = Narrowing().synchronised({"c.1", "c.2", "d"}, {"c.2", "d", "e"})
    >>> [label in narrowing for label in ("c.1", "c.2", "d", "e", "τ")]
    [True, False, False, False, False]
    >>> ("c.1" in narrowing.hidden({"c.1"}), "c.1" in narrowing.renamed(lambda a: (a, "e")))
    (False, False)
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from procalg.lts.lts import TAU, TICK
from procalg.lts.network import DONE, HELD
from procalg.semantics.partners import Demand

_SYNC, _ALPHA, _HIDE, _RENAME = range(4)
Step = tuple[int, Any, Any, Any]
"""``(_SYNC, S, O, _)``: a label in S but not O goes; ``(_ALPHA, A, B, O)``: one
outside A goes, or in B but not O; ``(_HIDE, H, _, _)``: one in H stays (τ);
``(_RENAME, images, _, _)``: one goes when every image goes."""


@dataclass(frozen=True)
class Narrowing:
    """The labels a leaf's moves may drop (``label in narrowing``): see the module.

    Attributes:
        steps: the operators from the top parallel that narrows down to the leaf.
    """

    steps: tuple[Step, ...] = ()
    _memo: dict[str, bool] = field(default_factory=dict, compare=False, hash=False,
                                   repr=False)

    def __bool__(self) -> bool:
        return any(step[0] in (_SYNC, _ALPHA) for step in self.steps)

    def _then(self, step: Step) -> Narrowing:
        return Narrowing((*self.steps, step)) if self or step[0] in (_SYNC, _ALPHA) else self

    def synchronised(self, sync: Collection[str], partner: Iterable[str]) -> Narrowing:
        """Below ``[| sync |]`` whose partner shows only ``partner``'s labels."""
        return self._then((_SYNC, frozenset(sync), frozenset(partner), None))

    def alphabetised(self, own: Collection[str], other: Collection[str],
                     partner: Iterable[str]) -> Narrowing:
        """Below ``[own || other]``, on the ``own`` side, the partner showing ``partner``."""
        return self._then((_ALPHA, frozenset(own), frozenset(other), frozenset(partner)))

    def hidden(self, names: Collection[str]) -> Narrowing:
        """Below ``\\ names``."""
        return self._then((_HIDE, frozenset(names), None, None))

    def renamed(self, images: Callable[[str], Iterable[str]]) -> Narrowing:
        """Below a renaming whose label images ``images`` gives."""
        return self._then((_RENAME, images, None, None))

    def __contains__(self, label: object) -> bool:
        found = self._memo.get(label)  # type: ignore[arg-type]
        if found is None:
            found = self._memo[label] = self._drops(str(label), len(self.steps) - 1)  # type: ignore[index]
        return found

    def _drops(self, label: str, at: int) -> bool:
        """Whether a move labelled ``label`` below step ``at`` never fires."""
        if label in (TAU, TICK, DONE) or label.startswith(HELD):
            return False
        while at >= 0:
            kind, one, two, three = self.steps[at]
            if kind == _SYNC and label in one and label not in two:
                return True
            if kind == _ALPHA and (label not in one or (label in two and label not in three)):
                return True
            if kind == _HIDE and label in one:
                return False
            if kind == _RENAME:
                return all(self._drops(image, at - 1) for image in one(label))
            at -= 1
        return False


class Narrowed:
    """A leaf run by the term rules without the moves no partner can join.

    Its wide inputs are asked only for the events ``demand`` wants
    (:meth:`procalg.semantics.sos.Rules.towards`, as the term-level parallel asks
    them: the work is in the moves kept, not the input's width); the moves left
    are filtered by ``narrowing`` too, so a lazy leaf stays within the alphabet
    it declared without the labels ``narrowing`` drops.

    Example:
        >>> from procalg.api.model import loads
        >>> from procalg.terms import Event
        >>> model = loads("channel c : {0..999}\\nP = c?x -> P")
        >>> rules = model.spec.rules()
        >>> every = frozenset(Event("c", (v,)) for v in range(1000))
        >>> names = {str(e) for e in every}
        >>> leaf = Narrowed(rules, rules.normalise(model.process("P")),
        ...                 Narrowing().synchronised(names, {"c.3"}),
        ...                 ((every, frozenset({Event("c", (3,))})),))
        >>> [str(label) for label, _ in leaf.successors(leaf.initial_state())]
        ['c.3']
    """

    def __init__(self, rules: Any, term: Any, narrowing: Narrowing, demand: Demand) -> None:
        self.rules, self.term, self.narrowing, self.demand = rules, term, narrowing, demand

    def initial_state(self) -> Any:
        return self.term

    def successors(self, state: Any) -> list[tuple[Any, Any]]:
        narrowing = self.narrowing
        return [(a, t) for a, t in self.rules.towards(state, self.demand)
                if a not in narrowing]
