"""Sagas in the compiled sequential fragment: compensable steps and their stacks as states.

The compiled counterpart of :mod:`procalg.semantics.saga` (the firing rules
written out in ``docs/sagas.md``, after Butler, Hoare & Ferreira, 2004, and
Bruni, Melgratti & Montanari, POPL 2005). A ``saga (...)`` body is read
structurally once (:mod:`procalg.semantics.linear_saga_body`), as
:func:`procalg.semantics.saga_body.compensable` reads it per evaluation, into
parts (a step, ``;``, ``[]``, ``|~|``, ``|||``, ``[| A |]`` and their
replicated forms, unrolled when the saga starts, ``if``, a call of a
compensable definition expanded in place). At run time every saga term is a
state of the :class:`~procalg.semantics.linear.Machine` whose key is a tuple of a tag and
state numbers: a step is ``("step", body, installation)``, a running
sequence ``("cseq", first, second)``, and the compensation installed so far
is a state number too (``None`` for SKIP, the unit of ``;`` and ``|||``), a
process built from ``revert``, ``stranded``, ``seqs`` (``;``) and ``par``
(``|||``) states. So the compensation stack is part of the state, a finite
model keeps a finite machine, and each state's moves are computed once, from
its operands' moves, exactly as the term rules fire (strongly bisimilar:
``tests/semantics/test_linear_saga.py``).

A step's display name (``stranded.s``, ``unreverted.s``) and whether its
compensation is ``SKIP`` are read from its evaluated term, once per step
state, so they are the term rules' own. A ``revert`` installed by a step's ✓
holds an ``undo`` state keyed by the compensation's term (calls left calls),
whose machine state is made only when a rollback starts it, as the term
rules unfold it only there (``tests/semantics/test_linear_saga_undo.py``).

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.lts import explore
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("activity a, b\\nchannel u\\nP = saga (a undo u ; b) ; P")
    >>> lts = explore(Machine(model.spec.evaluator, model.process("P")))
    >>> sorted(set(lts.labels) - {"τ", "✓"})  # doctest: +NORMALIZE_WHITESPACE
    ['a', 'b', 'compensate', 'compensated', 'fail.a', 'fail.b', 'u']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError
from procalg.lts import TAU, TICK
from procalg.semantics.failing import unfolding
from procalg.semantics.linear_host import MachineHost, Moves
from procalg.semantics.linear_let import let_scope
from procalg.semantics.linear_saga_body import CALL, EXT, IF, INT, LET, REP, SEQ, STEP, Part
from procalg.semantics.locations import AT_SAGA_STATE, Location
from procalg.semantics.patterns import match_all
from procalg.semantics.saga_body import as_process, note_step, step_of
from procalg.terms import SKIP
from procalg.terms.saga import (
    COMPENSATE,
    COMPENSATED,
    THROW_EVENT,
    stranded_event,
    unreverted_event,
)

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator

class SagaMoves(MachineHost):
    """The saga half of :class:`~procalg.semantics.linear.Machine`: saga states
    made from :class:`Part` s and their moves by the rules of ``docs/sagas.md``."""

    ev: Evaluator
    keys: list[Any]
    where: list[tuple[Location, Any]]

    _starts: dict[int, int]  # an installed compensation -> it started (_started)

    # the machine's own (state_keys.StateKeys, linear.Machine; the rest: MachineHost)
    def _intern(self, key: Any, where: tuple[Location, Any]) -> int:
        raise NotImplementedError

    def _init_operators(self) -> None:
        super()._init_operators()  # type: ignore[misc]  # the operators' tables (MRO)
        self._starts = {}

    def _finished(self, state: int) -> bool:
        raise NotImplementedError

    # ---------------------------------------------------------------- states

    def saga_state(self, part: Part, env: Env) -> int:
        """The state of ``saga (part)`` in ``env``."""
        return self._tagged("saga", self._compensable(part, env))

    def _tagged(self, *key: Any) -> int:
        return self._intern(key, (SAGA_NODE, key))

    def _compensable(self, part: Part, env: Env) -> int:
        kind, parts = part.kind, part.parts
        while kind in (IF, CALL, LET):
            part, env = self._resolve(part, env)
            kind, parts = part.kind, part.parts
        if kind == STEP:
            return self._step(parts, env)
        if kind == REP:
            return self._replicated(parts, env)
        left, right = self._compensable(parts[0], env), self._compensable(parts[1], env)
        if kind == SEQ:
            return self._tagged("cseq", left, right)
        if kind == EXT:
            return self._tagged("cext", left, right)
        if kind == INT:
            return self._tagged("cint", left, right)
        sync = frozenset() if parts[2] is None else \
            frozenset([self._name(e) for e in parts[2](env)])
        return self._tagged("cpar", left, right, sync)

    def _replicated(self, parts: tuple, env: Env) -> int:
        """``op x : S @ body``: one part per binding, folded to the right as
        ``saga_body._replicated`` folds them (none: a step ``STOP`` or ``SKIP``)."""
        op, generators, body, sync, span = parts
        states = [self._compensable(body, scope) for scope in self.ev.bindings(generators, env)]
        if not states:
            if op == "|~|":
                raise ModelError("replicated |~| over an empty set", span)
            return self._tagged("step", self._end("STOP" if op == "[]" else "SKIP"), None)
        tag = _REPLICATED[op]
        extra = () if tag != "cpar" else (frozenset() if sync is None else
                                          frozenset([self._name(e) for e in sync(env)]),)
        folded = states[-1]
        for state in reversed(states[:-1]):
            folded = self._tagged(tag, state, folded, *extra)
        return folded

    def _resolve(self, part: Part, env: Env) -> tuple[Part, Env]:
        """The branch an ``if`` takes, a ``let``'s body or the clause a call expands
        to, with its env."""
        parts = part.parts
        if part.kind == LET:
            return parts[1], let_scope(self.ev, parts[0], env)
        if part.kind == IF:
            test = parts[0](env)
            if type(test) is not bool:
                raise ModelError("'if' needs a boolean", parts[1])
            return (parts[2] if test else parts[3]), env
        args = tuple([a(env) for a in parts[1]])
        for params, body in parts[2]:
            scope: dict[str, Any] = {}
            if params is None or match_all(self.ev, params, args, scope):
                return body, scope
        raise ModelError(f"no clause of {parts[0]} matches these arguments", parts[3])

    def _step(self, parts: tuple, env: Env) -> int:
        """``P undo Q`` (or a pivot): the body's state and what its ✓ installs.

        ``Q`` is installed as the term rules hold it, its term (evaluated as
        ``saga_body.compensable`` evaluates it, calls left calls), by an ``undo``
        state: its machine state is made only when a rollback starts it
        (:meth:`_started`), as the term rules unfold it only there."""
        body, name = step_of(self.ev, parts[1], env)  # the term rules' own name
        del body
        note_step(self.ev, name, pivot=parts[2] is None)  # a lazy leaf declares it
        if parts[2] is None:
            installs: int | None = self._tagged("stranded", name)
        else:
            term = as_process(self.ev, parts[3], env)
            installs = None if term == SKIP else self._tagged("revert", name, self._intern(
                ("undo", term), (SAGA_NODE, ("undo", parts[2], env))))
        return self._tagged("step", self._state(parts[0], env), installs)

    def _started(self, compensation: int) -> int:
        """``compensation`` as a rollback runs it: each ``undo`` state in an active
        position (a ``revert``'s body, a ``seqs``' first part, both sides of a
        ``par``) replaced by the machine state of its process, made now (where the
        term rules normalise ``Rollback(c)`` and ``Q`` of ``P ; Q``), so a model error
        in a compensation that never runs is never met, and one that runs is the
        state a compensation returning to its start reaches (one state, as a term)."""
        found = self._starts.get(compensation)
        if found is not None:
            return found
        key = self.keys[compensation]
        tag, found = key[0], compensation
        if tag == "undo":
            found = self._state(*self.where[compensation][1][1:])
        elif tag == "revert":
            body = self._started(key[2])
            found = compensation if body == key[2] else self._tagged("revert", key[1], body)
        elif tag == "seqs":
            first = self._started(key[1])
            found = compensation if first == key[1] else self._tagged("seqs", first, key[2])
        elif tag == "par":
            left, right = self._started(key[1]), self._started(key[2])
            found = compensation if (left, right) == key[1:] else \
                self._tagged("par", left, right)
        self._starts[compensation] = found
        return found

    def _seq(self, first: int | None, then: int | None) -> int | None:
        if first is None:
            return then
        return first if then is None else self._tagged("seqs", first, then)

    def _par(self, left: int | None, right: int | None) -> int | None:
        if left is None:
            return right
        return left if right is None else self._tagged("par", left, right)

    def _carried(self, state: int) -> int | None:
        key = self.keys[state]
        return key[1] if key[0] in ("inst", "abort") else None

    def _installed(self, state: int) -> int | None:
        """The compensation a running compensable state has installed so far."""
        key = self.keys[state]
        tag = key[0]
        if tag in ("inst", "abort"):
            return key[1]
        if tag == "cseq":
            return self._installed(key[1])
        if tag == "after":
            return self._seq(self._installed(key[1]), key[2])
        if tag == "cpar":
            return self._par(self._installed(key[1]), self._installed(key[2]))
        if tag == "step" and self._finished(key[1]):
            return key[2]
        return None

    # ---------------------------------------------------------------- moves

    def _fire_saga(self, body: int) -> Moves:
        out: Moves = []
        throw = self._name(THROW_EVENT)
        for lab, x in self.successors(body):
            if lab == TICK:
                out.append((TICK, self._end("Ω")))
            elif lab == throw:
                out.append((self._name(COMPENSATE), self._rollback(self._carried(x))))
            else:
                out.append((lab, self._tagged("saga", x)))
        return out

    def _rollback(self, c: int | None) -> int:
        """The target of ``compensate``: the rollback of ``c`` started. A model error
        unfolding a call there (``Late = SKIP ; a!m -> SKIP`` installed by ``undo``) is
        the target's, a failed state, as the term rules normalise the rollback when
        the move fires (:func:`~procalg.semantics.failing.unfolding`)."""
        if c is None:
            return self._tagged("rollback", self._end("SKIP"))
        try:
            return self._tagged("rollback", self._started(c))
        except ModelError as err:
            if not unfolding(err):
                raise
            return self._failed_state(err)  # type: ignore[attr-defined]  # the machine's

    def _fire_rollback(self, c: int) -> Moves:
        throw = self._name(THROW_EVENT)
        return [(self._name(COMPENSATED), self._tagged("compensated")) if lab == TICK
                else (lab, self._end("THROWN")) if lab == throw
                else (lab, self._tagged("rollback", t)) for lab, t in self.successors(c)]

    def _fire_compensated(self) -> Moves:
        return [(TICK, self._end("Ω"))]

    def _fire_revert(self, name: str, q: int) -> Moves:
        throw = self._name(THROW_EVENT)
        return [(TICK, self._end("Ω")) if lab == TICK
                else (self._name(unreverted_event(name)), self._end("THROW")) if lab == throw
                else (lab, self._tagged("revert", name, t)) for lab, t in self.successors(q)]

    def _fire_undo(self, node: Location, env: Env) -> Moves:
        """An installed compensation not started: its process's moves (a rollback
        starts it first, :meth:`_started`; asked otherwise, the same moves)."""
        return self.successors(self._state(node, env))

    def _fire_stranded(self, name: str) -> Moves:
        return [(self._name(stranded_event(name)), self._end("SKIP"))]

    def _fire_seqs(self, first: int, then: int) -> Moves:
        throw = self._name(THROW_EVENT)
        return [(TAU, self._started(then)) if lab == TICK
                else (lab, self._end("THROWN")) if lab == throw
                else (lab, self._tagged("seqs", t, then)) for lab, t in self.successors(first)]

    def _fire_par(self, left: int, right: int) -> Moves:
        """``|||`` of two compensations (UCS §9: a side's ✓ is a τ to Ω there)."""
        omega, throw = self._end("Ω"), self._name(THROW_EVENT)
        if left == omega and right == omega:
            return [(TICK, omega)]
        out: Moves = []
        for lab, t in self.successors(left):
            out.append((TAU, self._tagged("par", omega, right)) if lab == TICK else
                       (lab, self._end("THROWN")) if lab == throw else
                       (lab, self._tagged("par", t, right)))
        for lab, t in self.successors(right):
            out.append((TAU, self._tagged("par", left, omega)) if lab == TICK else
                       (lab, self._end("THROWN")) if lab == throw else
                       (lab, self._tagged("par", left, t)))
        return out

    def _fire_step(self, body: int, installs: int | None) -> Moves:
        throw = self._name(THROW_EVENT)
        return [(TICK, self._tagged("inst", installs)) if lab == TICK
                else (lab, self._tagged("abort", None)) if lab == throw
                else (lab, self._tagged("step", t, installs)) for lab, t in self.successors(body)]

    def _fire_end(self, compensation: int | None) -> Moves:
        return []  # Installed and Aborted: terminal, read by the operator above

    def _fire_cseq(self, first: int, second: int) -> Moves:
        out: Moves = []
        throw = self._name(THROW_EVENT)
        for lab, x in self.successors(first):
            if lab == TICK:
                c = self._carried(x)
                out.append((TAU, second if c is None else self._tagged("after", second, c)))
            elif lab == throw:
                out.append((lab, x))
            else:
                out.append((lab, self._tagged("cseq", x, second)))
        return out

    def _fire_after(self, body: int, behind: int) -> Moves:
        throw = self._name(THROW_EVENT)
        return [(TICK, self._tagged("inst", self._seq(self._carried(y), behind))) if lab == TICK
                else (lab, self._tagged("abort", self._seq(self._carried(y), behind)))
                if lab == throw else (lab, self._tagged("after", y, behind))
                for lab, y in self.successors(body)]

    def _fire_cext(self, left: int, right: int) -> Moves:
        return ([(TAU, self._tagged("cext", x, right)) if lab == TAU else (lab, x)
                 for lab, x in self.successors(left)]
                + [(TAU, self._tagged("cext", left, y)) if lab == TAU else (lab, y)
                   for lab, y in self.successors(right)])

    def _fire_cint(self, left: int, right: int) -> Moves:
        return [(TAU, left), (TAU, right)]

    def _fire_cpar(self, left: int, right: int, sync: frozenset[str]) -> Moves:
        """CSP's parallel rules on the forward parts; end states wait in place."""
        keys = self.keys
        if keys[left][0] == "inst" and keys[right][0] == "inst":
            return [(TICK, self._tagged("inst", self._par(keys[left][1], keys[right][1])))]
        out: Moves = []
        throw = self._name(THROW_EVENT)
        right_moves = self.successors(right)
        for lab, x in self.successors(left):
            if lab == throw:
                out.append((lab, self._tagged(
                    "abort", self._par(self._carried(x), self._installed(right)))))
            elif lab == TICK:
                out.append((TAU, self._tagged("cpar", x, right, sync)))
            elif lab in sync:
                out.extend((lab, self._tagged("cpar", x, y, sync))
                           for other, y in right_moves if other == lab)
            else:
                out.append((lab, self._tagged("cpar", x, right, sync)))
        for lab, y in right_moves:
            if lab == throw:
                out.append((lab, self._tagged(
                    "abort", self._par(self._installed(left), self._carried(y)))))
            elif lab == TICK:
                out.append((TAU, self._tagged("cpar", left, y, sync)))
            elif lab not in sync:
                out.append((lab, self._tagged("cpar", left, y, sync)))
        return out


SAGA_RULES = {
    "saga": SagaMoves._fire_saga, "rollback": SagaMoves._fire_rollback,
    "compensated": SagaMoves._fire_compensated, "revert": SagaMoves._fire_revert,
    "stranded": SagaMoves._fire_stranded, "seqs": SagaMoves._fire_seqs,
    "undo": SagaMoves._fire_undo,
    "par": SagaMoves._fire_par, "step": SagaMoves._fire_step, "inst": SagaMoves._fire_end,
    "abort": SagaMoves._fire_end, "cseq": SagaMoves._fire_cseq,
    "after": SagaMoves._fire_after, "cext": SagaMoves._fire_cext,
    "cint": SagaMoves._fire_cint, "cpar": SagaMoves._fire_cpar,
}
"""Each saga state's tag -> the rule that fires it (``docs/sagas.md`` sections 4-5)."""

_REPLICATED = {";": "cseq", "[]": "cext", "|~|": "cint", "|||": "cpar", "[||]": "cpar",
               "[| |]": "cpar"}
"""A replicated operator over saga parts -> the tag of its binary form's state."""

SAGA_NODE = Location(AT_SAGA_STATE)
"""The node of every saga state: its environment is its key (tag and operands)."""
