"""The network as a symbolic transition system: state variables, initial
condition, transition relation, and the *bad* condition a property looks for.

State: each component's program counter and slots, plus any monitor
variable a property adds (the position in a ``:[has trace]:`` trace). One
step of the relation is the disjunction of the network's moves, each
selected by a step variable ``move@k`` so that a model of a path says which
move was taken. Every property becomes *reach a state where ``bad`` can
hold*: a deadlock (not terminated, no move enabled), an event (a visible
move on it enabled), a broken invariant, a trace read to its end.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.symbolic.compose import translate_network, _expr
    >>> spec = loads("channel c : Int\\nchannel d\\nP(n) = c!n -> P(n + 2) [] d -> STOP").spec
    >>> system = System(translate_network(spec, _expr("P(1)")))
    >>> [str(v) for v in system.state]
    ['pc@0', 'n@0']
    >>> str(system.init)
    'And(1 == pc@0, 1 == n@0)'
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from procalg.symbolic.compose import Move, Network
from procalg.symbolic.linear import TICK


@dataclass
class Goal:
    """What a check searches for.

    Attributes:
        bad: a formula over the state (and the inputs of a move enabled there).
        monitor: extra state variables with their initial values.
        step: per move index, a constraint over current and next monitor
            variables (``None``: monitor unchanged).
        event_moves: for event goals, the moves whose firing is the event.
        event: for event goals, the event's channel and field values.
    """

    bad: z3.BoolRef
    monitor: list[tuple[z3.ExprRef, z3.ExprRef]] = field(default_factory=list)
    step: dict[int, z3.BoolRef] = field(default_factory=dict)
    event_moves: list[int] = field(default_factory=list)
    event: tuple[str, tuple] | None = None


class System:
    """The transition system of a network (see the module docstring)."""

    def __init__(self, network: Network, goal: Goal | None = None) -> None:
        self.network = network
        self.goal = goal or Goal(z3.BoolVal(False))
        state: list[z3.ExprRef] = []
        init: list[z3.BoolRef] = []
        self.fixed = _fixed(network)
        fixed = {str(v) for v, _ in self.fixed}
        for comp in network.components:
            for var in (comp.pc, *comp.slots.values()):
                if str(var) not in fixed:
                    state.append(var)
                    init.append(var == _initial(network, comp, var))
        for var, value in self.goal.monitor:
            state.append(var)
            init.append(var == value)
        self.state = state
        self.init = z3.And(*init)
        self.next = [z3.Const(f"{v}'", v.sort()) for v in state]
        self._prime = list(zip(state, self.next, strict=True))
        self.moves = [self.folded(self._relation(i, m)) for i, m in enumerate(network.moves)]
        self.bad = self.folded(self.goal.bad)
        self._pairs: dict[int, list[tuple[z3.ExprRef, z3.ExprRef]]] = {}
        self.inputs = sorted({i for m in network.moves for i in m.inputs}, key=str)

    def _relation(self, index: int, move: Move) -> z3.BoolRef:
        """The move as a formula over state, inputs and next state."""
        changed: dict[str, z3.ExprRef] = {}
        for part in move.parts:
            comp = self.network.components[part.component]
            changed[str(comp.pc)] = z3.IntVal(part.target)
            live = comp.scopes[part.target]
            for name, var in comp.slots.items():  # a dead slot is reset: fewer states
                if name not in live:
                    changed[str(var)] = _default(var)
            for name, value in part.effect:
                changed[str(comp.slots[name])] = value
        frame = []
        monitor = {str(v) for v, _ in self.goal.monitor}
        for var, nxt in self._prime:
            if str(var) in monitor:
                if index not in self.goal.step:
                    frame.append(nxt == var)
            else:
                frame.append(nxt == changed.get(str(var), var))
        extra = self.goal.step.get(index, z3.BoolVal(True))
        return z3.And(move.guard, extra, *frame)

    def folded(self, formula: z3.ExprRef) -> z3.ExprRef:
        """``formula`` with every variable no move changes replaced by its value."""
        return z3.substitute(formula, *self.fixed) if self.fixed else formula

    def enabled(self, move: Move) -> z3.BoolRef:
        """Whether ``move`` can fire in the current state, inputs eliminated
        (z3's ``qe`` tactic; the quantifier stays where elimination fails)."""
        return eliminate(move.guard, move.inputs)

    def deadlocked(self) -> z3.BoolRef:
        """No move enabled, and not every component terminated (Ω after ✓)."""
        done = z3.And(*(c.pc == c.omega for c in self.network.components))
        return z3.And(z3.Not(done), *(z3.Not(self.enabled(m)) for m in self.network.moves))

    def at(self, formula: z3.ExprRef, k: int) -> z3.ExprRef:
        """``formula`` with the state of step ``k``, the next state of ``k+1``, inputs of ``k``."""
        pairs = self._pairs.get(k)
        if pairs is None:
            pairs = [(v, _step(v, k)) for v in self.state]
            pairs += [(n, _step(v, k + 1)) for v, n in self._prime]
            pairs += [(i, _step(i, k)) for i in self.inputs]
            pairs += [(v, value) for v, value in self.fixed]
            self._pairs[k] = pairs
        return z3.substitute(formula, *pairs)

    def transition(self, k: int) -> z3.BoolRef:
        """Step ``k`` → ``k+1`` with its move selector."""
        choice = z3.Int(f"move@@{k}")
        return z3.Or(*(z3.And(choice == i, self.at(t, k)) for i, t in enumerate(self.moves)))

    def var(self, v: z3.ExprRef, k: int) -> z3.ExprRef:
        return _step(v, k)


def _initial(network: Network, comp, var: z3.ExprRef) -> z3.ExprRef:
    """A variable's initial value: the start location, a parameter's argument,
    else 0 / false (so that an invariant never reads an arbitrary value)."""
    if var.eq(comp.pc):
        return z3.IntVal(comp.start)
    name = next(n for n, v in comp.slots.items() if v.eq(var))
    return network.codes.encode(comp.init[name]) if name in comp.init else _default(var)


def _default(var: z3.ExprRef) -> z3.ExprRef:
    return z3.BoolVal(False) if z3.is_bool(var) else z3.IntVal(0)


def _fixed(network: Network) -> list[tuple[z3.ExprRef, z3.ExprRef]]:
    """Variables no move changes, with their values: a component that never
    leaves its one location, a parameter no call changes (``i`` of ``Number(i, v)``).
    Folding them away keeps the formulas small for the solvers."""
    out = []
    for comp in network.components:
        mine = [s for s in comp.summands]
        if all(s.location == s.target == comp.start for s in mine):
            out.append((comp.pc, z3.IntVal(comp.start)))
        assigned = {name for s in mine for name, _ in s.effect}
        assigned |= {name for s in mine for name in comp.slots
                     if name not in comp.scopes[s.target]}
        out += [(var, _initial(network, comp, var)) for name, var in comp.slots.items()
                if name not in assigned]
    return out


def _step(v: z3.ExprRef, k: int) -> z3.ExprRef:
    return z3.Const(f"{v.decl().name()}#{k}", v.sort())


QE_MS = 1000
"""Time for one quantifier elimination before the quantifier is kept."""


def eliminate(formula: z3.BoolRef, variables: tuple[z3.ExprRef, ...] | list) -> z3.BoolRef:
    """``∃ variables. formula`` without the quantifier where z3 can eliminate it.

    Example:
        >>> x, b = z3.Ints("x b")
        >>> eliminate(z3.And(x <= b, x > 0), [x])
        b >= 1
    """
    if not variables:
        return formula
    exists = z3.Exists(list(variables), formula)
    try:
        # qe can blow up (integer division, many inputs): a bounded try, else keep ∃
        goals = z3.Then(z3.TryFor(z3.Tactic("qe"), QE_MS), z3.Tactic("simplify"))(exists)
        result = z3.And(*goals[0]) if len(goals) == 1 else exists
    except z3.Z3Exception:
        return exists
    if z3.is_quantifier(result) or any(z3.is_quantifier(a) for a in _children(result)):
        return exists
    result = z3.simplify(result)
    return result if _same(exists, result) else exists


def _same(exists: z3.BoolRef, result: z3.BoolRef) -> bool:
    """Whether ``result`` is equivalent to ``exists``, proved by the solver.

    z3's ``qe`` tactic can be wrong with integer ``%`` and ``/``: on
    ``∃x. n == 1 ∧ 0 <= x <= 2 ∧ 1 == (n + x) % 3`` (true for ``n = 1``) z3 4.x
    answers ``n == 1 ∧ (1 + n) % 3 == 0`` (false), which made the symbolic
    engine see deadlocks that do not exist. So an elimination is used only when
    the solver proves it equivalent within :data:`QE_MS`; otherwise the ∃ stays.
    """
    solver = z3.Solver()
    solver.set("timeout", QE_MS)
    solver.add(z3.Xor(exists, result))
    return solver.check() == z3.unsat


def _children(e: z3.ExprRef) -> list[z3.ExprRef]:
    return e.children() if z3.is_app(e) else []


TICK_CHANNEL = TICK
