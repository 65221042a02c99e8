"""Process terms as JSON (:mod:`procalg.runtime.termjson`): deep terms on ordinary threads.

A run's term may be a chain of thousands of prefixes; workers encode and
decode snapshots on ordinary threads, under Python's default recursion limit.
"""

from __future__ import annotations

import json
import logging
import sys
import threading

from procalg.runtime.engine import Engine
from procalg.runtime.memory import MemoryLog
from procalg.runtime.retry import RetryPolicy
from procalg.runtime.snapshot import decode_state
from procalg.runtime.termjson import decode_term, encode_term
from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
from procalg.terms import SKIP, Event, ExternalChoice, Prefix, Process

DEPTH = 10_000
CHANNELS = {"step": Channel("step", ChannelKind.ACTIVITY, 1, RetryPolicy()),
            "go": Channel("go", ChannelKind.SIGNAL, 0)}


def _chain(n: int, end: Process = SKIP) -> Process:
    term = end
    for i in reversed(range(n)):
        term = Prefix(Event("step", (i,)), term)
    return term


def _on_a_plain_thread(action):
    """``action()`` on a fresh thread, under the default recursion limit."""
    assert sys.getrecursionlimit() <= 10_000
    out: list = []
    thread = threading.Thread(target=lambda: out.append(action()))
    thread.start()
    thread.join()
    assert out, "the action raised (see the thread's traceback above)"
    return out[0]


def test_a_ten_thousand_deep_term_round_trips_through_json_on_a_plain_thread() -> None:
    term = ExternalChoice(_chain(DEPTH), _chain(3))

    def round_trip() -> tuple[Process, str]:
        text = json.dumps(encode_term(term))
        back = decode_term(json.loads(text), None)
        return encode_term(back) == encode_term(term), str(back)

    same, printed = _on_a_plain_thread(round_trip)
    assert same  # (== on two distinct deep terms recurses: compare their encodings)
    assert printed.startswith("step.0 -> step.1 -> ") and printed.endswith(
        "step.9999 -> SKIP [] step.0 -> step.1 -> step.2 -> SKIP")


def test_a_shared_subterm_is_written_once() -> None:
    shared = _chain(5)
    nodes = encode_term(ExternalChoice(shared, shared))["g"]
    assert len(nodes) == 7  # SKIP, five prefixes, the choice
    assert nodes[-1]["f"] == [{"r": 5}, {"r": 5}]


def test_a_ten_thousand_deep_chain_run_starts_snapshots_resumes_and_completes(caplog) -> None:
    log, done = MemoryLog(), []
    chain = _chain(DEPTH)  # step.0 first: the start commits its events, then the snapshot
    term = Prefix(chain.event, Prefix(Event("go"), chain.then))
    workflow = Workflow(TermSystem(term), CHANNELS)
    first = Engine(log, {"step": done.append})
    first.snapshot_every = 1
    run = first.start(workflow)
    assert run.status == "waiting"
    seq, text = log.snapshot(run.id)
    state = decode_state(text, workflow)
    assert str(state.term) == "go -> " + str(chain.then)
    first.close()

    second = Engine(log, {"step": done.append}, loader=lambda record: workflow)
    second.snapshot_every = DEPTH // 2
    with caplog.at_level(logging.WARNING, logger="procalg.runtime.snapshot"):
        assert second.state(run.id).trace_offset > 0  # resumed from the snapshot
        second.signal(run.id, "go")
    assert "discarded" not in caplog.text
    assert second.get(run.id).status == "completed"
    assert done == list(range(DEPTH))
    assert log.snapshot(run.id)[0] > seq  # snapshots of the deep term mid-run
    second.close()
