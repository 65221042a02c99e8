"""Compile a process term into a network of component LTSs (FDR's supercombinators).

The operator tree at the top of a term becomes a
:class:`~procalg.lts.network.Network`: ``Parallel``, ``AlphaParallel``,
``Hide`` and ``Rename`` become synchronisation rules
(:mod:`procalg.lts.network`); ``;``, ``[]``, ``|~|``, ``/\\``, ``[>``, ``[+ A +]``,
``/+ A +\\`` and ``e -> P`` become small control components (:mod:`procalg.lts.control`,
:mod:`procalg.lts.control_sync`); ``prioritise`` under nothing but hiding and
renaming ranks the rules (:mod:`procalg.lts.priority`); any other ``prioritise``,
``prioritisepo`` or ``chase`` becomes a nested network, one component of the outer
one, or a priority scope filtering the outer product's moves
(:mod:`procalg.semantics.network_nested`) -- only where a parallel lies below, in a
finite static structure (prefixes are looked through outside choices only). Every
other subterm is a *leaf*, explored once into an LTS by the reference firing
rules (:mod:`procalg.semantics.sos`); equal leaf terms are explored once.
The product engine (:mod:`procalg.lts.product`) then explores the whole.

Recursion through the operator tree (``Net = (A ||| B) ; Net``) has no
finite static structure: the recursive subterm becomes a leaf explored by
the term rules (FDR's "low-level" compilation), and the network's notes say
so. A ``throw`` in a leaf ends everything (outside sagas): a control
component (alive/thrown) models it. A term with no parallel operator in its
structure is compiled whole as one component, the way a leaf is (a compiled
machine, lazy when large); a term whose leaves are too large gets
:class:`NotApplicable` with the reason: the caller uses the term rules.

With ``reduce=True`` each component is first reduced modulo strong
bisimulation, which keeps the product strongly bisimilar (a congruence for
the network operators) but changes its state count; use ``reduce=False``
when counts must match the term-level engine (they do, except where two
branches of a choice reach equal terms, which the term level merges).

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

from dataclasses import replace
from functools import partial
from typing import Any

from procalg.errors import LimitExceeded, ProcalgError
from procalg.lts import LTS
from procalg.lts import control as ctl
from procalg.lts.network import (
    DONE,
    Network,
    SyncRule,
    close,
    component,
    reduce_components,
)
from procalg.semantics import network_loops
from procalg.semantics.growth_reached import NestingMet, reached_growth, watching_rules
from procalg.semantics.leaves import Leaves, compressed_leaf, model_alphabet
from procalg.semantics.network_combine import combine
from procalg.semantics.network_narrow import (
    WHOLE,
    Scope,
    WideLeaf,
    leaf_scope,
    operand_scopes,
    partner_scope,
    whole_note,
)
from procalg.semantics.network_nested import nested_network, nests, priority_leaf
from procalg.semantics.network_sequential import sequential
from procalg.semantics.network_shape import (  # NotApplicable: re-exported
    CONTROL_OPERATORS,
    MAX_DEPTH,
    NotApplicable,
    Shape,
    too_large_whole,
    wide_leaf,
)
from procalg.semantics.priority import priority_source
from procalg.semantics.sos import Rules
from procalg.terms import (
    ExceptionOp,
    ExternalChoice,
    Input,
    InternalChoice,
    Interrupt,
    Omega,
    Prefix,
    Process,
    Seq,
    Timeout,
)
from procalg.terms.compressed import Compressed
from procalg.terms.saga import THROW_EVENT
from procalg.terms.synchronising import SyncChoice, SyncInterrupt

_SYMBOL = {Prefix: "->", Input: "?", Seq: ";", ExternalChoice: "[]", InternalChoice: "|~|",
           Interrupt: "/\\", Timeout: "[>", ExceptionOp: "[| |>",
           SyncChoice: "[+ +]", SyncInterrupt: "/+ +\\"}
_LOOP = "loop"  # a kind of _build's: a recursive process that restarts on its call
_OMEGA_LEAF = Network((LTS.build(1, 0, [DONE], [(0, DONE, 0)]),), (SyncRule(DONE, ((0, DONE),)),))
"""Ω as a leaf: no ✓ leads into it, so it gets its ``DONE`` loop here, not from ✓-targets."""


def _rules(spec_or_unfold: Any) -> Rules:
    if hasattr(spec_or_unfold, "rules"):
        return spec_or_unfold.rules()
    return Rules(spec_or_unfold)


class _Eager(Exception):
    """A loop met a stale lazy leaf: build again with them able to return (returning_leaf)."""


class _Recursive(Exception):
    """The walk met ``term`` again below itself (or went too deep below it)."""

    def __init__(self, term: Process) -> None:
        super().__init__(term)
        self.term = term


def compile_network(term: Process, spec_or_unfold: Any, *, reduce: bool = True,
                    max_states: int | None = None, lazy: bool = True,
                    lazy_limit: int | None = None,
                    wide_inputs: bool = False) -> Network | NotApplicable:
    """The network of ``term``, or why the product engine does not apply.

    Args:
        term: the process (calls at the top are unfolded).
        spec_or_unfold: a :class:`~procalg.semantics.spec.Spec` (anything with
            ``rules()``) or an unfold function ``Call -> Process``.
        reduce: reduce each component modulo strong bisimulation first.
        max_states: state limit for exploring a leaf whole (a larger leaf that
            cannot be lazy gives :class:`NotApplicable`).
        lazy: leaves of a loaded model directly under parallel, hiding and
            renaming that pass :data:`~procalg.lts.leaf_choice.EAGER_LIMIT` states are
            explored lazily, by the search, where the product reaches them.
        lazy_limit: the most local states a lazy leaf may reach.
        wide_inputs: compile synchronised wide inputs too (a compression's operand).

    Raises:
        ModelError: the term's definitions are wrong (unguarded recursion ...).

    Example:
        >>> from procalg.terms import SKIP, STOP, Seq
        >>> from procalg.lts.product import count_states
        >>> net = compile_network(Seq(SKIP, STOP), None, reduce=False)
        >>> net.notes[0], len(net.components), count_states(net).states
        ('one sequential component', 1, 2)
    """
    watched = watching_rules(term, spec_or_unfold)  # a recursion that may nest: met lazily
    try:
        return _compile(term, spec_or_unfold, Shape(watched or _rules(spec_or_unfold)),
                        watched is None, reduce, max_states, lazy, lazy_limit, wide_inputs)
    except NestingMet as met:
        return NotApplicable(met.reason)


def _compile(term: Process, spec_or_unfold: Any, shape: Shape, machines: bool, reduce: bool,
             max_states: int | None, lazy: bool, lazy_limit: int | None,
             wide_inputs: bool) -> Network | NotApplicable:
    """:func:`compile_network` over the firing rules of ``shape`` (``machines``: leaves
    may be compiled machines; else the rules, which watch the unfoldings, run them)."""
    top = shape.normal(term)
    if type(top) is Compressed and top.table.graph is not None:  # sbisim(P) & co. at the top
        return replace(close(component(compressed_leaf(top.table.graph, top.state))),
                       notes=(f"a compressed process: its table, {top.table.graph.num_states}"
                              " states",))
    leaves = Leaves(shape.rules, max_states, model_alphabet(spec_or_unfold) if lazy else None,
                    lazy_limit, getattr(spec_or_unfold, "evaluator", None),
                    machines=machines)
    grows = reached_growth(top, leaves, counters=not shape.compiled(top))
    if grows is not None:  # the term rules watch it (partners bound counters in a network)
        return NotApplicable(grows)
    if not shape.compiled(top):
        return sequential(top, leaves, max_states)
    narrow = not wide_inputs and wide_leaf(top, shape) is not None  # partners first
    restarting = False
    while True:
        kinds: list[str] = []
        nested: list[str] = []
        try:
            net = _build(top, shape, leaves, frozenset(), nested, kinds, reduce=reduce,
                         restarting=restarting, narrow=narrow)
            break
        except WideLeaf as wide:
            return NotApplicable(wide.reason)
        except _Eager:  # (every lazy leaf under a control operator returns after this)
            restarting = True
        except _Recursive as found:
            shape.leaves.add(found.term)
            shape.memo.clear()
            if not shape.compiled(top):  # recursion through the operators at the top
                return sequential(top, leaves, max_states)
        except LimitExceeded:
            return NotApplicable(too_large_whole(max_states))
    closed = close(net)
    net = ctl.abortable(closed, str(THROW_EVENT))  # keeps ranks: throw is an event for priority
    kinds += ["throw"] if net is not closed else []
    notes = [f"network: {len(leaves.done)} distinct leaves, {len(net)} components, "
             f"{len(net.rules)} rules"]
    if _LOOP in kinds:
        notes.append(f"recursion at the top: {kinds.count(_LOOP)} process(es) restart on their "
                     "own call (a loop back to their start)" + (
                         "; lazy leaves below reset as they are expanded"
                         if restarting else ""))
        kinds = [k for k in kinds if k != _LOOP]
    if kinds:
        counts = {k: kinds.count(k) for k in sorted(set(kinds))}
        notes.append("control components for " + ", ".join(
            k if n == 1 else f"{k} ×{n}" for k, n in counts.items()))
    notes += nested + leaves.notes()
    if shape.leaves:
        notes.append(f"{len(shape.leaves)} recursive subterm(s) explored whole by the "
                     "term-level rules (no finite operator structure)")
    net = leaves.numbered(replace(net, notes=(*notes, *net.notes)))
    return reduce_components(net) if reduce else net


def _build(top: Process, shape: Shape, leaves: Leaves, outer: frozenset[Process],
           notes: list[str], kinds: list[str], *, reduce: bool = False,
           restarting: bool = False, narrow: bool = False, scoped: bool = False) -> Network:
    """Post-order walk (explicit stack: replicated operators nest deeply); the
    network. Appends the operators that became control components to ``kinds``
    and how nested priority networks were made to ``notes``. ``outer``: the
    operators of the networks this one nests in (empty at the top: then the
    leaves right under parallel, hiding and renaming may be lazy). With ``narrow``, a
    parallel's wide side is built after its partner, its leaves narrowed
    (:mod:`procalg.semantics.network_narrow`). With ``scoped``, a priority's
    operand whose large leaves may be lazy: past a small nested network, a priority
    scope (its components join the outer network), which reads lazy ones too.

    Raises:
        _Recursive: a compiled operator recurs below itself; it must be a leaf.
        _Eager: a recursion cannot restart over a stale lazy leaf (``restarting``
            makes each lazy leaf under a control operator able to return).
        WideLeaf: a wide synchronised input no partner's labels narrow.
    """
    done: list[Network] = []
    resets: list[frozenset[int] | None] = []  # per done network: see network_loops
    todo: list[tuple[bool, Process, int, Any]] = [(False, top, 0, Scope() if narrow else None)]
    path: list[tuple[Process, int]] = []  # the compiled operators being built: ancestors
    on_path: set[Process] = set()
    loops: dict[Process, str] = {}  # recursive processes whose calls restart them: mark name
    controls = 1 if outer else 0  # control operators above (bounds the nesting depth)
    # leaves stay whole in a nested network (its codes must stay) but for a priority
    # scope's; under a priority at the top (lazy moves carry its rank tags as whole
    # ones do) and under control operators a large leaf is lazy: stale (guarded, never
    # reset) unless a recursion must restart it, then reset by moves it makes as it is
    # expanded (else: _Eager)
    lazy = not outer or scoped
    while todo:
        built, term, index, scope = todo.pop()
        if type(scope) is tuple:  # a parallel's side built second: its partner is done
            scope = partner_scope(scope[0], index, scope[1], done[-1])
        if built:
            on_path.discard(path.pop()[0])
            controls -= _in_control(term)
            kinds += [_SYMBOL[type(term)]] if isinstance(term, CONTROL_OPERATORS) else []
            if scope:  # built right side first: back in the operands' order
                done[-2:], resets[-2:] = done[-1:-3:-1], resets[-1:-3:-1]
            done.append(_built(term, done, resets, loops, kinds))
        elif type(term) is Omega:  # terminated from the start (a one-component ||)
            done.append(_OMEGA_LEAF)
            resets.append(None)
        elif (source := priority_source(term)) is not None and not _compiled_operand(
                shape, term):  # over a sequential operand: filtered on the fly
            made = priority_leaf(term, source, leaves, lazy=lazy)
            done.append(component(network_loops.returning_leaf(made, restarting and controls > 0)))
            resets.append(None)
        elif not shape.compiled(term):
            narrowed = leaf_scope(term, scope, leaves.system)
            if narrowed is WHOLE and whole_note(term) not in notes:
                notes.append(whole_note(term))
            made = leaves.lts(term, lazy=lazy and narrowed is not WHOLE,
                              narrowing=narrowed.narrowing or None,
                              demand=narrowed.demand)
            done.append(component(network_loops.returning_leaf(made, restarting and controls > 0)))
            resets.append(None)
        elif source is not None and nests(source, [t for t, _ in path], bool(outer)):
            if term in on_path or term in outer:
                raise _Recursive(term)
            operand = _build(shape.rules.normalise(source.process), shape, leaves,
                             outer | on_path | {term}, notes, kinds, reduce=reduce,
                             restarting=restarting, narrow=scope is not None,
                             scoped=lazy and not source.order.chase)
            net, note = nested_network(term, source, operand, partial(_reduced, reduce=reduce),
                                       leaves, lazy=lazy)
            done.append(net)
            resets.append(None)
            notes.append(note)
        elif term in on_path:
            chain = path[[t for t, _ in path].index(term):]
            if not network_loops.loops_back([(t, i) for (t, _), (_, i) in
                               zip(chain, [*chain[1:], (term, index)], strict=True)]):
                raise _Recursive(term)
            done.append(ctl.loop_mark(loops.setdefault(term, str(len(loops)))))
            resets.append(frozenset())
        else:
            if controls >= MAX_DEPTH:
                raise _Recursive(next(t for t, _ in path if isinstance(t, CONTROL_OPERATORS)))
            path.append((term, index))
            on_path.add(term)
            controls += _in_control(term)
            operands = shape.operands(term)
            scopes, swapped = operand_scopes(term, scope, shape) if scope is not None \
                else ([None] * len(operands), False)
            todo.append((True, term, index, swapped))
            order = range(len(operands)) if swapped else reversed(range(len(operands)))
            todo.extend((False, operands[i], i, (term, scope) if scopes[i] is None and scope
                         is not None else scopes[i]) for i in order)
    return done[0]


def _reduced(net: Network, reduce: bool) -> Network:
    """A nested network's components reduced modulo strong bisimulation where the
    whole is (priority keeps strong bisimilarity: bisimilar states offer the
    same labels); fewer local states, and often codes narrow enough for numpy."""
    return reduce_components(net) if reduce else net


def _compiled_operand(shape: Shape, term: Process) -> bool:
    """Whether the operand of the priority ``term`` compiles as a network. An
    operand whose normal form fails to evaluate (``prioritise(Bad, ...)``, ``Bad =
    Bad \\ {a}``) does not: it becomes a priority leaf, which holds the error
    until a check expands it, as the term rules meet it (not at all where an
    ``[FD=`` spec diverges at once)."""
    try:
        return shape.compiled(shape.operands(term)[0])
    except ProcalgError:
        return False


def _built(term: Process, done: list[Network], resets: list[frozenset[int] | None],
           loops: dict[Process, str], kinds: list[str]) -> Network:
    """The network of compiled ``term`` from its operands' (popped from
    ``done``, their resets from ``resets``); restarting itself where its
    calls loop back to it.

    Raises:
        _Recursive: ``term`` loops back but cannot restart (a stale side, or
            too many states to reset): it must be a leaf.
    """
    k = network_loops.arity(term)
    operands, inner, resets[-k:] = done[-k:], resets[-k:], []
    net = combine(term, done)
    after = (network_loops.resets_after(operands, inner, net)
             if isinstance(term, CONTROL_OPERATORS) else None)
    if term in loops:
        if after is None:  # loops back but is no control operator (no resets to restart by)
            raise _Recursive(term)
        restarting = ctl.loop(net, loops[term], after)
        if restarting is None:
            raise _Eager() if network_loops.stale(net) else _Recursive(term)
        net, after = restarting, network_loops.restarted_resets(restarting, loops, term)
        kinds.append(_LOOP)
    resets.append(after)
    return net


def _in_control(term: Process) -> bool:
    """Whether ``term`` counts as a control operator for the leaves below it (a lazy
    one returns where a recursion restarts it, and the nesting depth is bounded):
    control operators and priority."""
    return isinstance(term, CONTROL_OPERATORS) or priority_source(term) is not None
