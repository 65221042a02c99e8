"""Generated models nest thousands deep: every path answers, none crashes.

A chain of 10,000 prefixes (what tools and sequence diagrams produce) is
loaded once and checked, explored, exported, printed and run; long
``if ... else if`` chains, nested ``[]`` and ``|||`` evaluate; past
``MAX_NESTING`` a model is a ``ModelError`` at its place.
"""

from __future__ import annotations

import pytest

from procalg.api import loads
from procalg.api import run as api_run
from procalg.api.check import check_model
from procalg.api.export import export_lts, process_lts
from procalg.api.search import CheckEngine
from procalg.errors import ModelError
from procalg.runtime.engine import Engine
from procalg.runtime.memory import MemoryLog
from procalg.syntax import parser

DEPTH = 10_000


def chain_text(n: int) -> str:
    """``P = step.0 -> step.1 -> ... -> SKIP`` and a deadlock assertion."""
    body = " ".join(f"step.{i} ->" for i in range(n))
    return f"channel step : {{0..{n}}}\nP = {body} SKIP\nassert P :[deadlock free]\n"


@pytest.fixture(scope="module")
def chain():
    return loads(chain_text(DEPTH), "chain.proc")


def test_a_ten_thousand_deep_chain_is_deadlock_free_with_every_state_counted(chain) -> None:
    report, = check_model(chain)
    assert report.result == "pass"
    assert report.check.stats.states == DEPTH + 2  # each prefix, SKIP and Ω


def test_a_ten_thousand_deep_chain_explores_and_exports(chain) -> None:
    # the term rules' names: compiling a 10,000-prefix chain is quadratic (1,000: 1.7 s)
    lts = process_lts(chain, "P", state_names=True, engine=CheckEngine.REFERENCE)
    assert (lts.num_states, len(lts.src)) == (DEPTH + 2, DEPTH + 1)
    aut = export_lts(lts, "aut").splitlines()
    assert aut[0] == f"des (0,{DEPTH + 1},{DEPTH + 2})" and '"step.9999"' in aut[-2]
    assert len(export_lts(lts, "dot")) < 20 * 2**20  # names cut short: not quadratic


def test_a_ten_thousand_deep_term_prints(chain) -> None:
    system = chain.system("P")
    (label, after), = system.successors(system.initial_state())
    text = str(after)
    assert str(label) == "step.0" and text.count(" -> ") == DEPTH - 1
    assert text.startswith("step.1 -> step.2 -> ") and text.endswith("step.9999 -> SKIP")


def test_a_ten_thousand_deep_chain_runs_to_completion(chain) -> None:
    engine = Engine(MemoryLog())
    run = engine.start(api_run.workflow(chain, "P"))
    assert run.status == "completed"
    state = engine.state(run.id)
    assert len(state.trace) == DEPTH and str(state.trace[-1]) == "step.9999"
    engine.close()


@pytest.mark.parametrize(("shape", "text", "states"), [
    ("if ... else if", "P(x) = {} else STOP\nQ = P(1499)", 3),
    ("nested []", "Q = {}", 3),
    ("nested |||", "Q = step.0 -> STOP ||| {}", 2),
])
def test_long_chains_of_other_operators_evaluate(shape: str, text: str, states: int) -> None:
    n = 1_500  # several times what used to crash (300 to 500), within the test's time
    if shape == "if ... else if":
        body = " else ".join(f"if x == {i} then step.{i} -> SKIP" for i in range(n))
    elif shape == "nested []":
        body = " [] ".join(f"step.{i} -> SKIP" for i in range(n))
    else:
        body = " ||| ".join("STOP" for _ in range(n))
    model = loads(f"channel step : {{0..{n}}}\n" + text.format(body))
    assert model.lts("Q").num_states == states


def test_nesting_past_the_limit_is_a_model_error_at_its_place(monkeypatch) -> None:
    monkeypatch.setattr(parser, "MAX_NESTING", 500)
    with pytest.raises(ModelError) as caught:
        loads(chain_text(600), "long.proc")
    err = caught.value
    assert "nests more than 500 operators deep" in err.message
    assert (err.span.line, err.source.name) == (2, "long.proc")
    assert err.span.column == len("P = ") + 1 + sum(len(f"step.{i} -> ") for i in range(498))
    assert "named definitions" in err.hint


def test_running_out_of_frames_is_a_model_error_at_the_deepest_place(monkeypatch) -> None:
    from procalg.semantics import deep

    monkeypatch.setattr(deep, "RECURSION_LIMIT", 3_000)  # 2,000 prefixes need more
    with pytest.raises(ModelError) as caught:
        loads(chain_text(2_000), "deep.proc").lts("P")
    err = caught.value
    assert err.message == "expression nested too deeply to evaluate"
    assert err.span.line == 2 and err.span.column > 1_000  # inside the chain, not its start
    assert "named definitions" in err.hint and err.source.name == "deep.proc"
