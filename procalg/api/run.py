"""Running models (layer 5): load + check + engine + store, composed.

:func:`workflow` builds the engine's :class:`~procalg.runtime.workflow.Workflow`
from a loaded :class:`~procalg.api.model.Model` (its activity, signal and
timer declarations become channel bindings, ``attempts``/``backoff``/
``timeout`` become Temporal-style retry policies); :func:`engine` opens a
store and returns an :class:`~procalg.runtime.engine.Engine` that can rebuild
any run from the model text the run recorded; :func:`start` does both and
starts a run after checking the model's assertions. :func:`migrate` moves a
run to a changed model when its history is a trace of the new one, and
:func:`replay` checks a recorded history against a model.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.runtime.clock import VirtualClock
    >>> model = loads("activity pay : {1, 2} attempts 2\\nP = pay.2 -> SKIP")
    >>> run = start(model, "P", activities={"pay": lambda amount: None},
    ...             store="memory:", clock=VirtualClock())
    >>> str(run.status), [str(e) for e in run.result().trace]
    ('completed', ['pay.2'])
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procalg.api.attrs import parameter_attrs
from procalg.api.model import Model, load, loads
from procalg.api.workflow import RetryOverrides, workflow
from procalg.errors import RunError
from procalg.runtime import continuation
from procalg.runtime.activities import DEFAULT_REGISTRY, ActivityRegistry
from procalg.runtime.decide import Perform, RunState, Wait, decide, evolve
from procalg.runtime.engine import Engine
from procalg.runtime.history import HistoryEvent, RunMigrated, RunStarted
from procalg.runtime.memory import MemoryLog
from procalg.runtime.ports import Clock, EventLog, RunRecord
from procalg.runtime.run import Run
from procalg.runtime.status import UNFINISHED, RunStatus
from procalg.runtime.telemetry import Telemetry
from procalg.runtime.workflow import Workflow
from procalg.terms.cancel import is_cancel

DEFAULT_STORE = "sqlite:///runs.db"
"""A file ``runs.db`` in the working directory."""


_VERDICTS_LOCK = threading.Lock()  # runs are loaded from several threads (resume_all)
_VERDICTS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
VERDICTS = 64
"""Model texts whose verdicts are kept (the most recently checked)."""


def verdicts(model: Model) -> dict[str, str]:
    """Each assertion's text to ``"pass"``, ``"fail"`` or ``"error"`` (cached per model text).

    The model given is the one checked: starting a run loads its file once.
    """
    key = (model.source.text, model.source.name)
    with _VERDICTS_LOCK:
        found = _VERDICTS.pop(key, None)  # re-inserted last: least recently used first
    if found is None:
        from procalg.api.check import check_model  # the checks: not needed to resume a run

        found = tuple((r.assertion.text, r.result) for r in check_model(model))
    with _VERDICTS_LOCK:
        _VERDICTS[key] = found
        while len(_VERDICTS) > VERDICTS:
            del _VERDICTS[next(iter(_VERDICTS))]
    return dict(found)


def store(url: str = DEFAULT_STORE, create: bool = True) -> EventLog:
    """Open a store: ``sqlite:///runs.db``, a path, ``postgresql://...``, or ``memory:``.

    ``create=False``: a missing SQLite file is an error (nothing is created).
    """
    if url == "memory:":
        return MemoryLog()
    from procalg.store import store_from_url

    return store_from_url(url, create)


def engine(store_url: str | EventLog = DEFAULT_STORE, *,
           activities: ActivityRegistry | Mapping[str, Callable[..., Any]] | None = None,
           clock: Clock | None = None, retry: RetryOverrides | None = None,
           create: bool = True, telemetry: Telemetry | None = None,
           **options: Any) -> Engine:
    """An engine on a store, able to rebuild any run from the model text it recorded.

    Args:
        store_url: a store URL (see :func:`store`) or an open log.
        activities: functions by channel (default: those bound with ``@procalg.activity``).
        clock: the engine clock (a ``VirtualClock`` in tests).
        retry: retry overrides applied to every run this engine loads.
        create: create a missing store (False: a missing SQLite file is an error).
        telemetry: spans, metrics and run-aware log records
            (:class:`~procalg.runtime.telemetry.Telemetry`); None: none, at no cost.
        options: passed to :class:`~procalg.runtime.engine.Engine` (``lease``,
            ``on_event``, ...).
    """
    log = store(store_url, create) if isinstance(store_url, str) else store_url
    registry = DEFAULT_REGISTRY if activities is None else activities
    eng = Engine(log, registry, clock, loader=lambda record: _rebuild(log, record, retry),
                 retry=retry, **options)
    if telemetry is not None:
        telemetry.attach(eng)
    return eng


def _rebuild(log: EventLog, record: RunRecord, retry: RetryOverrides | None) -> Workflow:
    """A run's workflow, on the model it last migrated to (or started on).

    The model is read off the run's row (:attr:`RunRecord.current_model`, set in the
    commit that migrated it): no history is read here. ``log`` is kept for the loaders
    (and faces) that call it with one."""
    del log  # the row says it all
    model = _model(record.current_model[1])
    return workflow(model, record.process, *_args(model, record.args), retry=retry,
                    verdicts=record.verdicts)


def _args(model: Model, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """A run's recorded arguments as values of ``model``'s load (a function value is
    recorded by its place in the text: ``runtime/continuation.saved_args``)."""
    return continuation.loaded_args(args, model.spec.evaluator)


_MODELS: dict[str, Model] = {}
MODELS = 64
"""Model texts kept loaded for the runs recorded on them (the most recently used)."""


def _model(text: str, name: str = "<recorded model>") -> Model:
    """The model of a recorded text, loaded once per text (not per run: a child run,
    or each run a worker resumes, would parse the same text again); ``name`` names it
    in errors if this call loads it."""
    with _VERDICTS_LOCK:
        found = _MODELS.pop(text, None)  # re-inserted last: least recently used first
    if found is None:
        found = loads(text, name)
    _remember(found)
    return found


def _remember(model: Model) -> None:
    """Keep ``model`` as the one its runs' records name (a child run started from it, or a
    run resumed in this process, steps on it: no parse, and errors name its file)."""
    with _VERDICTS_LOCK:
        _MODELS[model.source.text] = model
        while len(_MODELS) > MODELS:
            del _MODELS[next(iter(_MODELS))]



def current_model(record: RunRecord, name: str = "<recorded model>") -> Model:
    """The model a run is on now (the one it last migrated to, read off its row; loaded
    once per text); ``name`` names it in errors if this call loads it."""
    return _model(record.current_model[1], name)


def model_of(wf: Workflow, run_id: str) -> Model:
    """The model a run's workflow was built from (loaded once per model text)."""
    return _model(wf.model_text)


def latest(eng: Engine, run_id: str) -> str:
    """The newest run of ``run_id``'s chain of runs that continued as new (itself if none)."""
    return continuation.latest(eng.log, run_id)


def as_model(model: Model | str | Path) -> Model:
    """A model, loading it if given a path."""
    return model if isinstance(model, Model) else load(model)


def start(model: Model | str | Path, process: str, *args: Any,
          activities: ActivityRegistry | Mapping[str, Callable[..., Any]] | None = None,
          store: str | EventLog | Engine = DEFAULT_STORE, clock: Clock | None = None,
          retry: RetryOverrides | None = None, allow_failed_assertions: bool = False,
          run_id: str | None = None, attrs: Mapping[str, str] | None = None) -> Run:
    """Check the model's assertions, record a run of ``process(args...)`` and drive it.

    ``attrs`` are search attributes (``procalg runs list --attr k=v``), added to those
    the model gives (:func:`parameter_attrs`); a model given as a path also sets
    ``model`` to that path (``runs list --model``).

    Raises:
        RunError: a failed assertion (unless ``allow_failed_assertions``), an
            unbound activity or a function whose arity does not fit its channel.
    """
    attrs = dict(attrs or {})
    if isinstance(model, str | Path):
        attrs.setdefault("model", str(model))
    model = as_model(model)
    _remember(model)
    attrs = {**parameter_attrs(model, process, args), **attrs}
    eng = store if isinstance(store, Engine) else engine(store, activities=activities,
                                                          clock=clock, retry=retry)
    if retry is None:
        retry = eng.retry
    found = verdicts(model)
    failed = [a for a in model.assertions if found.get(a.text) == "fail"]
    if failed and not allow_failed_assertions:
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        raise RunError(f"the model fails its assertion `{failed[0].text}`{more}",
                       failed[0].span, source=model.source,
                       hint="fix the model, or pass allow_failed_assertions=True "
                            "(--allow-failed-assertions)")
    wf = workflow(model, process, *args, retry=retry, verdicts=found)
    return eng.start(wf, run_id=run_id, allow_failed_assertions=allow_failed_assertions,
                     attrs=attrs)


def migrate(eng: Engine, run_id: str, model: Model | str | Path,
            retry: RetryOverrides | None = None) -> bool:
    """Move an unfinished run to ``model`` if its history is a trace of it.

    Returns False when the run is already on this model text. ``retry``
    defaults to the engine's overrides.

    Raises:
        ReplayError: the new model rejects the history; the message names the
            first rejected event and what the model offers there.
        RunError: the run has finished, or another live worker holds it.
    """
    model = as_model(model)
    retry = eng.retry if retry is None else retry
    record = eng.log.get_run(run_id)
    if record.current_model[0] == model.content_hash:  # off the row: the old model stays unloaded
        return False
    if record.status not in UNFINISHED:
        raise RunError(f"run {run_id} has {record.status}; only unfinished runs migrate")
    eng.claim(run_id)  # a live worker driving it must not see its model change
    wf = workflow(model, record.process, *_args(model, record.args), retry=retry,
                  verdicts=verdicts(model))
    state = eng.attach(run_id, wf)  # raises ReplayError on the first rejected event
    moved = RunMigrated(time=eng.clock.now(), model_hash=model.content_hash,
                        model_text=model.source.text)
    eng.log.append(run_id, state.seq, [moved])  # the store puts the model on the run's row
    evolve(state, moved)  # the engine's state is current again: no second replay
    return True


@dataclass(frozen=True)
class ReplayReport:
    """Where a recorded history leaves a run of a model.

    Attributes:
        process: the process the history started.
        events: how many history events were replayed.
        status: ``completed``/``compensated``/``cancelled``/``failed`` if the history ends the
            run, else ``waiting`` or ``running``.
        next: what the run does next (activities to call, signals and timers awaited).
        trace: the visible events, in order.
    """

    process: str
    events: int
    status: RunStatus
    next: tuple[str, ...]
    trace: tuple[str, ...]


def replay(model: Model | str | Path, history: Iterable[HistoryEvent],
           process: str | None = None) -> ReplayReport:
    """Check that a history is a trace of ``model`` and say where it leaves the run.

    Raises:
        ReplayError: an event the model does not offer there (named, with what it offers).
        RunError: a history without ``run_started`` and no ``process`` given.
    """
    model = as_model(model)
    events = list(history)
    started = next((e for e in events if isinstance(e, RunStarted)), None)
    if started is None and process is None:
        raise RunError("the history has no run_started event",
                       hint="name the process: procalg replay FILE HISTORY --process P")
    name = process or started.process  # type: ignore[union-attr]
    args = started.args if started is not None and process is None else ()
    state = RunState.initial(workflow(model, name, *_args(model, args)))
    for event in events:
        evolve(state, event)
    status, nxt = state.status, ()
    if status in UNFINISHED:
        commands = decide(state, max((e.time for e in events), default=0.0))
        waits = [c for c in commands if isinstance(c, Wait)]
        if waits:
            status = RunStatus.WAITING
            nxt = tuple([f"signal {s}" if not is_cancel(s) else "cancel" for s in waits[0].signals]
                        + [f"timer {t}" for t, _ in waits[0].timers])
        else:
            nxt = tuple(f"activity {c.channel}" if isinstance(c, Perform) else type(c).__name__
                        for c in commands)
    return ReplayReport(name, len(events), status, nxt, tuple(map(str, state.trace)))
