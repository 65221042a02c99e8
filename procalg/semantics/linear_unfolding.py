"""A τ-resolved operand's calls unfolded where the term rules unfold them.

The term rules (:mod:`procalg.semantics.unfold`) keep no call in an *active*
position of a state: both operands of an internal choice (binary or
replicated) and a timeout's right side are unfolded when the state is built,
although the state's own moves (τ to each operand) do not need them. So a
model error in such an operand's body (``R = e -> (STOP |~| Q(0))`` with
``Q(n) = e -> P(n % n, 1)``) belongs to the choice's state, one τ before the
operand is reached, and a check that meets that state raises it even where a
deadlock lies in the next BFS level (``docs/checks.md``, "Model errors").

A :class:`~procalg.semantics.linear.Machine` keys such an operand by its
call and evaluates the body only when the operand's own state is expanded;
:meth:`OperandUnfolding._unfold_operands` makes the machine agree: the
τ-resolved operands' moves are made (inputs deferred: an input's continuations
are never part of an unfolding) with the choice's, and the first error, in the
term rules' order (left operand first, depth first), is the choice's. Nested
τ-resolved operands go on one explicit stack, so ``P(n) = STOP |~| P(n + 1 % K)``
unfolds its whole chain, as the term rules do, without deep Python recursion;
an operand reached again (a τ loop: ``DIV = DIV |~| DIV``) is not made twice,
as the term rules leave it folded.

Complexity: each operand's moves made once more than the search makes them
(kept for :meth:`~procalg.semantics.linear_inputs.InputMoves.deferred`).

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.errors import ModelError
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel c : {0..3}\\nchannel e\\n"
    ...               "R = e -> (STOP |~| Q(0))\\nQ(n) = e -> c!(n % n) -> STOP")
    >>> machine = Machine(model.spec.evaluator, model.process("R"))
    >>> [label for label, _ in machine.successors(0)]
    ['e']
    >>> try:  # state 1 is STOP |~| Q(0): the error is its own, not Q(0)'s after a τ
    ...     machine.successors(1)
    ... except ModelError as err:
    ...     print(err.message)
    division by zero
"""

from __future__ import annotations

from typing import Any

import numpy as np

from procalg.errors import LimitExceeded, ProcalgError
from procalg.lts import TAU
from procalg.semantics.locations import AT_SUFFIX, Location, Unsupported
from procalg.semantics.unfold import UnguardedRecursion
from procalg.terms import Call

SUFFIX_NODE = Location(AT_SUFFIX)
"""A suffix of a replicated ``|~|``'s branches: its environment is ``(node, scopes)``."""


class _Folded(Exception):
    """An operand unfolded ahead reached a state whose moves were being made when
    the unfolding began: the τ into the operand guards that loop (``DIV = STOP [>
    DIV``), and the term rules leave the call folded there."""


class OperandUnfolding:
    """The :class:`~procalg.semantics.linear.Machine` half that moves a replicated
    ``|~|`` and makes τ-resolved operands' moves with their choice's (see the module)."""

    moves: list[Any]
    keys: list[Any]
    where: list[tuple[Location, Any]]
    ids: dict[Any, int]
    _making: set[int]
    _pending: dict[int, Any]

    def _moves(self, node: Location, env: Any, defer: bool = False) -> Any:
        raise NotImplementedError  # Machine's

    def _state(self, node: Location, env: Any) -> int:
        raise NotImplementedError  # state_keys.StateKeys's

    def _intern(self, key: Any, where: tuple[Location, Any]) -> int:
        raise NotImplementedError  # state_keys.StateKeys's

    def _suffix_key(self, node: Location, scopes: list[Any]) -> Any:
        raise NotImplementedError  # state_keys.StateKeys's

    def _call_of(self, state: int) -> Call:
        raise NotImplementedError  # Machine's

    def _loop_error(self, state: int) -> Exception:
        """What a state whose moves need its own moves raises: unguarded recursion,
        unless an unfolding ahead began while they were being made (:class:`_Folded`)."""
        around = self.__dict__.get("_around")
        if self.__dict__.get("_unfolding") is not None and around and state in around:
            return _Folded()
        return UnguardedRecursion(self._call_of(state))

    def _suffix_moves(self, node: Location, scopes: list[Any], defer: bool = False) -> Any:
        """The moves of a replicated ``|~|`` over ``scopes``: as the evaluator folds it,
        ``P1 |~| (P2 |~| (... |~| Pn))``, each suffix of its branches a state of its
        own, one τ further; every branch unfolded, as the term rules do."""
        body = node.parts[1]
        if len(scopes) == 1:
            return self._moves(body, scopes[0], defer)
        rest = scopes[1:]
        key = self._suffix_key(node, rest)
        found = self.ids.get(key)
        if found is None:
            found = self._intern(key, (SUFFIX_NODE, (node, rest)) if len(rest) > 1
                                 else (body, rest[0]))
        targets = [self._state(body, scopes[0]), found]
        self._unfold_operands(targets)
        return [(TAU, targets[0]), (TAU, found)]

    def _unfold_operands(self, targets: list[int]) -> None:
        """Make the moves of ``targets`` (a choice's τ-resolved operands, in the term's
        order), raising the first model error met; within an outer call, push them on
        its stack instead."""
        stack: list[int] | None = self.__dict__.get("_unfolding")
        if stack is not None:  # nested: on top, so depth first, left first
            stack.extend(reversed(targets))
            return
        stack = self._unfolding = list(reversed(targets))
        self._around = frozenset(self._making)
        seen: set[int] = set()
        try:
            while stack:
                target = stack.pop()
                if target in seen or self.moves[target] is not None \
                        or target in self._pending or target in self._making:
                    continue
                seen.add(target)
                key = self.keys[target]
                if key[0] == "choice":  # an open choice: an outer choice's τ joins its
                    stack.extend(reversed(key[1:]))  # operands to it, this state is never
                    continue  # reached: its operands are what the term rules unfold
                node, env = self.where[target]
                try:
                    self._pending[target] = self._moves(node, env, True)
                except (Unsupported, _Folded):  # outside a partial machine's fragment, or
                    continue  # a τ loop (see _Folded): as the search reaches it
        finally:
            self._unfolding = None


Columns = tuple[np.ndarray, np.ndarray, np.ndarray]
"""Moves as columns: source position, label index, target state."""


def unfolded_rows(machine: OperandUnfolding, moves: Columns, label_ids: dict[str, int],
                  slow: list[int]) -> tuple[Columns, list[int]]:
    """A vectorised group's ``moves`` (:mod:`procalg.semantics.linear_vector`: its
    τ moves are an internal choice's) with their τ targets unfolded as
    :meth:`OperandUnfolding._unfold_operands` does (``label_ids``: the group's label
    indices); a source whose targets raise joins the positions ``slow`` left to the
    per-state path (which raises it there).

    Example:
        >>> from procalg.api.model import loads
        >>> from procalg.semantics.linear import Machine
        >>> model = loads("channel e\\nQ(n) = e -> Q(1 / n)")
        >>> machine = Machine(model.spec.evaluator, model.process("Q(1)"))
        >>> q0, q1 = (machine.start(model.process(p)) for p in ("Q(0)", "Q(1)"))
        >>> moves = np.array([0, 1]), np.array([0, 0]), np.array([q0, q1])
        >>> kept, slow = unfolded_rows(machine, moves, {"τ": 0}, [])
        >>> kept[0].tolist(), slow  # Q(0)'s body divides by zero: position 0 goes slow
        ([1], [0])
    """
    pos, label, dst = moves
    tau = label_ids.get(TAU)
    is_tau = label == tau
    if tau is None or not is_tau.any():
        return moves, slow
    try:  # the usual case: nothing raises, every target once
        machine._unfold_operands(np.unique(dst[is_tau]).tolist())
        return moves, slow
    except LimitExceeded:
        raise
    except ProcalgError:
        pass
    failing = []
    for p in np.unique(pos[is_tau]).tolist():  # which sources' targets raise
        try:
            machine._unfold_operands(dst[is_tau & (pos == p)].tolist())
        except LimitExceeded:
            raise
        except ProcalgError:
            failing.append(p)
    keep = ~np.isin(pos, failing)
    return (pos[keep], label[keep], dst[keep]), sorted(slow + failing)
