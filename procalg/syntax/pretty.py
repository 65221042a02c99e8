"""AST back to ``.proc`` text that parses to an equal AST.

Parentheses are added exactly where the grammar's precedence needs them
(see ``grammar/procalg.lark``). ``if``, ``let`` and the replicated operators
take everything to their right, so they are printed bare only in a *tail*
position (nothing of the enclosing expression follows them). ``let`` blocks
are printed over several lines, their definitions indented to one column.

Example:
    >>> from procalg.syntax import parse
    >>> print(pretty(parse("P = (a -> STOP) [] (b -> (SKIP ; P))")))
    P = a -> STOP [] b -> (SKIP ; P)
    <BLANKLINE>
"""

from __future__ import annotations

from procalg.syntax import ast

# Binding strength, loosest first; see the grammar's precedence table.
OPEN, HIDE, INTER, PAR, ICHOICE, ECHOICE, INTERRUPT, TIMEOUT, SEQ, UNDO, PREFIX = range(11)
OR, AND, NOT, CMP, DOT, ADD, MUL, UNARY, APP, ATOM = range(11, 21)

_PROC_OPS = {"|||": INTER, "|~|": ICHOICE, "[]": ECHOICE, "/\\": INTERRUPT, "[>": TIMEOUT,
             ";": SEQ}
_VALUE_OPS = {"or": OR, "and": AND, "==": CMP, "!=": CMP, "<": CMP, "<=": CMP, ">": CMP,
              ">=": CMP, "+": ADD, "-": ADD, "^": ADD, "*": MUL, "/": MUL, "%": MUL}
_UNITS = (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000))


def pretty(node: ast.Node) -> str:
    """Print a module, declaration or expression as ``.proc`` text.

    Example:
        >>> from procalg.syntax.parser import parse_expr
        >>> pretty(parse_expr("(a -> P) [[a <- b]]"))
        '(a -> P)[[a <- b]]'
    """
    return _Printer().top(node)


def duration(ms: int) -> str:
    """Milliseconds in the largest unit that divides them.

    Example:
        >>> duration(90_000), duration(250)
        ('90s', '250ms')
    """
    for unit, size in _UNITS:
        if ms and ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


class _Printer:
    """One printing pass; ``depth`` counts enclosing ``let`` blocks (indentation)."""

    def __init__(self) -> None:
        self.depth = 0

    def top(self, node: ast.Node) -> str:
        if isinstance(node, ast.Module):
            return "\n".join(self.decl(d) for d in node.declarations) + (
                "\n" if node.declarations else "")
        if isinstance(node, ast.Assertion | ast.Definition | ast.ChannelDecl | ast.DatatypeDecl
                      | ast.NametypeDecl | ast.ActivityDecl | ast.SignalDecl | ast.TimerDecl
                      | ast.TransparentDecl | ast.IncludeDecl):
            return self.decl(node)
        return self.expr(node)

    # -- declarations ------------------------------------------------------

    def decl(self, d: ast.Node) -> str:
        match d:
            case ast.Definition():
                return self.definition(d)
            case ast.ChannelDecl(names=names, fields=fields):
                return "channel " + ", ".join(names) + self.typ(fields)
            case ast.SignalDecl(names=names, fields=fields):
                return "signal " + ", ".join(names) + self.typ(fields)
            case ast.ActivityDecl():
                return self.activity(d)
            case ast.TimerDecl(name=name, duration_ms=ms):
                return f"timer {name} = {duration(ms)}"
            case ast.DatatypeDecl(name=name, constructors=cons):
                alts = " | ".join(c.name + "".join("." + self.expr(f, ADD + 1) for f in c.fields)
                                  for c in cons)
                return f"datatype {name} = {alts}"
            case ast.NametypeDecl(name=name, value=value):
                return f"nametype {name} = {self.expr(value)}"
            case ast.IncludeDecl(path=path):
                return f'include "{path}"'
            case ast.TransparentDecl(kind=kind, names=names):
                return f"{kind} " + ", ".join(names)
            case ast.Assertion(text=text) if text and _reparses(d):
                return "assert " + text  # as the user wrote it
            case ast.Assertion():
                return "assert " + self.assertion(d)
        raise TypeError(f"not a declaration: {d!r}")

    def definition(self, d: ast.Definition) -> str:
        params = "" if d.params is None else "(" + ", ".join(map(self.pattern, d.params)) + ")"
        return f"{d.name}{params} = {self.expr(d.body)}"

    def typ(self, fields: tuple[ast.Node, ...]) -> str:
        if not fields:
            return ""
        return " : " + ".".join(self.expr(f, ADD) for f in fields)

    def activity(self, d: ast.ActivityDecl) -> str:
        out = "activity " + ", ".join(d.names) + self.typ(d.fields)
        if d.attempts is not None:
            out += f" attempts {d.attempts}"
        if d.backoff_ms is not None:
            out += f" backoff {duration(d.backoff_ms)}"
        if d.timeout_ms is not None:
            out += f" timeout {duration(d.timeout_ms)}"
        return out + (" never fails" if d.never_fails else "")

    def assertion(self, a: ast.Assertion) -> str:
        option = "" if a.tau_priority is None else f" :[tau priority]: {self.expr(a.tau_priority)}"
        return self._assertion(a) + option

    def _assertion(self, a: ast.Assertion) -> str:
        neg = "not " if a.negated else ""
        p = a.property
        model = f" [{p.model.value}]" if getattr(p, "model", None) and not isinstance(
            p, ast.Refines) else ""
        match p:
            case ast.Refines(spec=spec, impl=impl, model=m):
                return f"{neg}{self.expr(spec, OPEN, tail=False)} [{m.value}= {self.expr(impl)}"
            case ast.Equivalent(left=left, right=right, kind=kind):
                return (f"{neg}{self.expr(left, OPEN, tail=False)} = "
                        f"{self.expr(right, OPEN, tail=False)} :[{kind.value}]")
            case ast.HasTrace(process=proc, trace=trace):
                proc_text = self.expr(proc, OPEN, False)
                return f"{neg}{proc_text} :[has trace{model}]: {self.expr(trace)}"
            case ast.Reachable(process=proc, event=event):
                return f"{neg}{self.expr(proc, OPEN, False)} :[reachable {self.expr(event)}]"
            case ast.Terminates(process=proc, fairness=fair):
                fairness = f" {fair.value} fairness" if fair.value else ""
                return f"{neg}{self.expr(proc, OPEN, False)} :[terminates{fairness}]"
            case ast.Ltl(process=proc, formula=formula, fairness=fair):
                fairness = f" {fair.value} fairness" if fair.value else ""
                return f"{neg}{self.expr(proc, OPEN, False)} :[ltl{fairness}]: {formula}"
            case ast.Invariant(process=proc, expr=expr):
                return f"{neg}{self.expr(proc, OPEN, False)} :[invariant]: {self.expr(expr)}"
        words = {ast.DeadlockFree: "deadlock free", ast.DivergenceFree: "divergence free",
                 ast.Deterministic: "deterministic",
                 ast.CompensationComplete: "compensation complete"}[type(p)]
        return f"{neg}{self.expr(p.process, OPEN, False)} :[{words}{model}]"

    # -- patterns --------------------------------------------------------------

    def pattern(self, p: ast.Node) -> str:
        match p:
            case ast.PVar(name=name):
                return name
            case ast.PWild():
                return "_"
            case ast.PLit(value=value):
                return self.expr(value, DOT + 1) if not _negative(value) else self.literal(value)
            case ast.PTuple(items=items):
                return "(" + ", ".join(map(self.pattern, items)) + ")"
            case ast.PDot(items=items):
                return ".".join(self._dot_part(i) for i in items)
            case ast.PSet(items=items):
                return _bracket("{", ", ".join(map(self.pattern, items)), "}")
            case ast.PSeq(items=items, rest=rest):
                seq = _bracket("<", ", ".join(map(self.pattern, items)), ">")
                return seq if rest is None else f"{seq}^{self._dot_part(rest)}"
            case ast.PSeqEnd(rest=rest, items=items):
                seq = _bracket("<", ", ".join(map(self.pattern, items)), ">")
                return f"{self._dot_part(rest)}^{seq}"
            case ast.PBoth(left=left, right=right):
                return f"({self.pattern(left)} @@ {self.pattern(right)})"
        raise TypeError(f"not a pattern: {p!r}")

    def _dot_part(self, p: ast.Node) -> str:
        text = self.pattern(p)
        return f"({text})" if isinstance(p, ast.PDot | ast.PSeqEnd) or (
            isinstance(p, ast.PSeq) and p.rest is not None) else text

    def literal(self, value: ast.Node) -> str:
        return str(value.value)

    # -- expressions -------------------------------------------------------------

    def expr(self, e: ast.Node, need: int = OPEN, tail: bool = True) -> str:
        """Print ``e`` where binding strength ``need`` is required; ``tail``:
        nothing of the enclosing expression follows ``e``."""
        text, strength = self._expr(e, tail)
        if (strength == OPEN and not tail) or OPEN < strength < need:
            return f"({self._expr(e, True)[0]})"
        return text

    def _expr(self, e: ast.Node, tail: bool) -> tuple[str, int]:
        x = self.expr
        match e:
            case ast.Name(id=name):
                return name, ATOM
            case ast.Int(value=v):
                return (str(v), ATOM) if v >= 0 else (f"-{-v}", UNARY)
            case ast.Bool(value=v):
                return ("true" if v else "false"), ATOM
            case ast.Char(value=v):
                return repr(v) if v != "'" else "'\\''", ATOM
            case ast.StopLit():
                return "STOP", ATOM
            case ast.SkipLit():
                return "SKIP", ATOM
            case ast.ThrowLit():
                return "THROW", ATOM
            case ast.Unary(op=op, operand=a):
                if op == "not":
                    return f"not {x(a, NOT, tail)}", NOT
                inner = x(a, UNARY, tail)
                return (f"{op} {inner}" if inner.startswith("-") else f"{op}{inner}"), UNARY
            case ast.Binary(op=op, left=a, right=b):
                s = _VALUE_OPS[op]
                if s == CMP:
                    return f"{x(a, DOT, False)} {op} {x(b, DOT, tail)}", CMP
                return f"{x(a, s, False)} {op} {x(b, s + 1, tail)}", s
            case ast.Dot(parts=parts):
                *init, last = parts
                return ".".join([*(x(p, ADD, False) for p in init), x(last, ADD, tail)]), DOT
            case ast.Apply(func=f, args=args):
                return f"{x(f, APP, False)}({', '.join(x(a) for a in args)})", APP
            case ast.RenameExpr(process=p, pairs=pairs, qualifiers=quals):
                body = ", ".join(f"{x(a, DOT, False)} <- {x(b, DOT, False)}" for a, b in pairs)
                if quals:
                    body += " | " + self.quals(quals, seq=False)
                return f"{x(p, APP, False)}[[{body}]]", APP
            case ast.Saga(body=b):
                # a prefix operator: as a function or renamed process it needs parentheses
                return f"saga {x(b, APP, tail)}", UNARY
            case ast.TupleLit(items=items):
                return "(" + ", ".join(x(i) for i in items) + ")", ATOM
            case ast.SetLit(items=items):
                return _bracket("{", ", ".join(x(i) for i in items), "}"), ATOM
            case ast.SetRange(low=lo, high=hi):
                return _bracket("{", f"{x(lo, OPEN, False)}..{x(hi)}", "}"), ATOM
            case ast.MapLit(pairs=pairs):
                inner = ", ".join(f"{x(k, DOT, False)} => {x(v, DOT, False)}" for k, v in pairs)
                return (f"(| {inner} |)" if inner else "(| |)"), ATOM
            case ast.SetFrom(low=lo):
                return _bracket("{", f"{x(lo, OPEN, False)}..", "}"), ATOM
            case ast.SetComp(item=item, qualifiers=quals, more=more):
                heads = ", ".join(x(i, OPEN, False) for i in (item, *more))
                inner = f"{heads} | {self.quals(quals, seq=False)}"
                return _bracket("{", inner, "}"), ATOM
            case ast.EventSet(items=items, qualifiers=quals) if quals:
                inner = f"{', '.join(x(i) for i in items)} | {self.quals(quals, seq=False)}"
                return _bracket("{|", inner, "|}"), ATOM
            case ast.EventSet(items=items):
                return _bracket("{|", ", ".join(x(i) for i in items), "|}"), ATOM
            case ast.SeqLit(items=items):
                return _bracket("<", ", ".join(x(i, DOT, False) for i in items), ">"), ATOM
            case ast.SeqRange(low=lo, high=hi):
                return _bracket("<", f"{x(lo, DOT, False)}..{x(hi, DOT, False)}", ">"), ATOM
            case ast.SeqFrom(low=lo):
                return _bracket("<", f"{x(lo, DOT, False)}..", ">"), ATOM
            case ast.SeqComp(item=item, qualifiers=quals, more=more):
                heads = ", ".join(x(i, DOT, False) for i in (item, *more))
                inner = f"{heads} | {self.quals(quals, seq=True)}"
                return _bracket("<", inner, ">"), ATOM
            case _:
                return self._process(e, tail)

    def _process(self, e: ast.Node, tail: bool) -> tuple[str, int]:
        x = self.expr
        match e:
            case ast.If(cond=c, then=t, orelse=o):
                return f"if {x(c, OPEN, False)} then {x(t, OPEN, False)} else {x(o)}", OPEN
            case ast.Let(definitions=(ast.Definition(name="λ", params=ps, body=b),),
                         body=ast.Name(id="λ")):
                return f"\\ {', '.join(self.pattern(p) for p in ps)} @ {x(b)}", OPEN
            case ast.Let(definitions=defs, body=body):
                return self.let(defs, body), OPEN
            case ast.Replicated():
                return self.replicated(e), OPEN
            case ast.PrefixExpr(head=h, fields=fields, then=then):
                fs = "".join(self.field(f) for f in fields)
                return f"{x(h, DOT, False)}{fs} -> {x(then, PREFIX, tail)}", PREFIX
            case ast.NondetPrefix(prefix=ast.PrefixExpr(h, fields, then), count=n):
                fs = "".join(("$" + self.field(f)[1:]) if i < n else self.field(f)
                             for i, f in enumerate(fields))
                return f"{x(h, DOT, False)}{fs} -> {x(then, PREFIX, tail)}", PREFIX
            case ast.Guard(cond=c, process=p):
                return f"{x(c, OR, False)} & {x(p, PREFIX, tail)}", PREFIX
            case ast.Undo(step=a, compensation=b):
                return f"{x(a, UNDO, False)} undo {x(b, PREFIX, tail)}", UNDO
            case ast.ProcBinary(op=op, left=a, right=b):
                s = _PROC_OPS[op]
                return f"{x(a, s, False)} {op} {x(b, s + 1, tail)}", s
            # the parallel family is non-associative: both operands bind tighter
            case ast.GenParallel(left=a, sync=s, right=b):
                return f"{x(a, PAR + 1, False)} [| {x(s)} |] {x(b, PAR + 1, tail)}", PAR
            case ast.AlphaParallelExpr(left=a, left_alpha=la, right_alpha=ra, right=b):
                return (f"{x(a, PAR + 1, False)} [{x(la, OPEN, False)} || "
                        f"{x(ra, OPEN, False)}] {x(b, PAR + 1, tail)}"), PAR
            case ast.LinkParallelExpr(left=a, links=links, right=b, qualifiers=quals):
                ties = self.links(links, quals)
                return f"{x(a, PAR + 1, False)} [{ties}] {x(b, PAR + 1, tail)}", PAR
            case ast.SyncChoiceExpr(left=a, sync=s, right=b, interrupt=False):
                level = _PROC_OPS["[]"]
                return f"{x(a, level, False)} [+ {x(s)} +] {x(b, level + 1, tail)}", level
            case ast.SyncChoiceExpr(left=a, sync=s, right=b, interrupt=True):
                level = _PROC_OPS["/\\"]
                return f"{x(a, level, False)} /+ {x(s)} +\\ {x(b, level + 1, tail)}", level
            case ast.ExceptionExpr(left=a, sync=s, right=b):
                return f"{x(a, PAR + 1, False)} [| {x(s)} |> {x(b, PAR + 1, tail)}", PAR
            case ast.HideExpr(process=p, hidden=h):
                # the parser ends the hidden set at a process operator (FDR's reading,
                # syntax/build.hide): one that belongs to the set is bracketed
                if isinstance(h, ast.ProcBinary | ast.GenParallel | ast.AlphaParallelExpr
                              | ast.ExceptionExpr | ast.SyncChoiceExpr):
                    return f"{x(p, HIDE, False)} \\ ({x(h)})", HIDE
                return f"{x(p, HIDE, False)} \\ {x(h, HIDE + 1, tail)}", HIDE
        raise TypeError(f"not an expression: {e!r}")

    def field(self, f: ast.Node) -> str:
        if isinstance(f, ast.OutField):
            return "!" + self.expr(f.value, DOT, False)
        restrict = "" if f.restrict is None else ":" + self.expr(f.restrict, ADD, False)
        return "?" + self._field_pattern(f.pattern) + restrict

    def _field_pattern(self, p: ast.Node) -> str:
        text = self.pattern(p)
        return text if not isinstance(p, ast.PLit) or not _negative(p.value) else f"({text})"

    def quals(self, quals: tuple[ast.Node, ...], seq: bool) -> str:
        out = []
        for q in quals:
            if isinstance(q, ast.Generator):
                src = self.expr(q.source, DOT if seq else OPEN, False)
                out.append(f"{self._gen_pattern(q.pattern)} <- {src}")
            else:
                out.append(self.expr(q, DOT if seq else OPEN, False))
        return ", ".join(out)

    def _gen_pattern(self, p: ast.Node) -> str:
        text = self.pattern(p)
        return f"({text})" if isinstance(p, ast.PSeqEnd) or (
            isinstance(p, ast.PSeq) and p.rest is not None) else text

    def links(self, links: tuple, quals: tuple) -> str:
        ties = ", ".join(f"{self.expr(p, DOT, False)} <-> {self.expr(q, DOT, False)}"
                         for p, q in links)
        return f"{ties} | {self.quals(quals, seq=False)}" if quals else ties

    def replicated(self, r: ast.Replicated) -> str:
        stmts = []
        for g in r.generators:
            if isinstance(g, ast.Generator):
                stmts.append(f"{self._gen_pattern(g.pattern)} : {self.expr(g.source, OR, False)}")
            else:
                stmts.append(self.expr(g, OR, False))
        head = ", ".join(stmts)
        body = self.expr(r.body)
        if r.op == "[||]":
            return f"[| {self.expr(r.sync)} |] {head} @ {body}"
        if r.op == "[+]":
            return f"[+ {self.expr(r.sync)} +] {head} @ {body}"
        if r.op == "||":
            return f"|| {head} @ [{self.expr(r.alpha)}] {body}"
        if r.op == "[<->]":
            return f"[{self.links(r.links, r.link_qualifiers)}] {head} @ {body}"
        return f"{r.op} {head} @ {body}"

    def let(self, defs: tuple[ast.Definition, ...], body: ast.Node) -> str:
        self.depth += 1
        indent = "    " * self.depth
        lines = [indent + self.definition(d) for d in defs]
        self.depth -= 1
        return "let\n" + "\n".join(lines) + "\n" + "    " * self.depth + "within " + self.expr(body)


def _reparses(a: ast.Assertion) -> bool:
    """Whether ``assert <a.text>`` still reads as ``a`` (collapsed layout may break a let)."""
    from procalg.errors import ParseError
    from procalg.syntax.parser import parse  # the parser never imports the printer

    try:
        return parse("assert " + a.text).declarations == (a,)
    except ParseError:
        return False


def _negative(value: ast.Node) -> bool:
    return isinstance(value, ast.Int) and value.value < 0


def _bracket(open_: str, inner: str, close: str) -> str:
    """Keep ``{-``, ``<-``, ``{||`` (read as ``{|`` ``|``) from forming at the opener."""
    return f"{open_} {inner}{close}" if inner[:1] in ("-", "|") else f"{open_}{inner}{close}"
