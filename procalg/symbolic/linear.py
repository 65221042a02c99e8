"""Sequential components as linear processes: control locations and summands over z3.

A sequential component (``Account(0)`` with ``Account(b) = deposit?x:Int ->
Account(b + x) [] ...``) becomes the shape of mCRL2's linear process
equations (Groote, Ponse & Usenko, "Linearization in muCRL", CONCUR 2001):
a program counter over *locations* (the process expressions a prefix or an
internal choice leads to), one variable per parameter or input name (a
*slot*), and one *summand* per (location, action): a guard over the slots
and the step's inputs, the event with its field terms, the new slot values
and the next location. Calls are unfolded into the summands of the callee
(the recursion must be guarded by a prefix); ``SKIP`` is a ``✓`` summand to
the terminated location Ω.

Example:
    >>> from procalg.api.model import loads
    >>> spec = loads("channel c : Int\\nP(n) = c!n -> P(n + 1)").spec
    >>> comp = translate_component(spec, _expr("P(0)"), 0, Codes())
    >>> [(s.channel, str(s.fields[0]), s.effect) for s in comp.summands]
    [('c', 'n@0', (('n', n@0 + 1),))]
    >>> comp.init
    {'n': 0}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import z3

from procalg.errors import ProcalgError
from procalg.semantics.channels import Integers
from procalg.symbolic.fragment import Codes, Env, OutsideFragment, data, event_head
from procalg.syntax import ast

TAU = "τ"
TICK = "✓"
_STOP = ast.StopLit()
UNFOLD_LIMIT = 64
"""Calls unfolded without a prefix in between before recursion counts as unguarded."""


@dataclass(frozen=True)
class Summand:
    """One action of a component from one location (see the module docstring)."""

    component: int
    location: int
    guard: z3.BoolRef
    channel: str
    fields: tuple[z3.ExprRef, ...]
    inputs: tuple[z3.ExprRef, ...]
    effect: tuple[tuple[str, z3.ExprRef], ...]
    target: int


@dataclass
class Component:
    """A sequential component: its locations, slots and summands.

    Attributes:
        index: position in the network (slot variables are named ``name@index``).
        name: the process expression as written (for messages).
        pc: the program counter variable.
        slots: slot name -> its variable.
        init: slot name -> initial value (slots not given start at 0 / false).
        locations: the expression of each location (``None`` for Ω).
        start: the initial location.
        scopes: the names in scope at each location (the others are dead there).
        params: the names that are parameters of the component's equations.
    """

    index: int
    name: str
    pc: z3.ArithRef
    slots: dict[str, z3.ExprRef] = field(default_factory=dict)
    init: dict[str, Any] = field(default_factory=dict)
    locations: list[ast.Node | None] = field(default_factory=list)
    summands: list[Summand] = field(default_factory=list)
    params: set[str] = field(default_factory=set)
    omega: int = -1
    start: int = 0
    scopes: list[tuple[str, ...]] = field(default_factory=list)


class _Builder:
    """Discovers a component's locations breadth-first and collects their summands."""

    def __init__(self, spec: Any, comp: Component, codes: Codes) -> None:
        self.spec, self.comp, self.codes = spec, comp, codes
        self.keys: dict[tuple[int, tuple[str, ...]], int] = {}
        self.merged: dict[tuple[int, ...], ast.Node] = {}  # see kept()
        self.todo: list[tuple[int, ast.Node, tuple[str, ...]]] = []
        self.inputs = 0
        self.channels = {n: len(spec.types.channels[n]) for n in spec.channel_decls}

    def globals_(self, node: ast.Node) -> Any:
        try:
            return self.spec.value(node)
        except ProcalgError:
            return None

    def location(self, node: ast.Node | None, names: tuple[str, ...]) -> int:
        key = (id(node), names)
        found = self.keys.get(key)
        if found is None:
            found = self.keys[key] = len(self.comp.locations)
            self.comp.locations.append(node)
            self.comp.scopes.append(names)
            if node is not None:
                self.todo.append((found, node, names))
        return found

    def slot(self, name: str, like: z3.ExprRef) -> z3.ExprRef:
        var = self.comp.slots.get(name)
        if var is None:
            var = self.comp.slots[name] = z3.Const(f"{name}@{self.comp.index}", like.sort())
        elif var.sort() != like.sort():
            raise OutsideFragment(f"'{name}' is both an integer and a boolean in "
                                  f"{self.comp.name}: the symbolic engine needs one type per name")
        return var

    def run(self) -> None:
        while self.todo:
            loc, node, names = self.todo.pop()
            env = {n: self.comp.slots[n] for n in names}
            self.summands(node, env, self.comp.pc == loc, loc, 0)

    # ------------------------------------------------------------ summands

    def summands(self, node: ast.Node, env: Env, guard: z3.BoolRef, loc: int,
                 depth: int, others: tuple[tuple[ast.Node, Env], ...] = ()) -> None:
        """The moves of ``node`` at ``loc``; ``others`` are the alternatives of the
        external choices around it, which a τ inside ``node`` must keep (CSP's
        rule ``P [] Q --τ--> P' [] Q``)."""
        match node:
            case ast.StopLit():
                return
            case ast.SkipLit():
                self.emit(loc, guard, TICK, (), (), {}, None)
            case ast.PrefixExpr():
                self.prefix(node, env, guard, loc)
            case ast.Guard(cond, process):
                self.summands(process, env, z3.And(guard, self.data(cond, env)), loc, depth,
                              others)
            case ast.If(cond, then, orelse):
                c = self.data(cond, env)
                self.summands(then, env, z3.And(guard, c), loc, depth, others)
                self.summands(orelse, env, z3.And(guard, z3.Not(c)), loc, depth, others)
            case ast.ProcBinary("[]", left, right):
                self.summands(left, env, guard, loc, depth, (*others, (right, env)))
                self.summands(right, env, guard, loc, depth, (*others, (left, env)))
            case ast.ProcBinary("|~|", left, right):
                for side in (left, right):  # internal choice: a τ to each side
                    self.emit(loc, guard, TAU, (), (), env, self.kept(node, side, env, others))
            case ast.Name(name) if name in self.spec.definitions:
                self.call(node, name, (), env, guard, loc, depth, others)
            case ast.Apply(ast.Name(name), args) if name in self.spec.definitions:
                self.call(node, name, args, env, guard, loc, depth, others)
            case _:
                raise OutsideFragment(
                    f"the symbolic engine takes sequential equations with prefixes, guards, "
                    f"if, [] and |~| in the components; this {_kind(node)} is outside it",
                    node.span)

    def kept(self, node: ast.Node, side: ast.Node, env: Env,
             others: tuple[tuple[ast.Node, Env], ...]) -> ast.Node:
        """``side [] others``: where a τ of an internal choice inside external
        choices leads (one node per combination, so its location is reused)."""
        if not others:
            return side
        if any(scope is not env for _, scope in others):
            raise OutsideFragment("an internal choice reached through a call inside an "
                                  "external choice is outside the symbolic engine's fragment",
                                  node.span)
        key = (id(side), *(id(o) for o, _ in others))
        merged = self.merged.get(key)
        if merged is None:
            merged = side
            for other, _ in others:
                merged = ast.ProcBinary("[]", merged, other, span=node.span)
            self.merged[key] = merged
        return merged

    def data(self, node: ast.Node, env: Env) -> z3.ExprRef:
        return data(node, env, self.codes, self.globals_)

    def call(self, node: ast.Node, name: str, args: tuple, env: Env, guard: z3.BoolRef,
             loc: int, depth: int, others: tuple[tuple[ast.Node, Env], ...] = ()) -> None:
        if depth > UNFOLD_LIMIT:
            raise OutsideFragment(f"'{name}' calls itself without a prefix in between "
                                  "(unguarded recursion)", node.span)
        values = [self.data(a, env) for a in args]
        taken: list[z3.BoolRef] = []
        for clause in self.spec.definitions[name]:
            inner, here = self.bind(node, name, clause, values)
            self.summands(clause.body, inner, z3.And(guard, here, *(z3.Not(t) for t in taken)),
                          loc, depth + 1, others)
            taken.append(here)

    def prefix(self, node: ast.PrefixExpr, env: Env, guard: z3.BoolRef, loc: int) -> None:
        channel, fields = event_head(node.head, env, self.codes, self.globals_, self.channels)
        types = self.spec.types.channels[channel]
        fields, inputs, scope, conds = list(fields), [], dict(env), []
        for item in node.fields:
            if len(fields) >= len(types):
                raise OutsideFragment(f"too many fields for channel {channel}", item.span)
            if type(item) is ast.OutField:
                fields.append(self.data(item.value, scope))
                continue
            var, cond = self.input_var(types[len(fields)], item, scope)
            if type(item.pattern) is ast.PVar:
                scope[item.pattern.name] = var
            elif type(item.pattern) is not ast.PWild:
                raise OutsideFragment("the symbolic engine takes inputs into a name (c?x)",
                                      item.pattern.span)
            fields.append(var)
            inputs.append(var)
            conds.append(cond)
        if len(fields) != len(types):
            raise OutsideFragment(f"event {channel} lacks fields: give one per field",
                                  node.span)
        self.emit(loc, z3.And(guard, *conds), channel, tuple(fields), tuple(inputs), scope,
                  node.then)

    def input_var(self, type_: frozenset, item: ast.InField, env: Env) -> tuple:
        number = self.inputs
        self.inputs += 1
        is_bool = type(type_) is not Integers and type_ and all(type(v) is bool for v in type_)
        var = z3.Const(f"in{number}@{self.comp.index}",
                       z3.BoolSort() if is_bool else z3.IntSort())
        conds = [] if type(type_) is Integers or is_bool else [_within(var, type_, self.codes)]
        restrict = item.restrict
        if type(restrict) is ast.SetRange:
            conds += [self.data(restrict.low, env) <= var, var <= self.data(restrict.high, env)]
        elif restrict is not None and not (type(restrict) is ast.Name and restrict.id == "Int"):
            allowed = self.globals_(restrict)
            if not isinstance(allowed, frozenset):
                raise OutsideFragment("the symbolic engine restricts inputs by a range "
                                      "{lo..hi}, Int or a constant set", restrict.span)
            if type(allowed) is not Integers:
                conds.append(_within(var, allowed, self.codes))
        return var, z3.And(*conds) if conds else z3.BoolVal(True)

    def emit(self, loc: int, guard: z3.BoolRef, channel: str, fields: tuple, inputs: tuple,
             scope: Env, then: ast.Node | None) -> None:
        for cond, node, inner in self.entered(then, scope, 0):
            names = tuple(sorted(inner))
            effect = tuple((n, inner[n]) for n in names
                           if not inner[n].eq(self.slot(n, inner[n])))
            target = self.comp.omega if node is None else self.location(node, names)
            full = z3.simplify(z3.And(guard, cond))
            if not z3.is_false(full):
                self.comp.summands.append(Summand(self.comp.index, loc, full, channel, fields,
                                                  inputs, effect, target))

    def entered(self, node: ast.Node | None, scope: Env, depth: int) -> list[tuple]:
        """Where a step leads: ``(condition, location expression, new scope)`` cases.

        Data decides at once what a continuation is: ``if``, a guard and a call
        (its clause chosen by its patterns) are resolved on this step, so a
        parameter's slot always holds the value the process has now (what
        ``:[invariant]:`` reads) and locations are only prefixes and choices.
        """
        true = z3.BoolVal(True)
        if depth > UNFOLD_LIMIT:
            raise OutsideFragment("calls without a prefix in between (unguarded recursion)",
                                  getattr(node, "span", None))
        match node:
            case ast.If(cond, then, orelse):
                c = self.data(cond, scope)
                return [(z3.And(c, g), n, s) for g, n, s in self.entered(then, scope, depth + 1)] \
                    + [(z3.And(z3.Not(c), g), n, s)
                       for g, n, s in self.entered(orelse, scope, depth + 1)]
            case ast.Guard(cond, process):
                c = self.data(cond, scope)
                return [(z3.And(c, g), n, s)
                        for g, n, s in self.entered(process, scope, depth + 1)] \
                    + [(z3.Not(c), _STOP, {})]
            case ast.Name(name) if name in self.spec.definitions:
                return self.clauses(node, name, (), scope, depth)
            case ast.Apply(ast.Name(name), args) if name in self.spec.definitions:
                return self.clauses(node, name, args, scope, depth)
        return [(true, node, scope)]

    def clauses(self, node: ast.Node, name: str, args: tuple, scope: Env,
                depth: int) -> list[tuple]:
        values = [self.data(a, scope) for a in args]
        out, taken = [], []
        for clause in self.spec.definitions[name]:
            inner, here = self.bind(node, name, clause, values)
            first = z3.And(here, *(z3.Not(t) for t in taken))
            out += [(z3.And(first, g), n, s)
                    for g, n, s in self.entered(clause.body, inner, depth + 1)]
            taken.append(here)
        return out

    def bind(self, node: ast.Node, name: str, clause: ast.Definition,
             values: list) -> tuple[Env, z3.BoolRef]:
        """A clause's parameters bound to ``values``, and when its patterns match."""
        params = clause.params or ()
        if len(params) != len(values):
            raise OutsideFragment(f"'{name}' takes {len(params)} argument(s)", node.span)
        inner, match = {}, []
        for pattern, value in zip(params, values, strict=True):
            match pattern:
                case ast.PVar(var):
                    inner[var] = value
                    self.comp.params.add(var)
                case ast.PWild():
                    pass
                case ast.PLit(lit):
                    match.append(value == self.data(lit, {}))
                case _:
                    raise OutsideFragment("the symbolic engine matches parameters "
                                          "against names and literals only", pattern.span)
        return inner, z3.And(*match) if match else z3.BoolVal(True)


def _within(var: z3.ExprRef, values: frozenset, codes: Codes) -> z3.BoolRef:
    ints = sorted(v for v in values if type(v) is int)
    if ints and len(ints) == len(values) and ints == list(range(ints[0], ints[-1] + 1)):
        return z3.And(ints[0] <= var, var <= ints[-1])
    return z3.Or(*(var == codes.encode(v) for v in values)) if values else z3.BoolVal(False)


def _kind(node: ast.Node) -> str:
    return {"ProcBinary": f"'{getattr(node, 'op', '')}'"}.get(type(node).__name__,
                                                              type(node).__name__)


def translate_component(spec: Any, node: ast.Node, index: int, codes: Codes) -> Component:
    """The linear process of sequential component ``node`` (an expression of ``spec``).

    A call with constant arguments (``Account(0)``) starts in its body with the
    parameters set; anything else starts at ``node`` itself.

    Raises:
        OutsideFragment: the component uses a construct outside the fragment.
    """
    from procalg.syntax.pretty import pretty

    comp = Component(index, pretty(node), z3.Int(f"pc@{index}"))
    build = _Builder(spec, comp, codes)
    comp.omega = build.location(None, ())
    start, names = node, ()
    if type(node) in (ast.Apply, ast.Name):
        func = node.func if type(node) is ast.Apply else node
        args = node.args if type(node) is ast.Apply else ()
        clauses = spec.definitions.get(getattr(func, "id", None), ())
        if len(clauses) == 1 and all(type(p) is ast.PVar for p in clauses[0].params or ()):
            values = [build.globals_(a) for a in args]
            if all(v is not None for v in values):
                start = clauses[0].body
                for pattern, value in zip(clauses[0].params or (), values, strict=True):
                    comp.init[pattern.name] = value
                    comp.params.add(pattern.name)
                    build.slot(pattern.name, codes.encode(value))
                names = tuple(sorted(comp.init))
    comp.start = build.location(start, names)
    build.run()
    return comp


def _expr(text: str) -> ast.Node:
    from procalg.syntax import parse_expr

    return parse_expr(text)
