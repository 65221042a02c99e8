"""A compiled machine's common states stepped by generated Python, one function per node.

:meth:`~procalg.semantics.linear.Machine.successors` walks a state's location
node by node (``_moves``), keys each target through the general rules of
:mod:`~procalg.semantics.state_keys` and evaluates every expression by its
closure: some 15 µs a state, the whole cost of a deep, narrow search (a
counter ``P(n) = c!n -> d -> P((n + 1) % N)``: 60,000 states). For a
definition whose one clause binds plain variables and whose body, up to its
states, is prefixes with outputs, guards, ``if``, external choice, calls,
``STOP`` and ``SKIP`` (the counter; ``Account(b)``), :class:`Steps` writes
once a Python function per body, and per node that is a state's location,
that computes the moves straight from the parameters: integer arithmetic
inline (a closure where a value is not an int, so its value or its error is
the closure's), each event's printed label interned once per field values,
and each target's key built as :mod:`~procalg.semantics.state_keys` builds it
(a call by its name and live arguments, ``e -> Q(..)`` by its event and that
key) where that form is known when compiling; every other node and key is
left to the machine's own rules, called from the generated code. Source
text, not closures: a closure per expression node costs a Python call per
node and state, the generated body one call per state (the technique of
closure compilation, Feeley & Lapalme 1987, one step further: code
generation per definition, as FDR compiles its "low-level" machines).

The functions give what ``_moves`` gives, in its order, with the same target
numbers and the same errors, raised while expanding the same states
(``tests/semantics/test_linear_step.py``, against the machine's own path and
the term rules). Writing is linear in the bodies' size, once per machine, and
compiling once per text (every machine of a definition writes the same: ``_code``);
a step is O(moves) Python operations.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel c : {0..2}\\nchannel d\\nP(n) = c!n -> d -> P((n + 1) % 3)")
    >>> machine = Machine(model.spec.evaluator, model.process("P(0)"))
    >>> machine.successors(0), machine.successors(1), machine.keys[2]
    ([('c.0', 1)], [('d', 2)], ('call', 'P', (1,)))
    >>> sorted(machine.steps.bodies)
    ['P']
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import CodeType
from typing import TYPE_CHECKING, Any

from procalg.semantics.linear_step_source import STEPPED, Writer, start_node
from procalg.semantics.locations import AT_CALL, Location
from procalg.semantics.patterns import constant
from procalg.semantics.state_unfold import plain_clause
from procalg.syntax import ast
from procalg.terms import Call

if TYPE_CHECKING:
    from procalg.semantics.linear import Machine

Step = Callable[[Any], list]


class Steps:
    """The generated next-state functions of one machine, made once, by need.

    ``step(node)`` is the function of a state's location ``node`` (its
    argument the state's environment, as :attr:`Machine.where` holds it), or
    None where the machine's own rules run. :attr:`bodies` holds the
    compiled definitions (name -> function of the argument tuple).
    """

    def __init__(self, machine: Machine, enabled: bool = True) -> None:
        from procalg.semantics.linear import CALL_START

        # a run steps each state once or twice (the runtime's machines label moves
        # with events): there writing the functions would cost more than it saves
        self.enabled = enabled
        self.machine = machine
        self._exprs: dict[int, Any] = {}
        self.bodies: dict[str, Step | None] = {}
        self.steps: dict[Location, Step | None] = {CALL_START: self._start} if enabled else {}
        self._names: dict[str, Any] = {}  # what the generated code reads, by its name there
        self._open: set[str] = set()  # definitions being compiled (a cycle: left alone)
        self.sources: dict[str, list[str]] = {}  # the generated text, per definition

    @property
    def exprs(self) -> dict[int, Any]:
        """The syntax of each compiled node, by the node's id (kept up to date)."""
        nodes = self.machine.compiler.nodes
        if len(self._exprs) != len(nodes):
            self._exprs = {id(node): expr for expr, node in nodes.values()}
        return self._exprs

    def step(self, node: Location) -> Step | None:
        """The generated function of states located at ``node``, or None (then
        remembered as None until a body compiled later locates states there)."""
        found = self.steps.get(node, self)
        if found is self or not self.enabled:
            found = self.steps[node] = self._call(node) \
                if node.kind == AT_CALL and self.enabled else None
        return found  # type: ignore[return-value]

    def _call(self, node: Location) -> Step | None:
        """A call's state located at its call node: its arguments by their closures
        (as ``_arguments``), then its body's function (None: not compiled)."""
        name, closures = node.parts
        body = self.body(name)
        if body is None:
            return None
        return lambda env: body(tuple([a(env) for a in closures]))

    def _start(self, env: Any) -> list:
        """A state numbered from a call: ``Call`` or a tuple ending ``name, args``."""
        if type(env) is tuple and len(env) == 2:  # (name, args): a generated target's
            name, args = env
        else:
            name, args = (env.name, env.args) if type(env) is Call else env[-2:]
        body = self.bodies.get(name, self)
        if body is self:
            body = self.body(name)
        return body(args) if body is not None else self.machine._moves(start_node(), env)

    def body(self, name: str) -> Step | None:
        """The function of ``name``'s body (argument tuple -> moves), or None."""
        if name in self.bodies:
            return self.bodies[name]
        self.bodies[name] = None
        if name in self._open:
            return None
        self._open.add(name)
        try:
            made = self._compile(name)
        finally:
            self._open.discard(name)
        self.bodies[name] = made
        return made

    # ---------------------------------------------------------------- compiling

    def _compile(self, name: str) -> Step | None:
        m = self.machine
        ev = m.ev
        info = ev.functions.get(name)
        clauses = m.compiler.bodies.get(name)
        if info is None or not clauses or len(clauses) != 1 or name in ev.growth \
                or info.let is not None or info.captured or ev.fallible:
            return None
        params, body = clauses[0]
        for pattern in params or ():  # what matching would resolve first (global names)
            if type(pattern) is ast.PVar:
                constant(ev, pattern.name, {})
        plain = plain_clause(ev, info, params, body) if params is not None else (body, ())
        if plain is None or body.kind not in STEPPED:
            return None
        if params is not None:  # as the machine's first unfolding records it
            m._plain.setdefault(name, plain)
        names = plain[1]
        local = {p: f"v{i}" for i, p in enumerate(names)}
        gen = Writer(self, local)
        gen.line("def body(args):")
        gen.depth += 1
        gen.line(f"if len(args) != {len(names)}: return GENERIC(BODY, args)")
        gen.line(f"{gen.value(m, 'MACHINE')}.unfoldings += 1  # as _unfold counts")
        if names:
            gen.line(f"{', '.join(local.values())}, = args")
        gen.line("env = {" + ", ".join(f"{p!r}: {v}" for p, v in local.items()) + "}")
        gen.line("out = []")
        gen.moves(body)
        gen.line("return out")
        gen.depth = 0
        for k, node in enumerate(gen.places):  # a state located in the body: from its env
            gen.line(f"def at_{k}(env):")
            gen.depth += 1
            for p, v in local.items():
                gen.line(f"{v} = env[{p!r}]")
            gen.line("out = []")
            gen.moves(node)
            gen.line("return out")
            gen.depth = 0
        gen.keys.write_all()
        space = {**self._names, "BODY": name, "GENERIC": self._generic_body}
        self.sources[name] = gen.lines
        exec(_code("\n".join(gen.lines), f"<steps of {name}>"), space)
        for k, node in enumerate(gen.places):
            self.steps[node] = space[f"at_{k}"]
        return space["body"]  # type: ignore[no-any-return]

    def _generic_body(self, name: str, args: tuple) -> list:
        return self.machine._moves(*self.machine._unfold(name, args))

    def name(self, value: Any, hint: str) -> str:
        """A global of the generated code holding ``value``."""
        key = f"{hint}{len(self._names)}"
        self._names[key] = value
        return key


@functools.lru_cache(maxsize=512)
def _code(source: str, filename: str) -> CodeType:
    """``source`` compiled, once per text: every leaf of one definition (``Phil(i)``
    for each ``i``, in each process checked) has a machine of its own that writes the
    same text (its values are the globals it runs with, not in the text), and
    compiling is most of a small check's set-up (~2 ms a definition; 20 of them for
    the five philosophers' two processes)."""
    return compile(source, filename, "exec")
