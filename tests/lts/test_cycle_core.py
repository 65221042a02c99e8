"""Cycle cores (lts/cycle_core.py) and the τ-acyclicity test built on them
(lts/refine_product.tau_acyclic): it may say "no τ-cycle" only where the explored
product has none."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.lts.cycle_core import cycle_core
from procalg.lts.lts import TAU_INDEX
from procalg.lts.product import explore_product
from procalg.lts.refine_product import tau_acyclic
from procalg.lts.tau import has_cycle
from procalg.semantics.network import NotApplicable, compile_network
from procalg.terms import ExternalChoice, Hide, Interrupt, Seq
from tests.semantics.test_network import EVENTS, UNFOLD, _operator_terms


def _reaches(n: int, src: list[int], dst: list[int], a: int, b: int) -> bool:
    seen, todo = {a}, [a]
    while todo:
        s = todo.pop()
        for x, y in zip(src, dst, strict=True):
            if x == s and y not in seen:
                seen.add(y)
                todo.append(y)
    return b in seen


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=10))))
def test_every_edge_on_a_cycle_has_both_ends_in_the_core(graph):
    n, edges = graph
    src, dst = [s for s, _ in edges], [d for _, d in edges]
    core = cycle_core(n, np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64))
    for s, d in edges:
        if _reaches(n, src, dst, d, s):  # s -> d closes a cycle
            assert core[s] and core[d]
    assert core.any() == any(_reaches(n, src, dst, d, s) for s, d in edges)


@settings(max_examples=200, deadline=None)
@given(_operator_terms(2, (ExternalChoice, Seq, Interrupt)),
       st.frozensets(st.sampled_from(EVENTS)))
def test_a_network_judged_tau_acyclic_has_no_tau_cycle_in_its_product(term, hidden):
    net = compile_network(Hide(term, hidden), UNFOLD)
    if isinstance(net, NotApplicable):
        return
    if tau_acyclic(net):
        lts = explore_product(net)
        tau = lts.label == TAU_INDEX
        assert not has_cycle(lts.num_states, lts.src[tau], lts.dst[tau])


def test_a_choices_control_loop_beside_an_acyclic_leaf_is_no_tau_cycle():
    # the open choice's control component loops on its side's τ (a τ does not
    # resolve it); the side's own τ moves are acyclic, so no τ-rule can be on a
    # product cycle (judged divergent on s30-base: [FD] deadlock freedom then ran a
    # divergence search over the whole product again, as on falls' nested row)
    model = loads("channel b, c, d, e\n"
                  "Sys = d -> STOP [] ((b -> STOP |~| c -> STOP) ||| e -> STOP)\n")
    net = compile_network(model.process("Sys"), model.spec)
    assert not isinstance(net, NotApplicable), net.reason
    assert any(r.label == "τ" and len(r.parts) == 2 for r in net.rules)  # side τ + control
    assert tau_acyclic(net)
    looping = loads("channel b, c, d, e\nL = b -> L\n"
                    "Sys = d -> STOP [] ((L |~| c -> STOP) ||| e -> STOP) \\ {b}\n")
    assert not tau_acyclic(compile_network(looping.process("Sys"), looping.spec))
