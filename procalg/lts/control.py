"""Control components: any CSP operator on top of networks (FDR's supercombinators).

:mod:`procalg.lts.network` compiles parallel, hiding and renaming into
synchronisation rules. The other operators -- ``P ; Q``, ``P [] Q``,
``P |~| Q``, ``P /\\ Q``, ``P [> Q``, ``P [| A |> Q``, ``e -> P`` and the abort of a
``throw`` -- need to remember a *phase* (has ``P`` terminated? has the choice
been decided?). As in FDR's supercombinators (Gibson-Robinson et al., "FDR3
-- a modern refinement checker for CSP", TACAS 2014, section 3), each such
node adds one tiny *control component* whose state is the phase, and every
rule of an operand gets a part on it where the phase matters. The product
engine sees an ordinary :class:`~procalg.lts.network.Network`.

The rules follow Roscoe (*Understanding Concurrent Systems*, ch. 9), as
:mod:`procalg.semantics.sos` does. Three devices keep the product's state
count equal to the term-level one where the terms allow it:

* A *guard* part is added only to the operand rules that may fire while the
  operand's components all sit in their initial states: an operand leaves
  its initial state only by such a rule, so the others need no guard.
* A side that is discarded while it may have moved by τ (the loser of a
  choice, a timed-out ``P``, an interrupted ``P``) is *reset*: the deciding
  rule moves its components back to their initial states (label
  :data:`RESET`), so stale local states never multiply the product.
* When a choice-like node terminates, the terminating side *settles* back to
  its initial state too (its parts in the ✓ rule take an "ℓ, then initial"
  twin; its other components sit in a ``DONE`` state or their initial state
  and take :data:`SETTLE`), so the node has one Ω state whichever side
  ended it, as the term level has one Ω.

A backward step (counterexample reconstruction, the deadlock check's
"entered by ✓" test) fans out over a reset's sources: settles come only
from ``DONE`` or initial states, and full resets are used only where a side
may really be anywhere, and only while its local states multiply to at most
:data:`~procalg.lts.control_node.RESET_LIMIT` (else the side stays, fully
guarded: bisimilar, more states). The node under construction, with its
guards, resets and settles, is :class:`~procalg.lts.control_node.ControlNode`;
this module holds one function per operator.

Example:
    >>> from procalg.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> p = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "✓", 1)])
    >>> net = close(sequence(component(p), component(p)))
    >>> from procalg.lts.product import explore_product
    >>> explore_product(net).num_states  # a, τ, a, ✓: five states as for a->SKIP;a->SKIP
    5
"""

from __future__ import annotations

from dataclasses import replace

from procalg.lts.control_node import LOOP, RESET_LIMIT, ControlNode, rule_kind
from procalg.lts.control_node import RESET as RESET  # its rules' labels, re-exported
from procalg.lts.control_node import SETTLE as SETTLE
from procalg.lts.lts import LTS, TAU, TICK
from procalg.lts.network import DONE, Network


def sequence(first: Network, second: Network) -> Network:
    """``first ; second``: control {0: first, 1: second}.

    ``first``'s ✓ becomes τ moving the phase to 1; ``second``'s rules that may
    start need phase 1; the node's ✓ and ``DONE`` are ``second``'s. ``first``'s
    other rules need no guard: after its ✓ only its ``DONE`` rules are enabled.

    Example:
        >>> from procalg.lts import LTS
        >>> from procalg.lts.network import component
        >>> p = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "✓", 1)])
        >>> sorted(r.label for r in sequence(component(p), component(p)).rules)[1:]
        ['a', 'a', 'τ', '✓']
    """
    node = ControlNode((first, second), 2)
    node.moves.append((1, DONE, 1))  # terminated nodes sit in DONE states: see finish()
    for r in node.rules[0]:
        if r.label == TICK:
            node.add(TAU, node.enter((*r.parts, node.phase("\x00then", (0, 1))), 1))
        elif r.label != DONE:
            node.add(r.label, r.parts, r)
    for r in node.rules[1]:
        node.guarded(r, "\x00second", 1)
    return node.network()


def prefix(event: str, then: Network) -> Network:
    """``event -> then``: control {0: before, 1: then}; ``then``'s rules that
    may start need phase 1.

    Example:
        >>> from procalg.lts import LTS
        >>> from procalg.lts.network import close, component
        >>> from procalg.lts.product import explore_product
        >>> p = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)])
        >>> explore_product(close(prefix("go", component(p)))).num_states
        3
    """
    node = ControlNode((then,), 2)
    node.moves.append((1, DONE, 1))  # terminated nodes sit in DONE states: see finish()
    node.add(event, node.enter((node.phase("\x00go", (0, 1)),), 0))
    for r in node.rules[0]:
        node.guarded(r, "\x00then", 1)
    return node.network()


def input_prefix(events: list[tuple[str, int]], branches: list[Network]) -> Network:
    """``c?x -> P(x)``: control {0: before, i + 1: branch i, n + 1: Ω}; each
    event moves the phase to its branch's, a branch's rules that may start
    need it, and a branch's ✓ settles it into the node's one Ω.

    ``prefix`` with one control state per distinct continuation (the input's
    events with equal continuations share one).

    Example:
        >>> from procalg.lts import LTS
        >>> from procalg.lts.network import close, component
        >>> from procalg.lts.product import explore_product
        >>> p = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)])
        >>> q = LTS.build(1, 0, ["b"], [(0, "b", 0)])
        >>> net = close(input_prefix([("c.0", 0), ("c.1", 1), ("c.2", 1)],
        ...                          [component(p), component(q)]))
        >>> explore_product(net).num_states  # before, p's two states, q's one
        4
    """
    omega = len(branches) + 1
    node = ControlNode(branches, omega + 1)
    chosen = [node.phase(f"\x00in{i}", (0, i + 1)) for i in range(len(branches))]
    for event, i in events:
        node.add(event, node.enter((chosen[i],), i))
    for i in range(len(branches)):
        for r in node.rules[i]:
            if r.label == TICK:  # one Ω whichever branch ended, as the term level has
                node.add(TICK, node.finish((*r.parts, node.phase(f"\x00{i}✓", (i + 1, omega))),
                                           i))
            elif r.label != DONE:
                node.guarded(r, f"\x00branch{i}", i + 1)
    node.terminating(omega)
    return node.network()


def external_choice(left: Network, right: Network) -> Network:
    """``left [] right``: control {0: undecided, 1: left, 2: right, 3: Ω}.

    A side's τ keeps the choice open; its visible event (or throw) decides it,
    resetting the other side if that one may have moved by τ; its ✓ decides
    and terminates the node.
    """
    node = ControlNode((left, right), 4)
    moved = [node.can_move(side, tau_only=True) for side in (0, 1)]
    for side in (0, 1):
        if moved[side]:
            node.resettable(side)
    for side, own in ((0, 1), (1, 2)):
        other = 1 - side
        for r in node.rules[side]:
            kind = rule_kind(r)
            if kind == TAU:
                node.guarded(r, f"\x00{side}τ", 0, own, side=side)
            elif kind == "event" and moved[other]:
                node.add(r.label, node.reset((*r.parts, node.phase(f"\x00{side}!", (0, own))),
                                             other), r)
                node.add(r.label, (*r.parts, node.phase(f"\x00{side}=", (own, own))), r)
            elif kind == "event":
                node.add(r.label, (*r.parts, node.phase(f"\x00{side}=", (0, own), (own, own))), r)
            elif kind == TICK and moved[other] and (moved[side] or node.may_start(r)):
                node.add(TICK, node.reset(node.finish(
                    (*r.parts, node.phase(f"\x00{side}✓!", (0, 3))), side), other))
                node.add(TICK, node.finish(
                    (*r.parts, node.phase(f"\x00{side}✓", (own, 3))), side))
            elif kind == TICK:
                node.add(TICK, node.finish(
                    (*r.parts, node.phase(f"\x00{side}✓", (0, 3), (own, 3))), side))
    node.terminating(3)
    return node.network()


def internal_choice(left: Network, right: Network) -> Network:
    """``left |~| right``: control {0: undecided, 1: left, 2: right, 3: Ω};
    τ chooses; a side's rules that may start need its phase."""
    node = ControlNode((left, right), 4)
    for side, own in ((0, 1), (1, 2)):
        node.add(TAU, node.enter((node.phase(f"\x00to{side}", (0, own)),), side))
        for r in node.rules[side]:
            if r.label == TICK:
                node.add(TICK, node.finish((*r.parts, node.phase(f"\x00{side}✓", (own, 3))),
                                           side))
            elif r.label != DONE:
                node.guarded(r, f"\x00{side}", own)
    node.terminating(3)
    return node.network()


def interrupt(left: Network, right: Network) -> Network:
    """``left /\\ right``: control {0: left runs, 1: right took over, 2: Ω}.

    ``left`` moves in phase 0 and its ✓ ends the node; ``right``'s τ keeps
    phase 0 (or 1); ``right``'s visible event takes over (resetting ``left``).
    """
    node = ControlNode((left, right), 3)
    left_moved = node.can_move(0, tau_only=False)
    right_moved = node.can_move(1, tau_only=True)
    if left_moved:
        node.resettable(0)
    if right_moved:
        node.resettable(1)
    for r in node.rules[0]:
        if r.label == TICK:
            parts = node.finish((*r.parts, node.phase("\x000✓", (0, 2))), 0)
            node.add(TICK, node.reset(parts, 1) if right_moved else parts)
        elif r.label != DONE:
            node.guarded(r, "\x000", 0, side=0)
    for r in node.rules[1]:
        kind = rule_kind(r)
        if kind == TAU:
            node.guarded(r, "\x001τ", 0, 1, side=1)
        elif kind == "event" and left_moved:
            node.add(r.label, node.reset((*r.parts, node.phase("\x001!", (0, 1))), 0), r)
            node.add(r.label, (*r.parts, node.phase("\x001=", (1, 1))), r)
        elif kind == "event":
            node.add(r.label, (*r.parts, node.phase("\x001=", (0, 1), (1, 1))), r)
        elif kind == TICK and left_moved and (right_moved or node.may_start(r)):
            node.add(TICK, node.reset(node.finish(
                (*r.parts, node.phase("\x001✓!", (0, 2))), 1), 0))
            node.add(TICK, node.finish((*r.parts, node.phase("\x001✓", (1, 2))), 1))
        elif kind == TICK:
            node.add(TICK, node.finish((*r.parts, node.phase("\x001✓", (0, 2), (1, 2))), 1))
    node.terminating(2)
    return node.network()


def timeout(left: Network, right: Network) -> Network:
    """``left [> right``: control {0: undecided, 1: left, 2: right, 3: Ω}.

    ``left``'s τ keeps it undecided, its event or ✓ decides for it; a τ of
    the node times out to ``right`` (resetting ``left`` if it moved by τ),
    which has not moved.
    """
    node = ControlNode((left, right), 4)
    left_moved = node.can_move(0, tau_only=True)
    if left_moved:
        node.resettable(0)
    for r in node.rules[0]:
        kind = rule_kind(r)
        if kind == TAU:
            node.guarded(r, "\x000τ", 0, 1, side=0)
        elif kind == "event":
            node.add(r.label, (*r.parts, node.phase("\x000=", (0, 1), (1, 1))), r)
        elif kind == TICK:
            node.add(TICK, node.finish((*r.parts, node.phase("\x000✓", (0, 3), (1, 3))), 0))
    expire = node.enter((node.phase("\x00timeout", (0, 2)),), 1)
    node.add(TAU, node.reset(expire, 0) if left_moved else expire)
    for r in node.rules[1]:
        if r.label == TICK:
            node.add(TICK, node.finish((*r.parts, node.phase("\x001✓", (2, 3))), 1))
        elif r.label != DONE:
            node.guarded(r, "\x001", 2)
    node.terminating(3)
    return node.network()


def exception(left: Network, right: Network, events: frozenset[str]) -> Network:
    """``left [| A |> right``: control {0: left runs, 1: right took over, 2: Ω}.

    ``left``'s events in ``A`` hand over (phase 0 to 1, resetting ``left``
    so that every handled state is one, as the term level's ``normal(Q)``);
    its τ and other events keep phase 0 and its ✓ ends the node;
    ``right``'s rules that may start need phase 1 (Roscoe, UCS, 2010, §5.3).

    Example:
        >>> from procalg.lts import LTS
        >>> from procalg.lts.network import close, component
        >>> from procalg.lts.product import explore_product
        >>> p = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2), (2, "✓", 2)])
        >>> q = LTS.build(2, 0, ["c"], [(0, "c", 1)])
        >>> explore_product(close(exception(component(p), component(q), frozenset({"b"})))
        ...                 ).num_states  # a, b hands over to c -> STOP: 4 states
        4
    """
    node = ControlNode((left, right), 3)
    left_moved = node.can_move(0, tau_only=False)
    if left_moved:
        node.resettable(0)
    for r in node.rules[0]:
        kind = rule_kind(r)
        if kind == TICK:
            node.add(TICK, node.finish((*r.parts, node.phase("\x000✓", (0, 2))), 0))
        elif kind == "event" and r.label in events:
            parts = node.enter((*r.parts, node.phase("\x00raise", (0, 1))), 1)
            node.add(r.label, node.reset(parts, 0) if left_moved else parts, r)
        elif r.label != DONE:
            node.guarded(r, "\x000", 0, side=0)
    for r in node.rules[1]:
        if r.label == TICK:
            node.add(TICK, node.finish((*r.parts, node.phase("\x001✓", (1, 2))), 1))
        elif r.label != DONE:
            node.guarded(r, "\x001", 1)
    node.terminating(2)
    return node.network()


def loop_mark(name: str) -> Network:
    """A stand-in for a recursive call ``name`` in a position entered by a rule
    of its parent (after a prefix, a ``;``, a timeout, an internal choice or an
    exception's event): one component, no rules. The parent's entering rule
    carries its part; :func:`loop` turns those rules into restarts.
    """
    return Network((LTS.build(1, 0, [LOOP + name], [(0, LOOP + name, 0)]),), ())


def loop(net: Network, name: str, resets: frozenset[int]) -> Network | None:
    """``net``, the body of recursive process ``name``, with every rule that
    enters its loop mark restarting ``net``: all components back to their
    initial states, which is ``name``'s initial state, as the term rules'
    unfolded call is the same term again.

    Only sound where every operator between ``name`` and the mark is gone
    once the mark is entered (the caller checks that); ``resets`` are the
    components that may then be anywhere (the control components on that
    path), every other one rests in a ``DONE`` or its initial state and
    settles. None if ``net`` is loose (a stale side) or the resets' fan-in
    passes :data:`RESET_LIMIT`: the caller keeps the term rules.

    Example:
        >>> from procalg.lts.network import close, component
        >>> from procalg.lts.product import explore_product
        >>> p = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "✓", 1)])
        >>> body = sequence(component(p), loop_mark("L"))  # L = (a -> SKIP) ; L
        >>> explore_product(close(loop(body, "L", frozenset({2})))).num_states
        2
    """
    if net.loose:
        return None
    node = ControlNode((net,), 1)
    fan_in = 1
    for c in resets:
        fan_in *= node.comps[c].num_states
    if fan_in > RESET_LIMIT:
        return None
    mark = LOOP + name
    for r in node.rules[0]:
        entering = any(label == mark for _, label in r.parts)
        node.add(r.label, node.restart(r.parts, resets) if entering else r.parts, r)
    return node.network()


def abortable(net: Network, throw: str) -> Network:
    """A closed ``net`` where a ``throw`` ends everything (outside sagas).

    Control {0: alive, 1: thrown}: every ``throw`` rule moves it to 1. While
    the network's local states multiply to at most :data:`RESET_LIMIT`, the
    throw also resets every component, so all thrown states are one (as the
    term level's THROWN) and only rules that may fire from the all-initial
    state need phase 0; beyond it every rule needs phase 0 and the thrown
    states keep their components (bisimilar, more states). Without ``throw``
    rules ``net`` is returned as it is.
    """
    if not any(r.label == throw for r in net.rules):
        return net
    node = ControlNode((net,), 2)
    # a lazy component cannot be given reset moves (its states are not known yet)
    canonical = node.fan_in(0) <= RESET_LIMIT and all(isinstance(c, LTS) for c in node.comps)
    for r in node.rules[0]:  # ranks kept: a throw is an event like others for priority
        if r.label == throw:
            parts = node.reset(r.parts, 0) if canonical else r.parts
            node.add(throw, (*parts, node.phase("\x00throw", (0, 1))), r)
        elif canonical:
            node.guarded(r, "\x00alive", 0)
        else:
            node.add(r.label, (*r.parts, node.phase("\x00alive", (0, 0))), r)
    if not canonical:
        node.notes.append("thrown states keep their components (too many to reset, or lazy): "
                          "more states than the term level, same behaviour")
        return replace(node.network(), loose=True)  # stale components, as a loose node's
    return node.network()
