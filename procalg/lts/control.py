"""Control components: any CSP operator on top of networks (FDR's supercombinators).

:mod:`procalg.lts.network` compiles parallel, hiding and renaming into
synchronisation rules. The other operators -- ``P ; Q``, ``P [] Q``,
``P |~| Q``, ``P /\\ Q``, ``P [> Q``, ``e -> P`` and the abort of a
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
:data:`RESET_LIMIT` (else the side stays, fully guarded: bisimilar, more states).

Example:
    >>> from procalg.lts.network import close, component
    >>> p = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "✓", 1)])
    >>> net = close(sequence(component(p), component(p)))
    >>> from procalg.lts.product import explore_product
    >>> explore_product(net).num_states  # a, τ, a, ✓: five states as for a->SKIP;a->SKIP
    5
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from procalg.lts.lts import LTS, TAU, TICK
from procalg.lts.network import DONE, Network, Part, SyncRule

RESET = "\x00reset"
"""Internal label: every state of a component moves to its initial state."""
SETTLE = "\x00settle"
"""Internal label: a terminated component (in a ``DONE`` state, or initial)
moves to its initial state."""
RESET_LIMIT = 1 << 16
"""Largest product of local state counts a ``throw`` resets in one rule (the
fan-in of a backward step into the thrown state); beyond it thrown states
keep their stale components."""
_INIT = "\x00init:"  # "ℓ then back to the initial state": the twin of a local label ℓ

def _initial_labels(lts: LTS) -> frozenset[str]:
    return frozenset(lts.labels[lab] for lab, _ in lts.successors(lts.initial))


def _extend(lts: LTS, labels: Iterable[str]) -> LTS:
    """``lts`` with the reset transitions named by ``labels`` added."""
    triples = list(lts.triples())
    extra: list[tuple[int, str, int]] = []
    for label in sorted(labels):
        if label == RESET:
            extra += [(s, RESET, lts.initial) for s in range(lts.num_states)]
        elif label == SETTLE:
            ended = {s for s, lab, _ in triples if lab == DONE} | {lts.initial}
            extra += [(s, SETTLE, lts.initial) for s in sorted(ended)]
        else:
            base = label[len(_INIT):]
            extra += sorted({(s, label, lts.initial) for s, lab, _ in triples if lab == base})
    return LTS.build(lts.num_states, lts.initial, lts.labels[2:], triples + extra,
                     hidden=lts.hidden)


class _Node:
    """One control node under construction: the operands' components, the
    control component (last), rules, and the reset transitions they need."""

    def __init__(self, operands: Iterable[Network], states: int) -> None:
        self.comps: list[LTS] = []
        self.spans: list[range] = []
        self.rules: list[list[SyncRule]] = []
        self.notes: list[str] = []
        self.loose: list[bool] = []
        self.stale: set[int] = set()  # sides left where they are instead of reset
        for net in operands:
            self.loose.append(net.loose)
            start = len(self.comps)
            self.spans.append(range(start, start + len(net)))
            self.rules.append([SyncRule(r.label, tuple((c + start, a) for c, a in r.parts))
                               for r in net.rules])
            self.comps += net.components
            self.notes += net.notes
        self.starts = [_initial_labels(c) for c in self.comps]
        self.control = len(self.comps)
        self.states = states
        self.moves: list[tuple[int, str, int]] = []
        self.out: list[SyncRule] = []
        self.extra: dict[int, set[str]] = {}

    def may_start(self, rule: SyncRule) -> bool:
        """Whether ``rule`` may fire while its operand's components are all
        initial (each part's local label is enabled in its initial state)."""
        return all(label in self.starts[c] for c, label in rule.parts)

    def can_move(self, side: int, *, tau_only: bool) -> bool:
        """Whether operand ``side`` may leave its initial state by a τ (or by
        any rule but ✓ and ``DONE``) without deciding anything above it."""
        return any(self.may_start(r) and (r.label == TAU if tau_only
                                          else r.label not in (TICK, DONE))
                   for r in self.rules[side])

    def phase(self, name: str, *moves: tuple[int, int]) -> Part:
        """A part on the control component: local label ``name``, ``moves`` src -> dst."""
        self.moves += [(s, name, d) for s, d in moves]
        return (self.control, name)

    def _twin(self, c: int, label: str) -> str:
        label = label if label.startswith(_INIT) else _INIT + label
        self.extra.setdefault(c, set()).add(label)
        return label

    def finish(self, parts: tuple[Part, ...], side: int) -> tuple[Part, ...]:
        """``parts`` (a ✓ rule of ``side``, plus control parts), with every
        component of ``side`` settling to its initial state (unless ``side``
        is loose: then it rests where it ended, which stops it as well)."""
        if self.loose[side]:
            return parts
        span = set(self.spans[side])
        out = [(c, self._twin(c, label) if c in span else label) for c, label in parts]
        for c in sorted(span - {c for c, _ in parts}):
            self.extra.setdefault(c, set()).add(SETTLE)
            out.append((c, SETTLE))
        return tuple(out)

    def reset(self, parts: tuple[Part, ...], side: int) -> tuple[Part, ...]:
        """``parts``, plus every component of ``side`` (which may be anywhere)
        moved to its initial state; components already in ``parts`` take the
        "then initial" twin of their label. A stale side (see :meth:`guard`)
        is left where it is."""
        if side in self.stale:
            return parts
        span = set(self.spans[side])
        out = [(c, self._twin(c, label) if c in span else label) for c, label in parts]
        for c in sorted(span - {c for c, _ in parts}):
            self.extra.setdefault(c, set()).add(RESET)
            out.append((c, RESET))
        return tuple(out)

    def fan_in(self, side: int) -> int:
        """Product of ``side``'s local state counts: a full reset's fan-in."""
        total = 1
        for c in self.spans[side]:
            total *= self.comps[c].num_states
        return total

    def resettable(self, side: int) -> None:
        """Declare that ``side`` may need a reset: beyond :data:`RESET_LIMIT`
        it becomes *stale* instead -- never reset, every rule of it guarded,
        and the node loose."""
        if self.fan_in(side) > RESET_LIMIT:
            self.stale.add(side)

    def add(self, label: str, parts: tuple[Part, ...]) -> None:
        self.out.append(SyncRule(label, parts))

    def guarded(self, rule: SyncRule, name: str, *loops: int, side: int | None = None
                ) -> None:
        """``rule``, with a control part looping on ``loops`` if it may start
        (always, for a rule of a stale ``side``)."""
        if self.may_start(rule) or side in self.stale:
            self.add(rule.label, (*rule.parts, self.phase(name, *((s, s) for s in loops))))
        else:
            self.add(rule.label, rule.parts)

    def terminating(self, omega: int) -> None:
        """The node's own Ω: control state ``omega`` with its ``DONE`` loop."""
        if any(r.label == TICK for r in self.out):
            self.add(DONE, (self.phase("\x00Ω", (omega, omega)),))
            self.moves.append((omega, DONE, omega))

    def network(self) -> Network:
        comps = [(_extend(lts, self.extra[i]) if i in self.extra else lts)
                 for i, lts in enumerate(self.comps)]
        comps.append(LTS.build(self.states, 0, [], self.moves))
        loose = bool(self.stale) or any(self.loose)
        if self.stale:
            self.notes.append("a side too large to reset keeps its stale states after a "
                              "choice: more states than the term level, same behaviour")
        return Network(tuple(comps), tuple(dict.fromkeys(self.out)), tuple(self.notes), loose)


def _kind(rule: SyncRule) -> str:
    """``"τ"``, ``"✓"``, ``"done"`` or ``"event"`` (visible, throw included)."""
    if rule.label in (TAU, TICK):
        return rule.label
    return "done" if rule.label == DONE else "event"


def sequence(first: Network, second: Network) -> Network:
    """``first ; second``: control {0: first, 1: second}.

    ``first``'s ✓ becomes τ moving the phase to 1; ``second``'s rules that may
    start need phase 1; the node's ✓ and ``DONE`` are ``second``'s. ``first``'s
    other rules need no guard: after its ✓ only its ``DONE`` rules are enabled.

    Example:
        >>> from procalg.lts.network import component
        >>> p = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "✓", 1)])
        >>> sorted(r.label for r in sequence(component(p), component(p)).rules)[1:]
        ['a', 'a', 'τ', '✓']
    """
    node = _Node((first, second), 2)
    node.moves.append((1, DONE, 1))  # terminated nodes sit in DONE states: see finish()
    for r in node.rules[0]:
        if r.label == TICK:
            node.add(TAU, (*r.parts, node.phase("\x00then", (0, 1))))
        elif r.label != DONE:
            node.add(r.label, r.parts)
    for r in node.rules[1]:
        node.guarded(r, "\x00second", 1)
    return node.network()


def prefix(event: str, then: Network) -> Network:
    """``event -> then``: control {0: before, 1: then}; ``then``'s rules that
    may start need phase 1.

    Example:
        >>> from procalg.lts.network import close, component
        >>> from procalg.lts.product import explore_product
        >>> p = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)])
        >>> explore_product(close(prefix("go", component(p)))).num_states
        3
    """
    node = _Node((then,), 2)
    node.moves.append((1, DONE, 1))  # terminated nodes sit in DONE states: see finish()
    node.add(event, (node.phase("\x00go", (0, 1)),))
    for r in node.rules[0]:
        node.guarded(r, "\x00then", 1)
    return node.network()


def external_choice(left: Network, right: Network) -> Network:
    """``left [] right``: control {0: undecided, 1: left, 2: right, 3: Ω}.

    A side's τ keeps the choice open; its visible event (or throw) decides it,
    resetting the other side if that one may have moved by τ; its ✓ decides
    and terminates the node.
    """
    node = _Node((left, right), 4)
    moved = [node.can_move(side, tau_only=True) for side in (0, 1)]
    for side in (0, 1):
        if moved[side]:
            node.resettable(side)
    for side, own in ((0, 1), (1, 2)):
        other = 1 - side
        for r in node.rules[side]:
            kind = _kind(r)
            if kind == TAU:
                node.guarded(r, f"\x00{side}τ", 0, own, side=side)
            elif kind == "event" and moved[other]:
                node.add(r.label, node.reset((*r.parts, node.phase(f"\x00{side}!", (0, own))),
                                             other))
                node.add(r.label, (*r.parts, node.phase(f"\x00{side}=", (own, own))))
            elif kind == "event":
                node.add(r.label, (*r.parts, node.phase(f"\x00{side}=", (0, own), (own, own))))
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
    node = _Node((left, right), 4)
    for side, own in ((0, 1), (1, 2)):
        node.add(TAU, (node.phase(f"\x00to{side}", (0, own)),))
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
    node = _Node((left, right), 3)
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
        kind = _kind(r)
        if kind == TAU:
            node.guarded(r, "\x001τ", 0, 1, side=1)
        elif kind == "event" and left_moved:
            node.add(r.label, node.reset((*r.parts, node.phase("\x001!", (0, 1))), 0))
            node.add(r.label, (*r.parts, node.phase("\x001=", (1, 1))))
        elif kind == "event":
            node.add(r.label, (*r.parts, node.phase("\x001=", (0, 1), (1, 1))))
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
    node = _Node((left, right), 4)
    left_moved = node.can_move(0, tau_only=True)
    if left_moved:
        node.resettable(0)
    for r in node.rules[0]:
        kind = _kind(r)
        if kind == TAU:
            node.guarded(r, "\x000τ", 0, 1, side=0)
        elif kind == "event":
            node.add(r.label, (*r.parts, node.phase("\x000=", (0, 1), (1, 1))))
        elif kind == TICK:
            node.add(TICK, node.finish((*r.parts, node.phase("\x000✓", (0, 3), (1, 3))), 0))
    expire = (node.phase("\x00timeout", (0, 2)),)
    node.add(TAU, node.reset(expire, 0) if left_moved else expire)
    for r in node.rules[1]:
        if r.label == TICK:
            node.add(TICK, node.finish((*r.parts, node.phase("\x001✓", (2, 3))), 1))
        elif r.label != DONE:
            node.guarded(r, "\x001", 2)
    node.terminating(3)
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
    node = _Node((net,), 2)
    canonical = node.fan_in(0) <= RESET_LIMIT
    for r in node.rules[0]:
        if r.label == throw:
            parts = node.reset(r.parts, 0) if canonical else r.parts
            node.add(throw, (*parts, node.phase("\x00throw", (0, 1))))
        elif canonical:
            node.guarded(r, "\x00alive", 0)
        else:
            node.add(r.label, (*r.parts, node.phase("\x00alive", (0, 0))))
    if not canonical:
        node.notes.append("thrown states keep their components (too many to reset): "
                          "more states than the term level, same behaviour")
        return replace(node.network(), loose=True)  # stale components, as a loose node's
    return node.network()
