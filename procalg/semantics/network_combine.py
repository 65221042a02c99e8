"""One compiled operator's network from its operands' (the network compiler's last step).

:func:`procalg.semantics.network.compile_network` walks a term's operator tree
post-order; each compiled operator becomes synchronisation rules
(:mod:`procalg.lts.network`: parallel, hiding, renaming), a control component
(:mod:`procalg.lts.control`, :mod:`procalg.lts.control_sync`: ``;``, choices,
interrupts, prefixes, inputs) or ranks (:mod:`procalg.lts.priority`).

Example:
    >>> from procalg.lts import LTS
    >>> from procalg.lts.network import component
    >>> from procalg.terms import Event, Hide, STOP
    >>> done = [component(LTS.build(1, 0, ["a"], [(0, "a", 0)]))]
    >>> [r.label for r in combine(Hide(STOP, frozenset({Event("a")})), done).rules]
    ['τ']
"""

from __future__ import annotations

from procalg.lts import control as ctl
from procalg.lts import control_sync, priority
from procalg.lts.network import Network, alpha_parallel, hide, parallel, rename
from procalg.semantics.network_shape import input_branches
from procalg.semantics.priority import priority_source
from procalg.terms import (
    AlphaParallel,
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
    Timeout,
)
from procalg.terms.synchronising import SyncChoice, SyncInterrupt

_COMBINE = {Seq: ctl.sequence, ExternalChoice: ctl.external_choice,
            InternalChoice: ctl.internal_choice, Interrupt: ctl.interrupt,
            Timeout: ctl.timeout}


def label_names(events: frozenset) -> frozenset[str]:
    """The network labels of a set of events (their printed names).

    Example:
        >>> from procalg.terms import Event
        >>> sorted(label_names(frozenset({Event("c", (1,)), Event("d", ())})))
        ['c.1', 'd']
    """
    return frozenset(str(e) for e in events)


def combine(term: Process, done: list[Network]) -> Network:
    """The network of compiled ``term`` from its operands' (popped from ``done``)."""
    source = priority_source(term)
    if source is not None:
        assert source.rank is not None  # the others nest
        return priority.prioritise(done.pop(), {str(e): k for e, k in source.rank.items()})
    if isinstance(term, Hide):
        return hide(done.pop(), label_names(term.hidden))
    if isinstance(term, Prefix):
        return ctl.prefix(str(term.event), done.pop())
    if isinstance(term, Rename):
        return rename(done.pop(), term.relation.name_images)  # never listed: a rule
    if isinstance(term, Input):
        events, branches = input_branches(term)
        operands = done[-len(branches):]
        del done[-len(branches):]
        return ctl.input_prefix([(str(e), i) for e, i in events], operands)
    right = done.pop()
    left = done.pop()
    if isinstance(term, ExceptionOp):
        return ctl.exception(left, right, label_names(term.sync))
    if isinstance(term, SyncChoice):
        return control_sync.sync_choice(left, right, label_names(term.sync))
    if isinstance(term, SyncInterrupt):
        return control_sync.sync_interrupt(left, right, label_names(term.sync))
    if isinstance(term, Parallel):
        return parallel(left, right, label_names(term.sync))
    if isinstance(term, AlphaParallel):
        return alpha_parallel(left, right, label_names(term.left_alpha),
                              label_names(term.right_alpha))
    return _COMBINE[type(term)](left, right)
