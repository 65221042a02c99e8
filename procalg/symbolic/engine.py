"""The symbolic engine's entry points: one function per property.

Each check translates the process (:mod:`~procalg.symbolic.compose`), states
what it looks for as a :class:`~procalg.symbolic.system.Goal`, runs
:func:`~procalg.symbolic.solve.solve`, and turns a path into a trace of
events with their data values, replayed on the reference rules
(:mod:`~procalg.symbolic.replay`) before it is reported.

Example:
    >>> from procalg.api.model import loads
    >>> spec = loads('''channel c : Int
    ... channel bad
    ... P = c?x:Int -> (if x * x == 1369 then bad -> STOP else P)''').spec
    >>> found = reachable(spec, _expr("P"), "bad", (), Limits(depth=4))
    >>> found.found, found.trace[0] in ("c.37", "c.-37"), found.trace[1]
    (True, True, 'bad')
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import z3

from procalg.symbolic import show
from procalg.symbolic.compose import Network, translate_network
from procalg.symbolic.fragment import OutsideFragment, data
from procalg.symbolic.linear import TAU, TICK
from procalg.symbolic.replay import replay
from procalg.symbolic.solve import Answer, Goal, Limits, System, solve
from procalg.syntax import ast
from procalg.terms import Event


@dataclass(frozen=True)
class Outcome:
    """A symbolic check's answer in the engine's own terms (the API makes it a
    ``CheckResult``).

    Attributes:
        found: the searched-for state is reachable (``True``), proved
            unreachable (``False``), or unknown (``None``).
        trace: the path's labels, τ included, events with their data.
        method: ``BMC (depth k)``, ``k-induction (k = 2)``, ``Spacer``, or
            why there is no answer.
        invariant: Spacer's inductive invariant in the model's names.
        state: the values of the parameters at the path's end.
        stats: counts for ``--stats``.
    """

    found: bool | None
    trace: tuple[str, ...] = ()
    method: str = ""
    invariant: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)


def deadlock(spec: Any, process: ast.Node, limits: Limits) -> Outcome:
    """Can the process reach a state with no move that has not terminated?"""
    net = translate_network(spec, process)
    system = System(net)
    system = System(net, Goal(system.deadlocked()))
    return _run(spec, process, system, limits, "deadlock")


def reachable(spec: Any, process: ast.Node, channel: str, fields: tuple,
              limits: Limits) -> Outcome:
    """Can the process do visible event ``channel.fields``?"""
    net = translate_network(spec, process)
    wanted = [z3.And(m.guard, *(f == net.codes.encode(v) for f, v in
                                zip(m.fields, fields, strict=True)))
              for m in net.moves if m.visible and m.channel == channel
              and len(m.fields) == len(fields)]
    goal = Goal(z3.Or(*wanted) if wanted else z3.BoolVal(False),
                event_moves=[i for i, m in enumerate(net.moves) if m.visible
                             and m.channel == channel and len(m.fields) == len(fields)],
                event=(channel, fields))
    return _run(spec, process, System(net, goal), limits, "event")


def has_trace(spec: Any, process: ast.Node, trace: tuple[Event, ...],
              limits: Limits) -> Outcome:
    """Can the process do ``trace`` (τ steps anywhere in between)?"""
    net = translate_network(spec, process)
    pos = z3.Int("trace position")
    nxt = z3.Int("trace position'")
    steps: dict[int, z3.BoolRef] = {}
    for i, m in enumerate(net.moves):
        if not m.visible:
            steps[i] = nxt == pos
            continue
        cases = [z3.And(pos == p, *(f == net.codes.encode(v) for f, v in
                                    zip(m.fields, e.fields, strict=True)))
                 for p, e in enumerate(trace) if e.channel == m.channel
                 and len(e.fields) == len(m.fields)]
        steps[i] = z3.And(z3.Or(*cases) if cases else z3.BoolVal(False), nxt == pos + 1)
    goal = Goal(pos == len(trace), monitor=[(pos, z3.IntVal(0))], step=steps)
    return _run(spec, process, System(net, goal), limits, "trace")


def invariant(spec: Any, process: ast.Node, expr: ast.Node, limits: Limits) -> Outcome:
    """Is ``expr`` over the components' parameters true in every reachable state?

    Raises:
        OutsideFragment: a name no component has, or that two components have.
    """
    net = translate_network(spec, process)
    env = {}
    from procalg.semantics.kinds import names_in

    for name in sorted(names_in(expr)):
        owners = [c for c in net.components if name in c.params or name in c.slots]
        if len(owners) > 1:
            raise OutsideFragment(
                f"'{name}' is a parameter of {len(owners)} components "
                f"({', '.join(c.name for c in owners)}): the invariant cannot tell which",
                expr.span, hint="rename the parameter in one of the components")
        if owners:
            env[name] = owners[0].slots[name]
        elif name not in spec.definitions:
            raise OutsideFragment(f"'{name}' is not a parameter of any component of the "
                                  "process", expr.span,
                                  hint="an invariant speaks of the components' parameters")
    formula = data(expr, env, net.codes, _globals(spec))
    if not z3.is_bool(formula):
        raise OutsideFragment("an invariant is a condition (true or false)", expr.span)
    return _run(spec, process, System(net, Goal(z3.Not(formula))), limits, "invariant")


def _globals(spec: Any):
    from procalg.symbolic.compose import global_values

    return global_values(spec)


def _run(spec: Any, process: ast.Node, system: System, limits: Limits, what: str) -> Outcome:
    started = time.perf_counter()
    answer = solve(system, limits)
    net = system.network
    stats = {"engine": "symbolic", "components": len(net.components),
             "locations": sum(len(c.locations) for c in net.components),
             "summands": sum(len(c.summands) for c in net.components),
             "moves": len(net.moves), "depth": answer.depth, "method": answer.method}
    if answer.found is not True:
        inv = _readable(system, answer.invariant) if answer.invariant is not None else None
        if inv is not None:
            stats["legend"] = _legend(net, inv)
        return Outcome(answer.found, (), answer.method, inv, {}, stats)
    trace, state = _path(system, answer)
    if what == "event":
        trace = (*trace, _final_event(system, answer))
    replay(spec, process, trace, deadlock=what == "deadlock")
    stats["replayed"] = time.perf_counter() - started
    return Outcome(True, trace, answer.method, None, state, stats)


def _value(system: System, model: z3.ModelRef, term: z3.ExprRef, k: int) -> Any:
    return system.network.codes.decode(model.eval(system.at(term, k), model_completion=True))


def _label(system: System, model: z3.ModelRef, index: int, k: int) -> str:
    move = system.network.moves[index]
    if not move.visible:
        return TAU
    if move.channel == TICK:
        return TICK
    return str(Event(move.channel, tuple(_value(system, model, f, k) for f in move.fields)))


def _path(system: System, answer: Answer) -> tuple[tuple[str, ...], dict[str, Any]]:
    model = answer.model
    assert model is not None
    labels = []
    for k in range(answer.depth):
        index = model.eval(z3.Int(f"move@@{k}"), model_completion=True).as_long()
        labels.append(_label(system, model, index, k))
    state = {}
    for comp in system.network.components:
        # a parameter dead at the final location is unconstrained there (any value
        # fits the path): show only those in scope, as the explicit engines do
        pc = model.eval(system.at(comp.pc, answer.depth), model_completion=True).as_long()
        live = set(comp.scopes[pc]) if 0 <= pc < len(comp.scopes) else set()
        for name in sorted(comp.params & live):
            if name in comp.slots:
                state[_display(system.network, comp, name)] = _value(
                    system, model, comp.slots[name], answer.depth)
    return tuple(labels), state


def _final_event(system: System, answer: Answer) -> str:
    """The event a reachability goal ends with: the enabled move on it, with its fields."""
    model = answer.model
    assert model is not None
    assert system.goal.event is not None
    channel, fields = system.goal.event
    for index in system.goal.event_moves:
        move = system.network.moves[index]
        wanted = z3.And(move.guard, *(f == system.network.codes.encode(v)
                                      for f, v in zip(move.fields, fields, strict=True)))
        if z3.is_true(model.eval(system.at(wanted, answer.depth), model_completion=True)):
            return _label(system, model, index, answer.depth)
    return str(Event(channel, tuple(fields)))


def _display(net: Network, comp: Any, name: str) -> str:
    shared = sum(1 for c in net.components if name in c.slots) > 1
    return f"{name}[{comp.name}]" if shared else name


def _readable(system: System, formula: z3.ExprRef) -> str:
    """Spacer's invariant in the model's names: parameters as written, program
    counters as ``at(Component)`` (location numbers are listed by ``--stats``)."""
    net = system.network
    pairs = []
    for comp in net.components:
        pairs.append((comp.pc, z3.Int(f"at({comp.name})")))
        for name, var in comp.slots.items():
            pairs.append((var, z3.Const(_display(net, comp, name), var.sort())))
    for var, _ in system.goal.monitor:
        pairs.append((var, z3.Const(str(var).replace(" ", "_"), var.sort())))
    return show.formula(z3.simplify(z3.substitute(formula, *pairs)))


def _legend(net: Network, invariant: str) -> list[str]:
    """``at(C) = k`` for the components an invariant mentions: where location k is."""
    from procalg.syntax.pretty import pretty

    out = []
    for comp in net.components:
        if f"at({comp.name})" not in invariant:
            continue
        for number, node in enumerate(comp.locations):
            if node is None:
                where, text = "", "terminated (after ✓)"
            else:
                span = node.span
                where = f"line {span.line}:{span.column} " if span else ""
                text = " ".join(pretty(node).split())
                text = text if len(text) <= 50 else text[:47] + "..."
            out.append(f"at({comp.name}) = {number}: {where}{text}")
    return out


def _expr(text: str) -> ast.Node:
    from procalg.syntax import parse_expr

    return parse_expr(text)


__all__ = [
    "TAU",
    "Limits",
    "Outcome",
    "OutsideFragment",
    "deadlock",
    "has_trace",
    "invariant",
    "reachable",
]
