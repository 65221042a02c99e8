"""Loading a ``.proc`` file: text → AST → :class:`Model` (the evaluated spec).

Example:
    >>> model = loads("channel a\\nP = a -> P\\nassert P :[deadlock free]")
    >>> model.lts("P").num_states
    1
    >>> [a.text for a in model.assertions]
    ['P :[deadlock free]']
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError, ProcalgError, UsageError
from procalg.semantics import UnguardedRecursion
from procalg.semantics import load as load_spec
from procalg.semantics.channels import ChannelRef
from procalg.semantics.deep import innermost_span, run_deep
from procalg.semantics.kinds import names_in
from procalg.semantics.values import kind_name
from procalg.semantics.workflow import fallible
from procalg.source import SourceFile, read_source
from procalg.syntax import ast, parse_cache, pretty
from procalg.syntax.walk import walk
from procalg.terms import Process, show, show_process

if TYPE_CHECKING:
    from procalg.lts import LTS
    from procalg.lts.network import Network
    from procalg.semantics.network import NotApplicable


STATE_NAME_CHARS = 1_000
"""A state's name (its term, printed) is cut short past this many characters: a chain
of thousands of prefixes would otherwise name its states in quadratic text."""


@dataclass(frozen=True)
class Model:
    """A loaded model: its source, syntax tree and evaluated definitions.

    Attributes:
        source: the file name and text (diagnostics quote it).
        module: the parsed declarations.
        spec: the evaluated model (channels, definitions, terms).
    """

    source: SourceFile
    module: ast.Module
    spec: Any
    _processes: dict[str, Process] = field(default_factory=dict, repr=False, compare=False)
    _networks: dict[tuple, Any] = field(default_factory=dict, repr=False, compare=False)
    explored: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    """Whole LTSs already explored, by (term, engine options): assertions on
    one process share one exploration (filled by :mod:`procalg.api.check`)."""

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 of the model text: a run records which model it started on (hashed
        once: a run's start asks for it, ~6 µs for a small model)."""
        import hashlib  # OpenSSL's: ~2 ms of a check's start-up, which asks for none

        return hashlib.sha256(self.source.text.encode()).hexdigest()

    @cached_property
    def int_data(self) -> bool:
        """Whether a channel field or a restricted input ranges over ``Int`` (and the
        model defines no ``Int`` of its own): data the explicit engines cannot
        enumerate. Walked once per model (every assertion asks ``api/symbolic``).

        Example:
            >>> loads("channel c : Int\\nP = c?x -> P").int_data
            True
        """
        if "Int" in self.spec.definitions:
            return False
        for node in walk(self.module):
            if type(node) is ast.ChannelDecl and any("Int" in names_in(f) for f in node.fields):
                return True
            if type(node) is ast.InField and node.restrict is not None \
                    and "Int" in names_in(node.restrict):
                return True
        return False

    @cached_property
    def throws(self) -> bool:
        """Whether the model may throw: it writes ``THROW`` anywhere, or declares an
        activity that may fail (each step of one offers ``fail.a -> THROW``).

        Example:
            >>> loads("channel a\\nP = a -> THROW").throws, loads("channel a\\nP = a -> P").throws
            (True, False)
            >>> safe = loads("activity a never fails\\nP = a -> P")
            >>> loads("activity a\\nP = a -> P").throws, safe.throws
            (True, False)
        """
        return bool(fallible(self.spec)) \
            or any(type(node) is ast.ThrowLit for node in walk(self.module))

    @property
    def activities(self) -> dict[str, Any]:
        """Activity declarations by channel: ``attempts``, ``backoff_ms``, ``timeout_ms``,
        ``never_fails`` (kept for the engine)."""
        return self.spec.activities

    @property
    def signals(self) -> dict[str, Any]:
        """Signal declarations by channel."""
        return self.spec.signals

    @property
    def timers(self) -> dict[str, Any]:
        """Timer declarations by name, with ``duration_ms``."""
        return self.spec.timers

    @property
    def assertions(self) -> list[ast.Assertion]:
        """The file's assertions, in order."""
        return [d for d in self.module.declarations if isinstance(d, ast.Assertion)]

    def process(self, process: str | ast.Node | Process) -> Process:
        """The term of a process given by name, expression text, AST or term."""
        if isinstance(process, Process):
            return process
        if isinstance(process, str):
            cached = self._processes.get(process)
            if cached is not None:
                return cached
            term = self._from_command_line(process)
            self._processes[process] = term
            return term
        return self._with_source(lambda: self.spec.process(process))

    def call(self, name: str, args: tuple[Any, ...] = ()) -> Process:
        """The process ``name`` applied to values: a run's call, built from values
        rather than printed and parsed back.

        Example:
            >>> model = loads("channel c : {0..3}\\nP(n) = c.n -> SKIP")
            >>> model.call("P", (2,))
            Call(name='P', args=(2,))
        """
        if not args:
            return self.process(name)
        if name not in self._definitions():
            raise UsageError(f"{self.source.name} has no process named {name}",
                             hint=self._processes_hint())
        term = self._with_source(lambda: self.spec.apply(name, tuple(args)))
        if not isinstance(term, Process):
            raise UsageError(f"{name} is a function, not a process",
                             hint=self._processes_hint())
        return term

    def read_value(self, text: str) -> Any:
        """A value typed on the command line, in .proc syntax, in this model's scope.

        Example:
            >>> loads("datatype C = red | blue").read_value("{red}")
            frozenset({Atom(name='red')})
        """
        from procalg.syntax.parser import parse_expr  # lark: a model read back has none

        line = SourceFile("<command line>", text)
        expr = parse_expr(text, filename=line.name)
        own = {id(node.span) for node in walk(expr)}
        try:
            return self._with_source(lambda: self.spec.value(expr))
        except ProcalgError as err:
            if err.span is not None and id(err.span) in own:  # the typing, not the file
                err.source = line
            raise

    def _from_command_line(self, text: str) -> Process:
        """The process a user named as text (on the command line, in a notebook).

        Mistakes in the name are the user's typing, not the file's: they are
        reported against ``<command line>``, and a name that is not a process
        says what it is (a set, a process that needs arguments) in the model's
        notation.
        """
        from procalg.syntax.parser import parse_expr  # lark: a model read back has none

        line = SourceFile("<command line>", text)
        expr = parse_expr(text, filename=line.name)
        own = {id(node.span) for node in walk(expr)}
        try:
            value = self._with_source(lambda: self.spec.value(expr))
        except ProcalgError as err:
            if err.span is not None and id(err.span) in own:  # the text's fault
                err.source = line
                if isinstance(expr, ast.Name) and expr.id not in self._definitions():
                    raise UsageError(f"{self.source.name} has no process named {expr.id}",
                                     hint=self._processes_hint()) from None
            raise
        if isinstance(value, Process):
            return value
        name = text.strip()
        definition = self._definitions().get(name)
        if definition is not None and definition.params:
            count = len(definition.params)
            raise UsageError(
                f"process {name} needs {count} argument{'s' if count > 1 else ''}: "
                f"{_head(definition)}",
                hint=f"give {'them' if count > 1 else 'it'} on the command line, "
                     f"e.g. '{name}(...)' (quoted for the shell)")
        raise UsageError(f"{name} is {_kind(value)}, not a process",
                         hint=self._processes_hint())

    def _definitions(self) -> dict[str, ast.Definition]:
        """The file's definitions by name (a function's first clause)."""
        found: dict[str, ast.Definition] = {}
        for d in self.module.declarations:
            if isinstance(d, ast.Definition):
                found.setdefault(d.name, d)
        return found

    def _processes_hint(self) -> str:
        names = []
        for name, d in self._definitions().items():
            if d.params:
                names.append(_head(d))
            elif isinstance(self._value_or_none(name), Process):
                names.append(name)
        if not names:
            return "name a process definition or write a process expression"
        shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        return f"name a process, e.g. one of: {shown}"

    def _value_or_none(self, name: str) -> Any:
        try:
            return self.spec.value(ast.Name(name))
        except (ProcalgError, RecursionError):
            return None

    def system(self, process: str | ast.Node | Process) -> Any:
        """The process as a :class:`~procalg.lts.TransitionSystem` over terms."""
        term = self.process(process)
        return self._with_source(lambda: self.spec.system(term))

    def lts(self, process: str | ast.Node | Process, *, max_states: int | None = None,
            state_names: bool = False) -> LTS:
        """Explore the process completely into an :class:`~procalg.lts.LTS`."""
        from procalg.lts import explore  # numpy: not needed to load a model and run it

        system = self.system(process)
        namer = (lambda t: show_process(t, STATE_NAME_CHARS)) if state_names else None
        return self._with_source(lambda: explore(system, max_states=max_states,
                                                 state_name=namer))

    def network(self, process: str | ast.Node | Process, *, reduce: bool = True,
                leaf_limit: int | None = None,
                lazy_limit: int | None = None) -> Network | NotApplicable:
        """The process compiled for the product engine, once per process.

        Several assertions on one process in one ``check`` share it (see
        :func:`procalg.semantics.network.compile_network`).

        Example:
            >>> model = loads("channel a, b\\nA = a -> A\\nP = A ||| b -> A")
            >>> model.network("P") is model.network("P")
            True
        """
        from procalg.semantics.network import compile_network  # numpy: only for checks

        term = self.process(process)
        key = (term, reduce, leaf_limit, lazy_limit)
        if key not in self._networks:
            self._networks[key] = self._with_source(lambda: compile_network(
                term, self.spec, reduce=reduce, max_states=leaf_limit, lazy_limit=lazy_limit))
        return self._networks[key]

    def forget_network(self, process: str | ast.Node | Process) -> None:
        """Drop ``process``'s compiled networks: the next :meth:`network` compiles
        again (a lazy leaf met a saga's label they did not declare, ``api/search``)."""
        term = self.process(process)
        for key in [k for k in self._networks if k[0] == term]:
            del self._networks[key]

    def value(self, expr: ast.Node) -> Any:
        """Evaluate a value expression in the model's global scope."""
        return self._with_source(lambda: self.spec.value(expr))

    def locate(self, err: ProcalgError) -> ProcalgError:
        """Give ``err`` this model's source and, for unguarded recursion found
        by an engine that knows only terms, the definition's place.

        Example:
            >>> model = loads("channel a\\nP = P [] a -> STOP", "m.proc")
            >>> from procalg.semantics import UnguardedRecursion
            >>> from procalg.terms import Call
            >>> print(model.locate(UnguardedRecursion(Call("P", ()))).render().splitlines()[0])
            m.proc:2:1: error: unguarded recursion: P calls itself before any event
        """
        if err.source is None:
            err.source = self.source
        if isinstance(err, UnguardedRecursion) and err.span is None:
            definition = self._definitions().get(err.call.name.split("#")[0])
            if definition is not None and err.source is self.source:
                err.span = definition.span
        return err

    def _with_source(self, thunk: Any) -> Any:
        """Run ``thunk``; attach this model's source to any error it raises."""
        try:
            return run_deep(thunk)
        except ProcalgError as err:
            self.locate(err)
            raise
        except RecursionError as err:
            raise _too_deep(err, self.source) from None


def _head(definition: ast.Definition) -> str:
    """``F(n, m)``: a definition's left-hand side, as written in the model."""
    return pretty(definition).split(" = ", 1)[0].strip()


def _kind(value: Any) -> str:
    """``a set, {0, 1}``: what a value is, written as in the model."""
    if isinstance(value, ChannelRef):
        return "a channel"
    kind = kind_name(value)
    if kind.startswith("the value"):
        return kind
    text = show(value)
    return f"{kind}, {text if len(text) <= 60 else text[:57] + '...'}"


def loads(text: str, name: str = "<input>") -> Model:
    """Load a model from text.

    Raises:
        ParseError: the text is not a well-formed model.
        ModelError: the model is well formed but means nothing (undefined names ...).
    """
    source = SourceFile(name, text)
    try:  # generated models nest thousands deep: parse and evaluate on the big stack
        module, spec = run_deep(lambda: _parsed_and_loaded(text, name, source))
    except ProcalgError as err:
        if err.source is None:
            err.source = source
        raise
    except RecursionError as err:
        raise _too_deep(err, source) from None
    return Model(source, module, spec)


def _parsed_and_loaded(text: str, name: str, source: SourceFile) -> tuple[ast.Module, Any]:
    module = parse_cache.parse(text, filename=name)  # read back on the CLI's own command line
    return module, load_spec(module, source)


def _too_deep(err: RecursionError, source: SourceFile) -> ModelError:
    """A ``RecursionError`` as the user's error, at the deepest place the traceback knows."""
    return ModelError(
        "recursion too deep while evaluating the model",
        innermost_span(err),
        hint="look for a function or process that calls itself without end; a chain "
             "nested thousands deep can be split into named definitions",
        source=source,
    )


def load(path: str | os.PathLike[str]) -> Model:
    """Load a model from a ``.proc`` file.

    Raises:
        ProcalgError: the file cannot be read, parsed or evaluated.
    """
    name = parse_cache.model_name(path)  # as pathlib names it (parse_cache.holds too)
    try:
        text = read_source(name)
    except OSError as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise UsageError(f"cannot read {name}: {reason}",
                           hint="check the path") from err
    return loads(text, name)
