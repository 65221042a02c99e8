"""Process terms compiled into control locations: a leaf of any shape is a machine.

:mod:`procalg.semantics.locations` compiles a definition's *syntax*; a leaf of
a network may instead be an evaluated *term* (``a -> b -> STOP``,
``prioritise(P) ; Q``, ``(P [] Q) \\ A``), and a process may be a *value*
(``Iter(P) = P ; Iter(P)``, ``wbisim(P)`` in a body). :class:`TermLocations`
translates a term's operator structure once into the same
:class:`~procalg.semantics.locations.Location` nodes, their closures constants
(the term's events, sets, renamings), its parallels and synchronising
choices the ``AT_PARALLEL`` and ``AT_SYNC_CHOICE`` locations of
:mod:`procalg.semantics.linear_parallel` (a linked one is already its
definition, hiding over a parallel of renamings), its calls ``AT_CALL``
locations with the call's values as arguments: the :class:`~procalg.semantics.linear.Machine`
then runs the called definitions as it runs any (FDR's compiled leaves over
an operator tree of any shape: Gibson-Robinson et al., "FDR3", TACAS 2014).

Three kinds are states of their own (:class:`TermMoves`, tagged as the
operators' states): a compressed table's state (``sbisim(P)``, ``prioritise``,
``chase``: its moves are the table's, ✓ to Ω as
:meth:`~procalg.terms.compressed.Compressed.moves`), an evaluated input
(its moves are the input's, each continuation translated), and, met only
while exploring a process value, a term outside the fragment (its moves by
the term rules, each target translated again; a run's partial compilation
leaves a parallel to them, as :class:`~procalg.semantics.locations.Compiler` does). A value
(``AT_VALUE``) is translated once per distinct term and is the state of its
translation, so equal values meet.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.lts import explore
    >>> from procalg.semantics.linear import Machine
    >>> model = loads('''channel a, b
    ... P = a -> P
    ... Iter(X) = X ; Iter(X)''')
    >>> term = model.process("b -> SKIP ; P")
    >>> explore(Machine(model.spec.evaluator, term)).num_states
    3
    >>> explore(Machine(model.spec.evaluator, model.process("Iter(a -> SKIP)"))).num_states
    2
"""

from __future__ import annotations

from typing import Any

from procalg.errors import ModelError
from procalg.lts import TAU, TICK
from procalg.semantics.linear_host import MachineHost, Moves
from procalg.semantics.linear_parallel import ALPHA, SYNC
from procalg.semantics.locations import (
    AT_CALL,
    AT_EXCEPTION,
    AT_EXTERNAL,
    AT_HIDE,
    AT_INTERNAL,
    AT_INTERRUPT,
    AT_PARALLEL,
    AT_PREFIX,
    AT_RENAME,
    AT_SEQ,
    AT_SKIP,
    AT_STOP,
    AT_SYNC_CHOICE,
    AT_TABLE,
    AT_TERM_INPUT,
    AT_TERM_RULES,
    AT_THROW,
    AT_TIMEOUT,
    AT_VALUE,
    Compiler,
    Location,
    Unsupported,
)
from procalg.semantics.unfolded_bodies import UnfoldedBodies
from procalg.terms import (
    AlphaParallel,
    Call,
    ExceptionOp,
    ExternalChoice,
    Hide,
    Input,
    InternalChoice,
    Interrupt,
    Parallel,
    Prefix,
    Process,
    Rename,
    Seq,
    Skip,
    Stop,
    Timeout,
    show_process,
)
from procalg.terms.compressed import Compressed
from procalg.terms.failed import Failed
from procalg.terms.saga import THROW_EVENT, Throw, fail_event
from procalg.terms.synchronising import SyncChoice, SyncInterrupt

NO_ENV: dict[str, Any] = {}
"""The environment of a translated term's locations: their closures are constants."""

_BINARY = {ExternalChoice: AT_EXTERNAL, InternalChoice: AT_INTERNAL, Seq: AT_SEQ,
           Timeout: AT_TIMEOUT, Interrupt: AT_INTERRUPT}
_LEAVES = {Stop: AT_STOP, Skip: AT_SKIP, Throw: AT_THROW}


def _constant(value: Any) -> Any:
    """A closure giving ``value`` in every environment."""
    return lambda env: value


class TermLocations:
    """Translates terms into locations, once per distinct term (compiling the
    definitions their calls name with ``compiler``).

    Example:
        >>> from procalg.api.model import loads
        >>> model = loads("channel a\\nP = a -> P")
        >>> terms = TermLocations(Compiler(model.spec.evaluator))
        >>> node = terms.location(model.process("a -> P"))
        >>> node.kind == AT_PREFIX, node.parts[1].kind == AT_CALL, "P" in terms.compiler.bodies
        (True, True, True)
    """

    def __init__(self, compiler: Compiler) -> None:
        self.compiler = compiler
        self.memo: dict[Process, Location] = {}
        # one object per equal relation: the machine numbers a renaming by identity, and
        # two evaluations of alike links (``P [c <-> c] Q``) make equal, distinct ones
        self.relations: dict[Any, Any] = {}
        self.unfolded: UnfoldedBodies | None = None  # the rules' unfoldings, if known

    def location(self, term: Process) -> Location:
        """The location of ``term`` (a post-order walk on an explicit stack: a
        model's terms nest thousands deep).

        Raises:
            Unsupported: the term holds an operator outside the fragment.
        """
        memo = self.memo
        todo = [term]
        while todo:
            item = todo[-1]
            if item in memo:
                todo.pop()
                continue
            call = self._unfolding_of(item)
            if call is not None:  # a call's body written out: the call's own state
                todo.pop()
                memo[item] = self._call(call)
                continue
            parts = self._operands(item)
            missing = [p for p in parts if p not in memo]
            if missing:
                todo.extend(missing)
                continue
            todo.pop()
            memo[item] = self._translate(item, [memo[p] for p in parts])
        return memo[term]

    def _unfolding_of(self, term: Process) -> Call | None:
        """The call whose unfolding ``term`` is, to be translated as that call: else
        the body written out and the call's state after a loop would be two states
        where the terms have one (``P \\ {b}`` for ``P = a -> b -> P``: 3, not 2).
        Only for a call every clause of which starts with an event or a choice (no
        guard, ``if``, ``let``, call or value first): a body that is a value unfolds
        to the value's own term, which translated as the call again would never end."""
        if self.unfolded is None or type(term) is Call:
            return None
        call = self.unfolded.call_of(term)
        if call is None or self.compiler.transparent(call.name):
            return None
        return call

    def _operands(self, term: Process) -> tuple[Process, ...]:
        kind = type(term)
        if kind in _BINARY:
            if kind is ExternalChoice and self._fallible(term) is not None:
                return (term.left.then,)  # type: ignore[attr-defined]
            return (term.left, term.right) if kind is not Seq \
                else (term.first, term.second)  # type: ignore[attr-defined]
        if kind is Prefix:
            return (term.then,)  # type: ignore[attr-defined]
        if kind is Hide or kind is Rename:
            return (term.process,)  # type: ignore[attr-defined]
        if kind is ExceptionOp:
            return (term.process, term.handler)  # type: ignore[attr-defined]
        if kind is SyncChoice or kind is SyncInterrupt:
            return (term.left, term.right)  # type: ignore[attr-defined]
        if kind is Parallel or kind is AlphaParallel:
            if self.compiler.partial:  # a run steps a parallel by the terms (Compiler)
                raise Unsupported("a parallel, in a run")
            return (term.left, term.right)  # type: ignore[attr-defined]
        return ()

    def _fallible(self, term: ExternalChoice) -> Prefix | None:
        """``c.v -> P [] fail.c.v -> THROW`` of a fallible activity (workflow.prefix):
        the prefix, whose location offers the failure itself (Machine._moves)."""
        left, right = term.left, term.right
        if type(left) is Prefix and type(right) is Prefix \
                and left.event.channel in self.compiler.ev.fallible \
                and right.event == fail_event(left.event) and type(right.then) is Throw:
            return left
        return None

    def _translate(self, term: Process, operands: list[Location]) -> Location:
        kind = type(term)
        if kind in _LEAVES:
            return Location(_LEAVES[kind])
        if kind is Prefix or (kind is ExternalChoice and self._fallible(term) is not None):
            prefix = term if kind is Prefix else self._fallible(term)  # type: ignore[arg-type]
            return Location(AT_PREFIX, (_constant(prefix.event), operands[0]))  # type: ignore
        if kind in _BINARY:
            found = Location(_BINARY[kind], tuple(operands))
            if kind is ExternalChoice:
                self.compiler.choices.append(found)  # open_choices marks it
            return found
        if kind is Hide:
            return Location(AT_HIDE, (operands[0], _constant(term.hidden)))  # type: ignore
        if kind is Rename:
            relation = self.relations.setdefault(term.relation, term.relation)  # type: ignore
            return Location(AT_RENAME, (operands[0], _constant(relation)))
        if kind is ExceptionOp:
            return Location(AT_EXCEPTION, (*operands, _constant(term.sync)))  # type: ignore
        if kind is Parallel:  # ||| and [| A |]; a linked one is already Hide(Parallel(..))
            return Location(AT_PARALLEL, (SYNC, *operands, _constant(term.sync)))  # type: ignore
        if kind is AlphaParallel:
            return Location(AT_PARALLEL, (ALPHA, *operands, _constant(term.left_alpha),  # type: ignore
                                          _constant(term.right_alpha)))  # type: ignore
        if kind is SyncChoice or kind is SyncInterrupt:
            return Location(AT_SYNC_CHOICE, (kind is SyncInterrupt, *operands,
                                             _constant(term.sync)))  # type: ignore
        if kind is Call:
            return self._call(term)  # type: ignore[arg-type]
        if kind is Compressed:
            return Location(AT_TABLE, (term.table, term.state))  # type: ignore[attr-defined]
        if kind is Input:
            return Location(AT_TERM_INPUT, (term,))
        raise Unsupported(f"a term of {type(term).__name__} ({show_process(term, 40)})")

    def _call(self, call: Call) -> Location:
        info = self.compiler.ev.functions.get(call.name)
        if info is not None and info.is_process and (
                info.let is not None  # a local one: its captured values come first
                or (len(call.args) == info.arity if info.arity is not None else not call.args)):
            self.compiler.definition(call.name)
            return Location(AT_CALL, (call.name, tuple(_constant(a) for a in call.args)))
        raise Unsupported(f"{call.name} in process position is not a call of a process "
                          "definition with matching arity")


class TermMoves(MachineHost):
    """The process-value half of :class:`~procalg.semantics.linear.Machine`: the states
    of tables, evaluated inputs and values (tagged, as the operators' states)."""

    ev: Any
    terms: TermLocations
    rules: Any  # the term rules (sos.Rules) for a value outside the fragment, or None

    def _tagged(self, *key: Any) -> int:
        raise NotImplementedError  # linear_saga.SagaMoves's

    def _init_terms(self, compiler: Compiler, rules: Any) -> None:
        """No table numbered yet; ``rules``: see :attr:`rules`."""
        self.terms, self.rules = TermLocations(compiler), rules
        unfolded = getattr(rules, "unfolded", None)
        self.terms.unfolded = None if unfolded is None else UnfoldedBodies(unfolded)
        self._tables: list[Any] = []
        self._table_numbers: dict[int, int] = {}

    def term_start(self, term: Process) -> Location:
        """The location ``term`` starts in, its definitions compiled and checked.

        Raises:
            Unsupported: the term or a definition it calls is outside the fragment.
            ModelError: its definitions are wrong (nothing of them is kept).
        """
        compiler = self.terms.compiler
        known, choices = set(compiler.bodies), len(compiler.choices)
        try:
            node = self.terms.location(term)
            compiler.check_guarded()
        except Exception:  # Unsupported, or a model error held in this state (lts/held)
            # a definition left half compiled (its entry the empty "in progress" one)
            # would read as one with no clause when another value calls it
            for name in set(compiler.bodies) - known:
                del compiler.bodies[name]
            del compiler.choices[choices:]
            raise
        compiler.open_choices()
        return node

    def term_state(self, node: Location, env: Any) -> int:
        """The state of a table, an evaluated input, a term by the rules, or a value."""
        kind, parts = node.kind, node.parts
        if kind == AT_VALUE:
            return self._state(*self.value_node(node, env))
        if kind == AT_TABLE:
            return self._tagged("table", self._table_number(parts[0]), parts[1])
        return self._tagged("in" if kind == AT_TERM_INPUT else "rules", parts[0])

    def value_node(self, node: Location, env: Any) -> tuple[Location, Any]:
        """The location of a value's term in ``env`` (translated once per term); a
        term outside the fragment is one by the term rules where the machine has them.

        Raises:
            ModelError: the value is not a process.
            Unsupported: outside the fragment, and no term rules.
        """
        value = node.parts[0](env)
        if not isinstance(value, Process):
            raise ModelError("a process is needed here", node.parts[1],
                             hint="this expression's value is not a process")
        try:
            return self.term_start(value), NO_ENV
        except Unsupported:
            if self.rules is None:
                raise
            return Location(AT_TERM_RULES, (self.rules.normalise(value),)), NO_ENV

    def _table_number(self, table: Any) -> int:
        number = self._table_numbers.get(id(table))
        if number is None:
            number = self._table_numbers[id(table)] = len(self._tables)
            self._tables.append(table)  # kept alive: its id stays its own
        return number

    def _fire_table(self, number: int, state: int) -> Moves:
        """A compressed table's moves from ``state`` (✓ to Ω, throw to THROWN)."""
        out: Moves = []
        for lab, dst in self._tables[number].moves[state]:
            if type(lab) is str:
                out.append((TICK, self._end("Ω")) if lab == TICK
                           else (TAU, self._tagged("table", number, dst)))
            elif lab == THROW_EVENT:
                out.append((self._name(lab), self._end("THROWN")))
            else:
                out.append((self._name(lab), self._tagged("table", number, dst)))
        return out

    def _fire_input(self, term: Input) -> Moves:
        """An evaluated input's moves, each distinct continuation translated once
        (``c?x -> STOP`` over 100,000 values: one translation, not 100,000)."""
        targets: dict[Process, int] = {}
        name, target = self._name, self._target
        out: Moves = []
        for event, then in term.moves():
            state = targets.get(then)
            if state is None:
                state = targets[then] = target(then)
            out.append((name(event), state))
        return out

    def _fire_rules(self, term: Process) -> Moves:
        """A term outside the fragment, by the term rules; targets translated again."""
        return [(lab if type(lab) is str else self._name(lab),
                 self._end("Ω") if lab == TICK else self._end("THROWN")
                 if lab == THROW_EVENT else self._target(then))
                for lab, then in self.rules.transitions(term)]

    def _fire_failed(self, term: Failed) -> Moves:
        """A target whose construction raised (:mod:`procalg.semantics.failing`):
        its expansion raises the error."""
        term.fail()

    def _target(self, term: Process) -> int:
        """A move's target term as a state: translated, else by the term rules, which
        make a target whose unfolding raises a failed state (semantics/failing.py)."""
        if type(term) is not Failed:
            try:
                return self._state(self.term_start(term), NO_ENV)
            except (Unsupported, ModelError):  # a model error: the term rules' answer
                if self.rules is None:
                    raise
                term = self.rules.target(term)
        return self._tagged("failed" if type(term) is Failed else "rules", term)


TERM_RULES = {"table": TermMoves._fire_table, "in": TermMoves._fire_input,
              "rules": TermMoves._fire_rules, "failed": TermMoves._fire_failed}
"""The tagged states' rules (:data:`procalg.semantics.linear._RULES`)."""
