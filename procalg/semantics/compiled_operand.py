"""A compression's operand explored by the compiled engines, as FDR does.

FDR compiles the process a compression function is applied to with its
fast engine and compresses the compiled LTS (Roscoe, *Understanding
Concurrent Systems*, ch. 16; Gibson-Robinson et al., "FDR3", TACAS 2014).
Here the operand goes, in this order, to

1. the product engine, where it is a network (a parallel operator lies
   below its top: :func:`procalg.semantics.network.compile_network` then
   :func:`procalg.lts.product.explore_product`, components reduced modulo
   strong bisimulation first, which keeps the product strongly bisimilar;
   a leaf's wide input too, which the term rules would enumerate all the
   same: RoboChart's state machines read their environment's sequences);
2. a leaf under nothing but hiding: the leaf's LTS (a compiled
   :class:`~procalg.semantics.linear.Machine`, a compressed table, or the
   term rules, chosen by :class:`~procalg.semantics.leaves.Leaves`) with the
   hidden labels made τ (the leaf is explored once: a leaf over the budget
   raises at once, not after the network compiler explored it as well);

and :func:`operand_lts` gives ``None`` where neither applies (the caller
explores by the term rules). The compiled LTS has label names; the
compressed term needs the events themselves, which :class:`EventNames`
finds among the channels' declared events (``None`` again where a label is
none of them: a link or saga event).

Example:
    >>> from procalg.api import loads
    >>> model = loads("channel a, b\\nP = a -> b -> P\\nQ = (P [| {a} |] P) \\\\ {b}")
    >>> ev = model.spec.evaluator
    >>> lts, events = operand_lts(model.process("Q"), ev, 100)
    >>> lts.num_states, sorted(str(e) for e in events[2:])
    (4, ['a'])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from procalg.errors import ProcalgError
from procalg.lts import LTS, TAU, TICK
from procalg.lts.partition import bfs_renumber
from procalg.lts.product import Limits, explore_product
from procalg.lts.tau import effective_labels
from procalg.semantics.leaves import Leaves
from procalg.semantics.sos import Rules
from procalg.terms import Hide, Process

WIDEST_CHANNEL = 200_000
"""A channel with more events than this is not listed to find a label's event
(the operand is explored by the term rules instead, which record them)."""


class _Compiled:
    """What :func:`~procalg.semantics.network.compile_network` reads of a loaded
    model: its rules and evaluator. No alphabet: every leaf is explored whole,
    as the compressed LTS needs every state anyway."""

    def __init__(self, evaluator: Any, rules: Rules) -> None:
        self.evaluator, self._rules = evaluator, rules

    def rules(self) -> Rules:
        return self._rules


def operand_lts(term: Process, evaluator: Any,
                max_states: int | None) -> tuple[LTS, list[Any]] | None:
    """``term``'s LTS explored by the compiled engines and each label's object
    (τ and ✓ as their names), or ``None`` where they do not apply.

    Raises:
        LimitExceeded: more than ``max_states`` states.
    """
    from procalg.semantics.network import Network, compile_network  # network imports us
    from procalg.semantics.network_shape import Shape

    rules = Rules(evaluator.unfold)
    rules.unfolded = _unfoldings(evaluator)
    top = rules.normalise(term)
    # a leaf (under hiding) goes straight to the leaf path: the network compiler
    # would explore it whole as one component and, over the budget, it was explored
    # a second time there (issue 9: every RoboChart node over the budget, twice)
    net = compile_network(top, _Compiled(evaluator, rules), reduce=True,
                          max_states=max_states, lazy=False, wide_inputs=True) \
        if Shape(rules).compiled(top) else None
    if isinstance(net, Network):
        lts = explore_product(net, Limits(max_states=max_states))
    else:
        lts = _hidden_leaf(top, Leaves(rules, max_states, None, None, evaluator))
        if lts is None:
            return None
    names = EventNames.of(evaluator)
    events = [names.event(label) for label in lts.labels]
    if any(e is None for e in events):
        return None
    return lts, events


def _unfoldings(evaluator: Any) -> dict:
    """One unfolding cache per model for every compression's rules (as ``Spec.rules``)."""
    found = getattr(evaluator, "compressed_unfoldings", None)
    if found is None:
        found = evaluator.compressed_unfoldings = {}
    return found


def _hidden_leaf(top: Process, leaves: Leaves) -> LTS | None:
    """A leaf under hiding only: its LTS with the hidden labels made τ."""
    hidden: set[str] = set()
    while type(top) is Hide:
        hidden |= {str(e) for e in top.hidden}
        top = top.process
    lts = leaves.lts(top)
    if not isinstance(lts, LTS):  # pragma: no cover - lazy leaves are not asked for
        return None
    if not hidden:
        return lts
    labels = effective_labels(lts).copy()
    for code, name in enumerate(lts.labels):
        if name in hidden:
            labels[labels == code] = 0
    return bfs_renumber(LTS.from_arrays(lts.num_states, lts.initial, lts.labels,
                                        lts.src, labels.astype(np.int64), lts.dst))


class EventNames:
    """Label names back to events: τ and ✓ stay names, an event is found among
    its channel's declared events (listed once per channel, on first use).

    Example:
        >>> from procalg.api import loads
        >>> names = EventNames.of(loads("channel c : {0..2}").spec.evaluator)
        >>> names.event("c.1"), names.event("✓"), names.event("d")
        (Event(channel='c', fields=(1,)), '✓', None)
    """

    def __init__(self, types: Any) -> None:
        self.types = types
        self.found: dict[str, Any] = {TAU: TAU, TICK: TICK}
        self.listed: set[str] = set()

    @classmethod
    def of(cls, evaluator: Any) -> EventNames:
        """The model's one instance (kept on its evaluator)."""
        found = getattr(evaluator, "event_names", None)
        if found is None:
            found = evaluator.event_names = cls(evaluator.types)
        return found

    def event(self, name: str) -> Any:
        """The event printed as ``name``, or ``None`` if no channel declares it."""
        found = self.found.get(name)
        if found is None:
            self._list(name.split(".", 1)[0])
            found = self.found.get(name)
        return found

    def _list(self, channel: str) -> None:
        if channel in self.listed:
            return
        self.listed.add(channel)
        try:
            if math.prod(len(t) for t in self.types.channels[channel]) > WIDEST_CHANNEL:
                return
            for event in self.types.events_of(channel):
                self.found.setdefault(str(event), event)
        except (KeyError, ProcalgError, TypeError):  # no such channel, or an infinite type
            return
