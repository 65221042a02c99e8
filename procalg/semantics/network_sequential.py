"""A process with no parallel to compile: one sequential component, as a leaf is.

:func:`procalg.semantics.network.compile_network` gives a process whose
operator tree holds no parallel composition (or recurses through the operators
at its top) this one component: FDR's low-level machine, explored by the
network's leaves (:class:`~procalg.semantics.leaves.Leaves`: a compiled
machine, lazily past :data:`~procalg.lts.leaf_choice.EAGER_LIMIT` states).

Example:
    >>> from procalg.semantics.sos import Rules
    >>> from procalg.terms import SKIP, Event, Prefix
    >>> rules = Rules(None)
    >>> net = sequential(Prefix(Event("a"), SKIP), Leaves(rules, None), None)
    >>> net.notes[0], net.components[0].num_states
    ('one sequential component', 3)
"""

from __future__ import annotations

from dataclasses import replace

from procalg.errors import LimitExceeded, ProcalgError
from procalg.lts import control as ctl
from procalg.lts.network import Network, close, component
from procalg.semantics.leaves import Leaves
from procalg.semantics.network_shape import NotApplicable
from procalg.terms import Process
from procalg.terms.saga import THROW_EVENT


def sequential(top: Process, leaves: Leaves, max_states: int | None) -> Network | NotApplicable:
    """The whole process as one component, as a leaf is (FDR's low-level machine).

    No input is too wide: with no partners to ask, the term rules expand every
    value too. A model error met while exploring is held in its state
    (:mod:`procalg.lts.held`) and raised where the term rules would meet it;
    one not held (a prioritise's operand: the terms explore it whole too) leaves
    the process to the term rules. Not reduced: the search
    visits each state once anyway, and the counts stay the term rules'.
    """
    try:
        closed = close(component(leaves.lts(top, lazy=True)))
    except LimitExceeded:
        return NotApplicable(f"a sequential component has more than {max_states} states")
    except ProcalgError as err:
        return NotApplicable(f"exploring it as one component failed: {err.message}")
    net = ctl.abortable(closed, str(THROW_EVENT))
    return replace(net, notes=("one sequential component", *leaves.notes(), *net.notes))
