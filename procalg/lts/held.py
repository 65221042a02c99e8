"""Errors held with the state that raised them, raised where the reference meets them.

The term-level reference asks its goal state by state in breadth-first order
and expands a state only when it comes to it, so a model error in one state
(``R = R \\ {f}``, an unguarded recursion) is raised only if no goal was met
before it. The product engine explores a leaf ahead of the search (whole, or a
level at a time) and asks the goal of a whole level at once. So a leaf's system
is wrapped in :class:`Holding`: a state whose expansion raises a model error
gets one move instead, labelled :func:`held_label` of the error (a label no
model can name, passed unchanged by every operator), and
:func:`held_stop` wraps the search's goal: the error is raised when a state
of an expanded chunk has such a move, unless the goal's witness comes before
it (an earlier state of the chunk: chunks come level by level, each in code
order, which for one component is the order the reference numbers its states).
A full exploration (no goal) raises at the first held move it expands. The
error raised is the one the system raised, so its text is the reference's.

Example:
    >>> from procalg.errors import ModelError
    >>> class Bad:
    ...     def initial_state(self): return 0
    ...     def successors(self, n):
    ...         if n == 2: raise ModelError("no moves here")
    ...         return [("a", n + 1)]
    >>> system = Holding(Bad())
    >>> label = system.successors(2)[0][0]
    >>> is_held(label), system.successors(2)[0][1], held_error(label).message
    (True, 2, 'no moves here')
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Container, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from procalg.errors import LimitExceeded, ProcalgError
from procalg.lts.network import HELD, Network
from procalg.lts.network_fusion import FUSED

if TYPE_CHECKING:  # level_search imports this module
    from procalg.lts.level_search import Stop
    from procalg.lts.vectors import Tables


class _Held:
    """The errors held for one owner (a model's evaluator), numbered as met:
    they live as long as the owner, not as long as the process (a notebook or
    a worker checks many models)."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.errors: list[ProcalgError] = []
        self.keys: dict[tuple[Any, ...], int] = {}


_BY_NUMBER: weakref.WeakValueDictionary[int, _Held] = weakref.WeakValueDictionary()
_UNOWNED = _Held(0)  # errors of systems no model owns (tests, examples)
_BY_NUMBER[0] = _UNOWNED
_NUMBERS = itertools.count(1)


def held_label(err: ProcalgError, owner: object = None) -> str:
    """The label of the move that stands for ``err``: the same for the same
    error (type, message, place, hint) of the same ``owner`` (a model's
    evaluator: another model's error has another text around its place), so a
    network compiled again, a leaf reduced modulo bisimulation and a lazy leaf
    that declares it agree. The error is kept while ``owner`` lives.

    Example:
        >>> from procalg.errors import ModelError
        >>> held_label(ModelError("x")) == held_label(ModelError("x")) != held_label(
        ...     ModelError("y"))
        True
    """
    held = _owned(owner)
    key = (type(err), err.message, repr(err.span), err.hint)
    at = held.keys.get(key)
    if at is None:
        at = held.keys[key] = len(held.errors)
        held.errors.append(err)
    return f"{HELD}{held.number}.{at}"


def _owned(owner: object) -> _Held:
    """``owner``'s errors, kept in the owner itself: an error's traceback holds
    its owner, so a table outside it would keep both for ever (a weak-keyed one
    too: its values are strong); an owner without attributes shares one table."""
    own = getattr(owner, "__dict__", None)
    if own is None:
        return _UNOWNED
    held = own.get(_ATTRIBUTE)
    if held is None:
        held = own[_ATTRIBUTE] = _Held(next(_NUMBERS))
        _BY_NUMBER[held.number] = held
    return held


_ATTRIBUTE = "_procalg_held_errors"


def is_held(label: str) -> bool:
    """Whether ``label`` stands for a held error."""
    return label.startswith(HELD)


def held_error(label: str) -> ProcalgError:
    """The error a held label stands for (its owner still lives: the label's
    network holds the owner's leaves)."""
    number, at = label[len(HELD):].split(".")
    return _BY_NUMBER[int(number)].errors[int(at)]


class Holding:
    """A transition system whose model errors are held: a state whose
    expansion raises one gets a single move to itself labelled
    :func:`held_label` of the error (see the module). Limits (and the types in
    ``passing``) still raise at once; ``owner`` tells the model's errors from
    other models' (:func:`held_label`). Every other attribute is the system's
    (its batch next-state function raises as before: its callers fall back to
    one state at a time, which holds).
    """

    def __init__(self, system: Any, passing: tuple[type[Exception], ...] = (),
                 owner: object = None) -> None:
        self.system, self.owner = system, owner
        self.passing = (LimitExceeded, *passing)
        if hasattr(system, "successors_where"):  # only then may a lazy leaf defer moves
            self.successors_where = self._where
        # the system's own next-state function, for a caller that asks again through
        # successors() when it raises a model error (LazyComponent.expand_now)
        self.direct = system.successors

    def __getattr__(self, name: str) -> Any:
        return getattr(self.system, name)

    def initial_state(self) -> Any:
        return self.system.initial_state()

    def successors(self, state: Any) -> list[tuple[Any, Any]]:
        try:  # _held, inlined: a call per state of a deep, narrow search
            return list(self.system.successors(state))
        except self.passing:
            raise
        except ProcalgError as err:
            return [(held_label(err, self.owner), state)]

    def _where(self, state: Any, waiting: Container[str],
               asked: Iterable[str]) -> list[tuple[Any, Any]]:
        return self._held(state, lambda: self.system.successors_where(state, waiting, asked))

    def _held(self, state: Any, moves: Any) -> list[tuple[Any, Any]]:
        try:
            return list(moves())
        except self.passing:
            raise
        except ProcalgError as err:
            return [(held_label(err, self.owner), state)]


def holds(err: Exception) -> bool:
    """Whether a batch next-state function's ``err`` is one a state holds
    (its caller then expands the batch one state at a time).

    Example:
        >>> from procalg.errors import ModelError
        >>> holds(ModelError("x")), holds(LimitExceeded("y"))
        (True, False)
    """
    return isinstance(err, ProcalgError) and not isinstance(err, LimitExceeded)


class HeldOrder(Exception):
    """A held error and the goal's witness (or two held errors) in one BFS level
    of a network of several components: which comes first is the term rules'
    order, which the codes do not follow. The caller asks the reference."""


class HeldPending(Exception):
    """A held error in a chunk of a network's level where the goal did not
    match: it is the answer unless the goal matches in a later chunk of the
    same level (:class:`LevelHolds`; raised in a whole level: the error)."""

    def __init__(self, label: str) -> None:
        super().__init__(label)
        self.label = label
        self.error = held_error(label)


class LevelHolds:
    """The held errors and goal witnesses of one level expanded in several
    chunks, taken in the chunks' order: a witness and an error anywhere in the
    level (or two errors) are :class:`HeldOrder`, as in one chunk; else the
    error, or the first witness. Where the stop may hold errors
    (``pending_held``), a witness waits for the level's last chunk; so does
    a move ``(code, label)`` where a state ``(code, "")``, one move shorter,
    comes first (``states_first``: a failure beats a trace error one level on).

    Example:
        >>> holds = LevelHolds(None)
        >>> holds.take(lambda: (1, None, (5, "a"), 0))[2], holds.done
        ((5, 'a'), False)
        >>> holds = LevelHolds(None, states_first=True)
        >>> for hit in [(5, "a"), (7, ""), (9, "")]:  # three chunks' witnesses, in order
        ...     _ = holds.take(lambda: (1, None, hit, 0))
        >>> holds.end()
        (7, '')
    """

    def __init__(self, stop: Stop | None, states_first: bool = False) -> None:
        self.scan = getattr(stop, "pending_held", False)
        self.states_first = states_first
        self.hit: tuple[int, str] | None = None
        self.pending: HeldPending | None = None

    @property
    def done(self) -> bool:
        """Whether this level ends the search (its successors are not needed)."""
        return self.hit is not None or self.pending is not None

    def take(self, result: Any) -> Any:
        """A chunk's ``(count, successors, hit, scratch)`` from ``result()``, or
        None where it raised its held error (kept for :meth:`end`)."""
        try:
            out = result()
        except HeldPending as held:
            if self.hit is not None or (self.pending and self.pending.label != held.label):
                raise HeldOrder("a model error met in the level of the goal's witness"
                                ) from None
            self.pending = held
            return None
        hit = out[2]
        if hit is not None and (self.scan or self.hit or (self.states_first and hit[1])):
            if self.pending is not None:
                raise HeldOrder("a model error met in the level of the goal's witness")
            if self.hit is None or (self.hit[1] and not hit[1]):  # the first, else a state
                self.hit = hit
        return out

    def end(self) -> tuple[int, str] | None:
        """The level's answer once every chunk is taken: the error, or the witness."""
        if self.pending is not None:
            raise self.pending.error
        return self.hit


def _numbered_as_reference(network: Network) -> bool:
    """Whether the codes of ``network``'s states follow the term rules' BFS
    order: one component, and not a fused cluster (``lts/network_fusion``
    numbers its tuples by the open product's own search, which may put a
    τ-target before an earlier-listed event's: ``S [F= T`` found a failure
    ahead of the held error the term rules meet first).

    Example:
        >>> from procalg.lts.lts import LTS
        >>> from procalg.lts.network import close, component
        >>> _numbered_as_reference(close(component(LTS.build(1, 0, ["a"], []))))
        True
    """
    return len(network.components) == 1 and not any(
        name.startswith(FUSED) for name in network.components[0].labels)


def held_stop(tables: Tables, stop: Stop | None) -> Stop | None:
    """``stop`` (a goal over expanded chunks, or None: no goal) raising the
    first held error of a chunk that comes before the goal's witness in it
    (``stop`` unchanged where no label of ``tables`` is held).

    The order is the codes' where the network is one component: its local
    states are numbered breadth-first, as the reference numbers its states.
    Otherwise a chunk with a held move raises :class:`HeldOrder` where the
    goal also matches in it, or where it holds two errors; else
    :class:`HeldPending` (its level's other chunks decide: :class:`LevelHolds`).

    Example:
        >>> from procalg.errors import ModelError
        >>> from procalg.lts.lts import LTS
        >>> from procalg.lts.network import close, component
        >>> from procalg.lts.vectors import Tables
        >>> bad = held_label(ModelError("stuck"))
        >>> p = LTS.build(3, 0, ["a", bad], [(0, "a", 1), (0, "a", 2), (2, bad, 2)])
        >>> stop = held_stop(Tables(close(component(p))), None)
        >>> stop(np.array([1, 2]), np.array([1]), np.array([2]), np.array([3]))
        Traceback (most recent call last):
        procalg.errors.ModelError: <input>: error: stuck
    """
    held = [i for i, name in enumerate(tables.labels) if name.startswith(HELD)]  # is_held
    if not held:
        return stop
    codes = np.array(held)
    ordered = _numbered_as_reference(tables.network)

    def checked(chunk: np.ndarray, src: np.ndarray, dst: np.ndarray,
                lab: np.ndarray) -> tuple[int, str] | None:
        at = np.flatnonzero(np.isin(lab, codes))
        hit = None if stop is None else stop(chunk, src, dst, lab)
        if not len(at):
            return hit
        first = int(src[at].min())  # chunks list states in the codes' order
        ints = tables.layout.cast(chunk) if ordered and chunk.dtype.kind == "V" else chunk
        if ordered and hit is not None and int(np.flatnonzero(ints == hit[0])[0]) < first:
            return hit
        if not ordered and (hit is not None or len(set(lab[at].tolist())) > 1):
            raise HeldOrder("a model error met in the level of the goal's witness")
        label = tables.labels[int(lab[at[np.argmin(src[at])]])]
        if not ordered and stop is not None and not gathers:
            raise HeldPending(label)  # the goal may match in a later chunk of the level
        raise held_error(label)

    from procalg.lts.leaf_levels import only_when  # leaf_levels imports lazy, which imports this

    # the levels the goal may match, and those with a held move
    gathers = stop is not None and getattr(stop, "gathers", False)
    if stop is None:
        return only_when(checked, labels=held)
    if gathers:
        return only_when(checked, gathers=True)
    checked.pending_held = not ordered  # type: ignore[attr-defined]  # LevelHolds
    checked.reads_keys = getattr(stop, "reads_keys", False)  # type: ignore[attr-defined]
    idle, wanted = getattr(stop, "idle_only", False), getattr(stop, "labels_only", None)
    if not idle and wanted is None:
        return checked
    return only_when(checked, idle=idle, labels=[*held, *(wanted or ())])
