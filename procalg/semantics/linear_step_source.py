"""The Python source of :mod:`procalg.semantics.linear_step`'s functions, line by line.

:class:`Writer` turns one compiled definition body (its locations, and the
syntax each was compiled from) into the text of a function of its
parameters: expressions of ints inline (a value that is no int goes to the
expression's closure, which gives its value or its error), each prefix's
event and label looked up by its field values, each target's key built as
:mod:`procalg.semantics.state_keys` builds it where its form is known when
compiling, and every other node left to the machine's own rules. What the
text reads (closures, tables, the machine's lists) it names as globals of
the generated code (:meth:`~procalg.semantics.linear_step.Steps.name`).
Linear in the body's size.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel c : {0..2}\\nP(n) = c!((n + 1) % 3) -> P(n)")
    >>> machine = Machine(model.spec.evaluator, model.process("P(0)"))
    >>> _ = machine.successors(0)
    >>> [line.strip() for line in machine.steps.sources["P"] if "% t" in line][0]
    'if type(t5) is int and type(t8) is int and t8: t4 = t5 % t8'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from procalg.errors import ProcalgError
from procalg.lts import TICK
from procalg.semantics.closures import compile_node
from procalg.semantics.linear_step_keys import KeyWriter
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
from procalg.semantics.state_keys import SKIP_KEY, STOP_KEY
from procalg.semantics.values import expect_bool
from procalg.syntax import ast

if TYPE_CHECKING:
    from procalg.semantics.linear import Machine
    from procalg.semantics.linear_step import Steps

_INLINE = {"+": "+", "-": "-", "*": "*", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
           "==": "==", "!=": "!="}
_DIVIDE = {"%": "%", "/": "//"}  # CSPM's / and % round towards minus infinity, as // and %
STEPPED = (AT_PREFIX, AT_GUARD, AT_IF, AT_EXTERNAL, AT_CALL, AT_STOP, AT_SKIP)
"""The location kinds a generated function steps itself (others: the machine's rules)."""


class Writer:
    """Python source for one definition's moves, line by line."""

    def __init__(self, steps: Steps, local: dict[str, str]) -> None:
        self.steps, self.local = steps, local
        self.machine = steps.machine
        self.lines: list[str] = []
        self.depth = 0
        self.temps = 0
        self.places: list[Location] = []  # nodes that locate states: at_<id> functions
        self.placed: set[Location] = set()  # the same, to test in O(1) (a list: O(n^2) a chain)
        self.keys = KeyWriter(self)  # body-keyed calls' keys: key_<k> functions

    def line(self, text: str) -> None:
        self.lines.append("    " * self.depth + text)

    def place(self, node: Location) -> None:
        """Give ``node`` an ``at_`` function (once: locations compare by identity)."""
        if node not in self.placed:
            self.placed.add(node)
            self.places.append(node)

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
                where = f"({self.value(start_node(), 'W')}, ({then.parts[0]!r}, {key[1]}))"
                self.intern(out, key[0], where)
                return out
            if self.keys.call(then) is not None:
                return self.keyed(out, then)
        elif kind == AT_PREFIX and then.parts[1].kind in (AT_CALL, AT_STOP, AT_SKIP) \
                and id(then) in self.steps.exprs and (then.parts[1].kind != AT_CALL
                                                      or id(then.parts[1]) in self.steps.exprs):
            e, _ = self.event(then)  # before the call's arguments: the error _key raises first
            inner = self.passive(then.parts[1])
            if inner is not None:
                self.place(then)
                key = self.temp()
                self.line(f"{key} = ('→', {e}, {inner})")
                self.intern(out, key, f"({self.value(then, 'L')}, env)")
                return out
        elif kind in (AT_STOP, AT_SKIP):
            key = self.value(STOP_KEY if kind == AT_STOP else SKIP_KEY, "K")
            self.intern(out, key, f"({self.value(then, 'L')}, env)")
            return out
        if kind in STEPPED and kind != AT_CALL:
            self.place(then)
        target = m._prefix_target  # a call's error unfolding it: a failed target
        self.line(f"{out} = {self.value(target, 'G')}({self.value(then, 'L')}, env)")
        return out

    def keyed(self, out: str, then: Location) -> str:
        """A body-keyed call's state by its generated key function (``linear_step_keys``);
        where that says None, or the arguments raise, by the machine's rules."""
        m, args, key = self.machine, self.temp(), self.temp()
        self.line("try:")
        self.depth += 1
        self.line(f"{args} = {self.arguments(then)}")
        self.depth -= 1
        self.line(f"except {self.value(ProcalgError, 'E')}: {args} = None")
        inside = self.value(m._inside, "INSIDE")  # keying an operator: the rules' _inside
        self.line(f"{key} = {self.keys.call(then)}({args}) if {args} is not None"
                  f" and not {inside} else None")
        where = f"({self.value(then, 'L')}, env)"
        self.line(f"if {key} is None: {out} = {self.value(m._prefix_target, 'G')}{where}")
        self.line("else:")
        self.depth += 1
        self.intern(out, key, where)
        self.depth -= 1
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
        name and live arguments: ``_always_folded``; a continuation's by all of them),
        with its argument tuple's local."""
        m, name = self.machine, node.parts[0]
        if not m.all_args and not m._always_folded(name, passive):
            return None
        args = self.temp()
        self.line(f"{args} = {self.arguments(node)}")
        live = m.compiler.live.get(name)
        if m.all_args or passive or live is None:
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


def start_node() -> Location:
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
