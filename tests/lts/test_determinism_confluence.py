"""τ-confluence: a process whose hidden moves cannot matter passes without a normal form.

The screen (:mod:`procalg.lts.determinism_confluence`) may only ever answer
PASS, and only where the reference (:func:`~procalg.checks.determinism.check_determinism`
on the explicit product) passes; where a τ disables a visible move, or two
τ-moves part for good, it must leave the answer to the normal form, which
then gives the reference's trace and refused event.
"""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.checks.determinism import check_determinism, check_determinism_product
from procalg.lts import LTS, level_search, normal_product
from procalg.lts.determinism_confluence import labels_deterministic
from procalg.lts.determinism_screen import screen_deterministic
from procalg.lts.network import alpha_parallel, close, component, hide, parallel
from procalg.lts.product import explore_product
from procalg.lts.vectors import Tables
from tests.lts.test_refine_product import networks


def _answer(result) -> tuple:
    ce = result.counterexample
    return (result.passed,) if ce is None else (ce.trace, ce.refused, ce.cycle is None)


@st.composite
def _deterministic_parts(draw, max_states: int = 4) -> LTS:
    """An LTS with at most one move per (state, label): local τ and ✓ allowed."""
    n = draw(st.integers(1, max_states))
    edges = {}
    for _ in range(draw(st.integers(0, 3 * n))):
        key = (draw(st.integers(0, n - 1)), draw(st.sampled_from(["a", "b", "c", "τ", "✓"])))
        edges[key] = draw(st.integers(0, n - 1))
    return LTS.build(n, 0, ["a", "b", "c"], [(s, x, d) for (s, x), d in edges.items()])


@st.composite
def _hidden_networks(draw):
    """Two or three deterministic components in parallel, one or two events hidden:
    hidden syncs that are often confluent, and often not."""
    parts = [component(draw(_deterministic_parts())) for _ in range(draw(st.integers(2, 3)))]
    net = parts[0]
    for part in parts[1:]:
        net = parallel(net, part, draw(st.sets(st.sampled_from(["a", "b", "c"]))))
    return close(hide(net, draw(st.sets(st.sampled_from(["a", "b", "c"]), min_size=1,
                                        max_size=2))))


def _screened_agrees(net, divergence: bool) -> bool:
    """Assert the screen passes only what the reference passes, with its states;
    the product check answers as the reference, screen or not; return whether
    the screen answered."""
    reference = check_determinism(explore_product(net), divergence=divergence)
    screened = screen_deterministic(Tables(net))
    if screened is not None:
        assert screened.kind is None and reference.passed
        assert screened.states == reference.stats.states
    product = check_determinism_product(net, divergence=divergence)
    with patch.object(normal_product, "SCREEN", False):
        normal = check_determinism_product(net, divergence=divergence)
    assert _answer(product) == _answer(reference) == _answer(normal)
    return screened is not None


@settings(max_examples=400, deadline=None)
@given(_hidden_networks(), st.booleans())
def test_hidden_syncs_pass_the_screen_only_where_the_reference_passes(net, divergence):
    _screened_agrees(net, divergence)


@settings(max_examples=300, deadline=None)
@given(networks(), st.booleans())
def test_random_networks_with_hiding_pass_the_screen_only_where_the_reference_passes(
        net, divergence):
    _screened_agrees(net, divergence)


@settings(max_examples=100, deadline=None)
@given(_hidden_networks())
def test_the_screen_judges_alike_a_chunk_of_two_states_at_a_time(net):
    whole = screen_deterministic(Tables(net)) is None
    with patch.object(level_search, "NARROW", 0), \
            patch.object(level_search.LevelSearch, "chunk", lambda self: 2):
        assert (screen_deterministic(Tables(net)) is None) == whole


def _scheduler(n: int):
    """Milner's scheduler of ``n`` cyclers, the token passing (c) hidden."""
    return close(hide(_cyclers(n)[0], {f"c{i}" for i in range(n)}))


def _cyclers(n: int):
    """Milner's ``n`` cyclers in parallel, nothing hidden, and their alphabet."""
    cyclers = []
    for i in range(n):
        a, b, c_in, c_out = f"a{i}", f"b{i}", f"c{i}", f"c{(i + 1) % n}"
        # 0: may start; 1: started; 2: b done; 3: token passed; 4: waits for the token
        moves = [(0, a, 1), (1, b, 2), (1, c_out, 3), (2, c_out, 4), (3, b, 4), (4, c_in, 0)]
        cyclers.append((LTS.build(5, 0 if i == 0 else 4, [a, b, c_in, c_out], moves),
                        {a, b, c_in, c_out}))
    net, alphabet = component(cyclers[0][0]), cyclers[0][1]
    for lts, alpha in cyclers[1:]:
        net, alphabet = alpha_parallel(net, component(lts), alphabet, alpha), alphabet | alpha
    return net, alphabet


def test_milners_scheduler_is_screened_with_its_token_hidden():
    for n in (2, 3, 5):
        net = _scheduler(n)
        assert labels_deterministic(net)
        result = check_determinism_product(net)
        assert result.passed and result.stats.extra["method"] == "screen"
        assert result.stats.states == check_determinism(explore_product(net)).stats.states
        assert "τ (if any) confluent" in result.stats.extra["notes"][-1]


def test_a_hidden_step_that_disables_a_b_leaves_the_clash_to_the_normal_form():
    # 0 -τ-> 1 and 0 -b-> 2: after ⟨⟩, 1 is stable and refuses the b that 0 offers
    drops = LTS.build(3, 0, ["a", "b"], [(0, "τ", 1), (0, "b", 2), (1, "a", 2)])
    net = close(component(drops))
    assert screen_deterministic(Tables(net)) is None
    assert _answer(check_determinism_product(net)) == ((), frozenset({"b"}), True)
    assert _answer(check_determinism(drops)) == ((), frozenset({"b"}), True)


def test_a_hidden_step_whose_a_leads_elsewhere_is_not_confluent():
    # 0 -a-> 1 (stops), 0 -τ-> 2 -a-> 3 -b-> 1: after ⟨a⟩, 1 refuses the b 3 offers
    apart = LTS.build(4, 0, ["a", "b"], [(0, "a", 1), (0, "τ", 2), (2, "a", 3), (3, "b", 1)])
    net = close(component(apart))
    assert screen_deterministic(Tables(net)) is None
    assert _answer(check_determinism_product(net)) == (("a",), frozenset({"b"}), True)


def test_two_hidden_steps_that_part_for_good_are_not_confluent():
    # an internal choice a -> STOP |~| b -> STOP: no state both τ-targets reach
    choice = LTS.build(5, 0, ["a", "b"], [(0, "τ", 1), (0, "τ", 2), (1, "a", 3), (2, "b", 4)])
    net = close(component(choice))
    assert screen_deterministic(Tables(net)) is None
    assert not check_determinism_product(net).passed


def test_two_hidden_steps_that_meet_again_are_confluent():
    diamond = LTS.build(5, 0, ["a"], [(0, "τ", 1), (0, "τ", 2), (1, "τ", 3), (2, "τ", 3),
                                      (3, "a", 4)])
    screened = screen_deterministic(Tables(close(component(diamond))))
    assert screened is not None and screened.states == 5
    assert check_determinism(diamond).passed


def test_a_hidden_cycle_is_left_to_the_normal_form_and_its_divergence():
    spin = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "τ", 1)])
    net = close(component(spin))
    assert screen_deterministic(Tables(net)) is None
    result = check_determinism_product(net)
    assert result.counterexample.trace == ("a",) and result.counterexample.cycle == ("τ",)


def test_tick_beside_a_hidden_step_is_left_to_the_normal_form():
    # SKIP |~| STOP's shape: 0 -τ-> 1 -✓-> 2 and 0 -τ-> 3 (stops)
    ends = LTS.build(4, 0, [], [(0, "τ", 1), (1, "✓", 2), (0, "τ", 3)])
    assert screen_deterministic(Tables(close(component(ends)))) is None
    assert not check_determinism_product(close(component(ends))).passed


def test_two_rules_of_one_label_are_not_taken_as_deterministic_by_the_rules():
    left = LTS.build(2, 0, ["a"], [(0, "a", 1)])
    right = LTS.build(2, 0, ["a"], [(0, "a", 1)])
    net = close(parallel(component(left), component(right), set()))  # a ||| a
    assert not labels_deterministic(net)
    both = close(hide(parallel(component(left), component(right), set()), {"a"}))
    assert not labels_deterministic(close(component(LTS.build(
        2, 0, ["a"], [(0, "a", 1), (0, "a", 0)]))))
    assert screen_deterministic(Tables(net)) is None  # after ⟨a⟩: {a-able, done}
    assert screen_deterministic(Tables(both)) is not None  # τ ||| τ: confluent
