"""Guard analysis: what z3 can say about a model's guards without exploring it.

For every guard (``b & P``), conditional (``if``), external choice of
guarded branches and definition by patterns, each in the context of the
guards and input ranges around it (the *path condition*), with the
parameters as unknown integers:

- a **dead branch**: its condition can never hold there;
- a **hidden STOP**: parameter values for which no branch of a guarded
  choice is enabled, or no clause of a definition matches;
- **overlapping guards**: two branches of an external choice on the same
  channel whose guards can hold together (a nondeterministic choice the
  guards were probably meant to rule out).

Each finding has the source position, a witness (values that show it) and
a one-line reason. A condition z3 cannot translate is skipped, never
guessed about.

Example:
    >>> from procalg.api.model import loads
    >>> spec = loads('''channel c : {0..3}
    ... channel big
    ... P = c?x -> (x > 5 & big -> P)''').spec
    >>> [(f.kind, f.witness) for f in lint(spec)]
    [('dead', {})]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import z3

from procalg.errors import ProcalgError
from procalg.semantics.channels import Integers
from procalg.source import Span
from procalg.symbolic.fragment import Codes, Env, OutsideFragment, data
from procalg.syntax import ast, pretty

TIMEOUT_MS = 2000


@dataclass(frozen=True)
class Finding:
    """One guard-analysis finding.

    Attributes:
        kind: ``"dead"``, ``"stop"`` or ``"overlap"``.
        span: where in the model.
        message: the one-line reason.
        witness: the values that show it (parameter or input name -> value).
    """

    kind: str
    span: Span | None
    message: str
    witness: dict[str, Any] = field(default_factory=dict)


class _Linter:
    def __init__(self, spec: Any) -> None:
        self.spec = spec
        self.codes = Codes()
        self.findings: list[Finding] = []
        self.channels = {n: spec.types.channels[n] for n in spec.channel_decls}

    def globals_(self, node: ast.Node) -> Any:
        try:
            return self.spec.value(node)
        except ProcalgError:
            return None

    def cond(self, node: ast.Node, env: Env) -> z3.BoolRef | None:
        try:
            value = data(node, env, self.codes, self.globals_)
        except (OutsideFragment, z3.Z3Exception):
            return None
        return value if z3.is_bool(value) else None

    def check(self, *formulas: z3.BoolRef) -> z3.ModelRef | bool | None:
        """A model if satisfiable, ``False`` if not, ``None`` if unknown."""
        solver = z3.Solver()
        solver.set(timeout=TIMEOUT_MS)
        solver.add(*formulas)
        result = solver.check()
        if result == z3.sat:
            return solver.model()
        return False if result == z3.unsat else None

    def witness(self, model: z3.ModelRef, env: Env) -> dict[str, Any]:
        out = {}
        for name, var in env.items():
            value = model.eval(var, model_completion=False)
            if not value.eq(var):
                out[name] = self.codes.decode(value)
        return out

    # ------------------------------------------------------------ the walk

    def definition(self, clauses: tuple[ast.Definition, ...]) -> None:
        params = clauses[0].params
        if params is not None:
            self.patterns(clauses)
        for clause in clauses:
            env: Env = {}
            for pattern in clause.params or ():
                if type(pattern) is ast.PVar:
                    env[pattern.name] = z3.Int(pattern.name)
            self.walk(clause.body, env, [])

    def patterns(self, clauses: tuple[ast.Definition, ...]) -> None:
        """No clause matches some arguments: a hidden STOP (or an evaluation error)."""
        arity = len(clauses[0].params or ())
        if not any(type(p) is ast.PLit for c in clauses for p in c.params or ()):
            return
        args = [z3.Int(f"argument {i + 1}") for i in range(arity)]
        misses = []
        for clause in clauses:
            match = []
            for pattern, arg in zip(clause.params or (), args, strict=False):
                if type(pattern) is ast.PLit:
                    value = self.cond(ast.Binary("==", pattern.value, pattern.value), {})
                    literal = self.globals_(pattern.value)
                    if value is None or type(literal) not in (int, bool):
                        return
                    match.append(arg == self.codes.encode(literal))
                elif type(pattern) not in (ast.PVar, ast.PWild):
                    return
            misses.append(z3.Not(z3.And(*match)) if match else z3.BoolVal(False))
        model = self.check(*misses)
        if model:
            env = {f"argument {i + 1}": a for i, a in enumerate(args)}
            name = clauses[0].name
            self.findings.append(Finding(
                "stop", clauses[0].span,
                f"no clause of {name} matches these arguments",
                self.witness(model, env)))

    def walk(self, node: Any, env: Env, ctx: list[z3.BoolRef]) -> None:
        match node:
            case ast.Guard(cond, process):
                c = self.cond(cond, env)
                if c is not None:
                    self.dead(node, f"the guard {pretty(cond)} can never hold here", ctx, c, env)
                self.walk(process, env, ctx + ([c] if c is not None else []))
                return
            case ast.If(cond, then, orelse):
                c = self.cond(cond, env)
                if c is not None:
                    self.dead(then, f"the condition {pretty(cond)} can never hold here",
                              ctx, c, env)
                    self.dead(orelse, f"the condition {pretty(cond)} always holds here: "
                                      "the else branch is dead", ctx, z3.Not(c), env)
                self.walk(then, env, ctx + ([c] if c is not None else []))
                self.walk(orelse, env, ctx + ([z3.Not(c)] if c is not None else []))
                return
            case ast.ProcBinary("[]"):
                branches = _branches(node)
                self.choice(node, branches, env, ctx)
                for branch in branches:
                    self.walk(branch, env, ctx)
                return
            case ast.PrefixExpr(head, fields, then):
                inner, extra = dict(env), []
                channel = head.parts[0] if type(head) is ast.Dot else head
                types = self.channels.get(getattr(channel, "id", None), ())
                given = len(head.parts) - 1 if type(head) is ast.Dot else 0
                for index, item in enumerate(fields, given):
                    if type(item) is ast.InField and type(item.pattern) is ast.PVar:
                        var = inner[item.pattern.name] = z3.Int(item.pattern.name)
                        extra += self.input_range(var, item, types, index, env)
                self.walk(then, inner, ctx + extra)
                return
            case ast.Let() | ast.Replicated() | ast.Undo() | ast.Saga():
                return
        if isinstance(node, ast.Node):
            for f in dataclasses.fields(node):
                child = getattr(node, f.name)
                if isinstance(child, ast.Node):
                    self.walk(child, env, ctx)

    def input_range(self, var: z3.ArithRef, item: ast.InField, types: tuple, index: int,
                    env: Env) -> list[z3.BoolRef]:
        out = []
        if index < len(types) and type(types[index]) is not Integers:
            ints = [v for v in types[index] if type(v) is int]
            if ints and len(ints) == len(types[index]):
                out.append(z3.Or(*(var == v for v in ints)))
        if type(item.restrict) is ast.SetRange:
            low = self.cond(ast.Binary("<=", item.restrict.low, ast.Name("$")),
                            {**env, "$": var})
            high = self.cond(ast.Binary("<=", ast.Name("$"), item.restrict.high),
                             {**env, "$": var})
            out += [c for c in (low, high) if c is not None]
        return out

    def dead(self, node: Any, message: str, ctx: list, cond: z3.BoolRef, env: Env) -> None:
        if self.check(*ctx, cond) is False and self.check(*ctx) is not False:
            self.findings.append(Finding("dead", getattr(node, "span", None),
                                         f"dead branch: {message}"))

    def choice(self, node: ast.Node, branches: list, env: Env, ctx: list) -> None:
        guards = [(b, self.cond(b.cond, env)) if type(b) is ast.Guard else (b, None)
                  for b in branches]
        if all(type(b) is ast.Guard and g is not None for b, g in guards):
            model = self.check(*ctx, *(z3.Not(g) for _, g in guards))
            if model:
                self.findings.append(Finding(
                    "stop", node.span, "no branch of this choice is enabled for these "
                    "values", self.witness(model, env)))
        for i, (a, ga) in enumerate(guards):
            for b, gb in guards[i + 1:]:
                if ga is None or gb is None or _channel(a) is None \
                        or _channel(a) != _channel(b):
                    continue
                model = self.check(*ctx, ga, gb)
                if model:
                    self.findings.append(Finding(
                        "overlap", b.span, f"this guard overlaps the one at line "
                        f"{a.span.line if a.span else '?'}: both offer {_channel(a)}",
                        self.witness(model, env)))


def _branches(node: Any) -> list:
    if type(node) is ast.ProcBinary and node.op == "[]":
        return _branches(node.left) + _branches(node.right)
    return [node]


def _channel(node: Any) -> str | None:
    while type(node) is ast.Guard:
        node = node.process
    if type(node) is not ast.PrefixExpr:
        return None
    head = node.head.parts[0] if type(node.head) is ast.Dot else node.head
    return head.id if type(head) is ast.Name else None


def lint(spec: Any) -> list[Finding]:
    """Every finding of the model's definitions, in source order."""
    linter = _Linter(spec)
    for clauses in spec.definitions.values():
        if clauses[0].span is None or any(c.span and c.span.line < 1 for c in clauses):
            continue
        linter.definition(clauses)
    return sorted(linter.findings, key=lambda f: (f.span.line, f.span.column) if f.span
                  else (0, 0))
