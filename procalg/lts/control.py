"""Control components: any CSP operator on top of networks (FDR's supercombinators).

:mod:`procalg.lts.network` compiles parallel, hiding and renaming into
synchronisation rules. The other operators -- ``P ; Q``, ``P [] Q``,
``P |~| Q``, ``P /\\ Q``, ``P [> Q`` and the abort of a
``throw`` -- need to remember a *phase* (has ``P`` terminated? has the choice
been decided?). As in FDR's supercombinators (Gibson-Robinson et al., "FDR3
-- a modern refinement checker for CSP", TACAS 2014, section 3), each such
node adds one tiny *control component* whose state is the phase, and every
rule of an operand gets a part on it where the phase matters. The product
engine sees an ordinary :class:`~procalg.lts.network.Network`.

The rules follow Roscoe (*Understanding Concurrent Systems*, ch. 9), as
:mod:`procalg.semantics.sos` does. Two devices keep the product's state
count equal to the term-level one where the terms allow it:

* A *guard* part is added only to the operand rules that may fire while the
  operand's components all sit in their initial states: an operand leaves
  its initial state only by such a rule, so the others need no guard.
* A side that is discarded (the loser of a choice, a timed-out ``P``, every
  operand once the node terminates) is *reset*: the deciding rule moves its
  components back to their initial states (internal labels :data:`RESET`
  and ``ℓ`` -> initial twins), so stale local states never multiply the
  product. After ✓ every network therefore sits in one canonical state
  where only its ``DONE`` rules are enabled.

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

from procalg.lts.lts import LTS, TAU, TICK
from procalg.lts.network import DONE, Network, Part, SyncRule

RESET = "\x00reset"
"""Internal label: every state of a component moves to its initial state."""
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
        for net in operands:
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

    def ending(self, parts: tuple[Part, ...], *sides: int) -> tuple[Part, ...]:
        """``parts``, plus every component of ``sides`` moved to its initial state."""
        span = {c for side in sides for c in self.spans[side]}
        out: list[Part] = []
        for c, label in parts:
            if c in span:
                label = label if label.startswith(_INIT) else _INIT + label
                self.extra.setdefault(c, set()).add(label)
                span.discard(c)
            out.append((c, label))
        for c in sorted(span):
            self.extra.setdefault(c, set()).add(RESET)
            out.append((c, RESET))
        return tuple(out)

    def add(self, label: str, parts: tuple[Part, ...]) -> None:
        self.out.append(SyncRule(label, parts))

    def guarded(self, rule: SyncRule, name: str, *loops: int) -> None:
        """``rule``, with a control part looping on ``loops`` if it may start."""
        if self.may_start(rule):
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
        return Network(tuple(comps), tuple(dict.fromkeys(self.out)), tuple(self.notes))


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
    for r in node.rules[0]:
        if r.label == TICK:
            node.add(TAU, (*r.parts, node.phase("\x00then", (0, 1))))
        elif r.label != DONE:
            node.add(r.label, r.parts)
    for r in node.rules[1]:
        node.guarded(r, "\x00second", 1)
    return node.network()


def external_choice(left: Network, right: Network) -> Network:
    """``left [] right``: control {0: undecided, 1: left, 2: right, 3: Ω}.

    A side's τ keeps the choice open; its visible event (or throw) decides it,
    resetting the other side if that one may have moved by τ; its ✓ decides
    and terminates the node.
    """
    node = _Node((left, right), 4)
    for side, own in ((0, 1), (1, 2)):
        other = 1 - side
        other_moved = node.can_move(other, tau_only=True)
        for r in node.rules[side]:
            kind = _kind(r)
            if kind == TAU:
                node.guarded(r, f"\x00{side}τ", 0, own)
            elif kind == "event" and other_moved:
                node.add(r.label, node.ending((*r.parts, node.phase(f"\x00{side}!", (0, own))),
                                              other))
                node.add(r.label, (*r.parts, node.phase(f"\x00{side}=", (own, own))))
            elif kind == "event":
                node.add(r.label, (*r.parts, node.phase(f"\x00{side}=", (0, own), (own, own))))
            elif kind == TICK:
                node.add(TICK, node.ending(
                    (*r.parts, node.phase(f"\x00{side}✓", (0, 3), (own, 3))), 0, 1))
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
                node.add(TICK, node.ending((*r.parts, node.phase(f"\x00{side}✓", (own, 3))),
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
    for r in node.rules[0]:
        if r.label == TICK:
            node.add(TICK, node.ending((*r.parts, node.phase("\x000✓", (0, 2))), 0, 1))
        elif r.label != DONE:
            node.guarded(r, "\x000", 0)
    for r in node.rules[1]:
        kind = _kind(r)
        if kind == TAU:
            node.guarded(r, "\x001τ", 0, 1)
        elif kind == "event" and left_moved:
            node.add(r.label, node.ending((*r.parts, node.phase("\x001!", (0, 1))), 0))
            node.add(r.label, (*r.parts, node.phase("\x001=", (1, 1))))
        elif kind == "event":
            node.add(r.label, (*r.parts, node.phase("\x001=", (0, 1), (1, 1))))
        elif kind == TICK:
            node.add(TICK, node.ending((*r.parts, node.phase("\x001✓", (0, 2), (1, 2))), 0, 1))
    node.terminating(2)
    return node.network()


def timeout(left: Network, right: Network) -> Network:
    """``left [> right``: control {0: undecided, 1: left, 2: right, 3: Ω}.

    ``left``'s τ keeps it undecided, its event or ✓ decides for it; a τ of
    the node times out to ``right`` (resetting ``left``), which has not moved.
    """
    node = _Node((left, right), 4)
    for r in node.rules[0]:
        kind = _kind(r)
        if kind == TAU:
            node.guarded(r, "\x000τ", 0, 1)
        elif kind == "event":
            node.add(r.label, (*r.parts, node.phase("\x000=", (0, 1), (1, 1))))
        elif kind == TICK:
            node.add(TICK, node.ending((*r.parts, node.phase("\x000✓", (0, 3), (1, 3))), 0))
    node.add(TAU, node.ending((node.phase("\x00timeout", (0, 2)),), 0))
    for r in node.rules[1]:
        if r.label == TICK:
            node.add(TICK, node.ending((*r.parts, node.phase("\x001✓", (2, 3))), 1))
        elif r.label != DONE:
            node.guarded(r, "\x001", 2)
    node.terminating(3)
    return node.network()


def abortable(net: Network, throw: str) -> Network:
    """A closed ``net`` where a ``throw`` ends everything (outside sagas).

    Control {0: alive, 1: thrown}: every ``throw`` rule moves it to 1 and every
    component to its initial state, so all thrown states are one; rules that
    may fire from the all-initial state need phase 0, the rest cannot fire
    there anyway. Without ``throw`` rules ``net`` is returned as it is.
    """
    if not any(r.label == throw for r in net.rules):
        return net
    node = _Node((net,), 2)
    for r in node.rules[0]:
        if r.label == throw:
            node.add(throw, (*node.ending(r.parts, 0), node.phase("\x00throw", (0, 1))))
        else:
            node.guarded(r, "\x00alive", 0)
    return node.network()
