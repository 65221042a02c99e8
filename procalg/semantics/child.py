"""Child workflows: evaluating ``child(P(x), ...)``, its firing rules, and the engine's view.

``child(P(x))`` is a process: the child ``P(x)`` inlined, then one outcome
event, then the parent's reaction to it (the optional 2nd, 3rd and 4th
arguments; by default ``SKIP`` after ``completed`` and ``THROW`` after
``compensated`` or ``failed``, so a parent saga rolls back when its child
did not complete). The rules (:func:`fire`), for ``C = child(P(x), Qc, Qp, Qf)``:

* ``C --P.x.started--> C'`` while it has not started: starting a child is the
  parent's commitment (as a Temporal parent commits to its start command), so
  under ``[]``, ``[>`` or ``/\\`` the start resolves the choice like any
  visible event, and the engine starts exactly the child the model chose;

then, once started, as its body (first ``P(x)``) moves:

* ``body --a--> body'`` (a visible event or τ, not ``throw``):
  ``C --a--> C[body']``: the child's events are the parent's, as inlined;
* ``body --✓-->`` after an outermost saga of the child rolled back (its
  ``compensated`` fired, at any time before: the engine's rule for a run
  that ends ``compensated``): ``C --P.x.compensated--> Qp``; any other
  ``✓``: ``C --P.x.completed--> Qc``;
* ``body --throw-->``: ``C --P.x.failed--> Qf`` (the child's throw ends the
  child, not the parent).

So every check (deadlock, ``:[compensation complete]``, ``:[terminates]``)
covers the whole tree. The engine runs the child as a run of its own and
sees it opaque (:func:`opaque`): it fires ``P.x.started`` when it creates the
child run; until the child run ends, the parent offers only the three outcome
events, and the engine fires the one the child run ended with. The child's
history is a trace of ``P(x)``; the parent's history with the child's trace
put between its start and outcome events is a trace of the inlined process.

Example:
    >>> from procalg.api.model import loads
    >>> model = loads("channel a\\nPay(x) = a -> SKIP\\nP = child(Pay(1))")
    >>> from procalg.lts import explore
    >>> lts = explore(model.system("P"))
    >>> sorted(map(str, lts.labels))
    ['Pay.1.completed', 'Pay.1.started', 'a', 'τ', '✓']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError
from procalg.lts import TICK
from procalg.semantics.operands import active_operands, with_operands
from procalg.source import Span
from procalg.syntax import ast
from procalg.terms import SKIP, Call, ExternalChoice, Prefix, Process
from procalg.terms.child import STARTED, ChildRun, outcome_event
from procalg.terms.saga import COMPENSATED, THROW, THROW_EVENT, Compensated, Saga

if TYPE_CHECKING:
    from collections.abc import Callable

    from procalg.semantics.evaluate import Env, Evaluator
    from procalg.terms.values import Label

KEYWORD = "child"
"""The built-in's name; a model that defines ``child`` itself keeps its own meaning."""


def evaluate(ev: Evaluator, args: tuple[ast.Node, ...], env: Env, span: Span | None) -> Process:
    """``child(P(x))`` or ``child(P(x), Qc[, Qp[, Qf]])`` as a :class:`ChildRun`.

    Raises:
        ModelError: not 1 to 4 arguments, or a first argument that is not a
            named process of the model (a child is a run of its own, started by name).
    """
    if not 1 <= len(args) <= 4:
        raise ModelError(f"child takes 1 to 4 arguments, got {len(args)}", span,
                         hint="child(P(x)) or child(P(x), on_completed, on_compensated, "
                              "on_failed)")
    started = ev.eval(args[0], env)
    if type(started) is not Call or "#" in started.name:
        raise ModelError(f"child needs a named process of the model, got {started}",
                         args[0].span or span,
                         hint="define the child at top level, e.g. Pay(o) = ..., and "
                              "write child(Pay(o))")
    reactions: list[Any] = [SKIP, THROW, THROW]
    for i, node in enumerate(args[1:]):
        value = ev.eval(node, env)
        if not isinstance(value, Process):
            raise ModelError(f"a child's reaction must be a process, got {value}",
                             node.span or span, hint="e.g. child(Pay(o), ship.o -> SKIP)")
        reactions[i] = value
    return ChildRun(started.name, started.args, started, *reactions)


def fire(term: ChildRun, moves: list[tuple[Label, Process]],
         normal: Callable[[Process], Process]) -> list[tuple[Label, Process]]:
    """The moves of ``term`` given its body's moves (the rules of the module docstring)."""
    if not term.started:  # the body does not move before the parent starts the child
        return [(outcome_event(term.process, term.args, STARTED),
                 normal(ChildRun(term.process, term.args, term.body, term.completed,
                                 term.compensated, term.failed, started=True)))]
    out: list[tuple[Label, Process]] = []
    for label, target in moves:
        if label == TICK:
            outcome = "compensated" if term.rolled_back else "completed"
            then = term.compensated if term.rolled_back else term.completed
            out.append((outcome_event(term.process, term.args, outcome), normal(then)))
        elif label == THROW_EVENT:
            out.append((outcome_event(term.process, term.args, "failed"), normal(term.failed)))
        else:  # the engine's rule (runtime/decide.py): rolled back once an outermost
            # saga's `compensated` fired, whatever the child does afterwards
            back = term.rolled_back or (label == COMPENSATED and rolled_back(target))
            out.append((label, ChildRun(term.process, term.args, target, term.completed,
                                        term.compensated, term.failed, back, started=True)))
    return out


def rolled_back(term: Process) -> bool:
    """Whether ``term`` holds a rolled-back saga inside no other saga nor grandchild
    (the engine's rule for a run that ends ``compensated``).

    Example:
        >>> from procalg.terms import Seq
        >>> rolled_back(Seq(Compensated(), SKIP)), rolled_back(Saga(Compensated()))
        (True, False)
    """
    stack = [term]
    while stack:
        node = stack.pop()
        if type(node) is Compensated:
            return True
        if type(node) is Saga or type(node) is ChildRun:
            continue
        stack.extend(active_operands(node))
    return False


def outcomes(term: ChildRun) -> Process:
    """What the engine sees of a started child: the choice of its three outcome events.

    Example:
        >>> from procalg.terms import STOP
        >>> print(outcomes(ChildRun("P", (), Call("P"), SKIP, STOP, STOP, started=True)))
        P.completed -> SKIP [] (P.compensated -> STOP [] P.failed -> STOP)
    """
    p, x = term.process, term.args
    return ExternalChoice(Prefix(outcome_event(p, x, "completed"), term.completed),
                          ExternalChoice(Prefix(outcome_event(p, x, "compensated"),
                                                term.compensated),
                                         Prefix(outcome_event(p, x, "failed"), term.failed)))


def opaque(term: Process) -> Process:
    """``term`` with every started child in active position replaced by :func:`outcomes`
    (a child not started yet stays: its one move is ``P.x.started``).

    O(active subterms); the same object when there is no active child.
    """
    if type(term) is ChildRun:
        return outcomes(term) if term.started else term
    operands = active_operands(term)
    if not operands:
        return term
    new = [opaque(op) for op in operands]
    if all(a is b for a, b in zip(new, operands, strict=True)):
        return term
    return with_operands(term, new)


class OpaqueChildren:
    """A term system whose children are opaque: what the engine steps a parent by.

    Args:
        system: the model's term system (initial state, successors by the rules).
    """

    def __init__(self, system: Any) -> None:
        self.system = system

    def initial_state(self) -> Process:
        return opaque(self.system.initial_state())

    def successors(self, state: Process) -> list[tuple[Label, Process]]:
        return [(label, opaque(target)) for label, target in self.system.successors(state)]


def started_children(module: ast.Module) -> frozenset[str]:
    """The processes a model starts as children (``child(P(...))``), unless it defines ``child``.

    Example:
        >>> from procalg.syntax import parse
        >>> sorted(started_children(parse("Pay(x) = SKIP\\nP = child(Pay(1)) ; child(Ship)")))
        ['Pay', 'Ship']
        >>> started_children(parse("child(x) = x\\nP = child(SKIP)"))
        frozenset()
    """
    if any(type(d) is ast.Definition and d.name == KEYWORD for d in module.declarations):
        return frozenset()
    found: set[str] = set()
    stack: list[Any] = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple | list):
            stack.extend(node)
            continue
        if not isinstance(node, ast.Node):
            continue
        if type(node) is ast.Apply and type(node.func) is ast.Name and \
                node.func.id == KEYWORD and node.args:
            first = node.args[0]
            head = first.func if type(first) is ast.Apply else first
            if type(head) is ast.Name:
                found.add(head.id)
        stack.extend(getattr(node, f) for f in getattr(node, "__dataclass_fields__", ())
                     if f != "span")
    return frozenset(found)

