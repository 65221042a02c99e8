"""A hiding state's moves made from its operand's moves as columns.

Part of :mod:`procalg.semantics.linear_vector`: a state ``("hide", A, p)``
(``P \\ A`` inside a compiled body, :mod:`procalg.semantics.linear_operators`)
whose operand ``p`` is a call of a vectorised definition is grouped with the
other hidings of set ``A`` over that definition's states; the group's operand
moves are made as columns, then the hiding rule of Roscoe's *Understanding
Concurrent Systems* (2010, §5.1) is applied per distinct label and per
distinct target, not per move: an event in ``A`` becomes τ, ✓ and ``throw``
end the process (Ω, THROWN), and every other target ``q`` becomes the hiding
of ``q`` (nested sets flattened by
:meth:`~procalg.semantics.linear_operators.OperatorMoves.hidden`). The order of
the moves is the operand's, as the per-state rule lists them.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.linear import Machine
    >>> from procalg.semantics.linear_vector import VectorMoves
    >>> model = loads("channel a : {0..3}\\nchannel b\\nQ(x) = R(x) \\\\ {|a|}\\n"
    ...               "R(x) = a.x -> b -> Q((x+1)%4)")
    >>> machine = Machine(model.spec.evaluator, model.process("Q(0)"))
    >>> vector = VectorMoves(machine)
    >>> pos, label, dst = vector.batch([machine.initial_state()] * 2)
    >>> sorted({vector.labels[i] for i in label.tolist()}), machine.keys[int(dst[0])][0]
    (['τ'], 'hide')
"""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING, Any

import numpy as np

from procalg.errors import ProcalgError
from procalg.lts import TAU, TICK
from procalg.semantics.kinds import names_in
from procalg.semantics.linear_vector_body import (
    Program,
    all_variables,
    body_branches,
    call_of,
)
from procalg.semantics.linear_vector_rows import distinct
from procalg.semantics.linear_vector_targets import call_targets, slow_targets
from procalg.semantics.locations import AT_HIDE
from procalg.semantics.vector_exprs import Columns, Mismatch, NotVector
from procalg.syntax import ast
from procalg.terms.saga import THROW_EVENT

if TYPE_CHECKING:
    from procalg.semantics.linear import Machine
    from procalg.semantics.linear_vector import VectorMoves
    from procalg.semantics.linear_vector_body import Labeller, Target


def operand_programs(machine: Machine, programs: dict[str, Program],
                     labeller: Labeller) -> dict[int, str]:
    """Compile the operand of each ``P(xs) = E \\ A`` (``E`` no call, ``A`` reading
    no parameter) into ``programs`` as ``P\\`` (no definition's name); the
    operand nodes' ids -> those names (a state there is ``E`` in ``P``'s scope).
    """

    found: dict[int, str] = {}
    for name in list(machine.compiler.bodies):
        made = operand_program(machine, name, labeller)
        if made is not None:
            programs[name + "\\"] = made[1]
            found[made[0]] = name + "\\"
    return found


def operand_call(operands: dict[int, str], programs: dict[str, Program],
                 where: tuple[Any, Any]) -> tuple[str, tuple] | None:
    """The program and arguments of a state whose node and environment are
    ``where``, if it is an operand of :func:`operand_programs` (else None)."""
    name = operands.get(id(where[0]))
    if name is None or type(where[1]) is not dict:
        return None
    params, env = programs[name].params, where[1]
    if len(env) != len(params) or any(p not in env for p in params):
        return None
    return name, tuple([env[p] for p in params])


def hide_columns(machine: Machine, labels: list[str], label_id: dict[str, int],
                 number: int, label: np.ndarray, dst: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The labels and targets of operand moves ``(label, dst)`` under hiding set
    ``number`` (``labels``/``label_id``: the batch's label table, τ added to it).

    Per distinct label: hidden to τ, ✓ (target Ω) or ``throw`` (target THROWN);
    per distinct other target: its hiding, numbered by the machine.
    """
    tau = label_id.get(TAU)
    if tau is None:
        tau = label_id[TAU] = len(labels)
        labels.append(TAU)
    throw = machine._name(THROW_EVENT)
    out_label, out_dst = label.copy(), dst.copy()
    ends = np.zeros(len(label), dtype=bool)
    for lab in np.unique(label).tolist():
        name = labels[lab]
        at = label == lab
        if name in (TICK, throw):
            out_dst[at] = machine._end("Ω" if name == TICK else "THROWN")
            ends |= at
        elif name != TAU and machine._member(number, name):
            out_label[at] = tau
    wrap = np.flatnonzero(~ends)
    if len(wrap):
        distinct, back = np.unique(dst[wrap], return_inverse=True)
        hidden = machine.hidden
        made = np.array([hidden(number, d) for d in distinct.tolist()], dtype=np.int64)
        out_dst[wrap] = made[np.asarray(back).ravel()]
    return out_label, out_dst


def hidden_targets(vector: VectorMoves, target: Target, cols: Columns, n: int) -> np.ndarray:
    """The targets of calls of ``Q(xs) = E \\ A`` (``target.hide``: ``A``'s number,
    ``target.outer``: ``xs`` bound to the call's arguments): ``E``'s states, a
    call's by the columns or an operand's by the machine once per distinct row,
    each hidden once per distinct state."""
    bound: Columns = {}
    for param, code in target.outer:
        values, kind, bad = code(cols, n)
        if bad is not None and bad.any():
            raise Mismatch("an argument raises")  # the per-state path raises it
        bound[param] = (values, kind)
    if target.node is not None:
        first, back = distinct([v for v, _ in bound.values()], n)
        rows = {k: (v[first], kind) for k, (v, kind) in bound.items()}
        inner = slow_targets(vector, target, rows, len(first))[back]
    else:
        inner = call_targets(vector, target, bound, n)
    states, back = np.unique(inner, return_inverse=True)
    hidden, number = vector.machine.hidden, target.hide
    made = np.array([hidden(number, s) for s in states.tolist()], dtype=np.int64)
    return made[np.asarray(back).ravel()]


def operand_program(machine: Machine, name: str, labeller: Labeller
                    ) -> tuple[int, Program] | None:
    """For ``P(xs) = E \\ A`` (``E`` no call, ``A`` reading no parameter): the id of
    ``E``'s node and ``E``'s program over ``xs``; else None."""
    ev, compiler = machine.ev, machine.compiler
    info = ev.functions.get(name)
    if info is None or info.let is not None or info.captured or len(info.clauses) != 1 \
            or type(info.clauses[0].body) is not ast.HideExpr or name in ev.growth:
        return None
    clause = info.clauses[0]
    params = clause.params or ()
    body: Any = clause.body
    if not all_variables(ev, params) or call_of(body.process) is not None:
        return None
    names = [p.name for p in params]  # type: ignore[attr-defined]
    node = compiler.definition(name)[0][1]
    if names_in(body.hidden) & set(names) or node.kind != AT_HIDE:
        return None
    try:
        branches = body_branches(machine, body.process, frozenset(names), [], labeller, (name,))
    except (NotVector, ProcalgError):
        return None
    return id(node.parts[0]), Program(tuple(names), branches)


def hides_columns(machine: Machine, name: str, programs: Container[str]) -> bool:
    """Whether ``name`` is ``Q(xs) = R(es) \\ A`` with ``R`` in ``programs`` and ``A``
    reading no parameter: its states expand as ``R``'s columns, hidden."""
    info = machine.ev.functions.get(name)
    if info is None or info.let is not None or info.captured or len(info.clauses) != 1 \
            or type(info.clauses[0].body) is not ast.HideExpr:
        return False
    clause = info.clauses[0]
    params = clause.params or ()
    inner = call_of(clause.body.process)  # type: ignore[attr-defined]
    names = {p.name for p in params if type(p) is ast.PVar}
    return inner is not None and inner[0] in programs and all_variables(machine.ev, params) \
        and not names_in(clause.body.hidden) & names  # type: ignore[attr-defined]
