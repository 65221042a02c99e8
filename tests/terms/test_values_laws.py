"""Laws of data values: one total order by ``sort_key``, consistent with equality.

Every engine sorts labels and values with ``sort_key`` to make its answers
deterministic (the engine's choice among offers, printed sets, shortest
counterexamples), so it must order any mix of kinds and never call two
different values equal.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.terms.values import Atom, Dotted, Event, Sequence, show, sort_key, sorted_values

scalars = st.one_of(st.integers(-5, 5), st.sampled_from([Atom("x"), Atom("y")]))


def _extend(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.builds(Dotted, st.sampled_from([Atom("x"), Atom("y")]),
                  st.lists(children, min_size=1, max_size=2).map(tuple)),
        st.lists(children, min_size=2, max_size=3).map(tuple),
        st.lists(children, max_size=3).map(lambda items: Sequence(tuple(items))),
        st.frozensets(children, max_size=3),
    )


values = st.recursive(scalars, _extend, max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(values, values)
def test_sort_keys_are_equal_exactly_for_equal_values(u: object, v: object) -> None:
    assert (sort_key(u) == sort_key(v)) == (u == v)


@settings(max_examples=200, deadline=None)
@given(st.lists(values, max_size=6), st.randoms())
def test_sorting_by_sort_key_does_not_depend_on_the_input_order(items: list, rnd) -> None:
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert sorted(items, key=sort_key) == sorted(shuffled, key=sort_key)


@settings(max_examples=200, deadline=None)
@given(st.lists(values, max_size=2).map(tuple), st.lists(values, max_size=2).map(tuple))
def test_events_are_equal_hash_alike_and_print_alike_exactly_when_their_fields_are_equal(
        f: tuple, g: tuple) -> None:
    e1, e2 = Event("c", f), Event("c", g)
    assert (e1 == e2) == (f == g)
    if e1 == e2:
        assert hash(e1) == hash(e2) and str(e1) == str(e2)
    else:
        assert (e1 < e2) != (e2 < e1)
    assert str(e1) == ".".join(["c", *map(show, f)])


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.lists(st.integers(-50, 50)),  # plain ints: the quick path
                 st.lists(st.one_of(st.integers(-2, 2), st.booleans())),  # True == 1
                 st.lists(values, max_size=6)))
def test_sorted_values_orders_as_sort_key_does_ints_alone_or_mixed(items: list) -> None:
    got = sorted_values(items)
    assert got == sorted(items, key=sort_key)
    assert [type(v) for v in got] == [type(v) for v in sorted(items, key=sort_key)]

