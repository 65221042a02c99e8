"""Which activity calls a stable state offers, and which of them may run together.

The LTS offers activity *events*; the engine performs *calls*. One call of
``c`` may complete with any of several events (``c!1?x`` offers ``c.1.v``
for every ``v``: the model gives ``1`` and reads ``x``), while parallel
branches offer several calls of the same channel at once (``c.0 ||| c.1``).
The two are told apart by the diamond test (events ``e`` and ``f``
*commute* when each is still offered after the other):

* the events of one channel are split by their first ``k`` fields, for the
  smallest ``k`` that leaves no two commuting events in one group; each
  group is one call, and its ``given`` fields are those every event of the
  group agrees on, from the left;
* calls are then chosen in order (channel name, then given fields); a call
  joins the batch if its events commute with those of every call already in
  it. A choice between dependent calls therefore goes to the first by name.

Cost: for ``n`` offered activity events, ``n`` successor computations
(memoised by the semantics) and ``O(n^2)`` set look-ups; nothing beyond the
moves when one event is offered.

Example:
    >>> from procalg.terms import SKIP, Event, Parallel, Prefix, ExternalChoice
    >>> from procalg.runtime.workflow import Channel, ChannelKind, TermSystem, Workflow
    >>> c0, c1 = Prefix(Event("c", (0,)), SKIP), Prefix(Event("c", (1,)), SKIP)
    >>> chan = {"c": Channel("c", ChannelKind.ACTIVITY, 1)}
    >>> wf = Workflow(TermSystem(Parallel(c0, c1)), chan)
    >>> [(u.channel, u.given) for u in batch(wf, wf.system.successors(wf.system.initial_state()))]
    [('c', (0,)), ('c', (1,))]
    >>> wf = Workflow(TermSystem(ExternalChoice(c0, c1)), chan)
    >>> [(u.channel, u.given) for u in batch(wf, wf.system.successors(wf.system.initial_state()))]
    [('c', ())]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from procalg.runtime.workflow import ChannelKind, Workflow
from procalg.terms.process import Process
from procalg.terms.saga import failed_activity
from procalg.terms.values import Event, Label, sort_key

Moves = list[tuple[Label, Process]]
After = Callable[[Event, Event], bool]
"""``after(e, f)``: whether ``f`` is offered in every state ``e`` leads to."""
Follows = Callable[[Event, str], bool]
"""``follows(e, c)``: False when no event of channel ``c`` is offered after ``e``
(a test that need not evaluate what ``e`` leads to; True: it may be)."""


@dataclass(frozen=True, slots=True)
class Call:
    """One activity call the state offers.

    Attributes:
        channel: the activity channel.
        given: the fields the model gives (the function's arguments).
        events: the activity events the call may complete with.
        failures: the ``fail.e`` labels offered for those events.
    """

    channel: str
    given: tuple[Any, ...]
    events: frozenset[Event]
    failures: frozenset[Event]

    def key(self) -> tuple[Any, ...]:
        return (self.channel, tuple(sort_key(v) for v in self.given))


def offers(call_channel: str, given: tuple[Any, ...], moves: Moves) -> bool:
    """Whether ``moves`` still offer an event (or failure) of the call ``channel.given``."""
    return offers_label(call_channel, given, [label for label, _ in moves])


def offers_label(call_channel: str, given: tuple[Any, ...], labels: Iterable[Label]) -> bool:
    """Whether ``labels`` hold an event (or failure) of the call ``channel.given``."""
    n = len(given)
    for label in labels:
        if type(label) is not Event:
            continue
        event = failed_activity(label) or label
        if event.channel == call_channel and event.fields[:n] == given:
            return True
    return False


def batch(wf: Workflow, moves: Moves) -> list[Call]:
    """The calls to perform now, concurrently (see the module's rule)."""
    return choose(wf.kind, [label for label, _ in moves], offered_after(wf, moves))


def choose(kind: Callable[[Label], ChannelKind], labels: Sequence[Label], after: After,
           follows: Follows | None = None) -> list[Call]:
    """:func:`batch` from the labels offered, each label's kind, and ``after(e, f)``:
    whether ``f`` is offered in every state ``e`` leads to (asked only of activity
    events); ``follows``, if given, rules pairs out before ``after`` is asked."""
    calls = offered_calls(kind, labels, after, follows)
    if len(calls) <= 1:
        return calls
    chosen: list[Call] = []
    for call in calls:
        if all(_commute(after, call.events, other.events) for other in chosen):
            chosen.append(call)
    return chosen


_Path = tuple[list[tuple[bool, Event, Any, bool]], tuple[Call, ...]]
"""One computation :class:`Choices` kept: each question asked (``after`` or not,
its two arguments, the answer), in order, and the calls it gave."""


class Choices:
    """:func:`choose` remembered by the labels offered and the answers it was given.

    States of a data-carrying workflow offer the same labels again and again
    (``fetch!i?v`` in ``Loop(i, sum)`` offers ``fetch.i.0 .. fetch.i.9`` whatever
    the sum), and :func:`choose` is a pure function of the labels, their kinds (a
    machine's are fixed) and the answers ``after`` and ``follows`` give. So each
    computation is kept with the questions it asked and their answers, in order;
    for the same labels the questions are asked again, and while every answer is
    the one recorded the recorded calls are the answer (the same questions follow
    from the same answers): a decision path of the computation, replayed. A new
    state then costs its answers (for an input, its continuation's first channels)
    and a look-up, and its calls are objects every such state shares (fewer objects
    kept for the collector to walk). Computations without ``follows`` are kept apart
    (it is asked, or not); one that asked nothing is cheap and not kept, and nor is
    the first for a labels tuple (a first run sees most of its labels once: it
    pays no recording). At most :data:`KEPT` label tuples are kept.

    Args:
        kind: each label's kind (fixed for the labels of one machine).

    Example:
        >>> from procalg.runtime.workflow import ChannelKind
        >>> choices = Choices(lambda label: ChannelKind.ACTIVITY)
        >>> labels = (Event("c", (0,)), Event("c", (1,)))
        >>> first = choices.choose(labels, lambda e, f: False)  # c.0 and c.1: one call
        >>> one = choices.choose(labels, lambda e, f: False)  # seen again: kept
        >>> [(c.channel, c.given) for c in one], choices.choose(labels, lambda e, f: False) is one
        ([('c', ())], True)
        >>> [(c.channel, c.given) for c in choices.choose(labels, lambda e, f: True)]
        [('c', (0,)), ('c', (1,))]
    """

    KEPT = 1 << 14

    def __init__(self, kind: Callable[[Label], ChannelKind]) -> None:
        self.kind = kind
        self._paths: dict[tuple[Label, ...], list[_Path]] = {}

    def choose(self, labels: tuple[Label, ...], after: After,
               follows: Follows | None = None) -> tuple[Call, ...]:
        """``choose(kind, labels, after, follows)``, as a tuple (see the class)."""
        key = labels if follows is not None else (None, *labels)
        paths = self._paths.get(key)  # None: never seen; (): seen once, not kept
        if paths is None:  # first sight: most labels of a first run are never seen again
            if len(self._paths) >= self.KEPT:  # labels that keep changing: start afresh
                self._paths.clear()
            self._paths[key] = ()
            return tuple(choose(self.kind, labels, after, follows))
        for asked, calls in paths:  # replayed: the first whose answers all agree
            if all(bool(after(e, f) if is_after else follows(e, f)) is answer  # type: ignore[misc]
                   for is_after, e, f, answer in asked):
                return calls
        asked: list[tuple[bool, Event, Any, bool]] = []

        def after_noted(event: Event, other: Event) -> bool:
            answer = bool(after(event, other))
            asked.append((True, event, other, answer))
            return answer

        def follows_noted(event: Event, channel: str) -> bool:
            answer = bool(follows(event, channel))  # type: ignore[misc]
            asked.append((False, event, channel, answer))
            return answer

        calls = tuple(choose(self.kind, labels, after_noted,
                             None if follows is None else follows_noted))
        if asked:  # nothing asked (one call, or none): cheap to make again, not kept
            if not paths:
                paths = self._paths[key] = []
            paths.append((asked, calls))
        return calls


def offered_calls(kind: Callable[[Label], ChannelKind], labels: Sequence[Label], after: After,
                  follows: Follows | None = None) -> list[Call]:
    """Every call the labels offer, in (channel, given) order."""
    by_channel: dict[str, set[Event]] = {}
    failures: dict[Event, set[Event]] = {}
    for label in labels:
        if type(label) is not Event:
            continue
        found = kind(label)
        if found is ChannelKind.ACTIVITY:
            by_channel.setdefault(label.channel, set()).add(label)
        elif found is ChannelKind.FAILURE:
            failed = failed_activity(label)
            failures.setdefault(failed, set()).add(label)  # type: ignore[arg-type]
    calls: list[Call] = []
    for channel in sorted(by_channel):
        events = by_channel[channel]
        groups = [events] if len(events) == 1 else _split(events, after, follows)
        for group in groups:
            fails = frozenset(f for e in group for f in failures.get(e, ()))
            calls.append(Call(channel, _common_prefix(group), frozenset(group), fails))
    if len(calls) > 1:
        calls.sort(key=Call.key)
    return calls


def _split(events: set[Event], after: After, follows: Follows | None) -> list[set[Event]]:
    """Group events by their first k fields, for the least k with no commuting pair in a group."""
    width = max(len(e.fields) for e in events)
    if follows is not None:  # one channel: a pair commutes only if each may follow the other
        channel = next(iter(events)).channel
        if not any(follows(e, channel) for e in events):
            return [events]  # no pair commutes, at k = 0 already
    for k in range(width + 1):
        groups: dict[tuple[Any, ...], set[Event]] = {}
        for e in events:
            groups.setdefault(e.fields[:k], set()).add(e)
        if all(not _any_commute(g, after) for g in groups.values()):
            return list(groups.values())
    return [{e} for e in events]


def _any_commute(group: set[Event], after: After) -> bool:
    items = list(group)  # the order changes only which continuations get evaluated first
    return any(after(e, f) and after(f, e)
               for i, e in enumerate(items) for f in items[i + 1:])


def offered_after(wf: Workflow, moves: Moves) -> After:
    """``after(e, f)``: whether ``f`` is offered in every state ``e`` leads to (memoised)."""
    memo: dict[Event, frozenset] = {}

    def after(event: Event, other: Event) -> bool:
        found = memo.get(event)
        if found is None:
            sets = [frozenset(lab for lab, _ in wf.system.successors(t))
                    for lab, t in moves if lab == event]
            found = frozenset.intersection(*sets) if sets else frozenset()
            memo[event] = found
        return other in found

    return after


def _commute(after: After, a: frozenset[Event], b: frozenset[Event]) -> bool:
    return all(after(e, f) for e in a for f in b) and all(after(f, e) for f in b for e in a)


def _common_prefix(events: set[Event]) -> tuple[Any, ...]:
    """The fields every event agrees on, from the left: what the model gives."""
    rows = [e.fields for e in events]
    prefix: list[Any] = []
    for column in zip(*rows, strict=False):
        if any(v != column[0] for v in column) or len(column) < len(rows):
            break
        prefix.append(column[0])
    return tuple(prefix)
