"""Which of a lazy leaf's labels wait until a partner asks for them.

A lazily explored leaf (:class:`~procalg.lts.lazy.LazyComponent`) makes a
deferred label's moves only at the states where its eager partners offer
that label (:meth:`~procalg.lts.lazy_tables.LazyGroup.asks`), so a data-heavy
input beside a partner that sends one value computes one target per state,
not one per value.

Complexity: O(R × P) for R rules of at most P parts.

Example:
    >>> from procalg.lts.exploration import ExplicitSystem
    >>> from procalg.lts.lazy import LazyComponent
    >>> from procalg.lts.lts import LTS
    >>> from procalg.lts.network import close, component, parallel
    >>> p = LTS.build(1, 0, ["a", "b"], [(0, "a", 0), (0, "b", 0)])
    >>> lazy = LazyComponent(ExplicitSystem(p), {"a", "b"})
    >>> net = close(parallel(component(p), component(lazy), {"a"}))
    >>> {c: sorted(lazy.labels[i] for i in codes) for c, codes in deferrable(net).items()}
    {1: ['a']}
"""

from __future__ import annotations

from procalg.lts.lazy import LazyComponent
from procalg.lts.network import Network


def deferrable(network: Network) -> dict[int, set[int]]:
    """Per lazy component, the label codes whose moves it may make only when asked:
    those every rule using them shares with an eager component (whose moves
    say which of them a product state can take: :meth:`LazyGroup.asks`).

    A data-heavy leaf synchronised with a small partner (the ABP's medium
    with its sender: ``send?b?x`` against one ``send.b.x``) then computes
    one input's target per state, not one per value.

    A label a priority scope's operand may pre-empt by is never deferred: the scope
    reads whether the operand offers it, whatever its partners ask
    (:mod:`procalg.lts.priority_scopes`).
    """
    comps = network.components
    lazy = [c for c, comp in enumerate(comps) if isinstance(comp, LazyComponent)]
    out = {c: set(range(len(comps[c].labels))) for c in lazy}  # type: ignore[union-attr]
    for scope in network.scopes:
        above = frozenset().union(*scope.above.values())
        for probe in scope.probes:
            if probe.label in above:
                for c, local in probe.parts:
                    if c in out:
                        out[c].discard(comps[c].code[local])  # type: ignore[union-attr]
    eager = {c for c, comp in enumerate(comps) if not isinstance(comp, LazyComponent)}
    if not eager and len(lazy) == 1:  # one leaf (a sequential process): every label it uses
        code = comps[lazy[0]].code  # type: ignore[union-attr]
        out[lazy[0]].difference_update([code[local] for rule in network.rules
                                        for _, local in rule.parts])
        return out
    for rule in network.rules:
        parts = rule.parts
        if eager and (parts[0][0] in eager if len(parts) == 1 else  # no generator for
                      parts[0][0] in eager or parts[1][0] in eager if len(parts) == 2
                      else any(c in eager for c, _ in parts)):  # a wide channel's rules
            continue
        for c, local in parts:
            out[c].discard(comps[c].code[local])  # type: ignore[union-attr]
    return out
