"""FDR's synchronising operators over networks: ``P [+ A +] Q`` and ``P /+ A +\\ Q``.

Control components in the manner of :mod:`procalg.lts.control` (FDR's
supercombinators: Gibson-Robinson et al., TACAS 2014, section 3), with the
firing rules of :mod:`procalg.semantics.synchronising` (FDR manual,
"Synchronising External Choice" and "Synchronising Interrupt"): events of
``A`` are joint moves of both sides that leave the operator in place, so
unlike ``[]`` and ``/\\`` *both* sides may have moved before it is
resolved, and the side the resolution discards is reset to its initial
state (the term level drops it). After the resolution the surviving side
runs alone, events of ``A`` included.

Example:
    >>> from procalg.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> from procalg.lts.product import explore_product
    >>> p = LTS.build(3, 0, ["t", "a"], [(0, "t", 1), (1, "a", 2)])
    >>> q = LTS.build(3, 0, ["t", "b"], [(0, "t", 1), (1, "b", 2)])
    >>> net = close(sync_choice(component(p), component(q), frozenset({"t"})))
    >>> explore_product(net).num_states  # t together, then a or b: 4 states
    4
"""

from __future__ import annotations

from procalg.lts.control_node import ControlNode, rule_kind
from procalg.lts.lts import TAU, TICK
from procalg.lts.network import Network, SyncRule


def _moves_undecided(node: ControlNode, side: int, events: frozenset[str]) -> bool:
    """Whether ``side`` may leave its initial state while the operator is
    unresolved: by a τ or an event of ``A`` that may start."""
    return any(node.may_start(r) and (r.label == TAU or r.label in events)
               for r in node.rules[side])


def _joint(node: ControlNode, events: frozenset[str], name: str, phase: int) -> None:
    """Every pair of the two sides' rules on one event of ``events``, moving
    both sides together, with the control looping on ``phase``."""
    right: dict[str, list[SyncRule]] = {}
    for r in node.rules[1]:
        if r.label in events:
            right.setdefault(r.label, []).append(r)
    for lr in node.rules[0]:
        for rr in right.get(lr.label, ()) if lr.label in events else ():
            node.add(lr.label, (*lr.parts, *rr.parts, node.phase(name, (phase, phase))),
                     SyncRule(lr.label, (), None, lr.guards + rr.guards))


def _resolving(node: ControlNode, rule: SyncRule, side: int, own: int, omega: int,
               other_moved: bool) -> None:
    """``rule`` (a visible event outside ``A``, or ✓, of ``side``) resolves
    the operator for ``side`` from phase 0 (resetting the other side if it may
    have moved) and fires on in ``side``'s own phase; a ✓ ends the node."""
    tick = rule.label == TICK
    target = omega if tick else own

    def parts(name: str, *moves: tuple[int, int]) -> tuple:
        out = (*rule.parts, node.phase(name, *moves))
        return node.finish(out, side) if tick else out

    tag = f"\x00{side}{'✓' if tick else '!'}"
    if other_moved:
        node.add(rule.label, node.reset(parts(tag + "0", (0, target)), 1 - side), rule)
        node.add(rule.label, parts(tag, (own, target)), rule)
    else:
        node.add(rule.label, parts(tag, (0, target), (own, target)), rule)


def sync_choice(left: Network, right: Network, events: frozenset[str]) -> Network:
    """``left [+ A +] right``: control {0: undecided, 1: left, 2: right, 3: Ω}.

    A side's τ keeps the choice open; an event of ``A`` needs both sides and
    keeps it open; any other event or ✓ of a side resolves it (and resets the
    other side). Once resolved, the side runs alone, events of ``A`` included.

    Example:
        >>> from procalg.lts import LTS
        >>> from procalg.lts.network import component
        >>> p = LTS.build(2, 0, ["t"], [(0, "t", 1)])
        >>> sorted(r.label for r in sync_choice(component(p), component(p),
        ...                                     frozenset({"t"})).rules)
        ['t', 't', 't']
    """
    node = ControlNode((left, right), 4)
    moved = [_moves_undecided(node, side, events) for side in (0, 1)]
    for side in (0, 1):
        if moved[side]:
            node.resettable(side)
    _joint(node, events, "\x00A", 0)
    for side, own in ((0, 1), (1, 2)):
        for r in node.rules[side]:
            kind = rule_kind(r)
            if kind == TAU:
                node.guarded(r, f"\x00{side}τ", 0, own, side=side)
            elif kind == "event" and r.label in events:  # alone only once resolved
                node.add(r.label, (*r.parts, node.phase(f"\x00{side}A", (own, own))), r)
            elif kind in ("event", TICK):
                _resolving(node, r, side, own, 3, moved[1 - side])
    node.terminating(3)
    return node.network()


def sync_interrupt(left: Network, right: Network, events: frozenset[str]) -> Network:
    """``left /+ A +\\ right``: control {0: left runs, 1: right took over, 2: Ω}.

    ``left``'s τ and events outside ``A`` keep the operator, its ✓ ends it;
    events of ``A`` need both sides and keep it; ``right``'s τ keeps it,
    its other events (and ✓) take over, resetting ``left``.

    Example:
        >>> from procalg.lts import LTS
        >>> from procalg.lts.network import close, component
        >>> from procalg.lts.product import explore_product
        >>> p = LTS.build(2, 0, ["a"], [(0, "a", 0), (0, "✓", 1)])
        >>> q = LTS.build(2, 0, ["i"], [(0, "i", 1)])
        >>> explore_product(close(sync_interrupt(component(p), component(q),
        ...                                      frozenset()))).num_states
        3
    """
    node = ControlNode((left, right), 3)
    left_moved = node.can_move(0, tau_only=False)
    right_moved = _moves_undecided(node, 1, events)
    if left_moved:
        node.resettable(0)
    if right_moved:
        node.resettable(1)
    _joint(node, events, "\x00A", 0)
    for r in node.rules[0]:
        kind = rule_kind(r)
        if kind == TICK:
            parts = node.finish((*r.parts, node.phase("\x000✓", (0, 2))), 0)
            node.add(TICK, node.reset(parts, 1) if right_moved else parts)
        elif kind == TAU or (kind == "event" and r.label not in events):
            node.guarded(r, "\x000", 0, side=0)
    for r in node.rules[1]:
        kind = rule_kind(r)
        if kind == TAU:
            node.guarded(r, "\x001τ", 0, 1, side=1)
        elif kind == "event" and r.label in events:  # alone only once it took over
            node.add(r.label, (*r.parts, node.phase("\x001A", (1, 1))), r)
        elif kind in ("event", TICK):
            _resolving(node, r, 1, 1, 2, left_moved)
    node.terminating(2)
    return node.network()
