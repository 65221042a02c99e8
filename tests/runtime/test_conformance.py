"""Conformance: with random failures and signals, every recorded history is a trace of the LTS.

The LTS is explored independently with ``procalg.lts.explore`` over the same
rules, and each history's fired labels are walked through it as names.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.lts import explore
from procalg.runtime.clock import VirtualClock
from procalg.runtime.engine import Engine
from procalg.runtime.history import EventFired, from_json, to_json
from procalg.runtime.memory import MemoryLog
from procalg.runtime.retry import RetryPolicy
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.terms import SKIP, Event, ExternalChoice, InternalChoice, Parallel, Prefix

E = Event
TERM = Parallel(
    Prefix(E("a", (1,)), ExternalChoice(Prefix(E("ok"), Prefix(E("b", (2,)), SKIP)),
                                        Prefix(E("no"), SKIP))),
    InternalChoice(Prefix(E("c", (0,)), SKIP), Prefix(E("t"), Prefix(E("c", (1,)), SKIP))),
)
CHANNELS = {
    "a": Channel("a", ChannelKind.ACTIVITY, 1, RetryPolicy(maximum_attempts=3)),
    "b": Channel("b", ChannelKind.ACTIVITY, 1, RetryPolicy(maximum_attempts=2)),
    "c": Channel("c", ChannelKind.ACTIVITY, 1, RetryPolicy(maximum_attempts=2)),
    "ok": Channel("ok", ChannelKind.SIGNAL),
    "no": Channel("no", ChannelKind.SIGNAL),
    "t": Channel("t", ChannelKind.TIMER, duration=60.0),
}


def _is_trace(labels: list[str]) -> bool:
    lts = explore(TermSystem(TERM))
    current = {lts.initial}
    for name in labels:
        code = lts.label_index(name)
        current = {d for s in current for lab, d in lts.successors(s) if lab == code}
        if not current:
            return False
    return True


@settings(max_examples=60, deadline=None)
@given(failures=st.lists(st.booleans(), min_size=8, max_size=8),
       moves=st.lists(st.sampled_from(["ok", "no", "1m", "1s"]), max_size=6))
def test_every_history_the_engine_records_is_a_trace_of_the_model(failures, moves) -> None:
    clock = VirtualClock()
    pattern = iter(failures)

    def maybe_fail(*_: object) -> None:
        if next(pattern, False):
            raise OSError("injected")

    engine = Engine(MemoryLog(), {"a": maybe_fail, "b": maybe_fail, "c": maybe_fail}, clock)
    run = engine.start(Workflow(TermSystem(TERM), CHANNELS))
    for move in moves:
        if run.status not in ("running", "waiting"):
            break
        if move in ("ok", "no"):
            if any(w.what == move for w in run.waiting_on()):
                run.signal(move)
        else:
            clock.advance(move)
    history = run.history()
    assert [from_json(to_json(e)) for e in history] == history
    assert _is_trace([str(e.label) for e in history if isinstance(e, EventFired)])
