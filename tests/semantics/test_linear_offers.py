"""Input offers shared by states: per values read, and per restriction set.

``deposit?x:{y | y <- {1..5}, b + y <= 20}`` reads the balance ``b``, but its
offers depend on ``b`` only through the set: states whose sets are equal share
one list of offers whose bindings hold only ``x`` (the engine's new balances
cost a set's evaluation, not an enumeration). What is compared: the compiled
machine with sharing against the term rules (strong bisimulation, on random
restricted inputs reading state data and on models/account.proc), and the
sharing itself (one offers object per set, bindings of the input's name only).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.lts import explore
from procalg.semantics.linear import Machine
from tests.semantics.test_linear import _bisimilar

MODELS = Path(__file__).resolve().parents[2] / "models"


def _offers(machine: Machine, state: int, channel: str) -> dict:
    """The grouped offers of the deferred input on ``channel`` in ``state``."""
    found = [entry[0] for name, entry in machine.deferred(state)
             if name is None and all(label.startswith(channel + ".") for label in entry[0])]
    assert len(found) == 1
    return found[0]


def test_states_whose_restriction_sets_are_equal_share_one_offers_holding_only_the_input(
) -> None:
    model = loads((MODELS / "account.proc").read_text())
    machine = Machine(model.spec.evaluator, model.process("Account(0)"))
    machine.successors(0)  # the first state finds that x names no constant
    three, seven = (machine.start(model.process(f"Account({b})")) for b in (3, 7))
    deposits = _offers(machine, three, "deposit")
    assert deposits is _offers(machine, seven, "deposit")  # {1..5} for both balances
    assert deposits["deposit.2"] == {"x": 2}  # b comes from the state, not the offers
    withdrawals = _offers(machine, three, "withdraw")
    assert sorted(withdrawals) == ["withdraw.1", "withdraw.2", "withdraw.3"]
    assert withdrawals is not _offers(machine, seven, "withdraw")  # {1..3} is not {1..5}
    near_full = machine.start(model.process("Account(18)"))
    assert sorted(_offers(machine, near_full, "deposit")) == ["deposit.1", "deposit.2"]


def test_the_account_machine_with_shared_set_offers_is_bisimilar_to_the_term_rules() -> None:
    model = loads((MODELS / "account.proc").read_text())
    for start in ("Account(0)", "Account(17)", "Bank"):
        call = model.process(start)
        reference = explore(model.spec.system(call))
        compiled = explore(Machine(model.spec.evaluator, call))
        assert compiled.num_states > 1
        assert _bisimilar(compiled, reference), start


def test_a_target_made_from_shared_set_offers_keeps_the_states_other_data() -> None:
    model = loads("channel c : {0..3}\nchannel d : {0..9}\n"
                  "P(b, s) = c?x:{y | y <- {0..3}, y <= b} -> d!(s + x) -> P(b, s + 1)")
    machine = Machine(model.spec.evaluator, model.process("P(2, 0)"))
    machine.successors(0)
    other = machine.start(model.process("P(2, 5)"))
    (target,) = machine.input_targets(machine.deferred(other)[0][1], "c.1")
    assert machine.successors(target) == [("d.6", machine.start(model.process("P(2, 6)")))]


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 3), st.integers(0, 6), st.booleans(), st.integers(0, 3))
def test_restricted_inputs_reading_state_data_compile_bisimilar_to_the_term_rules(
        start: int, bound: int, fallible: bool, shadow: int) -> None:
    kind = "activity c : {0..3} attempts 2" if fallible else "channel c : {0..3}"
    model = loads(f"""{kind}
channel d : {{0..3}}
P(b, s) = c?x:{{y | y <- {{0..3}}, b + y <= {bound}}} -> d!((s + x) % 4) -> P((b + x) % 4, s)
       [] d?x:{{y | y <- {{0..3}}, y < s or y == {shadow}}} -> P(b, (s + x) % 4)
       [] d?b -> P(b, s)
Q = P({start}, {start})
""")
    call = model.process("Q")
    reference = explore(model.spec.system(call))
    compiled = explore(Machine(model.spec.evaluator, call))
    assert _bisimilar(compiled, reference)
