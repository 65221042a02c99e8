"""A group screen fires each group only at the states its components enable:
the same moves, in the same order, as firing every group over the whole batch
(random networks of many groups: joint tables, rule factors, alike labels,
narrow and word-aligned wide codes, both directions), and the same verdicts
and counterexamples as the term rules on models with lazy leaves."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import group_screen, rule_screen, vectors
from procalg.lts.group_screen import GroupScreen, enabling
from procalg.lts.lts import LTS
from procalg.lts.network import Network, SyncRule, close
from procalg.lts.vectors import Tables
from tests.lts.test_product import _network, _philosophers, trees
from tests.lts.test_vectors import _reachable
from tests.semantics.test_network_lazy import COUNT, SHAPES

LOCAL = ["a", "b", "c", "d"]


@st.composite
def many_groups(draw) -> Network:
    """Up to 7 components over four local labels and up to 24 rules, each
    over a random set of components (so many groups, most disabled at most
    states); some rules differ only in their label (alike moves)."""
    comps = []
    for _ in range(draw(st.integers(2, 7))):
        n = draw(st.integers(1, 5))
        triples = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(LOCAL),
                                          st.integers(0, n - 1)), max_size=9))
        comps.append(LTS.build(n, 0, LOCAL, triples))
    rules = []
    for r in range(draw(st.integers(1, 24))):
        movers = draw(st.sets(st.integers(0, len(comps) - 1), min_size=1, max_size=4))
        parts = tuple((c, draw(st.sampled_from(LOCAL))) for c in sorted(movers))
        rules.append(SyncRule(f"e{r}", parts))
        if draw(st.booleans()):  # the same moves under another label
            rules.append(SyncRule(f"f{r}", parts))
    return Network(tuple(comps), tuple(rules))


@contextmanager
def screened_from_one_state(*, factors: bool, wide: bool) -> Iterator[None]:
    """Tables built inside screen batches of any size; ``factors``: every rule
    over several components is its own group of one-component factors (not
    under a rule screen); ``wide``: codes in 64-bit words."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vectors, "LEAST_CODES", 1)
        patch.setattr(group_screen, "LEAST_CODES", 1)
        patch.setattr(vectors, "_BATCH_CELLS", 0)  # no gathered batch: every group alone
        if factors:
            patch.setattr(vectors, "JOINT_LIMIT", 1)
            patch.setattr(rule_screen, "LEAST_RULES", 10**6)
        if wide:
            patch.setattr(vectors, "_MAX_BITS", 0)
            patch.setattr(vectors, "_MAX_CODE", 1)
        yield


def _every_move(tables: Tables, codes: np.ndarray) -> list[list]:
    out = []
    for backward in (False, True):
        out.append([a.tolist() for a in tables.successors(codes, backward=backward)])
    src, dst, tag, left = tables.targets(codes)
    return [*out, [src.tolist(), dst.tolist(), tag.tolist(), left]]


def _check_screen_fires_as_every_group(net: Network, *, factors: bool, wide: bool) -> None:
    with screened_from_one_state(factors=factors, wide=wide):
        tables = Tables(net)
        codes = _reachable(tables)
        keys = tables.layout.keys(codes) if tables.layout.words else codes
        screened = _every_move(tables, keys)
        made = dict(tables._group_screens)
        tables._group_screens = {False: None, True: None}
        tables._alike = None
        whole = _every_move(tables, keys)
    assert screened == whole  # the same moves in the same order (traces pick among them)
    assert set(made) == {False, True}  # both directions were screened, where they could be


@settings(max_examples=80, deadline=None)
@given(many_groups(), st.booleans(), st.booleans())
def test_a_screened_network_of_many_groups_fires_the_moves_of_every_group(net, factors, wide):
    _check_screen_fires_as_every_group(net, factors=factors, wide=wide)


@settings(max_examples=60, deadline=None)
@given(trees(), st.booleans())
def test_a_screened_random_process_network_fires_the_moves_of_every_group(tree, wide):
    _check_screen_fires_as_every_group(close(_network(tree)), factors=False, wide=wide)


def test_philosophers_are_screened_and_fire_as_every_group():
    for factors in (False, True):
        for wide in (False, True):
            _check_screen_fires_as_every_group(_philosophers(4), factors=factors, wide=wide)


def test_a_group_is_fired_only_at_the_states_its_components_enable():
    # rule a needs component 0 in state 0; rule b component 1 in state 1
    p = LTS.build(2, 0, ["a", "b"], [(0, "a", 1), (1, "b", 0)])
    net = Network((p, p), (SyncRule("a", ((0, "a"),)), SyncRule("b", ((1, "b"),))))
    with screened_from_one_state(factors=False, wide=False):
        tables = Tables(net)
        screen = tables._group_screen(False)
        locs = tables.decode(np.array([0, 1, 2, 3]))  # (0,0) (1,0) (0,1) (1,1)
        rows = screen.rows(locs, 4)
    assert [r.tolist() for r in rows] == [[0, 2], [2, 3]]
    assert screen.reads == ((0,), (1,))


def test_groups_no_state_disables_get_no_screen():
    p = LTS.build(1, 0, ["a"], [(0, "a", 0)])
    net = Network((p, p), (SyncRule("a", ((0, "a"), (1, "a"))),))
    tables = Tables(net)
    able = [(0, enabling(tables.rules[0], tables.local_moves, False, tables.layout.radix, []))]
    assert GroupScreen.of(able) is None


REGISTERS = """\
channel take, put : {0..3}
channel done, tick
Cell(i) = take!i -> put!i -> Cell(i) [] put?j:{k | k <- {0..3}, k != i} -> Cell(i)
Reg(n) = take?i -> (if n < 3 then Reg(n + 1) else done -> STOP) [] put?i -> Reg(n)
Count(n) = tick -> (if n < 5 then Count(n + 1) else STOP)
System = ((||| i : {0..3} @ Cell(i)) [| {| take, put |} |] Reg(0)) ||| Count(0)
assert System :[deadlock free]
assert STOP [T= System \\ {| take, put, tick |}
assert System [T= System
"""


def _checked(model, **engine) -> list[tuple]:
    out = []
    for r in check_model(model, **engine):
        trace = r.check.counterexample and (r.check.counterexample.trace,
                                            r.check.counterexample.full_path)
        out.append((r.result, trace, r.check.stats.states, r.check.stats.transitions))
    return out


@pytest.mark.parametrize("factors", [False, True])
def test_a_screened_model_checks_as_unscreened_and_as_the_term_rules_do(monkeypatch, factors):
    model = loads(REGISTERS)
    reference = _checked(model, options=SearchOptions(engine=CheckEngine.REFERENCE))
    if factors:
        monkeypatch.setattr(vectors, "JOINT_LIMIT", 1)
        monkeypatch.setattr(rule_screen, "LEAST_RULES", 10**6)
    whole = _checked(model)
    monkeypatch.setattr(vectors, "LEAST_CODES", 1)
    monkeypatch.setattr(group_screen, "LEAST_CODES", 1)
    screened = _checked(model)
    assert Tables(model.network("System"))._group_screen(False) is not None
    assert screened == whole  # verdicts, counterexamples, states and transitions
    assert [r[0] for r in screened] == ["fail", "fail", "pass"]
    assert [r[:2] for r in screened] == [r[:2] for r in reference]


@pytest.mark.parametrize("name", ["Seq", "Choice", "Interrupt", "Prioritised"])
def test_a_screened_model_with_a_lazy_leaf_checks_as_unscreened(monkeypatch, name):
    text = (COUNT + f"{name} = {SHAPES[name]}\nassert {name} :[deadlock free]\n"
            f"assert {name} [T= {name}\nassert STOP [T= {name} \\ {{a, b}}\n")
    model = loads(text)
    reference = _checked(model, options=SearchOptions(engine=CheckEngine.REFERENCE))
    whole = _checked(model)
    monkeypatch.setattr(vectors, "LEAST_CODES", 1)
    monkeypatch.setattr(group_screen, "LEAST_CODES", 1)
    assert _checked(model) == whole
    assert [r[:2] for r in whole] == [r[:2] for r in reference]
