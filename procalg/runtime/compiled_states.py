"""Runs stepping through a compiled sequential machine: no term evaluated per new state.

A run's state is an int of the runtime :class:`~procalg.runtime.machine.Machine`;
by default each is a term and a state no run reached is built by the term
rules (:mod:`procalg.semantics.sos`). When the run's process is a call of a
sequential definition inside the compiled fragment
(:class:`procalg.semantics.linear.Machine`: control locations × data, FDR's
compiled machines, Gibson-Robinson et al., TACAS 2014), its states are
instead the compiled machine's: a step from a new state reads the compiled
moves (labelled with the events themselves), and what a decision needs -- the
labels, the internal move, the activity batch's diamond test -- comes from
the compiled moves alone.

A term is made only when something reads it (a query's position, a
snapshot, a deadlock message): a call state is its call normalised; any
other state is its first parent's term stepped once by the term rules along
the label that first reached it (equal up to strong bisimulation to the
compiled state: ``tests/semantics/test_linear.py``), so the term rules run
once per state read, never per step. Ω, THROW and THROWN are made without them.

The compilation is partial: a definition may use constructs outside the
fragment (a parallel inside a definition, hiding); a state there is stepped
by the term rules when a run reaches it, from its term. Sagas are inside
it: a saga's states, compensation stack included, are the compiled
machine's (:mod:`procalg.semantics.linear_saga`); a maybe-done call's
compensation (:mod:`procalg.runtime.uncertain`) is installed on the term,
and the run goes on from there on the term path.

A label may have several targets (an internal choice, ``a -> P [] a -> Q``,
two parallel saga branches each a τ from ✓); a run's history records which
one it took as an index in the term rules' canonical order (by printed
term, ``EventFired.choice``). Such a label's compiled targets are put in
that order (:meth:`CompiledStates.ordered`: the state's term is stepped by
the term rules, and only that label's few targets are printed), so the
index means the same state on both paths: a history recorded on terms
replays here unchanged, and one recorded here replays on terms; a
snapshot's term resumes on the term path.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.api.workflow import workflow
    >>> model = loads("signal go : {1..3}\\n"
    ...               "P(n) = go.1 -> P((n + 1) % 4) [] go.2 -> P(n) [] n == 3 & go.3 -> SKIP")
    >>> wf = workflow(model, "P", 0)
    >>> machine = wf.machine
    >>> start = machine.initial(wf)
    >>> machine.is_compiled(start), sorted(map(str, machine.node(start).targets))
    (True, ['go.1', 'go.2'])
    >>> str(machine.term(machine.node(start).targets[Event("go", (1,))][0]))
    'go.1 -> P(2) [] go.2 -> P(1) [] STOP'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from procalg.errors import ProcalgError
from procalg.runtime.input_states import LazyTargets
from procalg.runtime.nested_inputs import rules_of
from procalg.terms import Call
from procalg.terms.process import OMEGA, Process
from procalg.terms.saga import THROW, THROWN
from procalg.terms.values import Event, Label

if TYPE_CHECKING:
    from procalg.runtime.machine import Machine
    from procalg.runtime.workflow import Workflow
    from procalg.semantics.linear import Machine as Linear


class CompiledStates:
    """The compiled machine behind a runtime machine's states, and their terms on demand.

    An input's targets are made per label, when a run first takes it
    (:class:`CompiledTargets`), as the term path's input states do
    (:mod:`~procalg.runtime.input_states`). Processes with inputs step here
    too (:attr:`inputs`): the compiled machine labels its moves with the
    events themselves (``events_as_labels``), so a new state costs no printed
    event names. Printing them was the 1.07× a first run with inputs cost
    over the term path's (``python -m benchmarks.engine --cpu-only``).

    Args:
        linear: the compiled sequential machine of the process's definitions.
        normalise: the term rules' normalisation (a call state's term).
    """

    inputs = True
    """Whether a process with inputs steps on the compiled machine (off: on the term path's
    input states; a switch for measuring both)."""

    def __init__(self, linear: Linear, normalise: Callable[[Process], Process]) -> None:
        from procalg.semantics.locations import AT_CALL, Unsupported
        from procalg.semantics.state_keys import OMEGA_KEY, THROW_KEY, THROWN_KEY

        self._at_call = AT_CALL
        self._refused = (Unsupported, ProcalgError, RecursionError)
        self._ends = {OMEGA_KEY: OMEGA, THROW_KEY: THROW, THROWN_KEY: THROWN}
        self.linear = linear
        self.normalise = normalise
        self.sids: dict[int, int] = {}  # compiled state -> runtime state id
        self.lids: dict[int, int] = {}  # runtime state id -> compiled state
        # a state's first parent and the label from it: two dicts of shared objects, no
        # tuple per state (fewer objects for the collector to walk on a first run)
        self.parent: dict[int, int] = {}
        self.via: dict[int, Label] = {}
        self._after: dict[int, frozenset[Label]] = {}  # labels offered at a compiled state
        self._labels: dict[int, tuple[Any, tuple[Label, ...]]] = {}  # see _input_labels

    @classmethod
    def of(cls, workflow: Workflow) -> CompiledStates | None:
        """The compiled states of ``workflow``'s process, or None: its system is not the
        plain term rules (child runs made opaque, hand-built systems), its process is
        not a call, or a definition it reaches is outside the compiled fragment."""
        from procalg.semantics.linear import Machine as Linear  # imports the syntax (lark)
        from procalg.semantics.locations import Unsupported

        system = workflow.system
        found = rules_of(system)
        term = getattr(system, "term", None)
        ev = getattr(getattr(system, "spec", None), "evaluator", None)
        if found is None or found[1] is not None or type(term) is not Call or ev is None:
            return None
        try:
            # all_args: queries show every parameter; partial: a state outside the
            # fragment (a saga, a parallel) is stepped by the term rules when reached
            linear = Linear(ev, term, all_args=True, partial=True, events_as_labels=True)
        except (Unsupported, ProcalgError, RecursionError):
            return None
        if not cls.inputs and linear.compiler.input_channels() != frozenset():
            return None  # the term path's input states (switched off)
        return cls(linear, found[0].normalise)

    def start(self, machine: Machine, call: Call) -> int | None:
        """The runtime state of ``call`` (None: the call does not compile)."""
        try:
            lid = self.linear.start(call)
        except (ProcalgError, RecursionError):
            return None
        return self._sid(machine, lid, None)

    def _sid(self, machine: Machine, lid: int, origin: tuple[int, Label] | None) -> int:
        sid = self.sids.get(lid)
        if sid is None:
            sid = machine.add_compiled()
            if origin is not None:
                self.parent[sid], self.via[sid] = origin
            self.lids[sid] = lid
            self.sids[lid] = sid  # published last: readers find a complete entry
        return sid

    def targets(self, machine: Machine, sid: int
                ) -> tuple[CompiledTargets | dict[Label, tuple[int, ...]], Sequence[Label]] | None:
        """Each label's targets of state ``sid``, a label's several targets in the term
        rules' canonical order (:meth:`ordered`), an input's made when its label is
        first asked; and the labels of the moves, in the compiled moves' order, one per
        move (as the rules list them). None where the compiled moves fail (the term
        rules report the error their way)."""
        linear = self.linear
        try:
            moves = linear.deferred(self.lids[sid], keep=False)  # the node keeps them
        except self._refused:  # outside the fragment, or an error the rules say their way
            return None
        if len(moves) == 1 and moves[0][0] is None:  # one input: its offers' labels, shared
            entry = moves[0][1]
            return CompiledTargets(machine, dict.fromkeys(entry[0], entry), self, sid), \
                self._input_labels(entry[0])
        keys: dict[Label, Any] = {}  # label -> its target (an int) or deferred input, or a list
        labels: list[Label] = []
        lazy = False
        for label, target in moves:  # the labels are events (events_as_labels), τ and ✓
            if label is not None:
                labels.append(label)
                if label in keys:
                    _add(keys, label, target)
                else:
                    keys[label] = target
                continue
            lazy = True
            for label, bound in target[0].items():  # the input's labels share it: fewer objects
                if type(bound) is list:  # several bindings give this event: a move each
                    labels += [label] * len(bound)
                else:
                    labels.append(label)
                if label in keys:
                    _add(keys, label, target)
                else:
                    keys[label] = target
        if not lazy:  # no input: every target is numbered already
            return {label: self.numbered(machine, sid, label, t if type(t) is list else [t])
                    for label, t in keys.items()}, labels
        return CompiledTargets(machine, keys, self, sid), labels

    def _input_labels(self, offers: dict[Label, Any]) -> tuple[Label, ...]:
        """The labels of an input's offers (one per binding), one tuple per offers
        object: states sharing their offers (``linear_inputs``) share it, and so the
        node facts the machine derives from it (``Machine._node``)."""
        found = self._labels.get(id(offers))
        if found is None or found[0] is not offers:  # an id is only an object's while it lives
            labels: list[Label] = []
            for label, bound in offers.items():
                labels += [label] * len(bound) if type(bound) is list else [label]
            found = self._labels[id(offers)] = (offers, tuple(labels))
        return found[1]

    def numbered(self, machine: Machine, sid: int, label: Label, lids: list[int]
                 ) -> tuple[int, ...]:
        """The runtime ids of compiled targets ``lids`` of ``label`` from ``sid``: one is
        numbered as it is, several are :meth:`ordered`."""
        if len(lids) == 1:
            return (self._sid(machine, lids[0], (sid, label)),)
        return self.ordered(machine, sid, label, lids)

    def ordered(self, machine: Machine, sid: int, label: Label, lids: list[int]
                ) -> tuple[int, ...]:
        """Several compiled targets of one label, in the term rules' canonical order (by
        printed term) that ``EventFired.choice`` indexes: a history recorded on either
        path replays on the other.

        The term rules step ``sid``'s term and list the label's targets in the order
        the compiled moves list theirs (both walk the operator tree left to right), so
        the i-th of each are one state (strongly bisimilar); only these few targets
        are printed, and each compiled target keeps the term it was paired with. When
        the pairing does not hold (another count, or a pair offering other labels),
        the label's targets are the term rules' own and the run goes on on terms.
        """
        parent = machine.term(sid)
        successors = machine.workflow.system.successors
        terms = [t for lab, t in successors(parent) if lab == label]
        pairs = list(zip(terms, lids, strict=False))
        try:
            paired = len(terms) == len(lids) and all(
                frozenset(self.linear.labels(lid))
                == frozenset([lab for lab, _ in successors(term)]) for term, lid in pairs)
        except self._refused:  # a target outside the fragment: the term rules step it
            paired = False
        if not paired:
            return tuple([machine.intern(t) for t in sorted(terms, key=str)])
        out = []
        for term, lid in sorted(pairs, key=lambda pair: str(pair[0])):  # stable: as the rules
            target = self._sid(machine, lid, (sid, label))
            if machine.known_term(target) is None:
                machine.set_term(target, term)  # its origin's label has several targets
            out.append(target)
        return tuple(out)

    def after(self, machine: Machine, targets: Mapping[Label, tuple[int, ...]]
              ) -> Callable[[Event, Event], bool]:
        """``after(e, f)`` for :func:`~procalg.runtime.units.choose`: whether ``f`` is
        offered in every state ``e`` leads to, read from the compiled moves (from the
        term rules where that state is outside the fragment)."""
        linear, lids, memo = self.linear, self.lids, self._after

        def by_rules(sid: int) -> frozenset[Label]:
            return frozenset([lab for lab, _ in machine.workflow.system.successors(
                machine.term(sid))])

        def offered(sid: int) -> frozenset[Label]:
            lid = lids.get(sid)
            if lid is None:  # a target the term rules gave (see ordered)
                return by_rules(sid)
            found = memo.get(lid)
            if found is None:
                try:
                    found = frozenset(linear.labels(lid))
                except self._refused:
                    found = by_rules(sid)
                memo[lid] = found
            return found

        def after(event: Event, other: Event) -> bool:
            return all(other in offered(sid) for sid in targets[event])

        return after

    def term(self, machine: Machine, sid: int) -> Process:
        """The term of compiled state ``sid``: its call normalised, Ω, or its first
        parent's term stepped once by the term rules (iteratively up the parents)."""
        chain = []
        while True:
            found = machine.known_term(sid)
            if found is not None:
                break
            found = self._own_term(sid)
            if found is not None:
                machine.set_term(sid, found)
                break
            chain.append(sid)
            sid = self.parent[sid]
        successors = machine.workflow.system.successors
        for child in reversed(chain):
            label = self.via[child]
            found = min((t for lab, t in successors(found) if lab == label), key=str)
            machine.set_term(child, found)
        return found

    def _own_term(self, sid: int) -> Process | None:
        """A call state's term (its call normalised), Ω, THROW or THROWN; None for
        other locations."""
        linear = self.linear
        lid = self.lids[sid]
        end = self._ends.get(linear.keys[lid])
        if end is not None:
            return end
        node, env = linear.where[lid]
        if node.kind != self._at_call:
            return None
        if type(env) is Call:  # a start state: its environment is the call itself
            return self.normalise(env)
        return self.normalise(Call(node.parts[0], tuple([a(env) for a in node.parts[1]])))


class CompiledMoves(Sequence[tuple[Label, Process]]):
    """A compiled state's moves as terms: length and truth from its labels; items make
    the state's term and step it by the term rules (queries and messages only)."""

    __slots__ = ("_found", "_labels", "_machine", "_sid")

    def __init__(self, machine: Machine, sid: int, labels: Sequence[Label]) -> None:
        self._machine = machine
        self._sid = sid
        self._labels = labels
        self._found: list[tuple[Label, Process]] | None = None

    def __len__(self) -> int:
        return len(self._labels)

    def __bool__(self) -> bool:
        return bool(self._labels)

    def _all(self) -> list[tuple[Label, Process]]:
        if self._found is None:
            machine = self._machine
            self._found = list(machine.workflow.system.successors(machine.term(self._sid)))
        return self._found

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]

    def __iter__(self) -> Iterator[tuple[Label, Process]]:
        return iter(self._all())


class CompiledTargets(LazyTargets):
    """A compiled state's target ids per label: a move's target numbered when the state
    is compiled, an input's made from its binding when its label is first asked
    (:meth:`procalg.semantics.linear_inputs.InputMoves.input_targets`), as the term
    path's :class:`~procalg.runtime.input_states.InputTargets` evaluates only the
    continuation a run takes.

    Args:
        machine: the runtime machine whose state ids the targets get.
        keys: per label, its compiled target, or its deferred input (a tuple).
        states: the compiled states (compiled ids to runtime ids).
        sid: the state these are the targets of (each target's first parent).
    """

    __slots__ = ("sid", "states")

    def __init__(self, machine: Machine, keys: dict[Label, Any], states: CompiledStates,
                 sid: int) -> None:
        super().__init__(machine, keys)
        self.states, self.sid = states, sid

    def make(self, label: Label) -> tuple[int, ...]:
        """The targets of ``label``, numbered (made first, for an input's label)."""
        states, found = self.states, self._keys[label]
        lids: list[int] = []
        for target in found if type(found) is list else [found]:
            if type(target) is not tuple:
                lids.append(target)
                continue
            try:
                linear = states.linear
                lids += linear.input_targets(target, label)
            except states._refused:
                machine = self.machine  # the error as the term rules say it, else ours
                machine.workflow.system.successors(machine.term(self.sid))
                raise
        return states.numbered(self.machine, self.sid, label, lids)

    def follows(self, event: Event, channel: str) -> bool:
        """False when the target of input label ``event`` cannot start with ``channel``
        (told by the continuation's heads, the target not made); True otherwise."""
        key = self._keys[event]
        if type(key) is not tuple:  # a move's target, or several: not told
            return True
        linear = self.states.linear
        allowed = linear.first_channels(key, event)
        return allowed is None or channel in allowed


def _add(keys: dict[Label, Any], label: Label, target: Any) -> None:
    """Record one more ``target`` (a compiled state or a deferred input) under ``label``,
    which has one already: the label's entry becomes a list."""
    found = keys[label]
    if type(found) is list:
        found.append(target)
    else:
        keys[label] = [found, target]
