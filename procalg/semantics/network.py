"""Compile a process term into a network of component LTSs (FDR/LTSA style).

The top of a term, through ``Parallel``, ``AlphaParallel``, ``Hide`` and
``Rename``, becomes the synchronisation rules of a
:class:`~procalg.lts.network.Network`; every other subterm is a *leaf*,
explored once into an LTS by the reference firing rules
(:mod:`procalg.semantics.sos`). Equal leaf terms are explored once. The
product engine (:mod:`procalg.lts.product`) then explores the whole.

A term with no parallel operator at the top, or whose leaves can ``throw``
(outside a saga a throw ends the whole process at once, which is not a
synchronisation rule), gets ``None``: the caller uses the term-level
semantics, and :func:`why_not` says why.

With ``reduce=True`` each leaf is first reduced modulo strong bisimulation,
which keeps the product strongly bisimilar (a congruence for the network
operators) but changes its state count; use ``reduce=False`` when counts
must match the term-level engine.

Example:
    >>> from procalg.terms import Call, Event, Parallel, Prefix
    >>> a, b = Event("a"), Event("b")
    >>> bodies = {Call("P"): Prefix(a, Prefix(b, Call("P")))}
    >>> term = Parallel(Call("P"), Call("P"), frozenset({a}))
    >>> net = compile_network(term, bodies.__getitem__, reduce=False)
    >>> from procalg.lts.product import count_states
    >>> len(net.components), count_states(net).states
    (2, 4)
"""

from __future__ import annotations

from typing import Any

from procalg.lts import LTS, explore
from procalg.lts.network import (
    DONE,
    Network,
    SyncRule,
    alpha_parallel,
    close,
    component,
    hide,
    parallel,
    reduce_components,
    rename,
)
from procalg.semantics.sos import Rules
from procalg.terms import AlphaParallel, Hide, Omega, Parallel, Process, Rename
from procalg.terms.saga import THROW_EVENT

_NETWORK_OPERATORS = (Parallel, AlphaParallel, Hide, Rename)
_OMEGA_LEAF = Network((LTS.build(1, 0, [DONE], [(0, DONE, 0)]),), (SyncRule(DONE, ((0, DONE),)),))
"""Ω as a leaf: no ✓ leads into it, so it gets its ``DONE`` loop here, not from ✓-targets."""


class _Leaves:
    """Explores leaf terms once each, with shared firing-rule caches."""

    def __init__(self, rules: Rules, max_states: int | None) -> None:
        self.rules = rules
        self.max_states = max_states
        self.done: dict[Process, LTS] = {}

    def lts(self, term: Process) -> LTS:
        if term not in self.done:
            rules = self.rules

            class _Leaf:
                def initial_state(self) -> Process:
                    return term

                def successors(self, state: Process) -> Any:
                    return rules.transitions(state)

            self.done[term] = explore(_Leaf(), max_states=self.max_states)
        return self.done[term]


def _rules(spec_or_unfold: Any) -> Rules:
    if hasattr(spec_or_unfold, "rules"):
        return spec_or_unfold.rules()
    return Rules(spec_or_unfold)


def _names(events: frozenset) -> set[str]:
    return {str(e) for e in events}


def why_not(term: Process, spec_or_unfold: Any) -> str | None:
    """Why :func:`compile_network` gives ``None`` for ``term`` (``None`` if it doesn't).

    Example:
        >>> from procalg.terms import SKIP, STOP, Seq
        >>> why_not(Seq(SKIP, STOP), None)
        'top operator Seq is not parallel, hiding or renaming'
    """
    top = _rules(spec_or_unfold).normalise(term)
    inner = top
    while isinstance(inner, Hide | Rename):
        inner = inner.process
    if not isinstance(inner, Parallel | AlphaParallel):
        return f"top operator {type(inner).__name__} is not parallel, hiding or renaming"
    return None


def compile_network(term: Process, spec_or_unfold: Any, *, reduce: bool = True,
                    max_states: int | None = None) -> Network | None:
    """The network of ``term``, or ``None`` when the product engine does not apply.

    Args:
        term: the process (calls at the top are unfolded).
        spec_or_unfold: a :class:`~procalg.semantics.spec.Spec` (anything with
            ``rules()``) or an unfold function ``Call -> Process``.
        reduce: reduce each component modulo strong bisimulation first.
        max_states: state limit for exploring each leaf.

    Raises:
        LimitExceeded: a leaf has more than ``max_states`` states.
        ModelError: the term's definitions are wrong (unguarded recursion ...).
    """
    if why_not(term, spec_or_unfold) is not None:
        return None
    rules = _rules(spec_or_unfold)
    leaves = _Leaves(rules, max_states)
    net = _build(rules.normalise(term), rules, leaves)
    if any(str(THROW_EVENT) in lts.labels for lts in leaves.done.values()):
        return None  # a throw aborts the whole term: not a synchronisation rule
    net = close(net)
    shown = f"network: {len(leaves.done)} distinct leaves, {len(net)} components, " \
            f"{len(net.rules)} rules"
    net = Network(net.components, net.rules, (shown,))
    return reduce_components(net) if reduce else net


def _build(top: Process, rules: Rules, leaves: _Leaves) -> Network:
    """Post-order walk (explicit stack: replicated operators nest deeply)."""
    done: list[Network] = []
    todo: list[tuple[bool, Process]] = [(False, top)]
    while todo:
        built, term = todo.pop()
        if type(term) is Omega:  # terminated from the start (a one-component ||)
            done.append(_OMEGA_LEAF)
        elif not isinstance(term, _NETWORK_OPERATORS):
            done.append(component(leaves.lts(term)))
        elif not built:
            todo.append((True, term))
            operands = [term.left, term.right] if isinstance(term, Parallel | AlphaParallel) \
                else [term.process]
            todo.extend((False, rules.normalise(op)) for op in reversed(operands))
        elif isinstance(term, Parallel):
            right = done.pop()
            done.append(parallel(done.pop(), right, _names(term.sync)))
        elif isinstance(term, AlphaParallel):
            right = done.pop()
            done.append(alpha_parallel(done.pop(), right, _names(term.left_alpha),
                                       _names(term.right_alpha)))
        elif isinstance(term, Hide):
            done.append(hide(done.pop(), _names(term.hidden)))
        else:
            done.append(rename(done.pop(), {(str(a), str(b)) for a, b in term.pairs}))
    return done[0]
