"""LTL to a generalized Büchi automaton by the GPVW tableau.

R. Gerth, D. Peled, M. Y. Vardi, P. Wolper, "Simple on-the-fly automatic
verification of linear temporal logic", PSTV 1995. Each node of the tableau
holds the subformulas that must hold now (``old``: its literals constrain the
event of the current step) and from the next step on (``next``); a node is
expanded by splitting disjunctions and the fixpoint operators
(``a U b = b || (a && X (a U b))``, ``a R b = b && (a || X (a R b))``) until
only literals and ``next`` remain, and nodes with equal ``old`` and ``next``
are merged. Each ``a U b`` gives one acceptance set: the nodes that do not
promise it or already fulfil ``b``.

Why our own: no maintained pure-Python LTL→Büchi translator is on PyPI (spot
and ltl2ba are C/C++ programs; the PyPI packages that mention LTL target
finite traces, LTLf). GPVW is short, well understood, and its automata are
small for the formulas people write about workflows.

Complexity: at most 2^O(|f|) nodes; for ``G (a -> F b)`` four.

Example:
    >>> from procalg.checks.ltl import parse_formula
    >>> aut = translate(parse_formula("G F a"))
    >>> aut.num_nodes, len(aut.accepting)
    (2, 1)
    >>> matches = lambda atom: atom.matches
    >>> [aut.label_allows(n, "b", matches) for n in range(aut.num_nodes)]
    [False, True]
    >>> sorted(aut.accepting[0])  # the node that sees `a`
    [0]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from procalg.checks.ltl import Atom, Binary, Const, Formula, Not, Unary, negation_normal_form


@dataclass(frozen=True)
class Buchi:
    """A generalized Büchi automaton whose nodes constrain the current event.

    A run reads the step ``i`` of a path in node ``n_i``: the step's event must
    satisfy every literal of ``n_i``, ``n_0`` is initial and ``n_{i+1}`` is a
    successor of ``n_i``. It accepts when it visits every acceptance set
    infinitely often.

    Attributes:
        num_nodes: nodes are ``0 .. num_nodes - 1``.
        initial: the nodes a run may start in.
        successors: per node, the nodes that may follow.
        literals: per node, atoms (``Atom``) and negated atoms (``Not(Atom)``)
            that must hold; ``Const(False)`` never appears (such nodes are dropped).
        accepting: the acceptance sets (none: every infinite run accepts).
    """

    num_nodes: int
    initial: tuple[int, ...]
    successors: tuple[tuple[int, ...], ...]
    literals: tuple[tuple[Atom | Not, ...], ...]
    accepting: tuple[frozenset[int], ...]

    def label_allows(self, node: int, event: str,
                     matches: Callable[[Atom], Callable[[str], bool]]) -> bool:
        """Whether a step labelled ``event`` satisfies ``node``'s literals.

        ``matches(atom)`` gives the atom's predicate on event names (the
        checker's knows ``tick``, ``throw`` and ``deadlock``).
        """
        for lit in self.literals[node]:
            positive = isinstance(lit, Atom)
            atom = lit if isinstance(lit, Atom) else lit.operand
            if matches(atom)(event) != positive:
                return False
        return True


@dataclass
class _Node:
    incoming: set[int]
    new: list[Formula]
    old: set[Formula]
    next: set[Formula]


_INIT = -1


def translate(formula: Formula) -> Buchi:
    """The GPVW automaton accepting exactly the runs on which ``formula`` holds.

    The tableau is expanded with an explicit stack (no recursion limit).
    """
    f = negation_normal_form(formula)
    done: list[_Node] = []
    index: dict[tuple[frozenset, frozenset], int] = {}
    stack = [_Node({_INIT}, [f], set(), set())]
    while stack:
        node = stack.pop()
        if not node.new:
            key = (frozenset(node.old), frozenset(node.next))
            if key in index:
                done[index[key]].incoming |= node.incoming
                continue
            index[key] = len(done)
            done.append(node)
            stack.append(_Node({len(done) - 1}, list(node.next), set(), set()))
            continue
        eta = node.new.pop()
        if eta in node.old:
            stack.append(node)
            continue
        stack.extend(_expand(node, eta))
    return _automaton(f, done)


def _expand(node: _Node, eta: Formula) -> list[_Node]:
    """The nodes that replace ``node`` once ``eta`` (taken from ``new``) is split."""
    old = node.old | {eta}

    def with_(new: tuple[Formula, ...], nxt: tuple[Formula, ...] = ()) -> _Node:
        fresh = [g for g in new if g not in old]
        return _Node(set(node.incoming), node.new + fresh, set(old), node.next | set(nxt))

    match eta:
        case Const(value=False):
            return []
        case Const():
            return [with_(())]
        case Atom():
            return [] if Not(eta) in node.old else [with_(())]
        case Not():
            return [] if eta.operand in node.old else [with_(())]
        case Binary(op="&&"):
            return [with_((eta.left, eta.right))]
        case Binary(op="||"):
            return [with_((eta.left,)), with_((eta.right,))]
        case Binary(op="U"):
            return [with_((eta.left,), (eta,)), with_((eta.right,))]
        case Binary(op="R"):
            return [with_((eta.right,), (eta,)), with_((eta.left, eta.right))]
        case Unary(op="X"):
            return [with_((), (eta.operand,))]
    raise TypeError(eta)


def _automaton(f: Formula, nodes: list[_Node]) -> Buchi:
    succ: list[list[int]] = [[] for _ in nodes]
    initial = []
    for i, node in enumerate(nodes):
        for j in sorted(node.incoming):
            if j == _INIT:
                initial.append(i)
            else:
                succ[j].append(i)
    literals = tuple(
        tuple(sorted((g for g in node.old if isinstance(g, Atom)
                      or (isinstance(g, Not) and isinstance(g.operand, Atom))), key=repr))
        for node in nodes)
    untils = [g for g in _subformulas(f) if isinstance(g, Binary) and g.op == "U"]
    accepting = tuple(
        frozenset(i for i, node in enumerate(nodes) if u not in node.old or u.right in node.old)
        for u in untils)
    return Buchi(len(nodes), tuple(initial), tuple(tuple(s) for s in succ), literals, accepting)


def _subformulas(f: Formula) -> list[Formula]:
    seen: dict[Formula, None] = {}
    stack = [f]
    while stack:
        g = stack.pop()
        if g in seen:
            continue
        seen[g] = None
        match g:
            case Not() | Unary():
                stack.append(g.operand)
            case Binary():
                stack.extend((g.left, g.right))
    return list(seen)
