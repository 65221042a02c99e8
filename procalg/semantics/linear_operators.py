"""Interrupt, timeout, renaming, hiding, exception and open choice inside a compiled definition.

The operators of CSP that combine two running processes, as states of the
:class:`~procalg.semantics.linear.Machine`: a state is a tag with its
operands' state numbers (the pair ``(P's state, Q's state)``), and its moves
are made from the operands' moves by the firing rules of Roscoe's
*Understanding Concurrent Systems* (2010), as :mod:`procalg.semantics.sos`
fires them on terms (strongly bisimilar: ``tests/semantics/test_linear_operators.py``):

* ``P /\\ Q`` (interrupt, UCS §5.3): P's moves keep the operator, P's ✓ ends
  it; Q's τ keeps it, Q's first event (or ✓) takes over;
* ``P [> Q`` (timeout, sliding choice, UCS §5.2): P's τ keeps the operator,
  P's event or ✓ resolves it, and a τ of the operator itself leads to Q;
* ``P \\ A`` (hiding, UCS §5.1): a state is the number of the set ``A`` with
  P's state; P's events in ``A`` become τ, ✓ is never hidden. Nested hiding is
  one hiding, ``(P \\ A) \\ B`` is ``P \\ (A ∪ B)`` (strongly bisimilar, as the
  term rules' ``flat_hiding``), so ``P = (a -> SKIP ; P) \\ {a}`` has two
  states, not one per pass through ``P``;
* ``P [| A |> Q`` (exception, UCS §5.3): P's moves keep the operator, P's
  event in ``A`` hands over to Q, P's ✓ ends it;
* ``P1 [] .. [] Pn`` with an operand that may start with τ (external choice,
  UCS §7.1/§9.1; binary or replicated): a state is the operands' states; an
  operand's τ keeps the choice open, its event resolves it to that operand's
  state and its ✓ to Ω. A replicated choice is the term rules' balanced tree of
  binary ones flattened (one state per tuple of operand states, as per tree of
  terms); over one value it is that operand, over none STOP. Nested open
  choices are flattened alike, ``(A [] B) [] C`` is one tuple ``(A, B, C)``
  (``[]`` is associative, UCS §1.1.3), also when an operand's τ leads to a
  choice; two nestings of one choice then meet in one state where the term
  rules have two terms (fewer states, strongly bisimilar). A choice whose
  operands all start visibly has no state of its own (the machine's cheap path).

Outside a saga every operator passes an operand's ``throw`` on, to THROWN
(``docs/sagas.md`` section 3).

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.lts import explore
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel a, b, c\\nP = (a -> b -> STOP) /\\\\ (b -> STOP [> c -> SKIP)")
    >>> lts = explore(Machine(model.spec.evaluator, model.process("P")))
    >>> sorted(set(lts.labels))
    ['a', 'b', 'c', 'τ', '✓']
    >>> model = loads("channel a\\nP = (a -> SKIP ; P) \\\\ {a}")
    >>> explore(Machine(model.spec.evaluator, model.process("P"))).num_states
    2
    >>> model = loads("channel a, b, c\\nP = (a -> P |~| b -> STOP) [] c -> STOP")
    >>> explore(Machine(model.spec.evaluator, model.process("P"))).num_states
    4
    >>> model = loads("channel a, b, c\\nP = (a -> P |~| b -> STOP) [] (c -> P |~| STOP) [] c -> P")
    >>> machine = Machine(model.spec.evaluator, model.process("P"))
    >>> explore(machine).num_states, sum(key[0] == "choice" for key in machine.keys)  # 3 x 3, STOP
    (10, 9)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procalg.lts import TAU, TICK
from procalg.semantics.linear_host import MachineHost, Moves
from procalg.semantics.linear_let import let_scope
from procalg.semantics.linear_saga import SAGA_NODE
from procalg.semantics.locations import AT_EXTERNAL, AT_SAGA_STATE
from procalg.terms.saga import THROW_EVENT

if TYPE_CHECKING:
    from procalg.semantics.linear_saga_body import Part
    from procalg.semantics.locations import Location

class OperatorMoves(MachineHost):
    """The interrupt, timeout and renaming half of
    :class:`~procalg.semantics.linear.Machine` (tagged states, as the sagas')."""

    _renamed: dict[tuple[int, Any], tuple[Any, ...]]  # (relation, label) -> its images
    _relations: list[Any]  # the renamings met, by number
    _relation_numbers: dict[int, int]  # a renaming's id -> its number
    _sets: list[frozenset[Any]]  # the event sets of hiding and exception met, by number
    _set_numbers: dict[frozenset[Any], int]  # such a set -> its number
    _unions: dict[tuple[int, int], int]  # two sets' numbers -> their union's number
    _in_set: dict[tuple[int, Any], bool]  # (set, label) -> whether the label's event is in it
    _handlers: dict[int, tuple[Location, Any]]  # an exception's handler state -> its node, env
    ev: Any  # the model's evaluator (state_keys.StateKeys's)
    where: list[tuple[Location, Any]]  # per state: its node and environment (StateKeys's)
    _intern: Any  # StateKeys._intern: a key's state, numbered on first sight

    def _passive_state(self, node: Location, env: Any) -> int:
        raise NotImplementedError  # state_keys.StateKeys's

    def _init_operators(self) -> None:
        """Empty tables of renamings and event sets (a new machine's)."""
        self._renamed, self._relations, self._relation_numbers = {}, [], {}
        self._sets, self._set_numbers, self._unions, self._in_set = [], {}, {}, {}
        self._handlers = {}

    # linear_saga.SagaMoves's (the rest: MachineHost)
    def _tagged(self, *key: Any) -> int:
        raise NotImplementedError

    def saga_state(self, part: Part, env: Any) -> int:
        raise NotImplementedError

    def _scopes(self, node: Location, env: Any) -> list[Any]:
        raise NotImplementedError  # state_keys.StateKeys's

    def _branch(self, node: Location, env: Any) -> Location | None:
        raise NotImplementedError  # state_keys.StateKeys's

    def parallel_state(self, node: Location, env: Any) -> int:
        raise NotImplementedError  # linear_parallel.ParallelMoves's

    def operator_state(self, node: Location, env: Any) -> int:
        """The state of a saga, interrupt, timeout, renaming, hiding, exception or
        parallel ``node`` in ``env`` (its operands numbered, not expanded)."""
        from procalg.semantics.locations import (
            AT_EXCEPTION,
            AT_HIDE,
            AT_INTERRUPT,
            AT_OPEN_CHOICE,
            AT_OPEN_REPLICATED,
            AT_PARALLEL,
            AT_RENAME,
            AT_REPLICATED_PARALLEL,
            AT_REPLICATED_SYNC_CHOICE,
            AT_SAGA,
            AT_SYNC_CHOICE,
        )

        kind, parts = node.kind, node.parts
        if kind in (AT_PARALLEL, AT_REPLICATED_PARALLEL, AT_SYNC_CHOICE,
                    AT_REPLICATED_SYNC_CHOICE):
            return self.parallel_state(node, env)
        if kind in (AT_OPEN_CHOICE, AT_OPEN_REPLICATED):
            operands = self._open_operands(node, env, [])
            return operands[0] if len(operands) == 1 else self._choice(operands)
        if kind == AT_SAGA:
            return self.saga_state(parts[0], env)
        if kind == AT_RENAME:
            return self.renamed(parts[1](env), self._state(parts[0], env))
        if kind == AT_HIDE:
            return self.hidden(self._set_number(parts[1](env)), self._state(parts[0], env))
        if kind == AT_EXCEPTION:  # Q as the term holds it, not started (a call stays a call)
            handler = self._passive_state(parts[1], env)
            self._handlers.setdefault(handler, (parts[1], env))
            return self._tagged("exception", self._set_number(parts[2](env)),
                                self._state(parts[0], env), handler)
        left, right = self._state(parts[0], env), self._state(parts[1], env)
        return self._tagged("interrupt" if kind == AT_INTERRUPT else "timeout", left, right)

    def _fire_interrupt(self, left: int, right: int) -> Moves:
        throw, thrown = self._name(THROW_EVENT), self._end("THROWN")
        out: Moves = [(TICK, self._end("Ω")) if lab == TICK
                      else (lab, thrown) if lab == throw
                      else (lab, self._tagged("interrupt", p, right))
                      for lab, p in self.successors(left)]
        for lab, q in self.successors(right):
            out.append((TAU, self._tagged("interrupt", left, q)) if lab == TAU
                       else (TICK, self._end("Ω")) if lab == TICK
                       else (lab, thrown) if lab == throw else (lab, q))
        return out

    def _fire_timeout(self, left: int, right: int) -> Moves:
        throw = self._name(THROW_EVENT)
        out: Moves = [(TAU, self._tagged("timeout", p, right)) if lab == TAU
                      else (TICK, self._end("Ω")) if lab == TICK
                      else (lab, self._end("THROWN")) if lab == throw
                      else (lab, p) for lab, p in self.successors(left)]
        self._unfold_operands([right])  # unfolded with the timeout, as the term rules do
        out.append((TAU, right))
        return out

    def _open_operands(self, node: Location, env: Any, out: list[int]) -> list[int]:
        """The operand states of the open choice ``node`` appended to ``out``, nested
        choices flattened: ``(A [] B) [] C`` is one state ``(A, B, C)``, not one for
        the inner choice and one for the outer (``[]`` is associative: strongly
        bisimilar, UCS §1.1.3). Guards, ``if`` and ``let`` are looked through to an
        inner choice; a replicated choice over no value is a ``STOP`` operand, as
        the evaluator's balanced tree of ``[]`` makes it."""
        from procalg.semantics.locations import (
            AT_GUARD,
            AT_IF,
            AT_LET,
            AT_OPEN_CHOICE,
            AT_OPEN_REPLICATED,
        )

        kind = node.kind
        while kind in (AT_GUARD, AT_IF, AT_LET):
            if kind == AT_LET:
                node, env = node.parts[1], let_scope(self.ev, node.parts[0], env)
            else:
                branch = self._branch(node, env)
                if branch is None:  # a false guard: STOP
                    out.append(self._end("STOP"))
                    return out
                node = branch
            kind = node.kind
        if kind == AT_OPEN_CHOICE:
            for part in node.parts:
                self._open_operands(part, env, out)
        elif kind == AT_OPEN_REPLICATED:
            scopes = self._scopes(node, env)
            if not scopes:
                out.append(self._end("STOP"))
            for scope in scopes:
                self._open_operands(node.parts[1], scope, out)
        else:  # a call whose body is an open choice is keyed by its state: flattened too
            state = self._state(node, env)
            out += self._choice_operands(state)
        return out

    def _choice(self, operands: list[int] | tuple[int, ...]) -> int:
        """The open choice over ``operands`` (states). Two are keyed as the term
        ``A [] B`` is, the key a choice of no open node has
        (:meth:`~procalg.semantics.state_keys.StateKeys._key`), so ``X [] STOP`` with
        ``X = R`` meets ``R [] STOP`` written out (it was one state more than the
        terms); more, flattened from nested choices, by their tuple."""
        if len(operands) != 2:
            return self._tagged("choice", *operands)
        key = (AT_EXTERNAL, self.keys[operands[0]], self.keys[operands[1]])
        return self._intern(key, (SAGA_NODE, ("choice", *operands)))

    def _choice_operands(self, state: int) -> tuple[int, ...]:
        """The operands of an open choice's state (flattened into an outer one), or
        the state alone."""
        node, env = self.where[state]
        if node.kind == AT_SAGA_STATE and env[0] == "choice":
            return env[1:]  # type: ignore[no-any-return]
        return (state,)

    def _fire_choice(self, *operands: int) -> Moves:
        """An open choice over the operands' states: an operand's τ keeps it open (that
        operand's state replaced), its event resolves it, its ✓ ends it."""
        out: Moves = []
        for i, state in enumerate(operands):
            for lab, p in self.successors(state):
                if lab == TAU:  # to a choice (``a -> P |~| (Q [] R)``): its operands, flat
                    inner = self._choice_operands(p)
                    out.append((TAU, self._choice((*operands[:i], *inner, *operands[i + 1:]))))
                else:
                    out.append((lab, self._end("Ω") if lab == TICK else p))
        return out

    def hidden(self, number: int, inner: int) -> int:
        """The state of ``inner`` with the events of set ``number`` hidden; an ``inner``
        that hides already is hidden once, by the union of both sets."""
        key = self.keys[inner]
        if key[0] == "hide":
            pair = (number, key[1]) if number <= key[1] else (key[1], number)
            union = self._unions.get(pair)
            if union is None:
                union = self._unions[pair] = self._set_number(self._sets[number]
                                                              | self._sets[key[1]])
            number, inner = union, key[2]
        return self._tagged("hide", number, inner)

    def _fire_hide(self, number: int, inner: int) -> Moves:
        throw, out = self._name(THROW_EVENT), []
        for lab, p in self.successors(inner):
            if lab in (TICK, throw):
                out.append((lab, self._end("Ω" if lab == TICK else "THROWN")))
            else:
                out.append((TAU if lab != TAU and self._member(number, lab) else lab,
                            self.hidden(number, p)))
        return out

    def _fire_exception(self, number: int, left: int, right: int) -> Moves:
        throw, out = self._name(THROW_EVENT), []
        for lab, p in self.successors(left):
            if lab in (TICK, throw):
                out.append((lab, self._end("Ω" if lab == TICK else "THROWN")))
            elif lab != TAU and self._member(number, lab):
                out.append((lab, self._state(*self._handlers[right])))  # Q starts
            else:
                out.append((lab, self._tagged("exception", number, p, right)))
        return out

    def _set_number(self, events: frozenset[Any]) -> int:
        """The number of an event set (equal sets, one number: unions meet)."""
        number = self._set_numbers.get(events)
        if number is None:
            number = self._set_numbers[events] = len(self._sets)
            self._sets.append(events)
        return number

    def _member(self, number: int, label: Any) -> bool:
        """Whether the event labelled ``label`` is in set ``number`` (once per pair)."""
        found = self._in_set.get((number, label))
        if found is None:
            event = self.events.get(label, label)  # a printed label's event, or the event
            found = self._in_set[number, label] = event in self._sets[number]
        return found

    def renamed(self, relation: Any, inner: int) -> int:
        """The state of ``inner`` under renaming ``relation``: keyed by the relation's
        number, not the relation (hashing one walks its pairs: thousands of events)."""
        number = self._relation_numbers.get(id(relation))
        if number is None:
            number = self._relation_numbers[id(relation)] = len(self._relations)
            self._relations.append(relation)  # kept alive: its id stays its own
        return self._tagged("rename", number, inner)

    def _fire_rename(self, number: int, inner: int) -> Moves:
        relation, throw, out = self._relations[number], self._name(THROW_EVENT), []
        for lab, p in self.successors(inner):
            if lab in (TICK, throw):
                out.append((lab, self._end("Ω" if lab == TICK else "THROWN")))
            elif lab == TAU:
                out.append((lab, self._tagged("rename", number, p)))
            else:
                target = self._tagged("rename", number, p)
                out += [(image, target) for image in self._images(number, relation, lab)]
        return out

    def _images(self, number: int, relation: Any, label: Any) -> tuple[Any, ...]:
        """The labels ``label`` is renamed to (itself if unmapped), once per pair."""
        found = self._renamed.get((number, label))
        if found is None:
            event = self.events.get(label, label)  # a printed label's event, or the event
            found = self._renamed[number, label] = tuple(
                self._name(image) for image in relation.images(event))
        return found


OPERATOR_RULES = {"interrupt": OperatorMoves._fire_interrupt,
                  "timeout": OperatorMoves._fire_timeout,
                  "rename": OperatorMoves._fire_rename,
                  "hide": OperatorMoves._fire_hide,
                  "exception": OperatorMoves._fire_exception,
                  "choice": OperatorMoves._fire_choice}
"""Each operator state's tag -> the rule that fires it."""


_FINISHING = {"hide": (2,), "rename": (2,), "sync": (2, 3), "alpha": (3, 4)}


def finishing_operands(key: tuple) -> tuple[int, ...]:
    """The operand states of an operator state ``key`` a saga step's body has
    finished under when all of them have (``saga.finished``: hiding, renaming and
    parallel over finished parts have only their ✓ left); ``()`` for any other.

    Example:
        >>> finishing_operands(("hide", 0, 7)), finishing_operands(("interrupt", 3, 4))
        ((7,), ())
    """
    return tuple(key[i] for i in _FINISHING.get(key[0], ()))
