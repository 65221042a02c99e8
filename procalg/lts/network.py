"""Networks of LTSs: the parallel structure of a process, as FDR and LTSA see it.

A :class:`Network` is a list of component LTSs (the sequential leaves) and a
list of :class:`SyncRule` s (FDR's *supercombinator* rules): each rule names
the components that move together, the local label each one performs, and
the global label the joint move shows. Parallel composition, hiding and
renaming above the leaves are all compiled into these rules, so the product
engine (:mod:`procalg.lts.product`) only ever sees "these components move
together, the world sees label x".

Networks are built bottom-up with :func:`component`, :func:`parallel`,
:func:`alpha_parallel`, :func:`hide` and :func:`rename`, mirroring the term
tree; :func:`close` turns the result into the product description.

Termination follows Roscoe (*Understanding Concurrent Systems*, ch. 9)
exactly: in ``P [| A |] Q`` a ✓ of ``P`` is a τ that leaves ``Ω`` in ``P``'s
place, and ``Ω [| A |] Ω -✓-> Ω``. So every component gets an internal
``DONE`` self-loop on its Ω states (which also keeps Ω apart from STOP under
bisimulation reduction), and every parallel node whose both sides can
terminate gets a two-state *termination component* (``0 -✓-> 1``,
``1 -DONE-> 1``): the node's ✓ is the joint move of both sides' ``DONE`` and
its own ``0 -✓-> 1``. The states ``Ω [| A |] Ω`` and ``Ω`` therefore stay
distinct, as in the term-level semantics.

Example:
    >>> p = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "τ", 0)])
    >>> q = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])
    >>> net = close(hide(parallel(component(p), component(q), {"a"}), {"b"}))
    >>> sorted((r.label, r.parts) for r in net.rules)
    [('a', ((0, 'a'), (1, 'a'))), ('τ', ((0, 'τ'),)), ('τ', ((1, 'b'),))]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from procalg.lts.lts import LTS, TAU, TICK

if TYPE_CHECKING:  # lazy.py imports DONE from here
    from procalg.lts.lazy import LazyComponent

DONE = "\x00done"
"""Internal label: "this subtree is Ω"; never visible outside a network."""

HELD = "\x00held "
"""How the label of a model error held in its state starts (:mod:`procalg.lts.held`):
no event of a model, it passes every alphabet and renaming unchanged."""

Part = tuple[int, str]
"""A component index and the local label it performs."""


@dataclass(frozen=True, slots=True)
class SyncRule:
    """One joint move: every ``(component, local label)`` in ``parts`` moves
    together and the network shows ``label`` (τ and ✓ included); ``rank`` is
    its priority class under ``prioritise`` (:mod:`procalg.lts.priority`), if any;
    ``guards`` are ``(scope, label)`` pairs: the rule is a move labelled ``label``
    of the operand of the network's priority scope ``scope`` (:class:`Scope`)."""

    label: str
    parts: tuple[Part, ...]
    rank: int | None = None
    guards: tuple[tuple[int, str], ...] = ()

    def __init__(self, label: str, parts: tuple[Part, ...], rank: int | None = None,
                 guards: tuple[tuple[int, str], ...] = ()) -> None:
        # the slots' own setters, not object.__setattr__ (frozen): a one-leaf network
        # of a 30,000-event alphabet makes a rule per label
        _SET_LABEL(self, label)
        _SET_PARTS(self, parts)
        _SET_RANK(self, rank)
        _SET_GUARDS(self, guards)


_SET_LABEL, _SET_PARTS, _SET_RANK, _SET_GUARDS = (
    SyncRule.__dict__[name].__set__ for name in ("label", "parts", "rank", "guards"))


@dataclass(frozen=True, slots=True)
class Scope:
    """A priority operator below the top of a network, evaluated in the product
    (:mod:`procalg.lts.priority_scopes`): its operand's components are the
    network's, its operand's rules are ``probes`` (they say which labels the
    operand offers in a state, whatever its partners allow), and a rule guarded
    by ``(scope, b)`` moves only where no label of ``above[b]`` is offered.

    Attributes:
        above: per label, the labels that pre-empt it (τ and ✓ by name).
        probes: the operand's rules (their own guards name inner scopes).
    """

    above: Mapping[str, frozenset[str]]
    probes: tuple[SyncRule, ...]


@dataclass(frozen=True, slots=True)
class Network:
    """A parallel network: component LTSs and synchronisation rules.

    Components that no rule mentions never move. Built by :func:`close` (or
    directly, for hand-made networks); ``rules`` never mention ``DONE``
    outside a :func:`close` d network's internal parts.

    Attributes:
        components: the leaves (and termination components), explored once,
            or :class:`~procalg.lts.lazy.LazyComponent` s explored on demand.
        rules: the synchronisation rules, deduplicated.
        notes: how the network came about (e.g. reductions), for stats.
        loose: after its ✓ some component may rest in a state other than a
            ``DONE`` state or its initial state (a side of a choice too large
            to reset, :mod:`procalg.lts.control`); such a network is never
            settled back to its initial state.
        scopes: the priority operators evaluated in its product, inner ones
            first (the rules' ``guards`` index them).
    """

    components: tuple[LTS | LazyComponent, ...]
    rules: tuple[SyncRule, ...]
    notes: tuple[str, ...] = ()
    loose: bool = False
    scopes: tuple[Scope, ...] = ()
    _labels: tuple[str, ...] | None = field(default=None, init=False, repr=False,
                                            compare=False)

    def __post_init__(self) -> None:
        named = {c for rule in self.rules for c, _ in rule.parts}  # a set: one pass
        if named and (min(named) < 0 or max(named) >= len(self.components)):
            rule = next(r for r in self.rules
                        if any(not 0 <= c < len(self.components) for c, _ in r.parts))
            c = next(c for c, _ in rule.parts if not 0 <= c < len(self.components))
            raise ValueError(f"rule {rule} names component {c} of {len(self)}")

    def __len__(self) -> int:
        return len(self.components)

    @property
    def labels(self) -> tuple[str, ...]:
        """Global labels: τ, ✓, then the visible ones in first-rule order.

        Computed once (callers ask per label, and a network may have a million rules).
        """
        if self._labels is None:
            seen = dict.fromkeys([TAU, TICK])
            seen.update(dict.fromkeys(r.label for r in self.rules))
            object.__setattr__(self, "_labels", tuple(seen))  # a cache: frozen otherwise
        assert self._labels is not None
        return self._labels


def _derived(net: Network | None, **changes: object) -> Network:
    """``replace(net, **changes)`` (a new network if ``net`` is None) without the
    range check of ``__post_init__``: for networks whose rules come from checked
    ones. Checking is O(parts), and a chain of n compositions checked its growing
    prefix n times (40 % of a 256-leaf network's build).

    Example:
        >>> lts = LTS.build(1, 0, ["a"], [(0, "a", 0)])
        >>> _derived(component(lts), notes=("x",)).notes
        ('x',)
    """
    out = object.__new__(Network)
    for name in ("components", "rules", "notes", "loose", "scopes"):
        value = changes[name] if name in changes else getattr(net, name)
        object.__setattr__(out, name, value)
    object.__setattr__(out, "_labels", None)
    return out


def _with_omega_loops(lts: LTS) -> LTS:
    """Give every ✓-target a ``DONE`` self-loop; redirect ✓ to a fresh Ω
    state if a ✓-target is not a sink (Roscoe's rule puts Ω there anyway).

    On the transition arrays (a leaf may have tens of thousands of transitions).

    Example:
        >>> lts = _with_omega_loops(LTS.build(2, 0, ["a"], [(0, "✓", 1), (1, "a", 1)]))
        >>> sorted(lts.triples()), lts.num_states
        ([(0, '✓', 2), (1, 'a', 1), (2, '\\x00done', 2)], 3)
    """
    tick = lts.label_index(TICK)
    ticks = lts.label == tick if tick is not None else np.zeros(len(lts.label), dtype=bool)
    if not ticks.any():
        return lts
    src, lab, dst = (np.asarray(a, dtype=np.int64) for a in (lts.src, lts.label, lts.dst))
    targets = _distinct(dst[ticks])
    n = lts.num_states
    if np.isin(targets, src).any():
        dst = np.where(ticks, n, dst)
        targets = np.array([n], dtype=np.int64)
        n += 1
    labels = [*lts.labels, *([] if DONE in lts.labels else [DONE])]
    done = np.full(len(targets), labels.index(DONE), dtype=np.int64)
    return LTS.from_arrays(n, lts.initial, labels, np.concatenate((src, targets)),
                           np.concatenate((lab, done)), np.concatenate((dst, targets)),
                           hidden=lts.hidden)


def component(lts: LTS | LazyComponent) -> Network:
    """A one-leaf network: the LTS moves alone on each of its labels (a lazy
    component: on each label of its declared alphabet).

    Example:
        >>> lts = LTS.build(2, 0, [], [(0, "✓", 1)])
        >>> sorted(r.label for r in component(lts).rules) == sorted([TICK, DONE])
        True
    """
    if not isinstance(lts, LTS):  # a LazyComponent: it loops on its own Ω (rules of
        # component 0 only: no range check, a 30,000-event alphabet makes as many)
        return _derived(None, components=(lts,), rules=tuple(
            [SyncRule(a, ((0, a),)) for a in lts.labels]), notes=(), loose=False, scopes=())
    lts = _with_omega_loops(lts)
    used = _distinct(lts.label).tolist()
    return Network((lts,), tuple(SyncRule(lts.labels[i], ((0, lts.labels[i]),)) for i in used))


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of an array of small non-negative ints, ascending.

    Not ``np.unique``: its first call imports ``numpy.ma``, a hundredth of a
    second of a small check's start-up, where a component is made.

    Example:
        >>> _distinct(np.array([3, 1, 3])).tolist()
        [1, 3]
    """
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    seen = np.zeros(int(values.max()) + 1, dtype=bool)
    seen[values] = True
    return np.flatnonzero(seen)


_TERMINATOR = LTS.build(2, 0, [TICK, DONE], [(0, TICK, 1), (1, DONE, 1)])


def shift_rules(rules: Iterable[SyncRule], by: int, scopes: int = 0) -> list[SyncRule]:
    """``rules`` with every component index moved up by ``by`` and every scope
    index by ``scopes`` (list-built tuples: a chain of n compositions shifts its
    right side n times)."""
    return [SyncRule(r.label, tuple([(c + by, a) for c, a in r.parts]), r.rank,
                     tuple([(k + scopes, b) for k, b in r.guards]) if r.guards else ())
            for r in rules]


def shifted_scopes(net: Network, by: int, scopes: int) -> tuple[Scope, ...]:
    """``net``'s scopes with component indices moved up by ``by`` and scope
    indices by ``scopes`` (``net`` placed after others in a bigger network)."""
    return tuple(Scope(s.above, tuple(shift_rules(s.probes, by, scopes))) for s in net.scopes)


def _compose(left: Network, right: Network, shared: set[str],
             left_alpha: set[str] | None, right_alpha: set[str] | None) -> Network:
    """Parallel composition: ``shared`` synchronises; an alphabet (if given)
    blocks a side's visible events outside it. Passing, joint and termination rules
    never share a label, and a label's joint rules repeat only where a side has two:
    only those are deduplicated (a 200,000-value channel's joint rules are made, no
    more: a right rule on it is never shifted, nor hashed)."""
    by, scopes = len(left), len(left.scopes)
    passing: list[SyncRule] = []
    lby: dict[str, SyncRule | list[SyncRule]] = {}  # a label's rule, a list only past one
    rby: dict[str, SyncRule | list[SyncRule]] = {}
    ldone: list[SyncRule] = []
    rdone: list[SyncRule] = []
    for side, alpha, by_label, done in ((left.rules, left_alpha, lby, ldone),
                                        (right.rules, right_alpha, rby, rdone)):
        shift = by if side is right.rules else 0
        for r in side:
            label = r.label
            if label in shared:  # grouped by label once: scanning both sides per
                # shared label was O(|shared| x rules), 30 s over 2 000 events
                found = by_label.get(label)
                if found is None:  # most labels: one rule a side, kept bare (no list
                    by_label[label] = r  # per value of a 200,000-value channel)
                elif type(found) is list:
                    found.append(r)
                else:
                    by_label[label] = [found, r]
                continue
            if label == DONE:
                done.append(r)
                continue
            if label == TICK:  # a side's ✓ is a τ that leaves Ω in its place
                r = SyncRule(TAU, r.parts, None, r.guards)
            elif label != TAU and alpha is not None and label not in alpha \
                    and not label.startswith(HELD):
                continue
            passing.append(r if not shift else _shifted(r, shift, scopes))
    rules = list(dict.fromkeys(passing))
    for a in sorted(lby.keys() & rby.keys()):  # sorted: rule order (and POR seeds) fixed
        lefts, rights = lby[a], rby[a]
        if type(lefts) is not list and type(rights) is not list:  # one joint rule
            rules.append(SyncRule(a, lefts.parts + _shifted_parts(rights.parts, by), None,
                                  lefts.guards + _shifted_guards(rights.guards, scopes)))
            continue
        lefts = lefts if type(lefts) is list else [lefts]
        rights = rights if type(rights) is list else [rights]
        rules += dict.fromkeys([SyncRule(a, lr.parts + _shifted_parts(rr.parts, by), None,
                                         lr.guards + _shifted_guards(rr.guards, scopes))
                                for lr in lefts for rr in rights])
    comps = left.components + right.components
    if ldone and rdone:  # both sides can terminate: Ω [| A |] Ω -✓-> Ω
        t = len(comps)
        comps += (_TERMINATOR,)
        rules += dict.fromkeys([SyncRule(TICK, lr.parts + _shifted_parts(rr.parts, by)
                                         + ((t, TICK),))
                                for lr in ldone for rr in rdone])
        rules.append(SyncRule(DONE, ((t, DONE),)))
    return _derived(None, components=comps, rules=tuple(rules),
                    notes=left.notes + right.notes, loose=left.loose or right.loose,
                    scopes=left.scopes + shifted_scopes(right, by, scopes))


def _shifted(rule: SyncRule, by: int, scopes: int) -> SyncRule:
    return SyncRule(rule.label, _shifted_parts(rule.parts, by), rule.rank,
                    _shifted_guards(rule.guards, scopes))


def _shifted_parts(parts: tuple[Part, ...], by: int) -> tuple[Part, ...]:
    """``parts`` with every component index moved up by ``by``.

    Example:
        >>> _shifted_parts(((0, "a"), (2, "b")), 3)
        ((3, 'a'), (5, 'b'))
    """
    if len(parts) == 1:  # most rules: one leaf's move
        return ((parts[0][0] + by, parts[0][1]),)
    return tuple([(c + by, a) for c, a in parts])


def _shifted_guards(guards: tuple[tuple[int, str], ...], by: int) -> tuple[tuple[int, str], ...]:
    return tuple([(k + by, b) for k, b in guards]) if guards and by else guards


def parallel(left: Network, right: Network, sync: Iterable[str]) -> Network:
    """``left [| sync |] right`` (interleaving when ``sync`` is empty)."""
    return _compose(left, right, set(sync) - {TAU, TICK}, None, None)


def alpha_parallel(left: Network, right: Network, left_alpha: Iterable[str],
                   right_alpha: Iterable[str]) -> Network:
    """``left [A || B] right``: each side confined to its alphabet,
    synchronising on ``A ∩ B``."""
    la, ra = set(left_alpha), set(right_alpha)
    return _compose(left, right, la & ra, la, ra)


def hide(net: Network, hidden: Iterable[str]) -> Network:
    """``net \\ hidden``: hidden labels become τ (✓ cannot be hidden)."""
    h = set(hidden) - {TICK, DONE}
    rules = (SyncRule(TAU if r.label in h else r.label, r.parts, r.rank, r.guards)
             for r in net.rules)
    return _derived(net, rules=tuple(dict.fromkeys(rules)))


def rename(net: Network,
           pairs: Iterable[tuple[str, str]] | Callable[[str], Iterable[str]]) -> Network:
    """``net [[a <- b, ...]]``: a relation; unmentioned labels keep their name.

    ``pairs`` lists the relation, or is a function from a label to its images
    (a renaming of channels is a rule, asked only for the labels the rules carry).
    """
    if callable(pairs):
        images = pairs
    else:
        image: dict[str, list[str]] = {}
        for a, b in sorted(pairs):
            image.setdefault(a, []).append(b)
        images = lambda label: image.get(label, [label])  # noqa: E731
    rules = (SyncRule(b, r.parts, r.rank, r.guards) for r in net.rules
             for b in ((r.label,) if r.label in (TAU, TICK, DONE) or r.label.startswith(HELD)
                       else images(r.label)))
    return _derived(net, rules=tuple(dict.fromkeys(rules)))


def close(net: Network) -> Network:
    """The product description of a whole process: drops the internal
    ``DONE`` rules (nothing above the root can use them)."""
    return _derived(net, rules=tuple(r for r in net.rules if r.label != DONE))


def reduce_components(net: Network) -> Network:
    """Replace every component by its strong-bisimulation quotient
    (:func:`procalg.lts.network_reduction.reduced_components`)."""
    from procalg.lts.network_reduction import reduced_components  # it imports this module

    return reduced_components(net)
