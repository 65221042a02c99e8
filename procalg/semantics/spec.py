"""A loaded model: declarations evaluated, processes ready to explore.

:func:`load` takes the parsed :class:`~procalg.syntax.ast.Module` and gives a
:class:`Spec`: channel and datatype tables, the definitions and assertions,
and the means to turn any process expression into a term
(:meth:`Spec.process`) and a term into a
:class:`~procalg.lts.TransitionSystem` (:meth:`Spec.system`) for
:func:`procalg.lts.explore`. Every error a model can cause is a
:class:`~procalg.errors.ModelError` pointing into the source.

Example:
    >>> from procalg.syntax import ast
    >>> from procalg.source import SourceFile
    >>> from procalg.lts import explore
    >>> module = ast.Module((
    ...     ast.ChannelDecl(("a",)),
    ...     ast.Definition("P", None, ast.PrefixExpr(ast.Name("a"), (), ast.Name("P"))),
    ... ))
    >>> spec = load(module, SourceFile("m.proc", ""))
    >>> spec.process("P"), explore(spec.system(spec.process("P"))).num_states
    (Call(name='P', args=()), 1)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from procalg.errors import ModelError, ProcalgError
from procalg.semantics import child_scope, workflow
from procalg.semantics.channels import INTEGERS, ChannelRef, Types
from procalg.semantics.datatypes import Datatypes
from procalg.semantics.deep import RECURSION_LIMIT, innermost_span, run_deep
from procalg.semantics.evaluate import Closure, Evaluator, Thunk
from procalg.semantics.functions import CyclicValue
from procalg.semantics.infinite import CHARS, Unlistable
from procalg.semantics.kinds import workflow_construct
from procalg.semantics.lazy_errors import EvaluationError
from procalg.semantics.nesting import nestings
from procalg.semantics.nesting_watch import NestingWatch
from procalg.semantics.opaque_types import PROCESSES
from procalg.semantics.prelude import constant_names, is_pattern_pick, prelude
from procalg.semantics.sos import Label, Rules
from procalg.semantics.system import TermSystem
from procalg.semantics.typesets import field_types, nametype_value
from procalg.semantics.unfold import UnguardedRecursion
from procalg.source import SourceFile, Span
from procalg.syntax import ast
from procalg.terms import Atom, Call, Dotted, Event, Process, Value
from procalg.terms.values import MapValue, printed, sorted_values

T = TypeVar("T")

# errors FDR reports only where a value is used (error(...) is an EvaluationError)
WHEN_USED = (CyclicValue, Unlistable, EvaluationError)


class _LazyFields(dict):
    """Channel name -> field types, each evaluated on first use (order-free declarations)."""

    def __init__(self, compute: Callable[[str], tuple[frozenset, ...]]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, name: str) -> tuple[frozenset, ...]:
        value = self[name] = self.compute(name)
        return value


class Spec:
    """A loaded model (see :func:`load`).

    Attributes:
        source: the model's text.
        definitions: name -> clauses of each top-level definition.
        assertions: the ``assert`` declarations, in order.
    """

    def __init__(self, module: ast.Module, source: SourceFile) -> None:
        self.source = source
        self.module = module
        self.definitions: dict[str, tuple[ast.Definition, ...]] = {}
        self.assertions: tuple[ast.Assertion, ...] = ()
        self.channel_decls: dict[str, ast.ChannelDecl] = {}  # write with declare_channel
        self._datatype_decls: dict[str, ast.DatatypeDecl] = {}
        self._constructors: dict[str, ast.Constructor] = {}
        self._nametypes: dict[str, Thunk] = {}
        self._in_progress: set[str] = set()
        self._spans: dict[str, Span | None] = {}
        self.activities: dict[str, workflow.Activity] = {}  # options kept for the engine
        self.signals: dict[str, workflow.Signal] = {}
        self.timers: dict[str, workflow.Timer] = {}
        # workflow names are reserved only where workflow constructs are used
        self._workflow = workflow_construct(module)
        self._sagas = self._workflow is not None and workflow.uses_sagas(module)
        self._declare(module)
        child_scope.check(module, source.name)  # a parent leaves its child's events alone
        self.cancellable = workflow.uses_cancel(self, module)  # runs may be cancelled
        self.types = Types(_LazyFields(self._channel_fields), {})
        self._datatypes = Datatypes(self._datatype_decls, self._constructors, self.types,
                                    self._type_sets, self._in_progress)
        self.evaluator = Evaluator({n: list(c) for n, c in self.definitions.items()},
                                   self.types, self._resolve, self._spans)
        self.evaluator.fallible = workflow.fallible(self)  # activities that may fail
        self.nesting = nestings({n: list(c) for n, c in self.definitions.items()
                                 if n in self.evaluator.global_procs})  # recursion that nests
        self.evaluator.nesting = self.nesting  # the product engine leaves those to the terms
        self._unfolded: dict[Call, Process] = {}
        self._events: frozenset[Event] | None = None

    # ---------------------------------------------------------- declarations

    def _declare(self, module: ast.Module) -> None:
        assertions = []
        constants = constant_names(module)
        for decl in (*module.declarations, *prelude(module)):
            match decl:
                case ast.Definition(name) if name in constants and is_pattern_pick(decl):
                    continue  # `A.x = e` matches the constructor A, it defines only x
                case ast.Definition(name, params):
                    clauses = self.definitions.get(name, ())
                    if clauses and (params is None or clauses[0].params is None):
                        raise ModelError(f"'{name}' is defined twice", decl.span,
                                         hint=f"first defined at {clauses[0].span}")
                    if not clauses:
                        self._claim(name, decl.span)
                    self.definitions[name] = (*clauses, decl)
                case ast.ChannelDecl(names):
                    for name in names:
                        self.declare_channel(name, decl)
                case ast.DatatypeDecl(name, constructors):
                    self._claim(name, decl.span)
                    self._datatype_decls[name] = decl
                    for con in constructors:
                        self._claim(con.name, con.span or decl.span)
                        self._constructors[con.name] = con
                case ast.NametypeDecl(name, value):
                    self._claim(name, decl.span)
                    self._nametypes[name] = Thunk(name, value, {})
                case ast.Assertion():
                    assertions.append(decl)
                case ast.ActivityDecl() | ast.SignalDecl() | ast.TimerDecl():
                    workflow.declare(self, decl)
        self.assertions = tuple(assertions)

    def _claim(self, name: str, span: Span | None) -> None:
        if self._workflow is not None:
            self._check_reserved(name, span)
        if name in self._spans:
            raise ModelError(f"'{name}' is declared twice", span,
                             hint=f"first declared at {self._spans[name]}; rename one of them")
        self._spans[name] = span

    def _check_reserved(self, name: str, span: Span | None) -> None:
        """A workflow name declared in a model that uses workflow constructs:
        name both the declaration and the construct that reserves the name."""
        try:
            workflow.check_name(name, span)  # throw, fail, compensate, ... are reserved
        except ModelError as err:
            keyword, node = self._workflow  # type: ignore[misc]
            where = f" at {node.span.line}:{node.span.column}" if node.span else ""
            raise ModelError(
                f"'{name}' is declared here, but the {keyword}{where} reserves it: "
                + err.message.split(": ", 1)[-1], span,
                hint=f"rename it, e.g. '{name}_' (a model without activity, signal, timer "
                     "or saga keeps every name)") from None

    def declare_channel(self, name: str, decl: ast.ChannelDecl, claim: bool = True) -> None:
        """Declare channel ``name`` (``claim``: the name must be free); workflows use it too."""
        if claim:
            self._claim(name, decl.span)
        self.channel_decls[name] = decl

    def _resolve(self, name: str) -> Value | None:
        """The value of a global name that is not a definition."""
        if name in self.channel_decls:
            return Event(name) if not self.types.channels[name] else ChannelRef(name)
        if name in self._constructors:
            fields = self._datatypes.constructor_fields(name)
            return Atom(name) if not fields else Dotted(Atom(name), ())
        if name in self._datatype_decls:
            return self._datatypes.values(name)
        if name in self._nametypes:  # `nametype T = (A, B)`: the set of its tuples
            thunk = self._nametypes[name]
            thunk.value = nametype_value(self.evaluator.force(thunk, self._spans[name]))
            return thunk.value  # kept converted: the tuples are listed once
        if name == "Bool":
            return frozenset({False, True})
        if name == "Char":
            return CHARS
        if name == "Proc":  # FDR's type of processes, for datatype fields: tested only
            return PROCESSES
        if name == "emptyMap":
            return MapValue()
        if name in ("True", "False"):  # FDR's builtins, spelt as in libcspm's Prelude
            return name == "True"
        if name == "Int":
            return INTEGERS
        if name == "Events":
            return self.events
        return workflow.reserved_value(name)  # throw, compensate, compensated

    def _channel_fields(self, name: str) -> tuple[frozenset, ...]:
        decl = self.channel_decls[name]
        self._datatypes.guard("channel " + name, decl.span, f"channel {name}'s type")
        try:
            return tuple(t for f in decl.fields for t in self._type_sets(f))
        finally:
            self._in_progress.discard("channel " + name)

    def _type_sets(self, expr: ast.Node) -> tuple[frozenset, ...]:
        """The field types one type expression stands for, as in CSPM: a set is
        one field, a dotted product of sets (``nametype T = {0,1}.{0,1}``) is
        one field per set, and a tuple of sets (``(A, B)``) is one field of tuples."""
        if type(expr) is ast.Name and expr.id == "Int":
            return (INTEGERS,)
        return field_types(self.evaluator.eval(expr, {}), expr.span)

    # ------------------------------------------------------------ public API

    def _reported(self, action: Callable[[], T]) -> T:
        """Run ``action``, giving every error this file as its source.

        Value recursion (``F(n) = 1 + F(n-1)``) runs on Python's stack, so the
        action runs on a thread with a big stack and a raised recursion limit
        (:func:`procalg.semantics.deep.run_deep`); too deep a recursion is a
        ``ModelError``, never a crash.
        """
        try:
            return run_deep(action)
        except UnguardedRecursion as err:
            info = self.evaluator.functions.get(err.call.name)
            err.span = err.span or (info.clauses[0].span if info else None)
            err.source = err.source or self.source
            raise
        except ProcalgError as err:
            err.source = err.source or self.source
            raise
        except RecursionError as err:
            raise ModelError("expression nested too deeply to evaluate", innermost_span(err),
                             source=self.source,
                             hint="recursion is limited to about "
                                  f"{RECURSION_LIMIT // 8} nested function calls; split a "
                                  "chain nested thousands deep into named definitions") from None

    @property
    def channels(self) -> dict[str, tuple[frozenset, ...]]:
        """Channel name -> the value set of each field."""
        return self._reported(lambda: {n: self.types.channels[n] for n in self.channel_decls})

    @property
    def datatypes(self) -> dict[str, frozenset]:
        """Datatype name -> all its values."""
        return self._reported(lambda: {n: self._datatypes.values(n) for n in self._datatype_decls})

    @property
    def events(self) -> frozenset[Event]:
        """Every event of every channel; in a model with sagas, also the saga markers.

        ``compensate`` and ``compensated`` are events a saga performs, so the usual
        idiom ``P \\ diff(Events, {...})`` must hide them too (``throw`` is not
        an event: like ✓ it ends the process and cannot be hidden).
        """
        if self._events is None:
            markers = self._markers()
            self._events = self._reported(lambda: markers | frozenset(
                e for n in self.channel_decls for e in self.types.events_of(n)))
        return self._events

    def _markers(self) -> frozenset[Event]:
        markers = workflow.SAGA_MARKERS if self._sagas else frozenset()
        return markers | ({workflow.CANCEL_EVENT} if self.cancellable else frozenset())

    def event_names(self, channels: Iterable[str] | None = None) -> frozenset[str]:
        """The printed names of :attr:`events` (of ``channels`` only, if given), a channel's
        events printed at once (:func:`~procalg.terms.values.printed`): a lazy leaf's alphabet."""
        def names() -> frozenset[str]:
            types, out = self.types, {str(e) for e in self._markers()}
            for n in self.channel_decls if channels is None else channels:  # or says why not
                out.update(printed(n, [sorted_values(t) for t in types.channels[n]],
                                   types.events_of(n)))
            return frozenset(out)
        return self._reported(names)

    def value(self, expr: ast.Node) -> Any:
        """Evaluate an expression in the global scope."""
        return self._reported(lambda: self.evaluator.eval(expr, {}))

    def process(self, expr: ast.Node | str) -> Process:
        """Evaluate a process expression (or the name of a definition) to a term."""
        node = ast.Name(expr) if isinstance(expr, str) else expr
        value = self.value(node)
        if not isinstance(value, Process):
            raise ModelError(f"expected a process, got {value}", node.span, source=self.source,
                             hint="name a process definition or write a process expression")
        return value

    def apply(self, name: str, args: tuple[Value, ...]) -> Any:
        """The definition ``name`` applied to values (as ``name(args...)`` would be)."""
        def applied() -> Any:
            target = self.evaluator.eval(ast.Name(name), {})
            if type(target) is not Closure:
                raise ModelError(f"{name} is not a process with parameters", source=self.source,
                                 hint="name a process definition that takes arguments")
            return self.evaluator.apply(target, args, None)
        return self._reported(applied)

    def unfold(self, call: Call) -> Process:
        """One unfolding of ``call`` (its definition's body, evaluated)."""
        return self._reported(lambda: self.evaluator.unfold(call))

    def rules(self) -> Rules:
        """Fresh firing rules over this model (unfoldings shared between them)."""
        rules = Rules(self.evaluator.unfold)
        rules.unfolded = self._unfolded
        return rules

    def system(self, term: Process) -> ProcessSystem:
        """``term`` as a transition system whose states are normalised terms."""
        return ProcessSystem(self, term)

    def settle_counters(self, on: bool) -> None:
        """Read dead counters as 0 from now on (``on``) or not: each unfolding of a
        process whose parameter only counts (:func:`procalg.semantics.growth.settle`)
        is then one of finitely many. Unfoldings made before are forgotten."""
        self.evaluator.settled = on
        self._unfolded.clear()

    def force_all(self) -> None:
        """Evaluate every type and value declaration, to report errors at load time.

        FDR evaluates lazily: `loop = loop`, `x = error("no")`, a pattern no clause
        matches or a datatype whose values leave a field type is an error only where
        it is used, so those errors (:data:`WHEN_USED`) are skipped here.
        """
        self.channels  # noqa: B018 - evaluated for its errors
        for name in self._datatype_decls:
            with contextlib.suppress(*WHEN_USED):
                self._reported(lambda n=name: self._datatypes.values(n))
        for name in self._nametypes:
            with contextlib.suppress(*WHEN_USED):
                self.value(ast.Name(name, span=self._spans[name]))
        for name, clauses in self.definitions.items():
            if clauses[0].params is None and name not in self.evaluator.global_procs:
                with contextlib.suppress(*WHEN_USED):
                    self.value(ast.Name(name, span=clauses[0].span))


class ProcessSystem(TermSystem):
    """A process term explored by the firing rules (a :class:`~procalg.lts.TransitionSystem`).

    Example:
        >>> from procalg.lts import explore
        >>> from procalg.syntax import ast
        >>> from procalg.source import SourceFile
        >>> from procalg.terms import SKIP, Parallel
        >>> spec = load(ast.Module(()), SourceFile("m.proc", ""))
        >>> explore(spec.system(Parallel(SKIP, SKIP))).num_states
        5
    """

    def __init__(self, spec: Spec, term: Process) -> None:
        super().__init__(term, spec.rules())
        self.spec = spec
        self.watch = NestingWatch(spec.nesting, spec.definitions, spec.evaluator.input_sites
                                  ) if spec.nesting else None

    def initial_state(self) -> Process:
        return self._watched(self.spec._reported(super().initial_state))

    def successors(self, state: Process) -> list[tuple[Label, Process]]:
        try:
            moves = super().successors(state)
        except (ProcalgError, RecursionError):
            moves = self.spec._reported(lambda: super(ProcessSystem, self).successors(state))
        if self.watch is not None:  # recursion that may nest without bound: stop early
            for _, target in moves:
                self._watched(target)
        return moves

    def _watched(self, state: Process) -> Process:
        if self.watch is not None:
            self.watch.check(state)
        return state


def load(module: ast.Module, source: SourceFile) -> Spec:
    """Load a parsed model: check declarations and evaluate types and values.

    Raises:
        ModelError: a name declared twice, an undefined name, a type error, ...
    """
    try:
        spec = Spec(module, source)
    except ProcalgError as err:
        err.source = err.source or source
        raise
    spec.force_all()
    return spec
