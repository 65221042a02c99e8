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
the term rules). Compiling is linear in the bodies' size, once per machine;
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

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from procalg.errors import ProcalgError
from procalg.lts import TICK
from procalg.semantics.closures import compile_node
from procalg.semantics.locations import (
    AT_CALL,
    AT_EXTERNAL,
    AT_GUARD,
    AT_IF,
    AT_PREFIX,
    AT_SKIP,
    AT_STOP,
    Location,
)
from procalg.semantics.patterns import constant
from procalg.semantics.state_keys import SKIP_KEY, STOP_KEY
from procalg.semantics.state_unfold import plain_clause
from procalg.semantics.values import expect_bool
from procalg.syntax import ast
from procalg.terms import Call

if TYPE_CHECKING:
    from procalg.semantics.linear import Machine

Step = Callable[[Any], list]
_INLINE = {"+": "+", "-": "-", "*": "*", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
           "==": "==", "!=": "!="}
_DIVIDE = {"%": "%", "/": "//"}  # CSPM's / and % round towards minus infinity, as // and %
_STEPPED = (AT_PREFIX, AT_GUARD, AT_IF, AT_EXTERNAL, AT_CALL, AT_STOP, AT_SKIP)


class Steps:
    """The generated next-state functions of one machine, made once, by need.

    ``step(node)`` is the function of a state's location ``node`` (its
    argument the state's environment, as :attr:`Machine.where` holds it), or
    None where the machine's own rules run. :attr:`bodies` holds the
    compiled definitions (name -> function of the argument tuple).
    """

    def __init__(self, machine: Machine) -> None:
        from procalg.semantics.linear import CALL_START

        self.machine = machine
        self._exprs: dict[int, Any] = {}
        self.bodies: dict[str, Step | None] = {}
        self.steps: dict[Location, Step | None] = {CALL_START: self._start}
        self._names: dict[str, Any] = {}  # what the generated code reads, by its name there
        self._open: set[str] = set()  # definitions being compiled (a cycle: left alone)

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
        if found is self:
            found = self.steps[node] = self._call(node) if node.kind == AT_CALL else None
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
        name, args = (env.name, env.args) if type(env) is Call else env[-2:]
        body = self.bodies[name] if name in self.bodies else self.body(name)
        return body(args) if body is not None else self.machine._moves(_start_node(), env)

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
        if plain is None or body.kind not in _STEPPED:
            return None
        if params is not None:  # as the machine's first unfolding records it
            m._plain.setdefault(name, plain)
        names = plain[1]
        local = {p: f"v{i}" for i, p in enumerate(names)}
        gen = _Writer(self, local)
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
        for node in gen.places:  # a state located in the body: from its environment
            gen.line(f"def at_{id(node)}(env):")
            gen.depth += 1
            for p, v in local.items():
                gen.line(f"{v} = env[{p!r}]")
            gen.line("out = []")
            gen.moves(node)
            gen.line("return out")
            gen.depth = 0
        space = {**self._names, "BODY": name, "GENERIC": self._generic_body}
        exec(compile("\n".join(gen.lines), f"<steps of {name}>", "exec"), space)
        for node in gen.places:
            self.steps[node] = space[f"at_{id(node)}"]
        return space["body"]  # type: ignore[no-any-return]

    def _generic_body(self, name: str, args: tuple) -> list:
        return self.machine._moves(*self.machine._unfold(name, args))

    def name(self, value: Any, hint: str) -> str:
        """A global of the generated code holding ``value``."""
        key = f"{hint}{len(self._names)}"
        self._names[key] = value
        return key


class _Writer:
    """Python source for one definition's moves, line by line."""

    def __init__(self, steps: Steps, local: dict[str, str]) -> None:
        self.steps, self.local = steps, local
        self.machine = steps.machine
        self.lines: list[str] = []
        self.depth = 0
        self.temps = 0
        self.places: list[Location] = []  # nodes that locate states: at_<id> functions

    def line(self, text: str) -> None:
        self.lines.append("    " * self.depth + text)

    def temp(self) -> str:
        self.temps += 1
        return f"t{self.temps}"

    def value(self, name: str, hint: str) -> str:
        return self.steps.name(name, hint)

    # ------------------------------------------------------------ expressions

    def expr(self, expr: ast.Node) -> str:
        """An expression's value in a new local (the closure's value, or its error)."""
        out = self.temp()
        if type(expr) in (ast.Int, ast.Bool):
            self.line(f"{out} = {expr.value!r}")  # type: ignore[attr-defined]
        elif type(expr) is ast.Name and expr.id in self.local:
            self.line(f"{out} = {self.local[expr.id]}")
        elif type(expr) is ast.Name and type(known := self._global(expr)) in (int, bool):
            self.line(f"{out} = {known!r}")
        elif type(expr) is ast.Binary and (expr.op in _INLINE or expr.op in _DIVIDE):
            a, b = self.expr(expr.left), self.expr(expr.right)
            nonzero = f" and {b}" if expr.op in _DIVIDE else ""
            op = _INLINE.get(expr.op) or _DIVIDE[expr.op]
            self.line(f"if type({a}) is int and type({b}) is int{nonzero}: {out} = {a} {op} {b}")
            self.line(f"else: {out} = {self._closure(expr)}(env)")
        else:
            self.line(f"{out} = {self._closure(expr)}(env)")
        return out

    def _global(self, expr: ast.Name) -> Any:
        """A global name's value (its closure's: globals never change), or None if
        evaluating it raises: its closure then runs, and raises, where it is read."""
        try:
            return compile_node(self.machine.ev, expr)({})
        except ProcalgError:
            return None

    def _closure(self, expr: ast.Node) -> str:
        return self.value(compile_node(self.machine.ev, expr), "C")  # type: ignore[arg-type]

    def test(self, node: Location) -> str:
        """A guard's or ``if``'s condition, checked boolean as ``_branch`` checks it."""
        cond = self.steps.exprs[id(node)].cond  # type: ignore[attr-defined]
        t = self.expr(cond)
        what = "a guard must be a boolean" if node.kind == AT_GUARD else "'if' needs a boolean"
        check = self.value(expect_bool, "B")
        self.line(f"if type({t}) is not bool: {check}({t}, {self.value(node.parts[1], 'S')},"
                  f" {what!r})")
        return t

    # ------------------------------------------------------------------ moves

    def moves(self, node: Location) -> None:
        """Append ``node``'s moves to ``out`` (``Machine._moves``, in its order)."""
        kind = node.kind
        if kind == AT_PREFIX:
            self.prefix(node)
        elif kind == AT_GUARD:
            t = self.test(node)
            self.line(f"if {t}:")
            self.nested(node.parts[2])
        elif kind == AT_IF:
            t = self.test(node)
            self.line(f"if {t}:")
            self.nested(node.parts[2])
            self.line("else:")
            self.nested(node.parts[3])
        elif kind == AT_EXTERNAL:
            self.moves(node.parts[0])
            self.moves(node.parts[1])
        elif kind == AT_SKIP:
            omega = self.value(self.machine._end, "O")
            self.line(f"out.append(({TICK!r}, {omega}('Ω')))")
        elif kind == AT_CALL and id(node) in self.steps.exprs:
            name = node.parts[0]
            args = self.arguments(node)
            body = self.steps.body(name)
            call = self.value(body if body is not None else self.steps._generic_body, "F")
            self.line(f"out += {call}({args})" if body is not None else
                      f"out += {call}({name!r}, {args})")
        elif kind != AT_STOP:  # any other node: the machine's own rules
            self.line(f"out += {self.value(self.machine._moves, 'G')}"
                      f"({self.value(node, 'L')}, env)")

    def nested(self, node: Location) -> None:
        self.depth += 1
        before = len(self.lines)
        self.moves(node)
        if len(self.lines) == before:
            self.line("pass")
        self.depth -= 1

    def arguments(self, node: Location) -> str:
        """A call's argument tuple, every argument evaluated in order (``_arguments``)."""
        call = self.steps.exprs[id(node)]
        args = [self.expr(a) for a in call.args] if type(call) is ast.Apply else []
        return f"({', '.join(args)}{',' if len(args) == 1 else ''})"

    def event(self, node: Location) -> tuple[str, str]:
        """The event of a prefix and its printed label: looked up by the field values
        when each is an int (evaluated in order, as ``linear_events._direct`` does),
        else (and on first sight) by the prefix's own event closure."""
        fields = _fields(self.machine, self.steps.exprs.get(id(node)), self.local)
        self._channel = _channel_of(self.steps.exprs.get(id(node)))
        e, name, hit = self.temp(), self.temp(), self.temp()
        miss = self.value(self._miss(node.parts[0]), "M")
        if fields is None:
            self.line(f"{e}, {name} = {miss}(env, None)")
            return e, name
        if not fields:  # a bare channel: one event
            event = node.parts[0]({})
            self.line(f"{e}, {name} = {self.value((event, self.machine._name(event)), 'K')}")
            return e, name
        table, values = self.value({}, "T"), []
        self.line(f"{hit} = None")
        for field in fields:  # the first value that is no int: the closure's way
            values.append(self.expr(field))
            self.line(f"if type({values[-1]}) is int:")
            self.depth += 1
        key = values[0] if len(values) == 1 else f"({', '.join(values)})"
        fields_of = f"({values[0]},)" if len(values) == 1 else key
        self.line(f"{hit} = {table}.get({key})")
        self.line(f"if {hit} is None: {hit} = {self.value(self._made(fields), 'D')}"
                  f"({fields_of}, {key}, {table})")
        self.depth -= len(values)
        self.line(f"if {hit} is None: {hit} = {miss}(env, None)")
        self.line(f"{e}, {name} = {hit}")
        return e, name

    def _made(self, fields: tuple[ast.Node, ...]) -> Callable:
        """The event of int field values as ``linear_events._direct`` makes it (each
        value of its field's type: the interned event), and its label, kept in
        ``table`` under ``key``; None when a value is outside its type (the closure
        then says so)."""
        m = self.machine
        channel = self._channel
        types, intern, names, events = (m.ev.types.channels[channel], m.ev.types.event,
                                        m.names, m.events)
        plain = m._name == _printing(m)  # labels are printed names (not events_as_labels)

        def made(values: tuple, key: Any, table: dict) -> tuple[Any, Any] | None:
            if len(values) == 1:
                if values[0] not in types[0]:
                    return None
            elif not all(v in allowed for v, allowed in zip(values, types, strict=True)):
                return None
            event = intern(channel, values)
            label = names.get(event) if plain else None
            if label is None:
                if plain:  # Machine._name, inlined
                    label = names[event] = str(event)
                    events[label] = event
                else:
                    label = m._name(event)
            found = table[key] = (event, label)
            return found

        return made

    def _miss(self, closure: Callable) -> Callable:
        """The event by its closure (its checks, its errors), kept per int fields."""
        label = self.machine._name

        def miss(env: Any, key: Any, table: dict | None = None) -> tuple[Any, Any]:
            event = closure(env)
            found = (event, label(event))
            if key is not None and table is not None:
                table[key] = found
            return found

        return miss

    def prefix(self, node: Location) -> None:
        e, name = self.event(node)
        target = self.state(node.parts[1])
        self.line(f"out.append(({name}, {target}))")
        del e

    # ---------------------------------------------------------------- targets

    def state(self, then: Location) -> str:
        """The number of ``then``'s state in ``env`` (``StateKeys._state``)."""
        m, out = self.machine, self.temp()
        kind = then.kind
        if kind == AT_CALL and id(then) in self.steps.exprs:
            key = self.call_key(then, passive=False)
            if key is not None:
                where = f"({self.value(_start_node(), 'W')}, ({then.parts[0]!r}, {key[1]}))"
                self.intern(out, key[0], where)
                return out
        elif kind == AT_PREFIX and then.parts[1].kind in (AT_CALL, AT_STOP, AT_SKIP) \
                and id(then) in self.steps.exprs:
            inner = self.passive(then.parts[1])
            if inner is not None:
                e, _ = self.event(then)
                if then not in self.places:
                    self.places.append(then)
                key = self.temp()
                self.line(f"{key} = ('→', {e}, {inner})")
                self.intern(out, key, f"({self.value(then, 'L')}, env)")
                return out
        elif kind in (AT_STOP, AT_SKIP):
            key = self.value(STOP_KEY if kind == AT_STOP else SKIP_KEY, "K")
            self.intern(out, key, f"({self.value(then, 'L')}, env)")
            return out
        if kind in _STEPPED and kind != AT_CALL and then not in self.places:
            self.places.append(then)
        self.line(f"{out} = {self.value(m._state, 'G')}({self.value(then, 'L')}, env)")
        return out

    def intern(self, out: str, key: str, where: str) -> None:
        """``out = StateKeys._intern(key, where)``, inlined: a call per state."""
        m = self.machine
        ids, keys = self.value(m.ids, "I"), self.value(m.keys, "KEYS")
        wheres, moves = self.value(m.where, "WHERE"), self.value(m.moves, "MOVES")
        self.line(f"{out} = {ids}.get({key})")
        self.line(f"if {out} is None:")
        self.line(f"    {out} = {ids}[{key}] = len({keys})")
        self.line(f"    {keys}.append({key}); {wheres}.append({where}); {moves}.append(None)")

    def call_key(self, node: Location, passive: bool) -> tuple[str, str] | None:
        """A call's key as ``_state`` makes it when its form is known now (a call by its
        name and live arguments: ``_always_folded``), with its argument tuple's local."""
        m, name = self.machine, node.parts[0]
        if not m.all_args and not m._always_folded(name, passive):
            return None
        args = self.temp()
        self.line(f"{args} = {self.arguments(node)}")
        live = m.compiler.live.get(name)
        if m.all_args or live is None:
            kept = args
        else:
            kept = "(" + "".join(f"{args}[{i}], " for i in live) + ")"
        key = self.temp()
        self.line(f"{key} = ('call', {name!r}, {kept})")
        return key, args

    def passive(self, node: Location) -> str | None:
        """The passive key of a prefix's continuation (a call, ``STOP``, ``SKIP``)."""
        if node.kind == AT_STOP:
            return self.value(STOP_KEY, "K")
        if node.kind == AT_SKIP:
            return self.value(SKIP_KEY, "K")
        if id(node) not in self.steps.exprs:
            return None
        found = self.call_key(node, passive=True)
        return None if found is None else found[0]


def _start_node() -> Location:
    from procalg.semantics.linear import CALL_START

    return CALL_START


def _channel_of(expr: Any) -> str | None:
    """The channel a prefix names (``c`` of ``c.e1!e2``), if it is a plain name."""
    if type(expr) is not ast.PrefixExpr:
        return None
    head = expr.head.parts[0] if type(expr.head) is ast.Dot else expr.head
    return head.id if type(head) is ast.Name else None


def _printing(machine: Machine) -> Any:
    """The machine class's own label printer, bound to ``machine``."""
    return type(machine)._name.__get__(machine)


def _fields(machine: Machine, expr: Any, local: dict[str, str]
            ) -> tuple[ast.Node, ...] | None:
    """The field expressions of ``c.e1!e2`` when its event closure is the one made
    straight from them (``linear_events._direct``: a channel, not a parameter, with
    as many fields), else None (the closure alone)."""
    if type(expr) is not ast.PrefixExpr:
        return None
    parts = expr.head.parts if type(expr.head) is ast.Dot else (expr.head,)
    channel = parts[0]
    if type(channel) is not ast.Name or channel.id in local:
        return None
    types = machine.ev.types.channels.get(channel.id)
    exprs = (*parts[1:], *(f.value for f in expr.fields))
    if types is None or len(exprs) != len(types):
        return None
    return exprs
