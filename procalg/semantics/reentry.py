"""A function or definition met again while its own value is being computed.

CSPM is lazy: in ``W(c, b) = c(b ; W(c, b), SKIP)`` the body hands its own call
to a lambda ``c`` that builds a process around it, and FDR never evaluates the
inner ``W(c, b)`` before the process gets there. procalg evaluates values at
once and tells processes from values by their syntax before evaluating
(:mod:`procalg.semantics.kinds`): a body that applies a parameter is not known
to be a process, so the inner call would recurse until the stack ran out.

Instead, a call met again, with the same arguments, while it is being
evaluated stands for a process :class:`~procalg.terms.Call` (unfolded on
demand, as a process definition's call is). That is exact when the outer
evaluation ends in a process other than the bare call: evaluation is pure, so
the inner call names that very process, and unfolding it evaluates the same
body again. When the outer evaluation ends in anything else, or fails after
handing the call out, every value cached meanwhile (which may rest on the
handed-out call) is forgotten and the definition is evaluated again strictly,
as it was before this module: ``f(x) = f(x) + 1`` and ``X = Y + 1`` with
``Y = X`` fail as they always did, and ``s(x) = <x> ^ s(x)`` is FDR's lazy
sequence again.

Cost: one dictionary entry per evaluation in progress (the evaluation's
depth); values cached while a handed-out call is pending are journalled, and
the journal is dropped when the outermost evaluation ends; a failed hand-out
costs one more evaluation of that call, strict.

Example:
    >>> from procalg.api.model import loads
    >>> model = loads("channel a, c\\nW(k, b) = k(b ; W(k, b), SKIP)\\n"
    ...               "Q = W(\\\\ t, f @ a -> t [] c -> f, SKIP)")
    >>> model.lts("Q").num_states
    4
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from procalg.errors import ProcalgError
from procalg.semantics.functions import CyclicValue, Thunk
from procalg.source import Span
from procalg.terms import Call, Process


class Reentry:
    """The evaluations in progress, whether each handed out its own call, and
    what was cached since one did."""

    def __init__(self) -> None:
        self.running: dict[Hashable, bool] = {}
        self.pending = 0  # entries of running that handed out their call
        self.journal: list[Callable[[], None]] = []
        self.strict: set[Hashable] = set()  # evaluated again without handing out

    def again(self, key: Hashable) -> bool:
        """Whether ``key`` is being evaluated now (its call is then handed out).

        Example:
            >>> from procalg.terms import STOP
            >>> r = Reentry()
            >>> r.again("P"), r.evaluate("P", ("P", ()), lambda: r.again("P") and STOP)
            (False, Stop())
        """
        if key not in self.running or key in self.strict:
            return False
        if not self.running[key]:
            self.running[key] = True
            self.pending += 1
        return True

    def remember(self, undo: Callable[[], None]) -> None:
        """Note a value just cached, forgotten by ``undo`` if a pending call fails."""
        if self.pending:
            self.journal.append(undo)

    def evaluate(self, key: Hashable, call: tuple[str, tuple[Any, ...]],
                 compute: Callable[[], Any]) -> Any:
        """``compute()``, during which ``key`` met again stands for ``Call(*call)``.

        When the call was handed out and ``compute()`` failed or gave anything but
        a process other than the call, ``key`` is evaluated again strictly (met
        again, it is evaluated again, as before this module): a value that needs
        itself then fails as it always did, and a lazy sequence that joins itself
        (``s(x) = <x> ^ s(x)``, :mod:`~procalg.semantics.lazy_sequences`) is built.
        """
        if key in self.strict:
            return compute()
        self.running[key] = False
        mark = len(self.journal)
        try:
            value = compute()
        except ProcalgError:
            if not self._close(key, mark, failed=True):
                raise
        except BaseException:
            self._close(key, mark, failed=True)
            raise
        else:
            handed_out = self.running[key]
            if not handed_out or (isinstance(value, Process) and value != Call(*call)):
                self._close(key, mark, failed=False)
                return value
            self._close(key, mark, failed=True)
        self.strict.add(key)
        try:
            return compute()
        finally:
            self.strict.discard(key)

    def _close(self, key: Hashable, mark: int, failed: bool) -> bool:
        """End ``key``'s evaluation; whether it handed out its call."""
        handed_out = self.running.pop(key)
        self.pending -= handed_out
        if failed:
            while len(self.journal) > mark:
                self.journal.pop()()
        if not self.running:
            self.journal.clear()
        return handed_out


def force(ev: Any, thunk: Thunk, span: Span | None) -> Any:
    """The value of a zero-parameter definition ``thunk`` for the evaluator ``ev``.

    A global definition met again while being evaluated is handed out as its
    call (see the module's text); any other cycle is a :class:`CyclicValue`.
    """
    if thunk.state == 2:
        return thunk.value

    def cycle() -> CyclicValue:
        return CyclicValue(
            f"'{thunk.name}' is defined in terms of itself",
            ev.spans.get(thunk.name, span) or span,
            hint="a value definition cannot refer to itself; processes need an event first",
        )
    named = ev.globals.get(thunk.name) is thunk  # a Call can name it
    if thunk.state == 1:
        if named and ev.reentry.again(thunk.name):
            return Call(thunk.name, ())
        raise cycle()
    thunk.state = 1
    try:
        value = ev.reentry.evaluate(thunk.name, (thunk.name, ()),
                                    lambda: ev.eval(thunk.expr, thunk.env)) \
            if named else ev.eval(thunk.expr, thunk.env)
    finally:
        thunk.state = 0
    thunk.value, thunk.state = value, 2
    ev.reentry.remember(lambda: _reset(thunk))
    return value


def _reset(thunk: Thunk) -> None:
    thunk.value, thunk.state = None, 0
