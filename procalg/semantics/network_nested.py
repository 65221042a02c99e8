"""Priority and ``chase`` below the top of a compiled network: nested networks.

:func:`procalg.semantics.network.compile_network` filters a network by
``prioritise``'s ranks only where nothing but hiding and renaming stands above
it (:mod:`procalg.lts.priority`). Anywhere else -- under parallel, a choice,
``;``, another priority -- and for ``prioritisepo`` and ``chase`` everywhere,
the operand is compiled as a network of its own and becomes one component of
the outer network (:mod:`procalg.lts.nested`, FDR's nested machines), explored
whole or lazily; the network's notes say which.

A priority term over a sequential operand (no parallel below) is a leaf whose
system is the operand's own (a compiled machine where it applies) filtered
state by state (:class:`~procalg.lts.priority.Filtered`): on the fly, lazily
where the leaf may be, never the operand explored whole to be filtered
(:func:`priority_leaf`).

A ``throw`` inside ends the operand (the term rules' THROWN has no moves):
the inner network is made abortable first, and the outer network sees the
``throw`` as the component's event, which ends everything there too.

Example:
    >>> from procalg.api import loads
    >>> from procalg.semantics.network import compile_network
    >>> model = loads("channel a, b, tock\\nP = a -> P [] tock -> P\\n"
    ...               "Q = prioritise(P [| {tock} |] tock -> STOP, <{a}, {tock}>) ||| b -> STOP")
    >>> net = compile_network(model.process("Q"), model.spec)
    >>> for note in net.notes:  # a pre-empts tock: one state
    ...     if note.startswith("prioritise"):
    ...         print(note.replace(": ", ":\\n"))
    prioritise(P [| {tock} |] tock -> STOP):
    a nested network of 2 components, explored whole (1 state)
"""

from __future__ import annotations

from collections.abc import Callable

from procalg.errors import LimitExceeded, ProcalgError
from procalg.lts import LTS
from procalg.lts import control as ctl
from procalg.lts.lazy import LazyComponent
from procalg.lts.nested import EAGER_LIMIT, NestedNetwork, nested_component, nested_lts
from procalg.lts.network import Network, close, component
from procalg.lts.priority import Filtered, is_prioritised
from procalg.lts.priority_scopes import scope
from procalg.semantics.leaves import Leaves
from procalg.semantics.priority import Source
from procalg.terms import Hide, Process, Rename, show_process
from procalg.terms.brief_names import clipped
from procalg.terms.saga import THROW_EVENT


def nests(source: Source | None, above: list[Process], inside: bool = False) -> bool:
    """Whether a priority term with ``source`` (None: not one) becomes a nested
    network or a scope under the compiled operators ``above`` it (outermost
    first; ``inside``: the network being built is a priority's operand):
    ``prioritisepo`` and ``chase`` always, ``prioritise`` unless only hiding and
    renaming stand above it at the top (then its ranks filter the whole network)."""
    return source is not None and (source.rank is None or inside or any(
        not isinstance(t, Hide | Rename) for t in above))


def nested_network(term: Process, source: Source, operand: Network,
                   reduced: Callable[[Network], Network], leaves: Leaves, *,
                   lazy: bool) -> tuple[Network, str]:
    """The network of priority term ``term`` over ``operand`` (its operand's
    network, components whole, not reduced) and a note saying how it was
    compiled: explored whole and reduced as one component where that has at
    most :data:`~procalg.lts.nested.EAGER_LIMIT` states (a small component, the
    search's cheapest), else a scope evaluated in the outer product
    (:mod:`procalg.lts.priority_scopes`: the operand's components join the
    outer network, its moves filtered state by state, never explored whole); an
    operand with a lazy leaf (large: its network is too) is a scope at once.
    ``chase`` (its first τ is an order of moves, not a relation) and a priority
    over a ranked network stay one nested component, explored whole or lazily.

    Explored whole, it is bounded by the leaves' ``lazy_limit`` (the search's
    own state limit), not by their ``max_states``: that cap is for leaves the
    term rules explore, one term per state; a nested network is explored by
    the product engine, and a cap here sent the whole check to the term rules
    (FDR's ``tswp.csp``: 50,000 states of a prioritised network under ``\\``
    took minutes there, seconds here).

    Raises:
        LimitExceeded: explored whole, it has more than the leaves' ``lazy_limit``.
    """
    name = show_process(term).split("(", 1)[0]
    head = f"{name}({clipped(show_process(source.process), 60)}): "
    if not all(isinstance(c, LTS) for c in operand.components):  # a lazy leaf: scoped
        return _scope(head, operand, source)
    inner = ctl.abortable(close(reduced(operand)), str(THROW_EVENT))
    system = NestedNetwork(inner, source.order)
    if source.order.chase or is_prioritised(operand):
        made, how = nested_component(system, lazy=lazy, max_states=leaves.lazy_limit,
                                     lazy_limit=leaves.lazy_limit,
                                     name=clipped(show_process(term), 40))
        return component(made), f"{head}a nested network of {len(inner)} components, {how}"
    try:
        whole = nested_lts(system, EAGER_LIMIT)
    except LimitExceeded:
        return _scope(head, operand, source)
    return component(whole), (f"{head}a nested network of {len(inner)} components, "
                              f"explored whole ({whole.num_states} state"
                              f"{'' if whole.num_states == 1 else 's'})")


def _scope(head: str, operand: Network, source: Source) -> tuple[Network, str]:
    """``operand`` under a priority scope (:func:`~procalg.lts.priority_scopes.scope`), noted."""
    return scope(operand, source.order.above), (
        f"{head}a priority scope over {len(operand)} components, evaluated in the "
        "product state by state")


def priority_leaf(term: Process, source: Source, leaves: Leaves, *,
                  lazy: bool) -> LTS | LazyComponent:
    """The component of priority term ``term`` whose operand has no parallel
    below it: the operand's system (its compiled machine, or the term rules)
    filtered by ``source.order`` in each state it reaches, as one leaf (lazy
    where ``lazy`` allows, as any leaf).
    ``--stats`` names it with its operand's reason where that one runs on the term rules.

    Example:
        >>> from procalg.api import loads
        >>> from procalg.semantics.network import compile_network
        >>> model = loads("channel a, b\\nP = a -> P [] b -> STOP\\n"
        ...               "Q = prioritise(P, <{a}, {b}>)")
        >>> from procalg.lts.product import count_states
        >>> count_states(compile_network(model.process("Q"), model.spec)).states
        1
    """
    if term not in leaves.systems:
        try:
            operand = leaves.rules.normalise(source.process)
        except ProcalgError:  # the term's own leaf holds it until a check expands it
            return leaves.lts(term, lazy=lazy)
        inner = leaves.system(operand)
        leaves.systems[term] = Filtered(inner, source.order)
        if operand in leaves.why:
            leaves.why[term] = f"its operand's: {leaves.why[operand]}"
    return leaves.lts(term, lazy=lazy)
