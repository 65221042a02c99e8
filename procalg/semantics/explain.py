"""Counterexamples projected onto parallel components, like FDR's debugger.

A check reports a path of the whole system (labels, τ included). To say
*why* it fails, the path is replayed through the firing rules from the
initial term and attributed to the **components**: the leaves of the
top-level tree of parallel, hiding and renaming operators (``Phil(3)``,
``Fork(2)``), named by their term. Every move of the system is re-derived
with its *blame*, the leaves that took part and the label each of them
did (its own name, before hiding and renaming), by the same rules as
:mod:`procalg.semantics.sos` (Roscoe, *Understanding Concurrent Systems*,
ch. 9); moves are cross-checked against :meth:`Rules.transitions`.

τ-steps make a path ambiguous (``P |~| Q`` reaches two terms by τ), so the
replay is a breadth-first search over terms constrained by the labels,
keeping every candidate; the caller's ``goal`` picks the end state that
shows the failure (a deadlock, a refusal, a τ-cycle). If the exact path
does not replay (a check explored a different but equivalent system), the
visible trace is replayed weakly, τ* between events.

At the end every component reports its own trace, what it offers, and,
for each event it offers that a parallel operator synchronises, which
components block it (those with the event in their alphabet that do not
offer it now). Alphabets come from exploring each leaf alone.

Complexity: O(P · d) for the P terms met along the path (d moves each);
the weak fallback is bounded by ``max_terms``; leaf alphabets cost one
exploration per leaf, bounded by ``max_terms``.

Example:
    >>> from procalg.semantics.sos import Rules
    >>> from procalg.terms import Event, Parallel, Prefix, STOP
    >>> a, b, c = Event("a"), Event("b"), Event("c")
    >>> left = Prefix(c, Prefix(a, Prefix(b, STOP)))
    >>> term = Parallel(left, Prefix(b, Prefix(a, STOP)), frozenset({a, b}))
    >>> ex = explain(Rules(None), term, ("c",), goal=lambda moves: not moves)
    >>> ex.steps, ex.columns
    (('c',), (('c', None),))
    >>> [(x.name, x.trace, x.offers) for x in ex.components]
    [('c -> a -> b -> STOP', ('c',), ('a',)), ('b -> a -> STOP', (), ('b',))]
    >>> [(x.event, len(x.wanted_by), x.blocked_by) for x in ex.blocked]
    [('a', 1, ('b -> a -> STOP',)), ('b', 1, ('c -> a -> b -> STOP',))]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from procalg.errors import ProcalgError
from procalg.lts import TAU, TICK
from procalg.semantics.sos import Label, Rules, relation
from procalg.terms import OMEGA, AlphaParallel, Call, Hide, Omega, Parallel, Process, Rename
from procalg.terms import show_process as show

Blame = tuple[tuple[int, Label], ...]
"""The leaves that took part in one move and the label each did."""
Move = tuple[Label, Process, Blame]
Goal = Callable[[list[tuple[Label, Process]]], bool]


@dataclass(frozen=True)
class Shape:
    """The static tree of top-level operators: ``par``, ``hide``, ``rename`` or ``leaf``."""

    kind: str
    children: tuple[Shape, ...] = ()
    leaf: int = -1

    def leaves(self) -> list[int]:
        return [self.leaf] if self.kind == "leaf" else [i for c in self.children
                                                         for i in c.leaves()]


@dataclass(frozen=True)
class Component:
    """One leaf's view of the counterexample.

    Attributes:
        name: the leaf's initial term (``Phil(3)``).
        trace: the events it took part in, its own names (hidden ones too).
        offers: the events it offers at the end (sorted, ✓ included).
        stable: whether it has no internal move at the end.
        final: its term at the end.
    """

    name: str
    trace: tuple[str, ...]
    offers: tuple[str, ...]
    stable: bool
    final: str


@dataclass(frozen=True)
class Blocked:
    """An event some components offer at the end that a parallel operator holds back."""

    event: str
    wanted_by: tuple[str, ...]
    blocked_by: tuple[str, ...]


@dataclass(frozen=True)
class Explanation:
    """A counterexample attributed to components.

    Attributes:
        steps: the system's labels along the path (τ included).
        columns: per step, what each component did (its label, or ``None``).
        components: the leaves, in tree order.
        blocked: synchronised events offered at the end and who blocks them.
        cycle_steps, cycle_columns: a τ-cycle at the end (divergence), same shape.
        exact: whether the check's exact path replayed (else its visible trace did).
    """

    steps: tuple[str, ...]
    columns: tuple[tuple[str | None, ...], ...]
    components: tuple[Component, ...]
    blocked: tuple[Blocked, ...] = ()
    cycle_steps: tuple[str, ...] = ()
    cycle_columns: tuple[tuple[str | None, ...], ...] = ()
    exact: bool = True


def decompose(term: Process, unfold: Callable[[Call], Process] | None) -> tuple[Shape, list[str]]:
    """The top-level operator tree of ``term`` and the names of its leaves.

    Calls are unfolded while they stand for an operator of the tree, so a
    replicated ``||| i : Id @ Phil(i)`` gives leaves named ``Phil(0)`` ...
    """
    names: list[str] = []

    def walk(node: Process) -> Shape:
        shown, seen = node, set()
        while type(node) is Call and unfold is not None and node not in seen:
            seen.add(node)
            body = unfold(node)
            if not isinstance(body, Parallel | AlphaParallel | Hide | Rename | Call):
                break
            node = body
        match node:
            case Parallel(left, right) | AlphaParallel(left, right):
                return Shape("par", (walk(left), walk(right)))
            case Hide(inner) | Rename(inner):
                return Shape("hide" if type(node) is Hide else "rename", (walk(inner),))
        names.append(show(shown))
        return Shape("leaf", leaf=len(names) - 1)

    return walk(term), names


class Replay:
    """Blamed moves of terms shaped like one :class:`Shape` (memoised)."""

    def __init__(self, rules: Rules, shape: Shape) -> None:
        self.rules, self.shape = rules, shape
        self.memo: dict[tuple[int, Process], list[Move]] = {}

    def moves(self, term: Process, shape: Shape | None = None) -> list[Move]:
        """``term``'s moves with blame; the same ``(label, target)`` pairs as the rules."""
        shape = shape or self.shape
        key = (id(shape), term)
        if key not in self.memo:
            actual = set(self.rules.transitions(term))
            blamed = [m for m in self._blamed(shape, term) if (m[0], m[1]) in actual]
            seen = {(lab, t) for lab, t, _ in blamed}
            # moves the tree rules do not produce (a saga's abort) keep no blame
            blamed += [(lab, t, ()) for lab, t in actual if (lab, t) not in seen]
            self.memo[key] = blamed
        return self.memo[key]

    def _blamed(self, shape: Shape, term: Process) -> list[Move]:
        match shape.kind, term:
            case "par", Parallel() | AlphaParallel():
                return self._parallel(shape, term)
            case "hide", Hide(inner, hidden):
                return [(TICK, OMEGA, b) if lab == TICK
                        else (TAU if lab in hidden else lab, Hide(p, hidden), b)
                        for lab, p, b in self.moves(inner, shape.children[0])]
            case "rename", Rename(inner, pairs):
                images = relation(pairs)
                return [(TICK, OMEGA, b) if lab == TICK else (image, Rename(p, pairs), b)
                        for lab, p, b in self.moves(inner, shape.children[0])
                        for image in ((TICK,) if lab == TICK else images.get(lab, (lab,)))]
            case "leaf", _:
                return [(lab, t, ((shape.leaf, lab),)) for lab, t in self.rules.transitions(term)]
        return []  # the operator has terminated (Ω): nobody moves

    def _parallel(self, shape: Shape, term: Parallel | AlphaParallel) -> list[Move]:
        left, right = term.left, term.right
        if type(left) is Omega and type(right) is Omega:
            return [(TICK, OMEGA, ())]
        free = type(term) is Parallel
        left_alpha = term.sync if free else term.left_alpha
        right_alpha = term.sync if free else term.right_alpha
        both = left_alpha if free else left_alpha & right_alpha
        lm, rm = self.moves(left, shape.children[0]), self.moves(right, shape.children[1])
        out: list[Move] = []
        for lab, p, bl in lm:
            if lab == TICK:
                out.append((TAU, _rebuild(term, OMEGA, right), bl))
            elif lab in both:
                out.extend((lab, _rebuild(term, p, q), bl + br) for x, q, br in rm if x == lab)
            elif lab == TAU or free or lab in left_alpha:
                out.append((lab, _rebuild(term, p, right), bl))
        for lab, q, br in rm:
            if lab == TICK:
                out.append((TAU, _rebuild(term, left, OMEGA), br))
            elif lab not in both and (lab == TAU or free or lab in right_alpha):
                out.append((lab, _rebuild(term, left, q), br))
        return out


def _rebuild(term: Parallel | AlphaParallel, left: Process, right: Process) -> Process:
    if type(term) is Parallel:
        return Parallel(left, right, term.sync)
    return AlphaParallel(left, right, term.left_alpha, term.right_alpha)


Path = list[tuple[Label, Blame, Process]]


def explain(rules: Rules, term: Process, path: Sequence[str], *,
            goal: Goal | None = None, unfold: Callable[[Call], Process] | None = None,
            exact: bool = True, cycle: bool = False, max_terms: int = 200_000) -> Explanation:
    """Replay ``path`` from ``term`` and attribute it to the components.

    Args:
        rules: the firing rules of the model (``spec.rules()``).
        term: the process of the check (not yet normalised).
        path: label names; τ included when ``exact``, else visible events only.
        goal: picks the end state that shows the failure, from its moves.
        unfold: names leaves by the calls that stand for them.
        exact: ``path`` spells every step; if it does not replay, the
            visible trace is replayed weakly.
        cycle: also find a τ-cycle from the end (divergence).
        max_terms: bound on the terms the weak replay visits.

    Raises:
        ProcalgError: the path cannot be replayed.
    """
    shape, names = decompose(term, unfold)
    replay = Replay(rules, shape)
    start = rules.normalise(term)
    accept = _accepting(replay, goal, cycle)
    found = _strict(replay, start, path, accept) if exact else None
    if found is None:
        visible = [x for x in path if x != TAU]
        found = _weak(replay, start, visible, accept, max_terms)
        exact = False
    loop = _tau_cycle(replay, found[-1][2] if found else start) if cycle else []
    end = loop[-1][2] if loop else (found[-1][2] if found else start)
    leaves = range(len(names))
    return Explanation(
        steps=tuple(str(lab) for lab, _, _ in found),
        columns=tuple(_column(b, len(names)) for _, b, _ in found),
        components=tuple(_component(replay, names[i], i, found, end) for i in leaves),
        blocked=tuple(_blocked(replay, shape, end, names, max_terms)),
        cycle_steps=tuple(str(lab) for lab, _, _ in loop),
        cycle_columns=tuple(_column(b, len(names)) for _, b, _ in loop),
        exact=exact)


def _accepting(replay: Replay, goal: Goal | None, cycle: bool) -> Callable[[Process], bool]:
    def accept(term: Process) -> bool:
        if cycle and not _tau_cycle(replay, term):
            return False
        return goal is None or goal([(lab, t) for lab, t, _ in replay.moves(term)])
    return accept


def _strict(replay: Replay, start: Process, path: Sequence[str],
            accept: Callable[[Process], bool]) -> Path | None:
    """Every term the exact labels reach, layer by layer; the first accepted end."""
    layers: list[dict[Process, tuple[Process, Label, Blame] | None]] = [{start: None}]
    for name in path:
        layer: dict[Process, tuple[Process, Label, Blame] | None] = {}
        for term in layers[-1]:
            for lab, target, blame in replay.moves(term):
                if str(lab) == name and target not in layer:
                    layer[target] = (term, lab, blame)
        if not layer:
            return None
        layers.append(layer)
    ends = [t for t in layers[-1] if accept(t)]
    if not ends:
        return None
    found: Path = []
    term = ends[0]
    for layer in reversed(layers[1:]):
        prev, lab, blame = layer[term]  # type: ignore[misc]
        found.append((lab, blame, term))
        term = prev
    return found[::-1]


def _weak(replay: Replay, start: Process, trace: Sequence[str],
          accept: Callable[[Process], bool], max_terms: int) -> Path:
    """Breadth-first over (term, position), τ anywhere; the first accepted end."""
    parent: dict[tuple[Process, int], tuple[tuple[Process, int], Label, Blame] | None]
    parent = {(start, 0): None}
    queue = deque([(start, 0)])
    while queue and len(parent) <= max_terms:
        node = queue.popleft()
        term, pos = node
        if pos == len(trace) and accept(term):
            return _unwind(parent, node)
        for lab, target, blame in replay.moves(term):
            step = 1 if pos < len(trace) and str(lab) == trace[pos] else 0
            if (step or lab == TAU) and (target, pos + step) not in parent:
                parent[(target, pos + step)] = (node, lab, blame)
                queue.append((target, pos + step))
    raise ProcalgError("cannot replay the counterexample through the process's terms",
                       hint="the check's path and the terms disagree; please report this")


def _unwind(parent: dict, node: tuple[Process, int]) -> Path:
    found: Path = []
    while parent[node] is not None:
        prev, lab, blame = parent[node]
        found.append((lab, blame, node[0]))
        node = prev
    return found[::-1]


def _tau_cycle(replay: Replay, entry: Process) -> Path:
    """A shortest cycle of τ-moves from ``entry`` back to it (empty if none)."""
    parent: dict[Process, tuple[Process, Label, Blame] | None] = {}
    queue = deque([entry])
    while queue:
        term = queue.popleft()
        for lab, target, blame in replay.moves(term):
            if lab != TAU:
                continue
            if target == entry:
                found: Path = [(lab, blame, target)]
                while term != entry:
                    prev, plab, pblame = parent[term]  # type: ignore[misc]
                    found.append((plab, pblame, term))
                    term = prev
                return found[::-1]
            if target not in parent:
                parent[target] = (term, lab, blame)
                queue.append(target)
    return []


def _column(blame: Blame, width: int) -> tuple[str | None, ...]:
    cells: list[str | None] = [None] * width
    for leaf, lab in blame:
        cells[leaf] = str(lab)
    return tuple(cells)


def _leaf_term(shape: Shape, term: Process, leaf: int) -> Process:
    """The subterm at ``leaf``'s position (Ω once its operator has terminated)."""
    node = shape
    while node.kind != "leaf":
        if node.kind == "par" and isinstance(term, Parallel | AlphaParallel):
            left = leaf in node.children[0].leaves()
            node, term = node.children[0 if left else 1], term.left if left else term.right
        elif node.kind != "par" and isinstance(term, Hide | Rename):
            node, term = node.children[0], term.process
        else:
            return OMEGA
    return term


def _component(replay: Replay, name: str, leaf: int, path: Path, end: Process) -> Component:
    own = tuple(str(lab) for _, blame, _ in path for i, lab in blame
                if i == leaf and lab != TAU)
    term = _leaf_term(replay.shape, end, leaf)
    labels = {lab for lab, _ in replay.rules.transitions(term)}
    offers = tuple(sorted(str(x) for x in labels if x != TAU))
    return Component(name, own, offers, TAU not in labels, show(term))


def _blocked(replay: Replay, shape: Shape, term: Process, names: list[str],
             max_terms: int) -> list[Blocked]:
    """Synchronised events one side of a parallel offers and the other does not."""
    if shape.kind != "par" or not isinstance(term, Parallel | AlphaParallel):
        if shape.kind in ("hide", "rename") and isinstance(term, Hide | Rename):
            return _blocked(replay, shape.children[0], term.process, names, max_terms)
        return []
    both = term.sync if type(term) is Parallel else term.left_alpha & term.right_alpha
    sides = ((shape.children[0], term.left), (shape.children[1], term.right))
    offered = [_offered(replay, s, t) for s, t in sides]
    out: list[Blocked] = []
    for me, other in ((0, 1), (1, 0)):
        for event in sorted(offered[me], key=str):
            if event in both and event not in offered[other]:
                alpha = _alphabet(replay, sides[other][0], sides[other][1], max_terms)
                out.append(Blocked(str(event), tuple(names[i] for i in sorted(offered[me][event])),
                                   tuple(names[i] for i in sorted(alpha.get(event, ())))))
    for s, t in sides:
        out += _blocked(replay, s, t, names, max_terms)
    return out


def _offered(replay: Replay, shape: Shape, term: Process) -> dict[Label, set[int]]:
    found: dict[Label, set[int]] = {}
    for lab, _, blame in replay.moves(term, shape):
        if lab not in (TAU, TICK):
            found.setdefault(lab, set()).update(i for i, _ in blame)
    return found


def _alphabet(replay: Replay, shape: Shape, term: Process, max_terms: int) -> dict[Label, set[int]]:
    """Every event the subtree can ever do from ``term`` (bounded search), with its leaves."""
    found: dict[Label, set[int]] = {}
    seen, queue = {term}, deque([term])
    while queue and len(seen) <= max_terms:
        for lab, target, blame in replay.moves(queue.popleft(), shape):
            if lab not in (TAU, TICK):
                found.setdefault(lab, set()).update(i for i, _ in blame)
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return found
