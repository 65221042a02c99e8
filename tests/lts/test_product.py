"""The product engine against Roscoe's firing rules applied to LTS leaves.

The reference here is a direct transcription of the rules (UCS ch. 9) for
parallel, alphabetised parallel, hiding and renaming over leaf LTSs, with
states as nested tuples, explored by :func:`procalg.lts.explore`. The engine
must give the same numbers of states and transitions, a strongly bisimilar
LTS, and shortest counterexamples.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.deadlock import deadlock_goal
from procalg.checks.reachability import reachability_goal
from procalg.errors import LimitExceeded
from procalg.lts import LTS, TAU, TICK, explore, level_search, vectors
from procalg.lts.network import Network, alpha_parallel, close, component, hide, parallel, rename
from procalg.lts.partition import Bisimulation, partition
from procalg.lts.product import Limits, count_states, explore_product, find_path, tau_lasso
from procalg.lts.tau import is_divergent

OMEGA = "Ω"


class Tree:
    """The reference: Roscoe's rules over a tree of leaf LTSs."""

    def __init__(self, node: tuple) -> None:
        self.node = node

    def initial_state(self):
        return _initial(self.node)

    def successors(self, state):
        return _moves(self.node, state)


def _initial(node):
    if node[0] == "leaf":
        return node[1].initial
    if node[0] in ("par", "apar"):
        return (_initial(node[1]), _initial(node[2]))
    return _initial(node[1])


def _moves(node, state):
    kind = node[0]
    if state == OMEGA:
        return []
    if kind == "leaf":
        lts = node[1]
        return [(lts.labels[lab], dst) for lab, dst in lts.successors(state)]
    if kind == "hide":
        return [(TICK, OMEGA) if a == TICK else (TAU if a in node[2] else a, t)
                for a, t in _moves(node[1], state)]
    if kind == "rename":
        out = []
        for a, t in _moves(node[1], state):
            images = [b for x, b in node[2] if x == a] or [a]
            out += [(TICK, OMEGA)] if a == TICK else [(b, t) for b in images]
        return out
    left, right = state
    if left == OMEGA and right == OMEGA:
        return [(TICK, OMEGA)]
    both = node[3] if kind == "par" else node[3] & node[4]
    alpha = (None, None) if kind == "par" else (node[3], node[4])
    lm, rm = _moves(node[1], left), _moves(node[2], right)
    out = []
    for a, p in lm:
        if a == TICK:
            out.append((TAU, (OMEGA, right)))
        elif a in both:
            out += [(a, (p, q)) for b, q in rm if b == a]
        elif a == TAU or alpha[0] is None or a in alpha[0]:
            out.append((a, (p, right)))
    for a, q in rm:
        if a == TICK:
            out.append((TAU, (left, OMEGA)))
        elif a not in both and (a == TAU or alpha[1] is None or a in alpha[1]):
            out.append((a, (left, q)))
    return out


def _network(node) -> Network:
    kind = node[0]
    if kind == "leaf":
        return component(node[1])
    if kind == "par":
        return parallel(_network(node[1]), _network(node[2]), node[3])
    if kind == "apar":
        return alpha_parallel(_network(node[1]), _network(node[2]), node[3], node[4])
    if kind == "hide":
        return hide(_network(node[1]), node[2])
    return rename(_network(node[1]), node[2])


EVENTS = ["a", "b", "c"]


@st.composite
def leaves(draw) -> LTS:
    """A small LTS whose ✓ moves all enter one sink entered by nothing else (an Ω)."""
    n = draw(st.integers(1, 4))
    labels = st.sampled_from([*EVENTS, TAU, TICK])
    triples = draw(st.lists(st.tuples(st.integers(0, n - 1), labels, st.integers(0, n - 1)),
                            max_size=7))
    omega = n
    fixed = [(s, lab, omega if lab == TICK else d) for s, lab, d in triples]
    return LTS.build(n + 1, 0, EVENTS, fixed)


def trees(depth: int = 3):
    events = st.frozensets(st.sampled_from(EVENTS))
    leaf = leaves().map(lambda lts: ("leaf", lts))
    if depth == 0:
        return leaf
    sub = trees(depth - 1)
    pairs = st.frozensets(st.tuples(st.sampled_from(EVENTS), st.sampled_from(EVENTS)),
                          max_size=3)
    return st.one_of(
        leaf,
        st.tuples(st.just("par"), sub, sub, events),
        st.tuples(st.just("apar"), sub, sub, events, events),
        st.tuples(st.just("hide"), sub, events),
        st.tuples(st.just("rename"), sub, pairs),
    )


def _bisimilar(a: LTS, b: LTS) -> bool:
    labels = sorted(set(a.labels) | set(b.labels) - {TAU, TICK})
    triples = [(s, lab, d) for s, lab, d in a.triples()]
    triples += [(s + a.num_states, lab, d + a.num_states) for s, lab, d in b.triples()]
    union = LTS.build(a.num_states + b.num_states, a.initial, labels, triples)
    blocks = partition(union, Bisimulation.STRONG)
    return bool(blocks[a.initial] == blocks[a.num_states + b.initial])


def _distances(lts: LTS) -> np.ndarray:
    dist = np.full(lts.num_states, -1)
    dist[lts.initial] = 0
    queue = deque([lts.initial])
    while queue:
        s = queue.popleft()
        for _, d in lts.successors(s):
            if dist[d] < 0:
                dist[d] = dist[s] + 1
                queue.append(d)
    return dist


def _replay(lts: LTS, path: tuple[str, ...]) -> set[int]:
    states = {lts.initial}
    for name in path:
        states = {d for s in states for lab, d in lts.successors(s) if lts.labels[lab] == name}
    return states


@settings(max_examples=150, deadline=None)
@given(trees())
def test_product_has_the_states_and_transitions_of_roscoes_rules(tree):
    reference = explore(Tree(tree))
    product = explore_product(close(_network(tree)))
    assert product.num_states == reference.num_states
    assert product.num_transitions == reference.num_transitions
    assert _bisimilar(product, reference)


@settings(max_examples=150, deadline=None)
@given(trees())
def test_deadlock_search_gives_a_shortest_trace_to_a_real_deadlock(tree):
    reference = explore(Tree(tree))
    stuck = reference.deadlocks()
    result = find_path(close(_network(tree)), deadlock_goal)
    assert result.found == bool(stuck)
    if stuck:
        assert len(result.path) == int(_distances(reference)[stuck].min())
        assert set(_replay(reference, result.path)) & set(stuck)


@settings(max_examples=150, deadline=None)
@given(trees())
def test_stubborn_sets_find_a_deadlock_exactly_when_there_is_one(tree):
    reference = explore(Tree(tree))
    net = close(_network(tree))
    result = find_path(net, deadlock_goal, por=True)
    assert result.found == bool(reference.deadlocks())
    assert result.states <= count_states(net).states
    if result.found:
        assert set(_replay(reference, result.path)) & set(reference.deadlocks())


def test_stubborn_sets_explore_fewer_philosopher_states_and_keep_the_verdict():
    full = find_path(_philosophers(5), deadlock_goal)
    reduced = find_path(_philosophers(5), deadlock_goal, por=True)
    assert full.found and reduced.found
    assert reduced.states < full.states
    assert any("partial-order" in note for note in reduced.notes)


def test_a_state_entered_by_throw_has_terminated_and_is_no_deadlock():
    thrower = LTS.build(4, 0, ["throw", "a", "b"],
                        [(0, "throw", 1), (0, "b", 3), (3, "a", 2)])
    net = close(parallel(component(thrower), component(SKIP), set()))
    result = find_path(net, deadlock_goal)
    assert result.found and result.trace == ("b", "a")  # nearer, after throw: ended


@settings(max_examples=100, deadline=None)
@given(trees(), st.sampled_from(EVENTS))
def test_reachability_ends_with_the_label_at_its_shortest_distance(tree, event):
    reference = explore(Tree(tree))
    dist = _distances(reference)
    code = reference.label_index(event)
    sources = [] if code is None else reference.src[reference.label == code]
    result = find_path(close(_network(tree)), reachability_goal(event))
    assert result.found == bool(len(sources))
    if len(sources):
        assert result.path[-1] == event
        assert len(result.path) == int(dist[sources].min()) + 1
        assert _replay(reference, result.path)


@settings(max_examples=100, deadline=None)
@given(trees())
def test_divergence_is_found_exactly_when_a_tau_loop_is_reachable(tree):
    reference = explore(Tree(tree))
    divergent = is_divergent(reference)
    result = tau_lasso(close(_network(tree)))
    assert result.found == bool(divergent.any())
    if result.found:
        assert any(divergent[s] for s in _replay(reference, result.path))
        assert result.cycle and set(result.cycle) == {TAU}


SKIP = LTS.build(2, 0, [], [(0, TICK, 1)])


def test_interleaved_skips_terminate_through_omega_as_in_roscoes_rules():
    # SKIP ||| SKIP: (S,S) -τ-> (Ω,S), (S,Ω); both -τ-> (Ω,Ω) -✓-> Ω: five states
    lts = explore_product(close(parallel(component(SKIP), component(SKIP), set())))
    assert (lts.num_states, lts.num_transitions) == (5, 5)
    assert lts.deadlocks() == []
    both = close(parallel(component(SKIP), component(SKIP), set()))
    assert not find_path(both, deadlock_goal).found


def test_nested_parallel_keeps_the_inner_omega_parallel_omega_state():
    # (SKIP ||| SKIP) ||| SKIP: inner (Ω,Ω) -✓-> Ω is a τ of the outer parallel, so the
    # inner part: (S,S) (Ω,S) (S,Ω) (Ω,Ω) Ω, twice for the right SKIP, and the final Ω: 11
    inner = parallel(component(SKIP), component(SKIP), set())
    net = close(parallel(inner, component(SKIP), set()))
    tree = ("par", ("par", ("leaf", SKIP), ("leaf", SKIP), frozenset()), ("leaf", SKIP),
            frozenset())
    assert explore_product(net).num_states == explore(Tree(tree)).num_states == 11


def _philosophers(n: int) -> Network:
    def cycle(events):
        return LTS.build(len(events), 0, events,
                         [(i, e, (i + 1) % len(events)) for i, e in enumerate(events)])

    def fork(j):
        left = (j + n - 1) % n
        return LTS.build(3, 0, [], [(0, f"pick.{j}.{j}", 1), (1, f"put.{j}.{j}", 0),
                                    (0, f"pick.{left}.{j}", 2), (2, f"put.{left}.{j}", 0)])

    phils = [component(cycle([f"think.{i}", f"pick.{i}.{i}", f"pick.{i}.{(i + 1) % n}",
                              f"eat.{i}", f"put.{i}.{i}", f"put.{i}.{(i + 1) % n}"]))
             for i in range(n)]
    forks = [component(fork(j)) for j in range(n)]
    left, right = phils[0], forks[0]
    for p, f in zip(phils[1:], forks[1:], strict=True):
        left, right = parallel(left, p, set()), parallel(right, f, set())
    sync = {f"{a}.{i}.{j}" for a in ("pick", "put") for i in range(n) for j in range(n)}
    return close(parallel(left, right, sync))


@pytest.mark.parametrize(("n", "states"), [(2, 21), (3, 99), (4, 465), (5, 2163), (6, 10053)])
def test_dining_philosophers_have_the_reference_engines_state_counts(n, states):
    assert count_states(_philosophers(n)).states == states


def test_dining_philosophers_deadlock_after_everyone_picks_up_the_left_fork():
    result = find_path(_philosophers(4), deadlock_goal)
    assert result.found
    assert sorted(result.trace) == sorted([f"think.{i}" for i in range(4)]
                                          + [f"pick.{i}.{i}" for i in range(4)])


@pytest.mark.parametrize("setting", ["_MAX_BITS", "JOINT_LIMIT"])
def test_mixed_radix_codes_and_split_tables_give_the_same_product(monkeypatch, setting):
    before = explore_product(_philosophers(3))
    monkeypatch.setattr(vectors, setting, 1)
    after = explore_product(_philosophers(3))
    assert (after.num_states, after.num_transitions) == (before.num_states,
                                                          before.num_transitions)
    assert _bisimilar(before, after)


def test_state_limit_stops_with_limit_exceeded_saying_how_far_it_got():
    with pytest.raises(LimitExceeded) as info:
        count_states(_philosophers(4), Limits(max_states=100))
    assert info.value.states > 100
    assert "100" in info.value.message and "BFS levels" in info.value.message


def test_memory_limit_stops_with_limit_exceeded():
    with pytest.raises(LimitExceeded) as info:
        count_states(_philosophers(5), Limits(max_memory=2000))
    assert "memory" in info.value.message and info.value.states > 0


def test_progress_is_reported_per_level_or_batch_with_growing_state_counts():
    seen = []
    result = count_states(_philosophers(3), Limits(progress=seen.append))
    levels = [p.level for p in seen]  # small levels come in batches
    assert levels == sorted(set(levels)) and levels[-1] == result.levels - 1
    assert [p.states for p in seen] == sorted(p.states for p in seen)
    assert seen[-1].states == result.states == 99
    assert all(p.memory > 0 and p.states_per_second > 0 for p in seen)


def _force_wide(monkeypatch) -> None:
    monkeypatch.setattr(vectors, "_MAX_BITS", 1)
    monkeypatch.setattr(vectors, "_MAX_CODE", 2)


def test_forced_wide_codes_give_the_narrow_product_and_traces(monkeypatch):
    narrow = explore_product(_philosophers(3))
    stuck = find_path(_philosophers(4), deadlock_goal)
    _force_wide(monkeypatch)
    wide = explore_product(_philosophers(3))
    assert (wide.num_states, wide.num_transitions) == (narrow.num_states,
                                                        narrow.num_transitions)
    assert _bisimilar(narrow, wide)
    again = find_path(_philosophers(4), deadlock_goal)
    assert again.found and len(again.path) == len(stuck.path)
    assert any("more than 1)" in note for note in again.notes)  # the forced limit
    assert find_path(_philosophers(4), deadlock_goal, por=True).found


@settings(max_examples=40, deadline=None)
@given(trees())
def test_forced_wide_codes_agree_with_roscoes_rules(tree):
    reference = explore(Tree(tree))
    with pytest.MonkeyPatch.context() as patch:
        _force_wide(patch)
        product = explore_product(close(_network(tree)))
        divergent = tau_lasso(close(_network(tree)))
    assert (product.num_states, product.num_transitions) == (reference.num_states,
                                                              reference.num_transitions)
    assert divergent.found == bool(is_divergent(reference).any())


def test_a_network_wider_than_62_bits_is_explored_not_refused():
    # 40 four-state cycles in lock-step: 80 bits of code, 4 reachable states
    ring = LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2), (2, "a", 3), (3, "b", 0)])
    net = component(ring)
    for _ in range(39):
        net = parallel(net, component(ring), {"a", "b"})
    result = count_states(close(net))
    assert result.states == 4
    assert any("80 bits" in note for note in result.notes)
    assert find_path(close(net), reachability_goal("b")).path == ("a", "b")


def test_the_explored_product_marks_exactly_the_states_a_walk_reaches() -> None:
    from procalg.lts.network import close, component, parallel
    from procalg.lts.product import explore_product

    p = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "b", 2), (2, "τ", 0)])
    lts = explore_product(close(parallel(component(p), component(p), {"a"})))
    walked = LTS(lts.num_states, lts.initial, lts.labels, lts.src, lts.label, lts.dst)
    assert lts.reachable().tolist() == walked.reachable().tolist()


def test_the_explored_product_is_whole_even_if_the_search_counted_fewer_moves(monkeypatch):
    from procalg.lts import product
    from procalg.lts.network import close, component, parallel

    p = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2), (1, "b", 0), (2, "τ", 0)])
    net = close(parallel(component(p), component(p), set()))
    whole = product.explore_product(net)
    run = level_search.LevelSearch.run

    def undercounted(self, stop=None):
        found = run(self, stop)
        self.transitions = 1  # as a reduced search would: the arrays must grow
        return found

    monkeypatch.setattr(level_search.LevelSearch, "run", undercounted)
    again = product.explore_product(net)
    assert again.num_transitions == whole.num_transitions == 24
    assert list(again.triples()) == list(whole.triples())
