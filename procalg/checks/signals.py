"""Buffered signals that can never be consumed: a signal overtaken while the run waits for it.

At run time the environment **buffers** signals (docs/engine.md section 4):
a signal sent to a run is kept in its durable inbox and consumed when the
process offers it. So a run's behaviour is the process composed with a
buffer on its signal channels, and a buffered signal is lost for good when
the process never offers it again. A sender acts on what the run waits for
(``procalg runs show``, ``run.waiting_on()``), so the hazard is a race: the
run waits for signal ``e`` in a stable state ``s`` (no τ), the sender sends
``e``, and before the run consumes it, moves the sender does not control (a
timer, an activity's outcome, an internal event) take it to a state from
which ``e`` is unreachable. Moves on signal channels are the environment's
own choices (it sent ``reject`` instead of ``approve``) and do not count.

:func:`stranded_signals` finds, per signal label, a reachable stable state
offering it and a shortest path of non-signal moves (at least one) from it
to a state that can never offer it again; ending the run counts. Choices
between signals and timers that listen again later pass (the approval model).

Complexity: O(S + T) per signal label (a backward closure and two
breadth-first searches), O(S + T) memory for the adjacency lists.

Example:
    >>> from procalg.lts import LTS
    >>> from procalg.terms.values import Event
    >>> go, t = Event("go"), Event("t")
    >>> lts = LTS.build(3, 0, [go, t], [(0, 2, 1), (0, 3, 2)])  # labels by index
    >>> [f.text("P") for f in stranded_signals(lts, lambda lab: channel_of(lab) == "go")]
    ['signal go: sent while P waits for it (after <>), it is never consumed if <t> happens first']
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from procalg.lts.lts import LTS, TAU_INDEX


@dataclass(frozen=True, slots=True)
class StrandedSignal:
    """A signal the run may wait for and then never consume.

    Labels here are the LTS's own (an event object or its printed name: a
    check sees labels, not terms, so they are typed ``object``).

    Attributes:
        signal: the signal event.
        waits: a shortest trace to a stable state where the run waits for it.
        overtaken: the non-signal moves after which no state offers it again.
    """

    signal: object
    waits: tuple[object, ...]
    overtaken: tuple[object, ...]

    def text(self, process: str) -> str:
        """One line for people, naming the process."""
        return (f"signal {self.signal}: sent while {process} waits for it "
                f"(after <{_show(self.waits)}>), it is never consumed if "
                f"<{_show(self.overtaken)}> happens first")


def channel_of(label: object) -> str:
    """The channel of a label, an event or its printed name (``go.1`` -> ``go``).

    Example:
        >>> channel_of("go.1"), channel_of("τ")
        ('go', 'τ')
    """
    return str(label).split(".", 1)[0]


def _show(trace: tuple[object, ...]) -> str:
    return ", ".join(str(lab) for lab in trace)


def stranded_signals(lts: LTS, is_signal: Callable[[object], bool],
                     per_channel: bool = True) -> list[StrandedSignal]:
    """The signals of ``lts`` that a race can strand (see the module).

    Args:
        lts: the process's LTS.
        is_signal: which labels are signals (events of ``signal`` channels).
        per_channel: report only the first stranded label of each channel.

    Returns:
        Findings in label order (empty: every signal the run waits for stays
        consumable whatever the timers, activities and internal moves do).
    """
    n = lts.num_states
    triples = list(zip(lts.src.tolist(), lts.label.tolist(), lts.dst.tolist(), strict=True))
    succ: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    pred: list[list[int]] = [[] for _ in range(n)]
    stable = [True] * n
    sources: dict[int, list[int]] = {}
    signal = {i for i, lab in enumerate(lts.labels) if i != TAU_INDEX and is_signal(lab)}
    for s, lab, d in triples:
        succ[s].append((lab, d))
        pred[d].append(s)
        if lab == TAU_INDEX:
            stable[s] = False
        if lab in signal:
            sources.setdefault(lab, []).append(s)
    reach = _bfs([lts.initial], succ, lambda lab: True)
    found: list[StrandedSignal] = []
    seen_channels: set[str] = set()
    for e in sorted(sources, key=lambda i: str(lts.labels[i])):
        channel = channel_of(lts.labels[e])
        if per_channel and channel in seen_channels:
            continue
        live = _closure(sources[e], pred)
        waits = sorted({s for s in sources[e] if stable[s] and s in reach})
        if not waits:
            continue
        paths = _bfs(waits, succ, lambda lab: lab not in signal)
        dead = next((s for s in paths if s not in live), None)  # BFS order: shortest
        if dead is None:
            continue
        overtaken = _trace(paths, dead)
        start = dead
        for _ in overtaken:
            start = paths[start][0]  # type: ignore[assignment]
        found.append(StrandedSignal(
            lts.labels[e], tuple(lts.labels[i] for i in _trace(reach, start) if i != TAU_INDEX),
            tuple(lts.labels[i] for i in overtaken if i != TAU_INDEX)))
        seen_channels.add(channel)
    return found


Parents = dict[int, tuple[int, int] | None]


def _bfs(starts: list[int], succ: list[list[tuple[int, int]]],
         allowed: Callable[[int], bool]) -> Parents:
    """Breadth-first search from ``starts`` along allowed labels: state -> (parent, label)."""
    parents: Parents = dict.fromkeys(starts)
    queue = deque(starts)
    while queue:
        s = queue.popleft()
        for lab, d in succ[s]:
            if d not in parents and allowed(lab):
                parents[d] = (s, lab)
                queue.append(d)
    return parents


def _trace(parents: Parents, state: int) -> list[int]:
    """The label indices from a start to ``state``."""
    out: list[int] = []
    step = parents[state]
    while step is not None:
        out.append(step[1])
        step = parents[step[0]]
    return out[::-1]


def _closure(targets: list[int], pred: list[list[int]]) -> set[int]:
    """The states from which some state of ``targets`` is reachable."""
    seen = set(targets)
    stack = list(targets)
    while stack:
        for p in pred[stack.pop()]:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen
