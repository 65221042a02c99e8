"""Control locations: the process definitions of a sequential component, compiled once.

The static half of :mod:`procalg.semantics.linear`: each syntax node in
process position reachable from a call becomes a :class:`Location` -- its
kind (prefix, input, choice, guard, ``if``, call, ``STOP``, ``SKIP``) and the
closures it needs (:mod:`procalg.semantics.closures`) -- once per model, and
the checks that the fragment's rules apply (recursion guarded), and which
external choices may be kept open by an operand's τ. A construct outside the
fragment raises :class:`Unsupported` with a reason for people.

Example:
    >>> from procalg.api.model import loads
    >>> model = loads("channel a, b\\nP = a -> P [] b -> STOP")
    >>> compiler = Compiler(model.spec.evaluator)
    >>> [(params, body.kind == AT_EXTERNAL) for params, body in compiler.definition("P")]
    [(None, True)]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procalg.semantics.closures import compile_node
from procalg.semantics.inputs import pattern_names, prefix_free_names
from procalg.semantics.kinds import names_in
from procalg.semantics.linear_events import prefix_event
from procalg.semantics.linear_let import (
    Locals,
    compile_let,
    event_set_closure,
    local_call,
    local_context,
    rename_relation,
)
from procalg.syntax import ast

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Evaluator

AT_STOP, AT_SKIP, AT_PREFIX, AT_INPUT, AT_EXTERNAL, AT_INTERNAL, AT_GUARD, AT_IF, AT_CALL = range(9)
AT_REPLICATED_EXTERNAL, AT_REPLICATED_INTERNAL, AT_SUFFIX = 9, 10, 11
AT_SEQ, AT_SEQ_RUN, AT_THROW, AT_THROWN, AT_UNSUPPORTED = 12, 13, 14, 15, 16
AT_SAGA, AT_SAGA_STATE, AT_INTERRUPT, AT_TIMEOUT, AT_LET, AT_RENAME = 17, 18, 19, 20, 21, 22
AT_HIDE, AT_EXCEPTION, AT_OPEN_CHOICE, AT_OPEN_REPLICATED = 23, 24, 25, 26
AT_PARALLEL, AT_REPLICATED_PARALLEL = 27, 28
AT_TERMS = (AT_VALUE, AT_TABLE, AT_TERM_INPUT, AT_TERM_RULES) = (29, 30, 31, 32)
AT_SYNC_CHOICE, AT_REPLICATED_SYNC_CHOICE = 33, 34
AT_OPERATORS = (AT_SAGA, AT_INTERRUPT, AT_TIMEOUT, AT_RENAME, AT_HIDE, AT_EXCEPTION,
                AT_OPEN_CHOICE, AT_OPEN_REPLICATED, AT_PARALLEL, AT_REPLICATED_PARALLEL,
                AT_SYNC_CHOICE, AT_REPLICATED_SYNC_CHOICE)
"""Location kinds (made by the machine: ``AT_SUFFIX``, a suffix of a replicated ``|~|``;
``AT_OPEN_CHOICE`` and ``AT_OPEN_REPLICATED``, an external choice (binary, replicated)
with an operand that may start with τ, marked by :meth:`Compiler.open_choices`;
``AT_SEQ_RUN``, ``P ; Q`` with ``P`` under way; ``AT_THROWN``, the state after ``throw``;
``AT_UNSUPPORTED``, a construct outside the fragment, in a partial compilation;
``AT_SAGA_STATE``, a state of a saga or of an operator in ``AT_OPERATORS``, tagged:
:mod:`procalg.semantics.linear_saga`, :mod:`procalg.semantics.linear_operators`;
``AT_LET`` and ``AT_RENAME``: :mod:`procalg.semantics.linear_let`; ``AT_HIDE`` and
``AT_EXCEPTION``: :mod:`procalg.semantics.linear_operators`; ``AT_PARALLEL``,
``AT_REPLICATED_PARALLEL``, ``AT_SYNC_CHOICE`` (``[+ A +]``, ``/+ A +\\``) and
``AT_REPLICATED_SYNC_CHOICE`` (``[+ A +] x : S @ P``):
:mod:`procalg.semantics.linear_parallel`; ``AT_TERMS``, process
values and terms (``P`` a parameter, ``sbisim(P)``): :mod:`procalg.semantics.term_locations`)."""
_UNKNOWN = (AT_VALUE, AT_TABLE, AT_TERM_RULES)  # first moves not known until explored
_BODY = {AT_GUARD: 2, AT_LET: 1, AT_RENAME: 0, AT_HIDE: 0, AT_EXCEPTION: 0}
"""Where the process a guard, ``let``, renaming or hiding location stands for (an
exception's: the process before its handler) is in its parts."""


class Unsupported(Exception):
    """The leaf uses a construct outside the compiled fragment (``reason`` says which)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Location:
    """One compiled syntax node in process position: its kind and closures.

    ``parts`` depends on the kind: the event closure and continuation
    (prefix), the prefix node and its free names (input), the operands
    (choices), the condition and branches (guard, ``if``), the callee's
    name and argument closures (call).
    """

    __slots__ = ("kind", "parts")

    def __init__(self, kind: int, parts: tuple = ()) -> None:
        self.kind = kind
        self.parts = parts


class Compiler:
    """Compiles the definitions reachable from one call, node by node, once.

    Raises :class:`Unsupported` on the first construct outside the fragment;
    with ``partial``, such a construct becomes an ``AT_UNSUPPORTED`` location
    instead (its reason kept), which the machine refuses only when a state
    there is expanded (the runtime then steps that state by the term rules). A
    partial compilation also leaves a parallel to the term rules where a channel
    is wide: a run's step there makes only the target of the label taken
    (``runtime.nested_inputs``), where the machine makes every input's target
    at once (``linear_parallel.RUN_EVENTS``).
    """

    def __init__(self, ev: Evaluator, partial: bool = False) -> None:
        self.ev = ev
        self.partial = partial
        self.nodes: dict[int, tuple[ast.Node, Location]] = {}  # id(expr) -> (expr kept alive, node)
        self.bodies: dict[str, tuple[tuple[Any, Location], ...]] = {}  # name -> (params, body)
        self.visible: dict[Any, bool] = {}  # name: starts visibly; ("end", name): may ✓ first
        self.opaque: dict[str, bool] = {}
        self.choices: list[Location] = []  # the external choices (see open_choices)
        self.live: dict[str, tuple[int, ...] | None] = {}  # see _live
        self.locals: Locals = {}  # the let-bound processes in scope (linear_let)
        self.let_locals: dict[int, Locals] = {}  # per let node: those in its scope

    def definition(self, name: str) -> tuple[tuple[Any, Location], ...]:
        """The compiled clauses of process ``name``: ``(patterns or None, body)``."""
        found = self.bodies.get(name)
        if found is None:
            info = self.ev.functions.get(name)
            if info is None or not info.is_process or (info.let is None and info.captured):
                raise Unsupported(f"{name.split('#')[0]} is not a process definition")
            self.bodies[name] = ()  # in progress: recursion meets the entry
            saved, (outer, self.locals) = self.locals, local_context(self, info)
            try:
                found = tuple(
                    (clause.params, self.node(clause.body, outer | _bound(clause.params)))
                    for clause in info.clauses)
            finally:
                self.locals = saved
            self.bodies[name] = found
            live, k = _live(info.clauses), len(info.captured)
            # a local definition's calls carry its captured values first (all kept)
            self.live[name] = live if live is None or not k else \
                (*range(k), *(k + i for i in live))
        return found

    def input_channels(self) -> frozenset[str] | None:
        """The names heading the inputs compiled so far (``send`` of ``send?b?x``
        and of ``send.b?x``), or ``None`` when one is not a plain name."""
        names = set()
        for expr, node in self.nodes.values():
            if node.kind == AT_INPUT:
                head = expr.head  # type: ignore[attr-defined]
                if type(head) is ast.Dot:
                    head = head.parts[0]
                if type(head) is not ast.Name:
                    return None
                names.add(head.id)
        return frozenset(names)

    def node(self, expr: ast.Node, scope: frozenset[str]) -> Location:
        """The compiled process node of ``expr`` (``scope``: the local names bound there)."""
        entry = self.nodes.get(id(expr))
        if entry is None:
            try:
                found = self._compile(expr, scope)
            except Unsupported as why:
                if not self.partial:
                    raise
                found = Location(AT_UNSUPPORTED, (why.reason,))
            entry = self.nodes[id(expr)] = (expr, found)
        return entry[1]

    def _compile(self, expr: ast.Node, scope: frozenset[str]) -> Location:
        ev = self.ev
        match expr:
            case ast.StopLit():
                return Location(AT_STOP)
            case ast.SkipLit():
                return Location(AT_SKIP)
            case ast.ThrowLit():
                return Location(AT_THROW)
            case ast.Saga(body):
                from procalg.semantics.linear_saga_body import compile_saga, step_bodies

                part = compile_saga(self, body, scope)
                return Location(AT_SAGA, (part, tuple(step_bodies(part))))
            case ast.ProcBinary("/\\" | "[>", left, right):
                kind = AT_INTERRUPT if expr.op == "/\\" else AT_TIMEOUT
                return Location(kind, (self.node(left, scope), self.node(right, scope)))
            case ast.Let():
                return compile_let(self, expr, scope)
            case ast.RenameExpr(process):
                return Location(AT_RENAME, (self.node(process, scope),
                                            rename_relation(self, expr, scope)))
            case ast.HideExpr(process, hidden):
                return Location(AT_HIDE, (self.node(process, scope),
                                          event_set_closure(self, hidden, scope)))
            case ast.ExceptionExpr(left, sync, right):
                return Location(AT_EXCEPTION, (self.node(left, scope), self.node(right, scope),
                                               event_set_closure(self, sync, scope)))
            case ast.GenParallel() | ast.AlphaParallelExpr() | ast.LinkParallelExpr() \
                    | ast.ProcBinary("|||") | ast.Replicated("|||" | "[||]" | "||" | "[<->]"):
                from procalg.semantics.linear_parallel import compile_parallel, narrow_channels

                if self.partial and not narrow_channels(ev):  # see linear_parallel.RUN_EVENTS
                    raise Unsupported("a parallel over wide inputs, in a run")

                return compile_parallel(self, expr, scope)
            case ast.Replicated("[+]"):  # a choice, not a parallel: a run steps it too
                from procalg.semantics.linear_parallel import compile_parallel

                return compile_parallel(self, expr, scope)
            case ast.SyncChoiceExpr(left, sync, right, interrupt):
                return Location(AT_SYNC_CHOICE, (interrupt, self.node(left, scope),
                                                 self.node(right, scope),
                                                 event_set_closure(self, sync, scope)))
            case ast.ProcBinary(";", left, right):
                return Location(AT_SEQ, (self.node(left, scope), self.node(right, scope)))
            case ast.PrefixExpr(_, fields, then):
                if any(type(f) is ast.InField for f in fields):
                    bound = set(scope)
                    for f in fields:
                        if type(f) is ast.InField:
                            bound |= pattern_names(f.pattern)
                    if self.locals and any(pattern_names(f.pattern) & self.locals.keys()
                                           for f in fields if type(f) is ast.InField):
                        raise Unsupported("an input variable named as a local process")
                    # an input reading no local variable offers the same events in
                    # every state: they are enumerated once (Machine._offers)
                    static = not (names_in((expr.head, fields)) & scope)
                    return Location(AT_INPUT, (expr, prefix_free_names(expr),
                                          self.node(then, frozenset(bound)), static))
                return Location(AT_PREFIX, (prefix_event(ev, expr, scope), self.node(then, scope)))
            case ast.Guard(cond, body):
                return Location(AT_GUARD, (compile_node(ev, cond), cond.span,
                                      self.node(body, scope)))
            case ast.If(cond, then, orelse):
                return Location(AT_IF, (compile_node(ev, cond), cond.span,
                                   self.node(then, scope), self.node(orelse, scope)))
            case ast.ProcBinary("[]" | "|~|", left, right):
                operands = (self.node(left, scope), self.node(right, scope))
                if expr.op == "|~|":
                    return Location(AT_INTERNAL, operands)
                found = Location(AT_EXTERNAL, operands)
                self.choices.append(found)  # marked once every body is compiled
                return found
            case ast.Replicated("[]" | "|~|", generators, body):
                if self.locals and not pattern_names(generators).isdisjoint(self.locals):
                    raise Unsupported("a generator variable named as a local process")
                inner = self.node(body, scope | pattern_names(generators))
                if expr.op == "|~|":
                    return Location(AT_REPLICATED_INTERNAL, (generators, inner, expr.span))
                found = Location(AT_REPLICATED_EXTERNAL, (generators, inner))
                self.choices.append(found)
                return found
            case ast.Name(name) if name in self.locals:
                return local_call(self, name, None, expr.span)
            case ast.Apply(ast.Name(name), args) if name in self.locals:
                return local_call(self, name, args, expr.span)
            case ast.Name(name) if name not in scope and self._defines(name, None):
                self.callee(name, None)
                return Location(AT_CALL, (name, ()))
            case ast.Apply(ast.Name(name), args) if name not in scope \
                    and self._defines(name, len(args)):
                self.callee(name, len(args))
                return Location(AT_CALL, (name, tuple(compile_node(ev, a) for a in args)))
            case ast.Name() | ast.Apply(ast.Name()):  # a process value: a term when met
                return Location(AT_VALUE, (compile_node(ev, expr), expr.span))
            case ast.ProcBinary(op) | ast.Replicated(op):
                raise Unsupported(f"uses the operator {op}")
        raise Unsupported(f"uses {type(expr).__name__}")

    def _defines(self, name: str, arity: int | None) -> bool:  # else a process value
        info = self.ev.functions.get(name)
        return info is not None and info.is_process and info.arity == arity

    def callee(self, name: str, arity: int | None) -> None:
        if not self._defines(name, arity):
            raise Unsupported(f"{name} in process position is not a call of a process "
                              "definition with matching arity")
        self.definition(name)

    def transparent(self, name: str) -> bool:
        """Whether some clause of ``name`` starts with a call, guard, ``if``,
        ``STOP`` or ``SKIP`` (then a call's key looks into its body)."""
        found = self.opaque.get(name)
        if found is None:
            found = self.opaque[name] = all(
                body.kind in (AT_PREFIX, AT_INPUT, AT_EXTERNAL, AT_INTERNAL, AT_THROW)
                for _, body in self.definition(name))
        return not found

    def check_guarded(self) -> None:
        """Refuse the recursion before any event that the term rules refuse
        (``P = P [] a -> STOP``; a τ loop such as ``DIV = DIV |~| DIV`` is kept):
        :func:`procalg.semantics.recursion_guard.check_guarded`.

        Raises:
            Unsupported: some definition reaches itself before any event other
                than through internal choices and timeouts' right sides.
        """
        from procalg.semantics.recursion_guard import check_guarded

        check_guarded(self.bodies)

    def open_choices(self) -> None:
        """Mark each external choice with an operand that may start with τ as an
        open choice (``AT_OPEN_CHOICE``, ``AT_OPEN_REPLICATED``): an operand's τ
        keeps such a choice open (UCS §7/9), so it needs a state of its own
        (:mod:`procalg.semantics.linear_operators`). The others keep the cheap path:
        resolved by their first move, no state of their own.

        Every choice is judged before any is marked (a node's kind decides what
        ``_starts_visibly`` says of it).
        """
        opened = [node for node in self.choices
                  if not all(self._starts_visibly(op) for op in _operands(node))]
        for node in opened:
            node.kind = AT_OPEN_CHOICE if node.kind == AT_EXTERNAL else AT_OPEN_REPLICATED
        self.choices = []

    def _starts_visibly(self, node: Location) -> bool:
        """No τ among the node's first moves (calls: every clause's body, recursion guarded)."""
        kind = node.kind
        if kind in (AT_INTERNAL, AT_REPLICATED_INTERNAL, AT_UNSUPPORTED, AT_SAGA, AT_TIMEOUT,
                    AT_HIDE, AT_OPEN_CHOICE, AT_OPEN_REPLICATED, AT_PARALLEL,
                    AT_REPLICATED_PARALLEL, AT_SYNC_CHOICE, AT_REPLICATED_SYNC_CHOICE, *_UNKNOWN):
            return False  # a saga: a step may start with τ; a timeout's own τ; a hidden
            # event; a parallel: an operand's τ, or its ✓ (a τ there)
        if kind == AT_REPLICATED_EXTERNAL:
            return self._starts_visibly(node.parts[1])
        if kind in (AT_GUARD, AT_LET, AT_RENAME, AT_EXCEPTION):  # the body it stands for
            return self._starts_visibly(node.parts[_BODY[kind]])
        if kind == AT_IF:
            return self._starts_visibly(node.parts[2]) and self._starts_visibly(node.parts[3])
        if kind in (AT_EXTERNAL, AT_INTERRUPT):
            return all(self._starts_visibly(op) for op in node.parts[:2])
        if kind == AT_SEQ:  # P's ✓ is ;'s τ
            return self._starts_visibly(node.parts[0]) and not self._may_end(node.parts[0])
        if kind == AT_CALL:
            name = node.parts[0]
            if name not in self.visible:
                self.visible[name] = True  # a cycle back here: check_guarded refused it
                self.visible[name] = all(self._starts_visibly(body)
                                         for _, body in self.definition(name))
            return self.visible[name]
        return True

    def _may_end(self, node: Location) -> bool:
        """Whether ✓ may be among the node's first moves (calls: any clause's body)."""
        kind = node.kind
        if kind in (AT_SKIP, AT_UNSUPPORTED, AT_SAGA, AT_REPLICATED_PARALLEL, *_UNKNOWN):
            return True  # a replicated parallel over nothing is SKIP
        if kind in (AT_LET, AT_RENAME, AT_HIDE, AT_EXCEPTION):  # ✓ is never hidden
            return self._may_end(node.parts[_BODY[kind]])
        if kind in (AT_GUARD, AT_IF):
            return any(self._may_end(branch) for branch in node.parts[2:])
        if kind in (AT_EXTERNAL, AT_INTERNAL, AT_INTERRUPT, AT_OPEN_CHOICE):
            return any(self._may_end(op) for op in node.parts)
        if kind == AT_SYNC_CHOICE:  # either side's ✓ resolves it
            return any(self._may_end(op) for op in node.parts[1:3])
        if kind == AT_TIMEOUT:  # Q only after the timeout's τ
            return self._may_end(node.parts[0])
        if kind in (AT_REPLICATED_EXTERNAL, AT_REPLICATED_INTERNAL, AT_OPEN_REPLICATED,
                    AT_REPLICATED_SYNC_CHOICE):  # over nothing: STOP
            return self._may_end(node.parts[1])
        if kind == AT_SEQ:
            return False  # P's ✓ is a τ first
        if kind == AT_CALL:
            name = node.parts[0]
            key = ("end", name)
            if key not in self.visible:
                self.visible[key] = True  # a cycle: assume the worst
                self.visible[key] = any(self._may_end(body) for _, body in self.definition(name))
            return self.visible[key]
        return False


def _operands(choice: Location) -> tuple[Location, ...]:
    """The operand nodes of an external choice (a replicated one's: its body)."""
    return choice.parts if choice.kind == AT_EXTERNAL else choice.parts[1:]


def _live(clauses: tuple[ast.Definition, ...]) -> tuple[int, ...] | None:
    """The parameters a one-clause definition's body mentions (their positions),
    or None (several clauses, or patterns: every argument counts).

    The others cannot change what the call does, so they are left out of its
    state's key: ``Q(n) = e -> R`` is one state for every ``n``, as the terms
    are (mCRL2's parameter elimination, Groote & Lisser, 2001, in its simplest form).
    """
    if len(clauses) != 1 or clauses[0].params is None \
            or not all(type(p) is ast.PVar for p in clauses[0].params):
        return None
    used = names_in(clauses[0].body)
    return tuple(i for i, p in enumerate(clauses[0].params) if p.name in used)


def _bound(params: tuple | None) -> frozenset[str]:
    return frozenset() if params is None else frozenset(pattern_names(params))
