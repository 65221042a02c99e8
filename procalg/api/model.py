"""Loading a ``.proc`` file: text → AST → :class:`Model` (the evaluated spec).

Example:
    >>> model = loads("channel a\\nP = a -> P\\nassert P :[deadlock free]")
    >>> model.lts("P").num_states
    1
    >>> [a.text for a in model.assertions]
    ['P :[deadlock free]']
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError, ProcalgError
from procalg.semantics import load as load_spec
from procalg.source import SourceFile
from procalg.syntax import ast, parse, parse_expr
from procalg.terms import Process, show_process

if TYPE_CHECKING:
    from procalg.lts import LTS
    from procalg.lts.network import Network
    from procalg.semantics.network import NotApplicable


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

    @property
    def content_hash(self) -> str:
        """SHA-256 of the model text: a run records which model it started on."""
        return hashlib.sha256(self.source.text.encode()).hexdigest()

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
            expr = parse_expr(process, filename="<command line>")
            term = self._with_source(lambda: self.spec.process(expr))
            self._processes[process] = term
            return term
        return self._with_source(lambda: self.spec.process(process))

    def system(self, process: str | ast.Node | Process) -> Any:
        """The process as a :class:`~procalg.lts.TransitionSystem` over terms."""
        term = self.process(process)
        return self._with_source(lambda: self.spec.system(term))

    def lts(self, process: str | ast.Node | Process, *, max_states: int | None = None,
            state_names: bool = False) -> LTS:
        """Explore the process completely into an :class:`~procalg.lts.LTS`."""
        from procalg.lts import explore  # numpy: not needed to load a model and run it

        system = self.system(process)
        namer = show_process if state_names else None
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

    def value(self, expr: ast.Node) -> Any:
        """Evaluate a value expression in the model's global scope."""
        return self._with_source(lambda: self.spec.value(expr))

    def _with_source(self, thunk: Any) -> Any:
        """Run ``thunk``; attach this model's source to any error it raises."""
        try:
            return thunk()
        except ProcalgError as err:
            if err.source is None:
                err.source = self.source
            raise
        except RecursionError as err:
            raise ModelError(
                "recursion too deep while evaluating the model",
                hint="look for a function or process that calls itself without end",
                source=self.source,
            ) from err


def loads(text: str, name: str = "<input>") -> Model:
    """Load a model from text.

    Raises:
        ParseError: the text is not a well-formed model.
        ModelError: the model is well formed but means nothing (undefined names ...).
    """
    source = SourceFile(name, text)
    try:
        module = parse(text, filename=name)
        spec = load_spec(module, source)
    except ProcalgError as err:
        if err.source is None:
            err.source = source
        raise
    return Model(source, module, spec)


def load(path: str | Path) -> Model:
    """Load a model from a ``.proc`` file.

    Raises:
        ProcalgError: the file cannot be read, parsed or evaluated.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise ProcalgError(f"cannot read {path}: {reason}",
                           hint="check the path and that the file is UTF-8 text") from err
    return loads(text, str(path))
