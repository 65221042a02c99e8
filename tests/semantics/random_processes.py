"""Random parameterised processes as ``.proc`` text, for the differential tests
of the compiled machines against the term rules (the oracle).

One generator serves every such test; a :class:`Grammar` says what it draws:
the leaf processes and calls, the operator templates, the value expressions
and the sets. A template is a :meth:`str.format` string whose fields name what
fills them:

- ``{p}``, ``{q}``: a process one level shallower, in the same scope;
- ``{px}``, ``{qx}``: the same in a scope that also binds ``{x}``;
- ``{x}``: the name the template binds (``c?{x} -> {px}``): the grammar's next
  binder, so nested binders shadow the innermost one as a model would;
- ``{v}``, ``{w}``: an int expression over the numbers and names in scope;
- ``{b}``: a comparison of two such expressions;
- ``{s}``, ``{t}``: an event set from the grammar's sets (those naming a
  variable only where it is bound);
- any other name: one of the strings the grammar lists under it in ``pick``.

Literal braces are doubled, as in any format string (``c?{x}:{{0, 2}}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from functools import cache
from string import Formatter
from typing import NoReturn

from hypothesis import event, reject
from hypothesis import strategies as st

VARIABLES = frozenset("nmxyz")
"""The names the generated models bind (parameters ``n``, ``m``; binders)."""


@dataclass(frozen=True)
class Grammar:
    """What :func:`process` draws (hashable: one strategy object per grammar,
    scope and depth).

    Attributes:
        atoms: processes of depth 0 (``STOP``, ``SKIP``, ``THROW``, ``e -> SKIP``).
        operators: templates one level deep (see the module docstring).
        calls: templates of the calls, also of depth 0.
        numbers: the int literals of value expressions.
        arithmetic: the operators of a two-operand value expression.
        modulus: keeps a value expression inside ``0..modulus - 1``.
        comparisons: the operators of ``{b}``.
        binders: the names templates bind, the ``k``-th in a scope of ``k``
            names (the last one once the scope is longer).
        sets: the event sets of ``{s}`` and ``{t}``.
        pick: further fields, each with the strings it is drawn from.
        processes: the names of process parameters (``X`` of ``P(n, X)``): an
            atom, call or operator naming one is drawn only where it is bound,
            and a value expression never reads one.
    """

    atoms: tuple[str, ...]
    operators: tuple[str, ...]
    calls: tuple[str, ...] = ("P({v})", "R")
    numbers: tuple[str, ...] = ("0", "1", "3")
    arithmetic: tuple[str, ...] = ("+",)
    modulus: int = 4
    comparisons: tuple[str, ...] = ("<",)
    binders: str = "xy"
    sets: tuple[str, ...] = ()
    pick: tuple[tuple[str, tuple[str, ...]], ...] = ()
    processes: tuple[str, ...] = ()


@cache  # one strategy object per grammar and scope
def value(grammar: Grammar, names: tuple[str, ...]) -> st.SearchStrategy[str]:
    """An int expression over ``names`` and the grammar's numbers, inside
    ``0..modulus - 1`` when it is not a single atom."""
    atoms = st.sampled_from([*(n for n in names if n not in grammar.processes),
                             *grammar.numbers])
    if len(grammar.arithmetic) == 1:  # as the tests drew it before: no draw of the operator
        op = grammar.arithmetic[0]
        return st.one_of(atoms, st.builds(
            lambda a, b: f"(({a} {op} {b}) % {grammar.modulus})", atoms, atoms))
    return st.one_of(atoms, st.builds(
        lambda a, op, b: f"(({a} {op} {b}) % {grammar.modulus})",
        atoms, st.sampled_from(grammar.arithmetic), atoms))


@cache
def _comparison(grammar: Grammar, names: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.builds(lambda a, op, b: f"{a} {op} {b}", value(grammar, names),
                     st.sampled_from(grammar.comparisons), value(grammar, names))


def _binder(grammar: Grammar, names: tuple[str, ...]) -> str:
    return grammar.binders[min(len(names), len(grammar.binders) - 1)]


def _in_scope(text: str, names: tuple[str, ...], variables: frozenset[str] = VARIABLES
              ) -> bool:
    """Whether every one of ``variables`` that ``text`` names (outside its template
    fields) is bound in ``names``."""
    literal = "".join(part for part, _, _, _ in Formatter().parse(text))
    return set(re.findall(r"\b\w\b", literal)) & variables <= set(names)


def _field(grammar: Grammar, name: str, names: tuple[str, ...], depth: int
           ) -> st.SearchStrategy[str]:
    """What fills the template field ``name`` in scope ``names`` at ``depth``."""
    if name in ("p", "q"):
        return process(grammar, names, depth - 1)
    if name in ("px", "qx"):
        return process(grammar, (*names, _binder(grammar, names)), depth - 1)
    if name == "x":
        return st.just(_binder(grammar, names))
    if name in ("v", "w"):
        return value(grammar, names)
    if name == "b":
        return _comparison(grammar, names)
    if name in ("s", "t"):
        sets = frozenset(grammar.processes) | VARIABLES
        return st.sampled_from([s for s in grammar.sets if _in_scope(s, names, sets)])
    return st.sampled_from(dict(grammar.pick)[name])


def fill(grammar: Grammar, template: str, names: tuple[str, ...], depth: int
         ) -> st.SearchStrategy[str]:
    """``template`` with its fields drawn in scope ``names`` (a process field one
    level below ``depth``); a template without fields is itself.

    Example:
        >>> from hypothesis import find
        >>> grammar = Grammar(atoms=("STOP",), operators=())
        >>> find(fill(grammar, "c?{x}:{{0}} -> {px}", ("n",), 1), lambda text: "R" in text)
        'c?y:{0} -> R'
    """
    fields = list(dict.fromkeys(f for _, f, _, _ in Formatter().parse(template) if f))
    if not fields:
        return st.just(template.format())
    return st.builds(lambda *drawn: template.format(**dict(zip(fields, drawn, strict=True))),
                     *(_field(grammar, f, names, depth) for f in fields))


@cache  # one strategy object per grammar, scope and depth
def process(grammar: Grammar, names: tuple[str, ...], depth: int) -> st.SearchStrategy[str]:
    """A process of at most ``depth`` operator levels over the names in scope."""
    atoms = [*grammar.atoms, *(name for name in grammar.processes if name in names)]
    calls = st.one_of(*(fill(grammar, call, names, depth)
                        for call in _scoped(grammar, grammar.calls, names)))
    base = st.one_of(st.sampled_from(atoms), calls)
    if depth == 0:
        return base
    return st.one_of(base, *(fill(grammar, op, names, depth)
                             for op in _scoped(grammar, grammar.operators, names)))


def _scoped(grammar: Grammar, templates: tuple[str, ...], names: tuple[str, ...]
            ) -> list[str]:
    """The templates whose process parameters are bound in ``names``."""
    return [t for t in templates if _in_scope(t, names, frozenset(grammar.processes))]


def guarded(grammar: Grammar, heads: tuple[str, ...], names: tuple[str, ...] = (),
            depth: int = 2) -> st.SearchStrategy[str]:
    """A body that starts with one of ``heads`` (its recursion is guarded)."""
    return st.builds(lambda head, p: f"{head} -> {p}", st.sampled_from(heads),
                     process(grammar, names, depth))


def models(grammar: Grammar, heads: tuple[str, ...]) -> st.SearchStrategy[str]:
    """``P(n)``, a process of depth 3, and ``R``, a guarded one that cannot read ``n``.

    Example:
        >>> from hypothesis import find
        >>> find(models(Grammar(atoms=("STOP",), operators=("f -> {p}",)), ("e",)),
        ...      lambda text: text.startswith("P(n) = f"))
        'P(n) = f -> STOP\\nR = e -> STOP\\n'
    """
    return st.builds(lambda p, r: f"P(n) = {p}\nR = {r}\n", process(grammar, ("n",), 3),
                     guarded(grammar, heads))


TERM_NODES = 2_000
"""The most operator nodes a state of the term rules may hold in a random test."""


MOVES = 500
"""The most moves one subterm of a state may have in a random test (moves
multiply under ``[+ A +]`` and ``/+ A +\\``: a state of a few hundred nodes
had millions, a MemoryError before its targets were ever sized)."""


class TermsTooLarge(Exception):
    """A reference state outgrew :data:`TERM_NODES`, or a subterm's moves :data:`MOVES`."""


def refuse() -> NoReturn:
    """Reject the draw whose term rules outgrew the bounds, counted in hypothesis's
    statistics (``--hypothesis-show-statistics``): never a silent pass."""
    event("the term rules outgrew TERM_NODES or MOVES: draw rejected")
    reject()


def refuse_past(budget: int) -> NoReturn:
    """Reject the draw whose term rules passed ``budget`` states: a finite model too
    large to compare within a test's budget (replicated choices' τ-resolutions
    multiply), counted in hypothesis's statistics as :func:`refuse` counts its own."""
    event(f"the term rules passed {budget:,} states: draw rejected")
    reject()


class _CappedMoves(dict):
    """The firing rules' moves per subterm, refusing a list longer than :data:`MOVES`
    as it is stored: each operand's list is capped before an operator combines
    them, so one state costs at most ``MOVES ** 2`` moves before it is refused."""

    def __setitem__(self, term: object, moves: list) -> None:
        if len(moves) > MOVES:
            raise TermsTooLarge(len(moves))
        super().__setitem__(term, moves)


class BoundedTerms:
    """The term rules' system of a random model, refusing a state larger than
    :data:`TERM_NODES` nodes: a term that doubles at each event (recursion on
    both sides of ``[+ {| c |} +]``) stays a few states under a state bound
    while its size, and the rules' time and memory, grow without end (12 GB
    seen on some seeds), or a subterm whose moves multiply past :data:`MOVES`. The
    caller rejects that draw (``hypothesis.reject``).

    The states it gives are hash-consed: of equal terms, the first one met
    stands for all (the rules see equal terms, so the LTS is the same). An
    exploration's dictionary then finds a state by identity, where a fresh
    equal term (a call unfolded again) was compared node by node, and a
    state's size is summed over its new nodes only (a subterm shared with
    an earlier state is looked up by identity): the two walks took 80% of
    the random differential tests' CPU on 2,000-node terms.

    Example:
        >>> from procalg.api.model import loads
        >>> model = loads("channel c\\nP = c -> (P [+ {c} +] P)")
        >>> model.spec.nesting = {}  # unwatched (the nesting watch would stop it first)
        >>> system = BoundedTerms(model.spec.system(model.process("P")))
        >>> try:
        ...     for _ in range(20):
        ...         (_, state), = system.successors(state if _ else system.initial_state())
        ... except TermsTooLarge:
        ...     print("too large")
        too large
        >>> model = loads("channel c\\nQ = c -> c -> Q")
        >>> loop = BoundedTerms(model.spec.system(model.process("Q")))
        >>> (_, one), = loop.successors(loop.initial_state())
        >>> (_, two), = loop.successors(one)
        >>> (_, three), = loop.successors(two)
        >>> three is one
        True
    """

    def __init__(self, system: object) -> None:
        self.system = system
        rules = getattr(system, "rules", None)  # the term rules' moves, capped per subterm
        if rules is not None and type(rules.memo) is not _CappedMoves:
            rules.memo = _CappedMoves(rules.memo)
        self._known: dict[int, tuple[object, object, int]] = {}  # id -> (node, canonical, size)
        self._canonical: dict[tuple, object] = {}  # (type, compared fields) -> first such node

    def initial_state(self) -> object:
        return self._checked(self.system.initial_state())  # type: ignore[attr-defined]

    def successors(self, state: object) -> list[tuple[object, object]]:
        return [(label, self._checked(target))
                for label, target in self.system.successors(state)]  # type: ignore

    def _checked(self, term: object) -> object:
        """The canonical term equal to ``term``, or :class:`TermsTooLarge` past
        :data:`TERM_NODES` nodes (counted as a tree: a subterm met twice counts
        twice). A post-order walk of the nodes not met before: O(new nodes)."""
        known = self._known
        todo: list[tuple[object, bool]] = [(term, False)]
        while todo:
            node, ready = todo.pop()
            if id(node) in known:
                continue
            if not ready:
                todo.append((node, True))
                todo.extend((child, False) for child in _children(node)
                            if id(child) not in known)
                if len(todo) > TERM_NODES:  # each entry is a place in the tree
                    raise TermsTooLarge(len(todo))
                continue
            size = 1 + sum(known[id(child)][2] for child in _children(node))
            if size > TERM_NODES:
                raise TermsTooLarge(size)
            key = _key(node, known)
            canonical = node if key is None else self._canonical.setdefault(key, node)
            known[id(node)] = (node, canonical, size)  # node kept: its id stays its own
        return known[id(term)][1]


def _children(node: object) -> list[object]:
    """The dataclass values in ``node``'s fields and in tuples there (what a
    node's size counts, as the walk before hash-consing counted it)."""
    found = []
    for name in getattr(node, "__dataclass_fields__", ()):
        value = getattr(node, name)
        if isinstance(value, tuple):
            found.extend(v for v in value if hasattr(v, "__dataclass_fields__"))
        elif hasattr(value, "__dataclass_fields__"):
            found.append(value)
    return found


@cache
def _compared(cls: type) -> tuple[str, ...]:
    """The names of the fields equality reads (not ``_hash`` and other caches)."""
    return tuple(f.name for f in fields(cls) if f.compare)


def _key(node: object, known: dict) -> tuple | None:
    """``node``'s type and compared fields, its dataclass parts replaced by
    their canonical terms (so equal keys compare by identity); ``None`` for a
    value that is no dataclass or not hashable."""
    if not hasattr(node, "__dataclass_fields__"):
        return None

    def canonical(value: object) -> object:
        if isinstance(value, tuple):
            return tuple(canonical(v) if hasattr(v, "__dataclass_fields__") else v
                         for v in value)
        entry = known.get(id(value))
        return value if entry is None else entry[1]

    key = (type(node), tuple(canonical(getattr(node, name)) for name in _compared(type(node))))
    try:
        hash(key)
    except TypeError:
        return None
    return key
