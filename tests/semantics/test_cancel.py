"""The reserved event ``cancel``: a name the workflow semantics owns, an ordinary event
for every rule (the term rules and the product engine agree on models using it)."""

from __future__ import annotations

import pytest

from procalg.api.model import loads
from procalg.checks.deadlock import deadlock_goal
from procalg.errors import ModelError
from procalg.lts import explore
from procalg.lts.product import explore_product, find_path
from procalg.semantics.network import NotApplicable, compile_network
from procalg.terms.cancel import CANCEL_EVENT

NETWORKS = """
activity a, b
activity ua never fails
channel c, d
Saga = saga (a undo ua ; (cancel -> THROW [] b))
Side = c -> d -> SKIP
Both = Saga ||| Side
Shared = (Saga [| {cancel} |] (cancel -> SKIP [] c -> SKIP))
Anywhere = ((Side ; Side) /\\ (cancel -> d -> SKIP)) ||| Side
Stuck = (Saga ||| Side) ; cancel -> STOP
Hidden = Both \\ {| c |}
"""


def test_cancel_is_reserved_in_a_workflow_model() -> None:
    with pytest.raises(ModelError, match="'cancel' is declared here, but the activity"):
        loads("activity a\nchannel cancel\nP = a -> SKIP")


def test_a_plain_cspm_model_keeps_the_name_cancel_free() -> None:
    model = loads("channel cancel : {1, 2}\nP = cancel.1 -> SKIP")
    assert not model.spec.cancellable
    assert {str(e) for e in model.spec.events} == {"cancel.1", "cancel.2"}


def test_a_model_naming_cancel_has_it_in_events_so_hiding_everything_hides_it() -> None:
    model = loads("activity a\nP = a -> SKIP [] cancel -> SKIP\nQ = P \\ Events")
    assert model.spec.cancellable and CANCEL_EVENT in model.spec.events
    lts = explore(model.system("Q"))
    assert "cancel" not in {str(lab) for lab in lts.labels}


@pytest.mark.parametrize("name", ["Both", "Shared", "Anywhere", "Stuck", "Hidden"])
def test_the_product_engine_gives_the_reference_lts_for_processes_with_cancel(name: str) -> None:
    model = loads(NETWORKS)
    term = model.process(name)
    net = compile_network(term, model.spec, reduce=False)
    assert not isinstance(net, NotApplicable), net
    reference = explore(model.spec.system(term))
    product = explore_product(net)
    assert (product.num_states, product.num_transitions) == (
        reference.num_states, reference.num_transitions)
    assert "cancel" in {str(lab) for lab in reference.labels} or name == "Hidden"
    stuck = set(reference.deadlocks()) - _thrown(reference)
    assert find_path(net, deadlock_goal).found == bool(stuck)


def _thrown(lts) -> set[int]:
    return {d for _, label, d in lts.triples() if label == "throw"}
