"""Sequential processes compiled once into state machines (control locations × data).

A leaf of a network (one sequential component such as ``Sender(b)`` or
``Queue(s)``) explored by the term rules (:mod:`procalg.semantics.sos`) costs
a term per state, each call reached unfolded and its whole body evaluated. A
:class:`Machine` instead compiles the definitions reachable from the leaf once,
per syntax node, into *control locations* (prefix, input, choice, ``STOP``,
``SKIP``, call), and a state is a location with the values of its data: a
call ``P(e1, ..)`` reached is the key ``(P, args)``, nothing of its body is
evaluated until the search expands it: mCRL2's linear process, FDR's compiled
"low-level" machines (Gibson-Robinson et al., "FDR3", TACAS 2014);
expressions run as the evaluator's closures (:mod:`procalg.semantics.closures`).

States are interned to ints, each state's moves made once as ``(label name,
target id)`` pairs. Inputs cost the transitions they produce; a lazy product asks
:meth:`Machine.successors_where` for only the values a partner offers. State identity
(:mod:`procalg.semantics.state_keys`) follows the terms where it is cheap to:
guards and ``if`` resolved, a prefix ``e -> Q`` keyed ``(e, key of Q)`` (ABP's
receiver's two ways to ``ack.b -> Receiver(1-b)`` meet), a call by its name and
the arguments it reads, one reading none with a shallow body by that body.

The fragment: ``STOP``, ``SKIP``, ``THROW``, prefixes with outputs and inputs
(a fallible activity's event also offers ``fail.c.v -> THROW``), guards,
``if``, external choice (kept open by an operand's τ: a state of its own),
internal choice (binary and replicated), ``P ; Q`` (P's state with Q's location
and data), calls (several clauses with patterns included), ``saga`` with ``undo``
(:mod:`procalg.semantics.linear_saga`), interrupt ``/\\``, timeout ``[>``,
renaming, hiding (nested hiding flattened) and exception ``P [| A |> Q``
(:mod:`procalg.semantics.linear_operators`: a state holds its operands'
states), ``let … within`` (:mod:`procalg.semantics.linear_let`), the parallel
operators, binary and replicated (:mod:`procalg.semantics.linear_parallel`),
process values (``Iter(P) = P ; Iter(P)``, ``sbisim(P)`` in a body) and a
leaf that is any term, not a call (:mod:`procalg.semantics.term_locations`).
Outside a saga a ``throw`` ends everything (to THROWN), as the term rules'
``saga.aborting`` says. Anything else raises :class:`Unsupported` (the notes
say why) and that leaf keeps the term rules. Common states step by generated
functions (:mod:`procalg.semantics.linear_step`).

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.lts import explore
    >>> model = loads('''channel c : {0..9}
    ... P(n) = n < 3 & c!n -> P(n + 1) [] c?x:{7} -> P(x)''')
    >>> machine = Machine(model.spec.evaluator, model.process("P(0)"))
    >>> lts = explore(machine)
    >>> lts.num_states, sorted(set(lts.labels) - {"τ", "✓"})
    (5, ['c.0', 'c.1', 'c.2', 'c.7'])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procalg.lts import TAU, TICK
from procalg.semantics.linear_events import label_tables, same_label
from procalg.semantics.linear_inputs import InputMoves, Moves
from procalg.semantics.linear_let import let_scope
from procalg.semantics.linear_operators import OPERATOR_RULES, finishing_operands
from procalg.semantics.linear_parallel import PARALLEL_RULES, ParallelMoves
from procalg.semantics.linear_saga import SAGA_RULES, SagaMoves
from procalg.semantics.linear_step import Steps
from procalg.semantics.linear_unfolding import OperandUnfolding
from procalg.semantics.locations import (
    AT_CALL,
    AT_EXTERNAL,
    AT_GUARD,
    AT_IF,
    AT_INPUT,
    AT_INTERNAL,
    AT_LET,
    AT_OPERATORS,
    AT_PREFIX,
    AT_REPLICATED_EXTERNAL,
    AT_REPLICATED_INTERNAL,
    AT_SAGA_STATE,
    AT_SEQ,
    AT_SEQ_RUN,
    AT_SKIP,
    AT_STOP,
    AT_SUFFIX,
    AT_TERMS,
    AT_THROW,
    AT_THROWN,
    AT_UNSUPPORTED,
    AT_VALUE,
    Compiler,
    Location,
    Unsupported,
)
from procalg.semantics.state_keys import OMEGA_KEY, SKIP_KEY, STOP_KEY, THROW_KEY, THROWN_KEY
from procalg.semantics.term_locations import NO_ENV, TERM_RULES, TermMoves
from procalg.semantics.unfold import MAX_UNFOLD_DEPTH, UnguardedRecursion
from procalg.terms import Call, Event, Process
from procalg.terms.saga import THROW_EVENT, fail_event

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator
    from procalg.semantics.linear_vector import VectorMoves


class Machine(InputMoves, SagaMoves, ParallelMoves, TermMoves, OperandUnfolding):
    """One sequential process compiled into a state machine over int states.

    Args:
        ev: the model's evaluator (definitions, types, closures).
        start: the call the machine starts in (``Call(name, args)``), or any
            term (:mod:`procalg.semantics.term_locations`).
        all_args: key calls by all their arguments (:class:`StateKeys`).
        partial: compile what the fragment covers; a state outside it raises
            :class:`Unsupported` when expanded, not the constructor.
        events_as_labels: label moves with the events themselves, not their printed
            names (a run steps on events: no name printed per new event, and
            :attr:`names` and :attr:`events` stay empty).
        rules: the term rules (:class:`~procalg.semantics.sos.Rules`) a process
            value outside the fragment, met while exploring, moves by.

    Raises:
        Unsupported: a definition reachable from ``start`` is outside the
            compiled fragment (nothing is explored then).
    """

    def __init__(self, ev: Evaluator, start: Process, all_args: bool = False,
                 partial: bool = False, events_as_labels: bool = False,
                 rules: Any = None) -> None:
        self.compiler = Compiler(ev, partial)
        self._init_terms(self.compiler, rules)
        if type(start) is Call:
            self.compiler.definition(start.name)  # compiles everything reachable, or raises
            self.compiler.check_guarded()
            self.compiler.open_choices()
            if not start.args and ev.functions[start.name].arity is not None:
                raise Unsupported(f"{start.name} needs arguments")
            node = None
        else:  # a term: its operators translated, its calls' definitions compiled
            node = self.term_start(start)
        super().__init__(ev, self.compiler, all_args)
        self.moves: list[Moves | None] = []
        self._making: set[int] = set()  # states whose moves are being made
        # printed labels, shared by the model's machines (a network's leaves print the
        # same events: a renamed cell of a 16x16 board prints 2 300 of them)
        self.names: dict[Event, str]
        self.events: dict[str, Event]  # the inverse of names: the runtime steps on Events
        self.names, self.events = label_tables(ev)
        self._init_operators()
        self.steps = Steps(self, not events_as_labels)  # generated functions, by need
        self._step_of = self.steps.steps  # node -> its function (or None): read per state
        if events_as_labels:
            self._name = same_label  # type: ignore[method-assign]
        self._start = self._state(node, NO_ENV) if node is not None else \
            self._intern(self._call_key(start.name, start.args), (_CALL_START, start))

    def initial_state(self) -> int:
        """The start call's state (0, unless its key is an operator's state, whose
        operands are numbered first)."""
        return self._start

    def start(self, call: Call) -> int:
        """The state of another call of the machine's definitions (numbered on first
        sight): runs of one process with other arguments share a machine.

        Example:
            >>> from procalg.api.model import loads
            >>> model = loads("channel c : {0..9}\\nP(n) = c!n -> P((n + 1) % 10)")
            >>> machine = Machine(model.spec.evaluator, model.process("P(0)"))
            >>> machine.start(model.process("P(3)")), machine.start(model.process("P(0)"))
            (1, 0)
        """
        return self._intern(self._call_key(call.name, call.args), (_CALL_START, call))

    def successors(self, state: int) -> Moves:
        """``(label name, target state)`` pairs of ``state``, computed once."""
        found = self.moves[state]
        if found is None:
            if state in (making := self._making):  # its moves need its moves: STOP ||| P(n)
                raise self._loop_error(state)
            making.add(state)
            try:
                found = self._pending.pop(state, None)  # made ahead: all of them if no input
                if found is None or any(label is None for label, _ in found):
                    node, env = self.where[state]
                    step = self._step_of.get(node, self)
                    step = self.steps.step(node) if step is self else step
                    found = step(env) if step is not None and not self._passive \
                        else self._moves(node, env)
                self.moves[state] = found
            finally:
                making.discard(state)
        return found

    def _call_of(self, state: int) -> Call:
        """The call in a state or its nearest operand's (ending a key), for an error."""
        todo = [state]
        for n in todo:  # the list's iterator sees what is appended: breadth first
            key = self.keys[n]
            if key[0] == "call":
                return Call(key[1], key[2])
            if len(todo) < 16:
                todo += [k for k in key[-2:] if type(k) is int and 0 <= k < len(self.keys)]
        return Call("a process")

    @property
    def num_states(self) -> int:
        """States numbered so far (expanded or only reached)."""
        return len(self.keys)

    def vector(self) -> VectorMoves | None:
        """The batch next-state function (:mod:`procalg.semantics.linear_vector`),
        made once; None when no definition of the machine is vectorised."""
        found = self.__dict__.get("_vector", False)
        if found is False:
            from procalg.semantics.linear_vector import VectorMoves

            found = VectorMoves(self)
            found = self._vector = found if found.vectorised else None
        return found

    # ---------------------------------------------------------------- moves

    def _moves(self, node: Location, env: Any, defer: bool = False) -> Moves:
        """The moves of ``node`` in ``env``; with ``defer``, each input is one
        ``(None, (bindings by label, continuation, env, made))``: see
        :meth:`successors_where`."""
        depth = 0
        while True:
            kind, parts = node.kind, node.parts
            if kind == AT_CALL:
                if node is _CALL_START:  # the Call, or (.., name, args) (linear_vector)
                    name, args = (env.name, env.args) if type(env) is Call else env[-2:]
                else:
                    name, args = parts[0], self._arguments(node, env)
                depth += 1
                if depth > MAX_UNFOLD_DEPTH:
                    raise UnguardedRecursion(Call(name, args))
                node, env = self._unfold(name, args)
                continue
            if kind in (AT_GUARD, AT_IF):
                branch = self._branch(node, env)
                if branch is None:
                    return []
                node = branch
                continue
            if kind == AT_LET:
                node, env = parts[1], let_scope(self.ev, parts[0], env)
                continue
            if kind == AT_VALUE:  # a process value: its term's location
                depth += 1
                if depth > MAX_UNFOLD_DEPTH:
                    raise UnguardedRecursion(parts[0](env))
                node, env = self.value_node(node, env)
                continue
            break
        if kind == AT_PREFIX:
            event = parts[0](env)
            found = [(self._name(event), self._prefix_target(parts[1], env))]
            if event.channel in self.ev.fallible:  # workflow.prefix: c.v [] fail.c.v -> THROW
                found.append((self._name(fail_event(event)), self._throw()))
            return found
        if kind == AT_INPUT:
            return self._input_moves(parts, env, defer)
        if kind == AT_EXTERNAL:
            return self._moves(parts[0], env, defer) + self._moves(parts[1], env, defer)
        if kind == AT_INTERNAL:  # both operands unfolded, as the term rules do
            targets = [self._state(parts[0], env), self._state(parts[1], env)]
            self._unfold_operands(targets)
            return [(TAU, targets[0]), (TAU, targets[1])]
        if kind == AT_REPLICATED_EXTERNAL:
            return [move for scope in self._scopes(node, env)
                    for move in self._moves(parts[1], scope, defer)]
        if kind == AT_REPLICATED_INTERNAL:
            return self._suffix_moves(node, self._scopes(node, env), defer)
        if kind == AT_SUFFIX:
            return self._suffix_moves(*env, defer)
        if kind == AT_SKIP:
            return [(TICK, self._intern(OMEGA_KEY, (_OMEGA_NODE, None)))]
        if kind == AT_SEQ:
            return self._seq_moves(self._state(parts[0], env), parts[1], env)
        if kind == AT_SEQ_RUN:
            return self._seq_moves(*env)
        if kind == AT_THROW:
            return [(self._name(THROW_EVENT), self._intern(THROWN_KEY, (_THROWN_NODE, None)))]
        if kind == AT_SAGA_STATE:  # a saga's or an operator's state: its tag's rule
            return _RULES[env[0]](self, *env[1:])
        if kind in AT_OPERATORS:
            return self.successors(self.operator_state(node, env))
        if kind in AT_TERMS:  # a table, an evaluated input, a term by the rules
            return self.successors(self.term_state(node, env))
        if kind == AT_UNSUPPORTED:
            raise Unsupported(parts[0])
        return []

    def _seq_moves(self, first: int, then: Location, env: Env) -> Moves:
        """``P ; Q`` with ``P`` in state ``first`` (UCS §9.1): P's ✓ is a τ into Q, and
        outside a saga a ``throw`` ends everything (``saga.aborting``: to THROWN)."""
        out: Moves = []
        throw = self._name(THROW_EVENT)
        for label, target in self.successors(first):
            if label == TICK:
                out.append((TAU, self._state(then, env)))
            elif label == throw:
                out.append((label, target))  # THROW's target is already THROWN
            else:
                out.append((label, self._state(_SEQ_RUN_NODE, (target, then, env))))
        return out

    def _throw(self) -> int:
        return self._intern(THROW_KEY, (_THROW_NODE, None))

    def _end(self, which: str) -> int:
        """The state Ω, SKIP, STOP, THROW or THROWN (for the saga and operator rules)."""
        key, node = _ENDS[which]
        return self._intern(key, (node, None))

    def _finished(self, state: int) -> bool:
        """Whether ``state`` as a saga step's body is SKIP or Ω (calls unfolded, guards
        resolved), or parallel, hidden or renamed parts that all are (``saga.finished``)."""
        node, env = self.where[state]
        if node.kind == AT_SAGA_STATE and (parts := finishing_operands(self.keys[state])):
            return all(map(self._finished, parts))
        for _ in range(MAX_UNFOLD_DEPTH):
            if node.kind == AT_CALL:
                call = env if node is _CALL_START else \
                    Call(node.parts[0], tuple([a(env) for a in node.parts[1]]))
                node, env = self._unfold(*((call.name, call.args) if type(call) is Call
                                           else call[-2:]))
            elif node.kind in (AT_GUARD, AT_IF):
                branch = self._branch(node, env)
                if branch is None:
                    return False
                node = branch
            elif node.kind == AT_LET:
                node, env = node.parts[1], let_scope(self.ev, node.parts[0], env)
            elif node.kind == AT_VALUE:
                node, env = self.value_node(node, env)
            else:
                break
        return node.kind == AT_SKIP or self.keys[state] == OMEGA_KEY

    def _name(self, event: Event) -> str:
        found = self.names.get(event)
        if found is None:
            found = self.names[event] = str(event)
            self.events[found] = event
        return found


_CALL_START = Location(AT_CALL, ("", ()))
"""The start state's node: its environment is the start :class:`Call` itself, or a
tuple ending ``name, args`` (states numbered by :mod:`procalg.semantics.linear_vector`:
``(name, args)``, or the state's key when that holds every argument)."""
CALL_START = _CALL_START
_OMEGA_NODE = Location(AT_STOP)
"""Ω after ✓: no moves."""
_SEQ_RUN_NODE = Location(AT_SEQ_RUN)
"""``P ; Q`` with ``P`` under way: its environment is ``(P's state, Q's node, Q's env)``."""
_THROW_NODE = Location(AT_THROW)
"""THROW: one move, ``throw``, to THROWN."""
_THROWN_NODE = Location(AT_THROWN)
"""THROWN, after ``throw``: no moves (not a deadlock: the run failed)."""
OMEGA_WHERE = (OMEGA_KEY, (_OMEGA_NODE, None))
"""Ω's key and where, as :meth:`Machine._moves` interns it after ✓."""
_RULES = {**SAGA_RULES, **OPERATOR_RULES, **PARALLEL_RULES, **TERM_RULES}
_ENDS = {"Ω": (OMEGA_KEY, _OMEGA_NODE), "SKIP": (SKIP_KEY, Location(AT_SKIP)),
         "STOP": (STOP_KEY, Location(AT_STOP)),
         "THROW": (THROW_KEY, _THROW_NODE), "THROWN": (THROWN_KEY, _THROWN_NODE)}


def compile_leaf(ev: Evaluator, start: Process, renamings: tuple[Any, ...] = (),
                 rules: Any = None) -> Machine | str:
    """The machine of ``start`` (a call or any term), or the one-line reason it stays
    with the term rules; with ``renamings`` (innermost first), of
    ``start[[R1]][[R2]]..``: a leaf that is a renamed call starts in the renaming's
    state. ``rules``: the term rules a process value outside the fragment moves by.

    Example:
        >>> from procalg.api.model import loads
        >>> model = loads("channel a\\nP = a -> ((; x : <0, 1> @ a -> SKIP) ; P)")
        >>> compile_leaf(model.spec.evaluator, model.process("P"))
        'uses the operator ;'
        >>> type(compile_leaf(model.spec.evaluator, model.process("a -> a -> STOP"))).__name__
        'Machine'
    """
    try:
        machine = Machine(ev, start, rules=rules)
    except Unsupported as why:
        return why.reason
    for relation in renamings:
        machine._start = machine.renamed(relation, machine._start)
    return machine
