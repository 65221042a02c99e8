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

from procalg.lts import LTS
from procalg.lts import control as ctl
from procalg.lts.lazy import LazyComponent
from procalg.lts.nested import NestedNetwork, nested_component
from procalg.lts.network import Network, close, component
from procalg.lts.priority import Filtered
from procalg.semantics.leaves import Leaves
from procalg.semantics.priority import Source
from procalg.terms import Hide, Process, Rename, show_process
from procalg.terms.brief_names import clipped
from procalg.terms.saga import THROW_EVENT


def nests(source: Source | None, above: list[Process]) -> bool:
    """Whether a priority term with ``source`` (None: not one) becomes a nested
    network under the compiled operators ``above`` it (outermost first):
    ``prioritisepo`` and ``chase`` always, ``prioritise`` unless only hiding and
    renaming stand above it (then its ranks filter the whole network)."""
    return source is not None and (source.rank is None or any(
        not isinstance(t, Hide | Rename) for t in above))


def nested_network(term: Process, source: Source, build: Callable[[Process], Network],
                   leaves: Leaves, *, lazy: bool) -> tuple[Network, str]:
    """The one-component network of priority term ``term`` and a note saying how
    it was compiled; ``build`` compiles the operand (its leaves whole).

    Explored whole, it is bounded by the leaves' ``lazy_limit`` (the search's
    own state limit), not by their ``max_states``: that cap is for leaves the
    term rules explore, one term per state; a nested network is explored by
    the product engine, and a cap here sent the whole check to the term rules
    (FDR's ``tswp.csp``: 50,000 states of a prioritised network under ``\\``
    took minutes there, seconds here).

    Raises:
        LimitExceeded: explored whole, it has more than the leaves' ``lazy_limit``.
    """
    inner = ctl.abortable(close(build(source.process)), str(THROW_EVENT))
    system = NestedNetwork(inner, source.order)
    made, how = nested_component(system, lazy=lazy, max_states=leaves.lazy_limit,
                                 lazy_limit=leaves.lazy_limit, name=clipped(show_process(term), 40))
    name = show_process(term).split("(", 1)[0]
    note = (f"{name}({clipped(show_process(source.process), 60)}): a nested network of "
            f"{len(inner)} components, {how}")
    return component(made), note


def priority_leaf(term: Process, source: Source, leaves: Leaves, *,
                  lazy: bool) -> LTS | LazyComponent:
    """The component of priority term ``term`` whose operand has no parallel
    below it: the operand's system (its compiled machine, or the term rules)
    filtered by ``source.order`` in each state it reaches, as one leaf (lazy
    where ``lazy`` allows, as any leaf). ``--stats`` names it with its
    operand's reason where that one runs on the term rules.

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
        operand = leaves.rules.normalise(source.process)
        inner = leaves.system(operand)
        leaves.systems[term] = Filtered(inner, source.order)
        if operand in leaves.why:
            leaves.why[term] = f"its operand's: {leaves.why[operand]}"
    return leaves.lts(term, lazy=lazy)
