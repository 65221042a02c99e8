"""Stranded signals: the check agrees with a brute-force reading of its definition and with
the engine, whose buffered signal really stays pending on the reported race."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api import run as api
from procalg.api.model import loads
from procalg.api.signals import signal_warnings
from procalg.checks.signals import channel_of, stranded_signals
from procalg.lts import LTS
from procalg.runtime.clock import VirtualClock
from procalg.runtime.history import SignalReceived
from procalg.terms.values import Event

LABELS = ["τ", "✓", "go", "stop", "t", "a"]
SIGNALS = {"go", "stop"}


def _naive(lts: LTS) -> set[str]:
    """Straight from the definition: a reachable stable state offering e, then >= 1
    non-signal moves to a state from which e is unreachable."""
    succ: dict[int, list[tuple[str, int]]] = {}
    for s, lab, d in zip(lts.src.tolist(), lts.label.tolist(), lts.dst.tolist(), strict=True):
        succ.setdefault(s, []).append((str(lts.labels[lab]), d))

    def reach(starts: set[int], ok) -> set[int]:
        seen, todo = set(starts), list(starts)
        while todo:
            for lab, d in succ.get(todo.pop(), []):
                if ok(lab) and d not in seen:
                    seen.add(d)
                    todo.append(d)
        return seen

    reachable = reach({lts.initial}, lambda lab: True)
    found = set()
    for e in SIGNALS:
        for s in reachable:
            moves = succ.get(s, [])
            if not any(lab == e for lab, _ in moves) or any(lab == "τ" for lab, _ in moves):
                continue
            after = reach({d for lab, d in moves if lab not in SIGNALS},
                          lambda lab: lab not in SIGNALS)
            if any(not any(lab == e for x in reach({t}, lambda lab: True)
                           for lab, _ in succ.get(x, [])) for t in after):
                found.add(e)
    return found


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 7).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(LABELS[:1] + LABELS[2:]),
                                   st.integers(0, n - 1)), max_size=14))))
def test_the_check_finds_exactly_the_signals_its_definition_names(case) -> None:
    n, triples = case
    lts = LTS.build(n, 0, LABELS[2:], triples)
    found = {str(f.signal) for f in stranded_signals(lts, lambda lab: str(lab) in SIGNALS)}
    assert found == _naive(lts)


def test_the_reported_traces_lead_to_a_waiting_state_and_past_every_listening_one() -> None:
    lts = LTS.build(4, 0, ["a", "go", "t"], [(0, 2, 1), (1, 3, 2), (1, 4, 3), (3, 0, 1)])
    # a, then wait for go; the timer t fires, an internal τ, and no go again? no: τ back to 1
    assert stranded_signals(lts, lambda lab: lab == "go") == []
    lts = LTS.build(4, 0, ["a", "go", "t"], [(0, 2, 1), (1, 3, 2), (1, 4, 3)])
    [found] = stranded_signals(lts, lambda lab: lab == "go")
    assert (found.waits, found.overtaken) == (("a",), ("t",))


def test_a_choice_between_signals_is_the_senders_and_not_a_finding() -> None:
    model = loads("signal approve, reject\nP = approve -> SKIP [] reject -> SKIP\n"
                  "assert P :[deadlock free]")
    assert signal_warnings(model) == []


def test_a_signal_the_run_listens_for_again_after_the_timer_is_not_a_finding() -> None:
    model = loads("signal go\ntimer t = 1s\nchannel nag\n"
                  "P = go -> SKIP [] t -> nag -> P\nassert P :[deadlock free]")
    assert signal_warnings(model) == []


RACE = """signal go
timer t = 1s
activity a
P = go -> a -> SKIP [] t -> SKIP
assert P :[deadlock free]
"""


def test_the_engine_leaves_the_reported_signal_pending(tmp_path) -> None:
    [warning] = signal_warnings(loads(RACE))
    assert warning.startswith("signal go: ") and "<t> happens first" in warning
    path = tmp_path / "race.proc"
    path.write_text(RACE)
    clock = VirtualClock()
    engine = api.engine("memory:", activities={"a": lambda: None}, clock=clock)
    run = api.start(path, "P", store=engine)
    assert run.status == "waiting"
    # the sender saw "waiting for go" and sends it as the timer comes due; the signal is
    # buffered (as when another worker holds the run), and that worker fires the timer first
    engine.log.send(run.id, SignalReceived(time=clock.now(), event=Event("go")))
    clock.advance("1s")
    assert run.status == "completed"
    assert [str(s.event) for _, s in engine.log.pending(run.id)] == ["go"]
    assert channel_of("go.1") == "go"


def test_procalg_check_prints_the_race_as_a_warning_and_keeps_the_verdict(
        tmp_path, capsys) -> None:
    from procalg.cli.main import main

    path = tmp_path / "race.proc"
    path.write_text(RACE)
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == ("warning: signal go: sent while P waits for it (after <>), it is never "
                       "consumed if <t> happens first")
