"""A network's components reduced modulo strong bisimulation, each shape once
(procalg.lts.network_reduction)."""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import LTS
from procalg.lts import network_reduction as reduction
from procalg.lts.network import close, component, hide, parallel, reduce_components
from procalg.lts.partition import Bisimulation, minimize


def _station(i: int) -> LTS:
    """A leaf of a replicated process: the same moves, its own events."""
    return LTS.build(4, 0, [f"w.{i}", f"p.{i}"], [(0, f"w.{i}", 1), (1, f"w.{i}", 2),
                                                   (2, f"p.{i}", 3), (3, f"p.{i}", 0)])


def test_leaves_of_one_shape_are_partitioned_once_and_keep_their_own_names():
    net = component(_station(0))
    for i in range(1, 6):
        net = parallel(net, component(_station(i)), set())
    calls = []
    real = reduction.minimize

    def counted(lts, kind):
        calls.append(lts)
        return real(lts, kind)

    with patch.object(reduction, "minimize", counted):
        reduced = reduce_components(close(net))
    assert len(calls) == 1
    for i, comp in enumerate(reduced.components):
        alone = minimize(_station(i), Bisimulation.STRONG)
        assert comp.labels == alone.labels and sorted(comp.triples()) == sorted(alone.triples())


LABELS = ["a", "b", "τ", "✓"]


@st.composite
def systems(draw) -> LTS:
    n = draw(st.integers(1, 4))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(LABELS),
                                    st.integers(0, n - 1)), max_size=3 * n))
    return LTS.build(n, 0, ["a", "b"], edges)


@settings(max_examples=200, deadline=None)
@given(st.lists(systems(), min_size=1, max_size=4), st.booleans())
def test_each_component_is_its_own_quotient_whatever_its_neighbours(leaves, hidden):
    net = component(leaves[0])
    for leaf in leaves[1:]:
        net = parallel(net, component(leaf), {"a"})
    net = close(hide(net, {"b"}) if hidden else net)
    reduced = reduce_components(net)
    for before, after in zip(net.components, reduced.components, strict=True):
        alone = minimize(before, Bisimulation.STRONG)
        assert (after.num_states, after.initial, after.labels) == (
            alone.num_states, alone.initial, alone.labels)
        assert sorted(after.triples()) == sorted(alone.triples())
