"""Searching and proving on a :class:`~procalg.symbolic.system.System`.

Three procedures, tried in this order until one answers:

1. *Bounded model checking* (Biere, Cimatti, Clarke & Zhu, "Symbolic model
   checking without BDDs", TACAS 1999): unroll the relation one step at a
   time (incrementally, one solver) and ask whether ``bad`` can hold at
   depth k, for k = 0, 1, ... up to the bound. A model is a path, with data.
2. *k-induction* (Sheeran, Singh & Stålmarck, "Checking safety properties
   using induction and a SAT-solver", FMCAD 2000): if no path of k good
   states can step into a bad one, and BMC found no bad state within k
   steps, no reachable state is bad.
3. *Constrained Horn clauses* solved by Spacer (Komuravelli, Gurfinkel &
   Chaki, "SMT-based model checking for recursive programs", CAV 2014):
   ``Inv(s) ⇐ init(s)``, ``Inv(s') ⇐ Inv(s) ∧ T(s, s')``, ``false ⇐ Inv(s) ∧
   bad(s)``; a solution is an inductive invariant that excludes ``bad``.

Each satisfiability query is NP-hard at best (undecidable with non-linear
integer arithmetic); every step has a time limit and ``unknown`` is an
answer, never a guess.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.symbolic.compose import translate_network, _expr
    >>> spec = loads("channel c : Int\\nP(n) = c!n -> P(n + 2)").spec
    >>> net = translate_network(spec, _expr("P(1)"))
    >>> n = net.components[0].slots["n"]
    >>> answer = solve(System(net, Goal(n % 2 == 0)), Limits(depth=5))
    >>> answer.found, answer.method
    (False, 'k-induction (k = 1)')
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import z3

from procalg.symbolic.system import Goal, System, eliminate

__all__ = ["Answer", "Goal", "Limits", "System", "solve"]


@dataclass(frozen=True)
class Limits:
    """How far to search: the BMC depth and the wall time for all three procedures."""

    depth: int = 30
    seconds: float = 60.0
    induction_depth: int = 8


@dataclass(frozen=True)
class Answer:
    """What the procedures found.

    Attributes:
        found: ``True`` a bad state is reachable (``path`` leads there);
            ``False`` proved unreachable; ``None`` unknown.
        path: the model of the path: z3 model and its length (when found).
        method: how the answer was obtained (``BMC``, ``k-induction (k = 2)``,
            ``Spacer``), or why there is none.
        invariant: the inductive invariant Spacer found (when it proved).
        depth: how deep BMC searched.
    """

    found: bool | None
    method: str
    depth: int = 0
    model: z3.ModelRef | None = None
    invariant: z3.ExprRef | None = None
    seconds: float = 0.0


def solve(system: System, limits: Limits) -> Answer:
    """BMC with k-induction to a shallow depth, then Spacer, then BMC to the bound.

    Deep BMC queries cost more and more (the unrolled formula grows with the
    depth), while Spacer often proves in a fraction of a second what no
    k-induction closes; so the shallow search comes first (short
    counterexamples, cheap proofs), Spacer gets 80% of the time left, and BMC
    spends the rest going deeper. When Spacer has shown that a bad state is
    reachable (it refutes every invariant) and the bound is reached first, BMC
    goes on past the bound while time is left: the shortest counterexample is
    known to exist, and an answer beats "raise --bmc-depth".

    Example:
        >>> from procalg.api.model import loads
        >>> from procalg.symbolic.compose import translate_network, _expr
        >>> spec = loads("channel c : Int\\nP(n) = c!n -> P(n + 1)").spec
        >>> net = translate_network(spec, _expr("P(0)"))
        >>> n = net.components[0].slots["n"]
        >>> answer = solve(System(net, Goal(n == 12)), Limits(depth=10))
        >>> answer.found, answer.depth
        (True, 12)
    """
    started = time.perf_counter()
    deadline = started + limits.seconds

    def left(share: float = 1.0) -> int:
        return max(1, int((deadline - time.perf_counter()) * 1000 * share))

    bmc, induction = _Unrolling(system, left, base=True), _Unrolling(system, left, base=False)
    shallow = min(limits.depth, SHALLOW)
    depth, reasons, closed = -1, [], False
    for k in range(limits.depth + 1):
        if k == shallow + 1:
            invariant, why = _spacer(system, lambda: left(0.8))
            if invariant is not None:
                return _timed(Answer(False, "Spacer", depth, invariant=invariant), started)
            reasons.append(f"Spacer: {why}")
        result = bmc.bad_at(k)
        if result == z3.sat:
            return _timed(Answer(True, f"BMC (depth {k})", k, bmc.model), started)
        if result == z3.unknown:
            reasons.insert(0, f"BMC stopped at depth {k}: {_why(left)}")
            break
        depth = k
        if not closed and k + 1 <= limits.induction_depth:
            step = induction.bad_at(k + 1)  # k+1 good states cannot step into a bad one
            if step == z3.unsat:
                return _timed(Answer(False, f"k-induction (k = {k + 1})", k), started)
            closed = step == z3.unknown
    else:
        if f"Spacer: {REACHABLE}" in reasons:
            found = _past_bound(bmc, depth, left)
            if found is not None:
                return _timed(Answer(True, f"BMC (depth {found}, past --bmc-depth {depth}: "
                                           "Spacer showed a counterexample exists)",
                                     found, bmc.model), started)
        reasons.insert(0, f"no counterexample up to depth {depth} (--bmc-depth)")
    reasons.insert(1, f"not k-inductive for k <= {min(limits.induction_depth, depth + 1)}")
    if depth <= shallow and not any(r.startswith("Spacer") for r in reasons):
        invariant, why = _spacer(system, left)
        if invariant is not None:
            return _timed(Answer(False, "Spacer", depth, invariant=invariant), started)
        reasons.append(f"Spacer: {why}")
    return _timed(Answer(None, "; ".join(reasons), depth), started)


def _past_bound(bmc: _Unrolling, depth: int, left) -> int | None:
    """The least depth past ``depth`` at which BMC finds the bad state, or None
    when time runs out first (each query is bounded by what is ``left``)."""
    k = depth + 1
    while left() > 1:
        result = bmc.bad_at(k)
        if result == z3.sat:
            return k
        if result == z3.unknown:
            return None
        k += 1
    return None


REACHABLE = "a counterexample exists deeper than BMC has searched"
"""Spacer's verdict when it refutes every invariant: a bad state is reachable."""

SHALLOW = 8
"""BMC depth searched before Spacer is asked (see :func:`solve`)."""


def _timed(answer: Answer, started: float) -> Answer:
    return Answer(answer.found, answer.method, answer.depth, answer.model, answer.invariant,
                  time.perf_counter() - started)


def _why(left) -> str:
    return "time limit" if left() <= 1 else "the solver gave up (unknown)"


class _Unrolling:
    """One incremental solver over a growing path.

    ``base``: the path starts in an initial state (BMC). Otherwise it starts
    anywhere and every state before the last is good (the induction step;
    Sheeran et al. 2000), program counters kept within their locations.
    """

    def __init__(self, system: System, left, *, base: bool) -> None:
        self.system, self.left, self.base = system, left, base
        self.solver = z3.Solver()
        self.length = 0
        if base:
            self.solver.add(system.at(system.init, 0))
        else:
            self.good = z3.Not(eliminate(system.bad, system.inputs))
            self.solver.add(*_well_formed(system, 0))

    def bad_at(self, k: int) -> z3.CheckSatResult:
        while self.length < k:
            j = self.length
            if not self.base:
                self.solver.add(self.system.at(self.good, j), *_well_formed(self.system, j + 1))
            self.solver.add(self.system.transition(j))
            self.length += 1
        self.solver.push()
        self.solver.add(self.system.at(self.system.bad, k))
        result = bounded_check(self.solver, self.left())
        self.model = self.solver.model() if result == z3.sat else None
        self.solver.pop()
        return result


def _well_formed(system: System, k: int) -> list[z3.BoolRef]:
    """Program counters within their components' locations (cheap strengthening)."""
    out = []
    for comp in system.network.components:
        pc = system.var(comp.pc, k)
        out += [pc >= 0, pc < len(comp.locations)]
    return out


GRACE_MS = 500
"""How long past its timeout a check may run before it is interrupted."""


def bounded_check(solver: z3.Solver, ms: int) -> z3.CheckSatResult:
    """``solver.check()`` that gives up ``ms`` milliseconds from now (``unknown``).

    z3's ``timeout`` parameter is soft for some engines: Spacer's HORN solver
    ran a 1 s search for more than 15 minutes. So a timer also interrupts the
    solver's context :data:`GRACE_MS` after the timeout; the check then
    returns ``unknown`` (or raises ``Z3Exception``, which callers treat alike).

    Example:
        >>> s = z3.Solver()
        >>> x = z3.Int("x")
        >>> s.add(x > 2)
        >>> bounded_check(s, 1000)
        sat
    """
    solver.set(timeout=ms)
    timer = threading.Timer((ms + GRACE_MS) / 1000, solver.ctx.interrupt)
    timer.daemon = True
    timer.start()
    try:
        return solver.check()
    finally:
        timer.cancel()


def _spacer(system: System, left) -> tuple[z3.ExprRef | None, str]:
    state, nxt = system.state, system.next
    inv = z3.Function("Inv", *(v.sort() for v in state), z3.BoolSort())
    solver = z3.SolverFor("HORN")
    solver.add(z3.ForAll(state, z3.Implies(system.init, inv(*state))))
    for move in system.moves:  # one clause per move: Spacer works clause by clause
        solver.add(z3.ForAll(state + nxt + system.inputs,
                             z3.Implies(z3.And(inv(*state), move), inv(*nxt))))
    solver.add(z3.ForAll(state + system.inputs,
                         z3.Implies(z3.And(inv(*state), system.bad), False)))
    try:
        result = bounded_check(solver, left())
    except z3.Z3Exception as err:
        return None, str(err)
    if result == z3.sat:
        return solver.model().eval(inv(*state)), ""
    if result == z3.unsat:
        return None, REACHABLE
    return None, solver.reason_unknown() or "unknown"
