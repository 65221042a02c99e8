"""Each leaf explored whole when small, lazily past the eager limit (resuming
where the whole exploration stopped), with the same product either way."""

from __future__ import annotations

import pytest

from procalg.errors import LimitExceeded
from procalg.lts import LTS, explore
from procalg.lts.lazy import LazyComponent
from procalg.lts.leaf_choice import leaf
from procalg.lts.product import count_states
from tests.lts.test_lazy import Queue, _queue_alphabet, _queue_network
from tests.lts.test_product import _bisimilar


def test_leaf_explores_small_systems_whole_and_large_ones_lazily():
    small, large = leaf(Queue(2, 2), _queue_alphabet(2)), leaf(Queue(6, 10), _queue_alphabet(10))
    assert isinstance(small, LTS) and small.num_states == 7
    assert _bisimilar(small, explore(Queue(2, 2)))
    assert isinstance(large, LazyComponent) and 0 < large.expanded < large.num_states
    with pytest.raises(LimitExceeded):
        leaf(Queue(6, 10), None, max_states=100)
    with pytest.raises(LimitExceeded):
        leaf(Queue(6, 10), _queue_alphabet(10), max_states=100)


@pytest.mark.parametrize("limit", [0, 1, 2, 30, 60])
def test_a_leaf_resumed_lazily_gives_the_product_of_the_whole_leaf(limit):
    calls: list[tuple] = []

    class Counting(Queue):
        def successors(self, q):
            calls.append(q)
            return super().successors(q)

    resumed = leaf(Counting(3, 4), _queue_alphabet(4), eager_limit=limit)
    assert isinstance(resumed, LazyComponent)
    a = count_states(_queue_network(3, 4, explore(Queue(3, 4))))
    b = count_states(_queue_network(3, 4, resumed))
    assert (b.states, b.transitions) == (a.states, a.transitions)
    assert len(calls) <= len(set(calls)) + 1  # only the interrupted expansion again
