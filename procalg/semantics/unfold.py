"""Unfolding recursion: no ``Call`` in an active position of a state.

Recursion unfolds without a τ, as in FDR: a :class:`~procalg.terms.Call` is
replaced by its unfolding. So that equal states are equal terms, a state
never holds a ``Call`` in an *active* position (an operand whose moves or
presence matter now: both sides of choices, parallel, interrupt and timeout,
the body of hiding and renaming, the first part of ``;``). Calls under a
prefix or in the second part of ``;`` stay folded until they become active.
:meth:`Unfolding.normalise` does this unfolding; a call reached again while it
is being unfolded is unguarded recursion (``P = P [] a -> STOP``) and is
reported as a :class:`~procalg.errors.ModelError`, unless only internal
choices, timeouts' right sides (and calls) stand between the two: those move
by τ, so ``DIV = DIV |~| DIV`` and ``DIV = STOP [> DIV`` are guarded by that
τ (FDR reads them as divergences) and the call stays folded there, to be
unfolded when the τ makes it active.

The walk is iterative (an explicit stack), so deeply nested terms never hit
Python's recursion limit. Complexity: each active subterm once per
normalisation; each call's unfolding is normalised once and memoised.

Example:
    >>> from procalg.terms import Call, ExternalChoice, Prefix, Event, STOP
    >>> bodies = {Call("P"): Prefix(Event("a"), Call("P")),
    ...           Call("Q"): ExternalChoice(Call("Q"), STOP)}
    >>> str(Unfolding(bodies.__getitem__).normalise(Call("P")))
    'a -> P'
    >>> try:
    ...     Unfolding(bodies.__getitem__).normalise(Call("Q"))
    ... except UnguardedRecursion as err:
    ...     print(err.message)
    unguarded recursion: Q calls itself before any event
"""

from __future__ import annotations

from collections.abc import Callable

from procalg.errors import ModelError
from procalg.semantics.operands import (
    SETTLED,
    TWO_OPERANDS,
    active_operands,
    is_settled,
    with_operands,
)
from procalg.source import Span
from procalg.terms import Call, Hide, InternalChoice, Process, Timeout

Unfold = Callable[[Call], Process]
"""One unfolding of a call: its definition's body, evaluated."""

MAX_UNFOLD_DEPTH = 100_000
"""Nested unfoldings in active position before recursion counts as unguarded."""


class UnguardedRecursion(ModelError):
    """A process calls itself (directly or through others) before any event.

    Attributes:
        call: the call that was reached again while being unfolded.
    """

    def __init__(self, call: Call, span: Span | None = None) -> None:
        name = call.name.split("#")[0]
        super().__init__(
            f"unguarded recursion: {name} calls itself before any event",
            span,
            hint=f"put an event before the recursive call, e.g. {name} = a -> {name}",
        )
        self.call = call


_DONE, _BUILD = object(), object()


class Unfolding:
    """Normalised unfoldings of calls, memoised per call.

    Args:
        unfold: gives a call's body (one unfolding, as evaluated by the model),
            or ``None`` for terms without calls.
    """

    def __init__(self, unfold: Unfold | None) -> None:
        self.unfold = unfold
        self.unfolded: dict[Call, Process] = {}

    def normalise(self, term: Process) -> Process:
        """Unfold every ``Call`` in active position (iteratively, memoised per call).

        Raises:
            UnguardedRecursion: a call is reached again in active position
                while it is being unfolded.
        """
        kind = type(term)
        if kind in SETTLED:
            return term
        if kind in TWO_OPERANDS:  # e.g. P(x) |~| P(y) after an input: one level, no walk
            left, right = self._settled(term.left), self._settled(term.right)
            if left is not None and right is not None:
                if left is term.left and right is term.right:
                    return term
                return with_operands(term, [left, right])
        done: list[Process] = []
        todo: list[object] = [term]
        unfolding: set[Call] = set()  # the calls on the current path: ancestors
        partial: set[Call] = set()  # unfolded to a call left as it is: not memoised
        path: list[object] = []  # the calls and operators being built, outermost first
        if kind is Call:
            found = self.unfolded.get(term)
            if found is not None:
                return found
            if self.unfold is not None:
                body = self.unfold(term)
                if is_settled(body):  # the usual body, a choice of prefixes: nothing to unfold
                    self.unfolded[term] = body
                    return body
                unfolding.add(term)
                todo = [(_DONE, term), body]
                path.append(term)
        while todo:
            item = todo.pop()
            if type(item) is tuple:
                tag, node = item
                path.pop()
                if tag is _DONE:
                    if node not in partial:
                        self.unfolded[node] = done[-1]
                    unfolding.discard(node)
                else:
                    count = len(active_operands(node))
                    operands = done[-count:]
                    del done[-count:]
                    same = all(a is b for a, b in zip(operands, active_operands(node), strict=True))
                    done.append(flat_hiding(node if same else with_operands(node, operands)))
            elif type(item) is Call:
                hit = self.unfolded.get(item)
                if hit is not None:
                    done.append(hit)
                    continue
                if item in unfolding and _behind_internal_choice(path, item):
                    done.append(item)  # guarded by the choice's τ: unfolded when it fires
                    partial.update(_unguarded_calls(path))
                    continue
                if item in unfolding or len(unfolding) > MAX_UNFOLD_DEPTH:
                    raise UnguardedRecursion(item)
                if self.unfold is None:
                    raise ModelError(f"cannot unfold {item}: no definitions given")
                body = self.unfold(item)
                if is_settled(body):  # nothing to unfold inside: no walk
                    self.unfolded[item] = body
                    done.append(body)
                    continue
                unfolding.add(item)
                todo.append((_DONE, item))
                path.append(item)
                todo.append(body)
            else:
                operands = active_operands(item)
                if not operands:
                    done.append(item)
                    continue
                todo.append((_BUILD, item))
                path.append(item)
                todo.extend(reversed(operands))
        return done[-1]

    def _settled(self, term: Process) -> Process | None:
        """``term`` normalised if that needs no walk: it is settled, or a call whose
        unfolding is known or settled; else None."""
        kind = type(term)
        if kind in SETTLED:
            return term
        if kind is not Call or self.unfold is None:
            return None
        found = self.unfolded.get(term)
        if found is None:
            body = self.unfold(term)
            if not is_settled(body):
                return None
            found = self.unfolded[term] = body
        return found


def flat_hiding(term: Process) -> Process:
    """``(P \\ A) \\ B`` as ``P \\ (A ∪ B)``, else ``term`` as it is.

    The two are strongly bisimilar (each move of one is a move of the other,
    with the same label, to the same pair of terms again), so merging them
    merges only bisimilar states, and the term rules (``Hide`` in
    :mod:`procalg.semantics.sos`) build their targets through it too. It keeps
    ``P = (a -> SKIP ; P) \\ {a}`` finite: each pass through the call would
    otherwise wrap one more hiding around the term, a new state each time
    (Roscoe, *Understanding Concurrent Systems*, the hiding laws).

    Example:
        >>> from procalg.terms import Event, Prefix, STOP
        >>> a, b = Event("a"), Event("b")
        >>> str(flat_hiding(Hide(Hide(Prefix(a, STOP), frozenset({a})), frozenset({b}))))
        'a -> STOP \\\\ {a, b}'
    """
    if type(term) is Hide and type(term.process) is Hide:
        return Hide(term.process.process, term.process.hidden | term.hidden)
    return term


def _unguarded_calls(path: list[object]) -> list[Call]:
    """The calls at the end of ``path`` after its last τ-resolved choice.

    A call left as it is behind a choice's τ (:func:`_behind_internal_choice`)
    is the unfolding of each of these calls as seen from here, with no choice
    in between: a call in active position. Memoised, that unfolding would be
    met where it is no longer behind the choice (``T = S``, ``S = T |~| a -> S``:
    ``a -> T`` then moves to the bare call ``S``). Unfolded again where they
    are met, they reach the call's own unfolding instead.
    """
    calls = []
    for node in reversed(path):
        if type(node) is not Call:
            break
        calls.append(node)
    return calls


def _behind_internal_choice(path: list[object], call: Call) -> bool:
    """Whether ``call`` is reached again only through τ-resolved choices (and calls).

    Those are internal choices and the right side of a timeout (``P [> Q``
    moves to ``Q`` by τ). Then the τ leads back to the call itself:
    ``DIV = DIV |~| DIV`` and ``DIV = STOP [> DIV`` have one state. Any other
    operator on the way (``P = (P |~| STOP) ; SKIP``) would wrap each τ's target
    in a new context, so that stays unguarded recursion.
    """
    through_choice = False
    child: object = call
    for node in reversed(path):
        if node == call:
            return through_choice
        kind = type(node)
        if kind is InternalChoice or (kind is Timeout and node.right == child  # type: ignore[attr-defined]
                                      and node.left != child):  # type: ignore[attr-defined]
            through_choice = True
        elif kind is not Call:
            return False
        child = node
    return False
