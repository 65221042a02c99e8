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

from typing import TYPE_CHECKING

import numpy as np

from procalg.lts import TAU, TICK
from procalg.terms.saga import THROW_EVENT

if TYPE_CHECKING:
    from procalg.semantics.linear import Machine


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
