"""Lazy compiled leaves whose inputs are made only for the values a partner offers.

Random data-heavy leaves (a bounded buffer over ``{0..V-1}`` with static,
dynamic and restricted inputs, outputs and hidden losses) run lazily
beside partners offering a subset of their inputs' values; the product
(:mod:`procalg.lts.lazy_tables` asking :meth:`Machine.successors_where`)
must match the term rules (:mod:`procalg.semantics.sos`, the oracle):
strongly bisimilar LTSs, the same deadlock verdict with a shortest trace,
and every visible event reached at its shortest distance.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.checks.deadlock import deadlock_goal
from procalg.checks.reachability import reachability_goal
from procalg.lts import TAU, explore
from procalg.lts.lazy import LazyComponent
from procalg.lts.leaf_choice import leaf
from procalg.lts.product import explore_product, find_path
from procalg.semantics import leaves
from procalg.semantics.network import compile_network
from tests.lts.test_product import _bisimilar, _distances, _replay

_LEAF_MOVES = [
    "#s < K & c?x -> L(s ^ <x>)",
    "not null(s) & d!head(s) -> L(tail(s))",
    "not null(s) & lose -> L(tail(s))",
    "#s < K & t?b?x -> L(s ^ <(b + x) % V>)",
    "not null(s) & t.(head(s) % 2)?x -> L(tail(s) ^ <x>)",
    "#s < K & c?x:{0, 2} -> L(<x> ^ s)",
    "#s == K & d?x -> L(<>)",
]
_PARTNER_MOVES = [
    "c!i -> Src((i + 1) % V)",
    "c!(i % 2) -> Src((i + 2) % V)",
    "t.(i % 2)!i -> Src((i + 1) % V)",
    "t?b!(i % 3) -> Src(b)",
    "d?x -> Src(x)",
    "i > 0 & d!(i - 1) -> Src(0)",
]
_TOPS = [
    "L(<>) [| {{| c, d, t |}} |] Src({start})",
    "(L(<>) [| {{| c, t |}} |] Src({start})) \\ {{| c, lose |}}",
    "(Src({start}) ||| Src(1)) [| {{| c, d, t |}} |] L(<>)",
    "L(<>) [| {{| c |}} |] Src({start})",
    "(L(<>) [| {{| c, d |}} |] Src({start})) [| {{| t |}} |] Src(2)",
]


def _lazy_only(leaf_name: str):
    """:func:`~procalg.lts.lazy.leaf` making the leaf that mentions ``leaf_name``
    lazy however small, and its partners whole (eager: they ask)."""

    def choose(system, alphabet, **options):
        lazy = leaf_name in options.get("name", "")
        return leaf(system, alphabet, eager_limit=0 if lazy else 10_000, **options)

    return choose


def _choice(moves: list[str]) -> str:
    return "\n    [] ".join(moves)


_MODELS = st.builds(
    lambda v, k, mine, theirs, top, start: (
        f"V = {v}\nK = {k}\nchannel c, d : {{0..V-1}}\nchannel t : {{0, 1}}.{{0..V-1}}\n"
        f"channel lose\nL(s) = {_choice(mine)}\nSrc(i) = {_choice(theirs)}\n"
        f"S = {top.format(start=start)}\n"),
    st.integers(3, 6), st.integers(1, 3),
    st.lists(st.sampled_from(_LEAF_MOVES), min_size=1, max_size=4, unique=True),
    st.lists(st.sampled_from(_PARTNER_MOVES), min_size=1, max_size=3, unique=True),
    st.sampled_from(_TOPS), st.integers(0, 2),
)


@given(_MODELS)
@settings(max_examples=80, deadline=None)
def test_a_lazy_leaf_asked_by_its_partners_gives_the_term_rules_lts_and_verdicts(text):
    model = loads(text)
    term = model.process("S")
    reference = explore(model.spec.system(term), max_states=50_000)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(leaves, "leaf", _lazy_only("L("))
        net = compile_network(term, model.spec, reduce=False)
    assert _bisimilar(explore_product(net), reference)
    dist = _distances(reference)
    stuck = find_path(net, deadlock_goal)
    assert stuck.found == bool(reference.deadlocks())
    if stuck.found:
        assert len(stuck.path) == min(dist[s] for s in reference.deadlocks())
        assert set(_replay(reference, stuck.path)) & set(reference.deadlocks())
    for name in sorted(set(reference.labels) - {TAU})[:4]:
        code = reference.labels.index(name)
        at = reference.label == code
        found = find_path(net, reachability_goal(name))
        assert found.found == bool(at.any())
        if found.found:
            assert len(found.path) == int(np.min(dist[reference.src[at]])) + 1


def test_the_abp_medium_makes_one_input_per_state_of_its_sender():
    text = """D = 12
channel left, right : {0..D-1}
channel send, recv : {0, 1}.{0..D-1}
channel lose
Sender(b) = left?x -> send.b.x -> Sender(1 - b)
Medium(s) = #s < 2 & send?b?x -> Medium(s ^ <b * D + x>)
         [] not null(s) & recv.(head(s) / D).(head(s) % D) -> Medium(tail(s))
         [] not null(s) & lose -> Medium(tail(s))
Receiver = recv?b?x -> right!x -> Receiver
S = (Sender(0) ||| Receiver) [| {| send, recv |} |] Medium(<>)
"""
    model = loads(text)
    term = model.process("S")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(leaves, "leaf", _lazy_only("Medium("))
        net = compile_network(term, model.spec, reduce=False)
    product = explore_product(net)
    assert _bisimilar(product, explore(model.spec.system(term)))
    (medium,) = [c for c in net.components if isinstance(c, LazyComponent)]
    # 2 * 12 values could follow each state; the sender holds one at a time
    assert medium.num_states < 4 * medium.expanded
