"""Normalisation of a specification LTS, as FDR does before a refinement check.

A *normal node* is a τ-closed set of spec states: the states the spec may be
in after some trace (subset construction over τ-closures; Roscoe,
*Understanding Concurrent Systems*, section 16.1). Each node records

- its visible initials (events, ✓ included, some member can do);
- its minimal acceptances: for every member that is stable (no τ) or can
  terminate, the set of events it offers, keeping only the ⊆-minimal ones.
  A member that can do ✓ contributes ``{✓}``: ✓ happens autonomously, so
  such a state can refuse every ordinary event (Roscoe's law
  ``P [] SKIP = (P [] SKIP) |~| SKIP``; FDR treats ✓ the same way);
- whether it is divergent (some member can do τ forever).

Nodes are built lazily and memoised, so a refinement check only
normalises the part of the spec the implementation drives it into. The
subset construction is exponential in the worst case (as in FDR);
each node costs O(|node| · out-degree) once (its τ-closure included).

Example:
    >>> spec = LTS.build(4, 0, ["a", "b"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 3), (2, "b", 3)])
    >>> nf = NormalForm(spec)
    >>> node = nf.node(nf.root)
    >>> sorted(node.initials), [sorted(a) for a in node.acceptances]
    (['a', 'b'], [['a'], ['b']])
    >>> nf.after(nf.root, "c") is None, nf.node(nf.after(nf.root, "a")).acceptances
    (True, (frozenset(),))
"""

from __future__ import annotations

from dataclasses import dataclass

from procalg.lts.lts import LTS, TAU_INDEX, TICK, TICK_INDEX
from procalg.lts.tau import closed_under_tau, effective_labels, is_divergent

_TICK_ONLY = frozenset({TICK})


@dataclass(frozen=True, slots=True)
class NormalNode:
    """One state of the normalised spec.

    Attributes:
        states: the spec states it stands for (τ-closed).
        initials: visible events some member can perform.
        acceptances: the ⊆-minimal sets offered by stable or terminating members.
        divergent: some member can perform τ forever.
    """

    states: frozenset[int]
    initials: frozenset[str]
    acceptances: tuple[frozenset[str], ...]
    divergent: bool


class NormalForm:
    """The lazily built normal form of ``spec`` (nodes numbered from ``root == 0``).

    Args:
        spec: the specification LTS; labels in ``spec.hidden`` count as τ.
    """

    def __init__(self, spec: LTS) -> None:
        self.spec = spec
        self._divergent = is_divergent(spec).tolist()
        labels = effective_labels(spec)
        self._moves: list[list[tuple[str, int]]] = [[] for _ in range(spec.num_states)]
        self._taus: list[list[int]] = [[] for _ in range(spec.num_states)]
        names = spec.labels
        for s, a, d in zip(spec.src.tolist(), labels.tolist(), spec.dst.tolist(), strict=True):
            if a == TAU_INDEX:
                self._taus[s].append(d)
            else:
                self._moves[s].append((names[a], d))
        # per state, the events it offers: a node's acceptances are unions of these
        self._offers = [frozenset(x for x, _ in moves) for moves in self._moves]
        self._nodes: list[NormalNode] = []
        self._index: dict[frozenset[int], int] = {}
        self._afters: dict[int, dict[str, int]] = {}
        self.root = self._intern(self._close([spec.initial]))

    @property
    def alphabet(self) -> frozenset[str]:
        """Every visible event on some spec transition."""
        return frozenset(x for moves in self._moves for x, _ in moves)

    def node(self, number: int) -> NormalNode:
        """The node numbered ``number``."""
        return self._nodes[number]

    def __len__(self) -> int:
        return len(self._nodes)

    def after(self, number: int, event: str) -> int | None:
        """The node reached by ``event`` from node ``number``, or ``None`` if the
        spec cannot perform ``event`` there."""
        return self.afters(number).get(event)

    def afters(self, number: int) -> dict[str, int]:
        """Every event node ``number`` can perform and the node it leads to: its
        members' moves grouped by event in one pass (O(|node| · out-degree)), once."""
        found = self._afters.get(number)
        if found is None:
            targets: dict[str, list[int]] = {}
            for s in self._nodes[number].states:
                for x, d in self._moves[s]:
                    if x in targets:
                        targets[x].append(d)
                    else:
                        targets[x] = [d]
            found = self._afters[number] = {x: self._intern(self._close(ds))
                                            for x, ds in targets.items()}
        return found

    def _close(self, states: list[int]) -> frozenset[int]:
        taus = self._taus
        if len(states) == 1 and not taus[states[0]]:  # a stable state: its own closure
            return frozenset(states)
        return closed_under_tau(states, taus)

    def _intern(self, states: frozenset[int]) -> int:
        number = self._index.get(states)
        if number is None:
            number = self._index[states] = len(self._nodes)
            self._nodes.append(self._make_node(states))
        return number

    def _make_node(self, states: frozenset[int]) -> NormalNode:
        initials: set[str] = set()
        offers: set[frozenset[str]] = set()
        taus, all_offers, divergent = self._taus, self._offers, self._divergent
        for s in states:
            events = all_offers[s]
            initials |= events
            if TICK in events:
                offers.add(_TICK_ONLY)
            elif not taus[s]:  # stable
                offers.add(events)
        if len(offers) > 1:
            offers = {a for a in offers if not any(b < a for b in offers)}
        minimal = tuple(sorted(offers, key=lambda a: (len(a), sorted(a))))
        return NormalNode(states, frozenset(initials), minimal,
                          any(divergent[s] for s in states))

    def to_lts(self) -> LTS:
        """Build every node: the deterministic, τ-free LTS of the spec's traces."""
        todo, seen, rows = [self.root], {self.root}, []
        while todo:
            number = todo.pop()
            for event in sorted(self._nodes[number].initials):
                target = self.after(number, event)
                if target is None:  # pragma: no cover - initials guarantee a target
                    continue
                rows.append((number, event, target))
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        names = [x for x in self.spec.labels[TICK_INDEX + 1:]]
        return LTS.build(len(self._nodes), self.root, names, rows)
