"""Where a run is in its model: the answer to a query (``procalg runs query``, ``run.query()``).

A run's state is a process term (:attr:`RunState.term
<procalg.runtime.decide.RunState.term>`). A query reads it without moving
the run: the parallel branches (split at ``[| |]``/``|||``, looking through
hiding, renaming, ``;`` and sagas), each with the process it is in and that
process's argument values; the events offered now; the signals and timers
the run waits for (with deadlines); the activity calls it runs now; and the
compensations a throw would run now, in order (what the saga installed,
``docs/sagas.md``).

Recursion unfolds without a step (Roscoe, UCS ch. 9; FDR): a state holds the
*body* of ``Account(3)``, not the call. The rules memoise every unfolding
(:attr:`procalg.semantics.sos.Rules.unfolded`, call to body), so a branch
that is a body names its call exactly; a branch part-way through a body
(after ``close`` in ``close -> notify!b -> ...``) names the call whose body
holds it, when exactly one does (:attr:`Branch.inside` is then True). A
branch no unfolding explains (a hand-built term) has process ``""``.
Locating costs O(size of the memoised unfoldings) per query, never a step.

Example:
    >>> from procalg.terms import Call, Event, Prefix, Parallel, SKIP
    >>> from procalg.semantics.sos import Rules
    >>> from procalg.runtime.workflow import TermSystem, Workflow
    >>> bodies = {Call("A", (1,)): Prefix(Event("a"), SKIP), Call("B"): Prefix(Event("b"), SKIP)}
    >>> system = TermSystem(Parallel(Call("A", (1,)), Call("B")), Rules(bodies.get))
    >>> from procalg.runtime.decide import RunState
    >>> pos = position(RunState.initial(Workflow(system)), now=0.0)
    >>> [(b.process, b.args) for b in pos.branches], pos.offered
    ([('A', (1,)), ('B', ())], ('a', 'b'))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from procalg.runtime.decide import Perform, Wait, decide
from procalg.runtime.status import FINISHED
from procalg.semantics.saga import installed
from procalg.terms.input import Input
from procalg.terms.process import (
    AlphaParallel,
    Call,
    Hide,
    Omega,
    Parallel,
    Process,
    Rename,
    Seq,
    Skip,
    Stop,
)
from procalg.terms.saga import After, CPar, CSeq, Revert, Rollback, Saga, Step
from procalg.terms.values import Event, Value, sort_key

if TYPE_CHECKING:
    from procalg.runtime.decide import RunState

LOCATE_LIMIT = 200_000
"""Term nodes searched at most to find the body a branch is part-way through."""


@dataclass(frozen=True, slots=True)
class Branch:
    """One parallel branch of the run's current term.

    Attributes:
        process: the definition it is in (``""``: unknown, or a finished branch).
        args: that definition's argument values.
        params: their parameter names (empty when the model's text is not at hand).
        inside: True when the branch is part-way through the body (not at its start).
        term: the branch's term, printed.
    """

    process: str
    args: tuple[Value, ...]
    params: tuple[str, ...]
    inside: bool
    term: str


@dataclass(frozen=True, slots=True)
class Compensation:
    """One compensation a throw would run now: the step it undoes, and its process."""

    step: str
    process: str


@dataclass(frozen=True, slots=True)
class Position:
    """A run's position in its model (all of it derived from the replayed history).

    Attributes:
        status: ``running``, ``waiting``, ``completed``, ``compensated``, ``failed``.
        events: how many history events the position is after.
        branches: the parallel branches, left to right.
        offered: the visible events offered now (sorted).
        signals: the signal events the run accepts now.
        timers: each offered timer with its deadline (None: not started yet).
        activities: the activity calls the run performs now (``channel.input``).
        retries: each activity call waiting to retry, with when.
        compensations: what a throw would undo now, in the order it runs.
        rolling_back: True while a saga runs its compensations.
        term: the whole current term, printed.
    """

    status: str
    events: int
    branches: tuple[Branch, ...]
    offered: tuple[str, ...]
    signals: tuple[str, ...]
    timers: tuple[tuple[str, float | None], ...]
    activities: tuple[str, ...]
    retries: tuple[tuple[str, float], ...]
    compensations: tuple[Compensation, ...]
    rolling_back: bool
    term: str


def position(state: RunState, now: float) -> Position:
    """The position of the run in ``state`` at time ``now`` (reads only; decides nothing).

    ``now`` decides only whether a due timer shows as due: the state is not
    changed and nothing is recorded.
    """
    term = state.term
    node = state.node()
    wf = state.workflow
    # the rules that compiled the states: a machine is shared by workflows of one model
    unfolded = getattr(getattr(state.machine.workflow.system, "rules", None), "unfolded", {})
    finished = state.status in FINISHED
    visible = sorted({lab for lab, _ in node.moves if isinstance(lab, Event)}, key=sort_key)
    activities: tuple[str, ...] = ()
    if not finished and node.internal is None and not state.gave_up:
        commands = decide(state, now)
        activities = tuple(_call_text(c) for c in commands if isinstance(c, Perform))
        if commands and isinstance(commands[0], Wait):
            activities = ()
    comps, rolling = _compensations(term)
    return Position(
        status=state.status,
        events=state.seq,
        branches=tuple(_branch(b, unfolded, wf.params) for b in branches(term)),
        offered=tuple(map(str, visible)),
        signals=tuple(map(str, node.signals)),
        timers=tuple((t, state.timers.get(t)) for t in node.timers),
        activities=activities,
        retries=tuple((_call_text_of(*state.inflight[s]), at)
                      for s, at in sorted(state.retry_at.items()) if s in state.inflight),
        compensations=comps,
        rolling_back=rolling,
        term=str(term),
    )


def branches(term: Process) -> list[Process]:
    """The parallel branches of ``term``, left to right, seen through the operators
    that do not choose (hiding, renaming, the first part of ``;``, saga wrappers).

    Example:
        >>> from procalg.terms import Event, Prefix, Parallel, Hide, STOP
        >>> a, b = Prefix(Event("a"), STOP), Prefix(Event("b"), STOP)
        >>> [str(t) for t in branches(Hide(Parallel(a, b), frozenset()))]
        ['a -> STOP', 'b -> STOP']
    """
    out: list[Process] = []
    todo = [term]
    while todo:
        t = todo.pop()
        match t:
            case Parallel(left, right) | AlphaParallel(left, right) | CPar(left, right):
                todo += [right, left]
            case Hide(inner) | Rename(inner) | Seq(inner) | Saga(inner) | Rollback(inner):
                todo.append(inner)
            case After(inner) | CSeq(inner) | Step(inner) | Revert(_, inner):
                todo.append(inner)
            case _:
                out.append(t)
    return out


def _branch(term: Process, unfolded: dict[Call, Process],
            params: Mapping[str, tuple[str, ...]]) -> Branch:
    call, inside = (None, False) if isinstance(term, Stop | Skip | Omega) else _locate(
        term, unfolded)
    if call is None:
        return Branch("", (), (), False, str(term))
    names = params.get(call.name, ())
    return Branch(call.name, call.args, names if len(names) == len(call.args) else (),
                  inside, str(term))


def _locate(term: Process, unfolded: dict[Call, Process]) -> tuple[Call | None, bool]:
    """The call whose body ``term`` is (inside=False) or is part of, if exactly one."""
    bodies = list(unfolded.items())  # a copy: runs in this process may unfold more meanwhile
    for call, body in bodies:
        if body is term or body == term:
            return call, False
    found: set[Call] = set()
    budget = LOCATE_LIMIT
    for call, body in bodies:
        stack: list[Any] = [body]
        while stack and budget > 0:
            budget -= 1
            node = stack.pop()
            if node == term:
                found.add(call)
                break
            if isinstance(node, Input):  # the continuations expanded so far
                stack += node.site.continuations(node.captured)
            elif isinstance(node, Process) and not isinstance(node, Call):
                for name in getattr(node, "__dataclass_fields__", ()):
                    child = getattr(node, name)
                    if isinstance(child, Process):
                        stack.append(child)
    return (found.pop(), True) if len(found) == 1 else (None, False)


def _compensations(term: Process) -> tuple[tuple[Compensation, ...], bool]:
    """What a throw in the outermost running saga would undo now, in order."""
    stack = [term]
    while stack:
        t = stack.pop()
        match t:
            case Saga(body):
                return tuple(_reverts(installed(body))), False
            case Rollback(compensation):
                return tuple(_reverts(compensation)), True
            case Parallel(left, right) | AlphaParallel(left, right):
                stack += [right, left]
            case Hide(inner) | Rename(inner) | Seq(inner):
                stack.append(inner)
    return (), False


def _reverts(compensation: Process) -> list[Compensation]:
    """The installed steps' compensations in the order they run (parallel ones left first)."""
    match compensation:
        case Revert(step, body):
            return [Compensation(step, str(body))]
        case Seq(first, second) | Parallel(first, second):
            return _reverts(first) + _reverts(second)
        case Skip():
            return []
    return [Compensation("", str(compensation))]


def _call_text(call: Perform) -> str:
    return _call_text_of(call.channel, call.input)


def _call_text_of(channel: str, given: tuple[Any, ...]) -> str:
    return str(Event(channel, tuple(given)))

