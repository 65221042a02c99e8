"""A control node under construction: the operands' components, one control
component for the phase, rules, and the reset and settle transitions they need.

The devices (guards, resets, settles) are described in :mod:`procalg.lts.control`,
whose operator functions build one :class:`ControlNode` each (FDR's
supercombinators: Gibson-Robinson et al., TACAS 2014, section 3).

Example:
    >>> from procalg.lts.network import component
    >>> p = LTS.build(2, 0, ["a"], [(0, "a", 1)])
    >>> node = ControlNode([component(p)], states=1)
    >>> [node.may_start(r) for r in node.rules[0]], node.control
    ([True], 1)
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from procalg.lts.lazy import LazyComponent
from procalg.lts.lazy_returns import INIT as _INIT  # "ℓ, then the initial state": a twin
from procalg.lts.lazy_returns import RESET as RESET  # its rules' labels, re-exported
from procalg.lts.lazy_returns import SETTLE as SETTLE
from procalg.lts.lazy_returns import returning
from procalg.lts.lts import LTS, TAU, TICK
from procalg.lts.network import DONE, Network, Part, Scope, SyncRule, shift_rules, shifted_scopes

RESET_LIMIT = 1 << 16
"""Largest product of local state counts a ``throw`` resets in one rule (the
fan-in of a backward step into the thrown state); beyond it thrown states
keep their stale components."""
LOOP = "\x00loop:"
"""Prefix of a loop mark's label: a rule carrying the mark enters the
recursive call it stands for (:func:`procalg.lts.control.loop`)."""

def _initial_labels(lts: LTS) -> frozenset[str]:
    if not isinstance(lts, LTS):
        if lts.returns is None:  # a lazy component, unexplored: any label may start
            return frozenset(lts.labels)
        lts.expand(np.zeros(1, dtype=np.int64))  # no move deferred: its initial moves whole
        return frozenset(lts.labels[lab] for lab, _ in lts.written_moves(0))
    return frozenset(lts.labels[lab] for lab, _ in lts.successors(lts.initial))


def _extend(lts: LTS | LazyComponent, labels: Iterable[str]) -> LTS | LazyComponent:
    """``lts`` with the reset transitions named by ``labels`` added (a lazy
    component makes them as it expands each state: :mod:`procalg.lts.lazy_returns`)."""
    if not isinstance(lts, LTS):
        return returning(lts, labels)
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


def _returns(comp: LTS | LazyComponent) -> bool:
    """Whether ``comp`` can be sent back to its initial state: a whole LTS, or a
    lazy component that makes those moves (:func:`~procalg.lts.lazy_returns.returning`)."""
    return isinstance(comp, LTS) or comp.returns is not None


def _mark_part(net: Network, start: int) -> tuple[int, str] | None:
    """The part naming ``net`` if it is a loop mark (one component, no rules,
    one ``LOOP`` label), else None."""
    if net.rules or len(net) != 1 or not isinstance(net.components[0], LTS):
        return None
    labels = net.components[0].labels[2:]
    return (start, labels[0]) if len(labels) == 1 and labels[0].startswith(LOOP) else None


class ControlNode:
    """One control node under construction: the operands' components, the
    control component (last), rules, and the reset transitions they need."""

    def __init__(self, operands: Iterable[Network], states: int) -> None:
        self.comps: list[LTS | LazyComponent] = []
        self.spans: list[range] = []
        self.rules: list[list[SyncRule]] = []
        self.notes: list[str] = []
        self.loose: list[bool] = []
        self.stale: set[int] = set()  # sides left where they are instead of reset
        self.marks: list[tuple[int, str] | None] = []  # a side that is a loop mark: its part
        self.scopes: tuple[Scope, ...] = ()  # the operands' priority scopes, renumbered
        for side, net in enumerate(operands):
            # a lazy side's states are not known yet: unless its components make their
            # moves back as they are expanded (lts/lazy_returns.py, where a recursion
            # restarts it) it is never reset or settled, but stale (every rule guarded)
            # and loose, as a side too large to reset is
            lazy = not all(_returns(c) for c in net.components)
            self.loose.append(net.loose or lazy)
            if lazy:
                self.stale.add(side)
            start = len(self.comps)
            self.marks.append(_mark_part(net, start))
            self.spans.append(range(start, start + len(net)))
            self.rules.append(shift_rules(net.rules, start, len(self.scopes)))
            self.scopes += shifted_scopes(net, start, len(self.scopes))
            self.comps += net.components
            self.notes += net.notes
        self.starts = [_initial_labels(c) for c in self.comps]
        self.control = len(self.comps)
        self.states = states
        self.moves: list[tuple[int, str, int]] = []
        self.named: dict[str, tuple[tuple[int, int], ...]] = {}  # control label -> its moves
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
        """A part on the control component: local label ``name``, ``moves`` src -> dst.

        A control label is one relation on the control's states, so a name
        asked for again with other moves gets a label of its own: shared, a
        rule meant for one phase would fire on the other's moves too (an
        interrupt's "right ✓ after it took over" firing while the left still
        ran, without its reset: ✓ into a state where the left moves on).
        """
        want = tuple(moves)
        label, n = name, 0
        while self.named.setdefault(label, want) != want:
            n += 1
            label = f"{name}#{n}"
        self.moves += [(s, label, d) for s, d in moves]
        return (self.control, label)

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

    def enter(self, parts: tuple[Part, ...], side: int) -> tuple[Part, ...]:
        """``parts`` of a rule that starts operand ``side``; if that operand is
        a loop mark, the rule also carries the mark (it enters the recursion)."""
        mark = self.marks[side]
        return parts if mark is None else (*parts, mark)

    def restart(self, parts: tuple[Part, ...], resets: frozenset[int]) -> tuple[Part, ...]:
        """``parts`` (of the only side), then every component back to its
        initial state: those in ``parts`` by the "then initial" twin of their
        label, those in ``resets`` from anywhere, the rest by :data:`SETTLE`
        (they rest in a ``DONE`` or their initial state)."""
        out = [(c, self._twin(c, label)) for c, label in parts]
        for c in sorted(set(self.spans[0]) - {c for c, _ in parts}):
            device = RESET if c in resets else SETTLE
            self.extra.setdefault(c, set()).add(device)
            out.append((c, device))
        return tuple(out)

    def fan_in(self, side: int) -> int:
        """Product of ``side``'s local state counts: a full reset's fan-in (its
        whole components'; a lazy one makes its resets as it goes, if at all, and a
        trace is rebuilt over it by firing forwards, never through its fan-in)."""
        total = 1
        for c in self.spans[side]:
            if isinstance(self.comps[c], LTS):
                total *= self.comps[c].num_states
        return total

    def resettable(self, side: int) -> None:
        """Declare that ``side`` may need a reset: beyond :data:`RESET_LIMIT`
        it becomes *stale* instead -- never reset, every rule of it guarded,
        and the node loose."""
        if self.fan_in(side) > RESET_LIMIT:
            self.stale.add(side)

    def add(self, label: str, parts: tuple[Part, ...], like: SyncRule | None = None) -> None:
        """A rule of the node (``like``: the operand's rule it makes, whose
        priority class and scope guards it keeps)."""
        self.out.append(SyncRule(label, parts) if like is None else
                        SyncRule(label, parts, like.rank, like.guards))

    def guarded(self, rule: SyncRule, name: str, *loops: int, side: int | None = None
                ) -> None:
        """``rule``, with a control part looping on ``loops`` if it may start
        (always, for a rule of a stale ``side``)."""
        if self.may_start(rule) or side in self.stale:
            self.add(rule.label, (*rule.parts, self.phase(name, *((s, s) for s in loops))),
                     rule)
        else:
            self.add(rule.label, rule.parts, rule)

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
        return Network(tuple(comps), tuple(dict.fromkeys(self.out)), tuple(self.notes), loose,
                       self.scopes)


def rule_kind(rule: SyncRule) -> str:
    """``"τ"``, ``"✓"``, ``"done"`` or ``"event"`` (visible, throw included)."""
    if rule.label in (TAU, TICK):
        return rule.label
    return "done" if rule.label == DONE else "event"
