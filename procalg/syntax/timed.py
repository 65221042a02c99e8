"""FDR's timed sections ``Timed(et) { ... }``: tock-CSP written as untimed CSP.

Inside a section every process is read in discrete time, as FDR does
(FDR manual, "Timed Sections"; Roscoe, *Understanding Concurrent Systems*,
ch. 14): time passes by the event ``tock``, which every operator lets happen
without deciding anything, and an event ``e`` takes ``et(e)`` tocks
(``et`` defaults to ``\\ _ @ 1``). The section is expanded here, after
parsing, by rewriting the definitions it holds:

* ``STOP`` is ``TSTOP`` (``tock -> TSTOP``), ``SKIP`` is ``TSKIP`` (``SKIP``
  that may also idle), ``b & P`` is ``if b then P else TSTOP``;
* ``e -> P`` may idle before ``e`` and waits ``et(e)`` tocks after it:
  ``let X = e -> (WAIT(et(e)) ; P) [] tock -> X within X``;
* ``[]`` and ``/\\`` become ``[+ {tock} +]`` and ``/+ {tock} +\\``; ``|||``,
  ``[| A |]`` and ``[A || B]`` (and their replicated forms) synchronise on
  ``tock`` too, and a side that has terminated keeps letting time pass until
  every side has (``P ; IDLE`` for each side, ending together on a hidden event).

``WAIT(n)``, ``TSTOP``, ``TSKIP`` and ``timed_priority(P)`` (maximal
progress: ``prioritise(P, <{}, {tock}>)``) are built in
(``procalg.semantics.spec``), and a model with a section declares ``tock``
if it does not.

The section's braces are marked before lexing (:func:`mark_sections`), so
the declarations inside are separated as at the top level.

Example:
    >>> from procalg.syntax import parse, pretty
    >>> m = parse("channel a, tock\\nTimed(\\\\ _ @ 2) {\\n  P = a -> STOP\\n}")
    >>> print(pretty(m.declarations[1].body))
    let
        Tock·P = a -> (Timed::WAIT((\\ _ @ 2)(a)) ; Timed::TSTOP) [] tock -> Tock·P
    within Tock·P
"""

from __future__ import annotations

import dataclasses
import re

from procalg.errors import ParseError
from procalg.syntax import ast

OPEN, CLOSE = "⟦", "⟧"
"""What :func:`mark_sections` turns a section's braces into (one character each,
so positions stay the same; neither is a bracket for the layout rule)."""

_TIMED = re.compile(r"(?<![A-Za-z0-9_'])Timed(?![A-Za-z0-9_'])\s*")
TOCK = "tock"
TSTOP, TSKIP, WAIT = "Timed::TSTOP", "Timed::TSKIP", "Timed::WAIT"
"""The section's own STOP, SKIP and delay: qualified names, so a model's own
``TSTOP = STOP`` inside a section (as tick-tock models write) means FDR's."""
IDLE, DONE = "Timed::IDLE", "Timed::DONE"
"""A terminated side of a parallel composition (``tock -> IDLE [] DONE -> SKIP``)
and the hidden event on which all sides end together (the evaluator gives it a
fresh event no model can name, as a linked parallel's)."""


def mark_sections(text: str) -> str:
    """``Timed(et) { ... }`` with its braces replaced by :data:`OPEN` and :data:`CLOSE`.

    Example:
        >>> mark_sections("Timed(f) {\\n P = {a}\\n}")
        'Timed(f) ⟦\\n P = {a}\\n⟧'
    """
    out = list(text)
    for found in _TIMED.finditer(text):
        i = found.end()
        if i < len(text) and text[i] == "(":  # the timing function: skip to its `)`
            depth = 0
            while i < len(text):
                depth += {"(": 1, ")": -1}.get(text[i], 0)
                i += 1
                if depth == 0:
                    break
            while i < len(text) and text[i] in " \t\r\n":
                i += 1
        if i >= len(text) or text[i] != "{":
            continue
        depth, j = 0, i
        out[i] = OPEN  # never closed: expand_sections says so
        while j < len(text):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            if depth == 0:
                out[j] = CLOSE
                break
            j += 1
    return "".join(out)


def expand_sections(module: ast.Module) -> ast.Module:
    """``module`` with its timed sections' definitions rewritten (module docstring).

    Raises:
        ParseError: a section's end without its start, or a start never ended.
    """
    decls = module.declarations
    if not any(type(d) is ast.TimedStart for d in decls):
        return module
    out = expand_declarations(decls)
    if not any(type(d) is ast.ChannelDecl and TOCK in d.names for d in out):
        out.insert(0, ast.ChannelDecl((TOCK,)))  # FDR declares tock for a timed section
    return dataclasses.replace(module, declarations=tuple(out))


def expand_declarations(decls: tuple[ast.Node, ...] | list[ast.Node]) -> list[ast.Node]:
    """``decls`` (a module's or a ``let``'s) with each section's definitions rewritten
    and the section markers gone.

    Raises:
        ParseError: a section's end without its start, or a start never ended.

    Example:
        >>> d = ast.Definition("P", None, ast.StopLit())
        >>> [type(x).__name__ for x in expand_declarations([ast.TimedStart(None), d,
        ...                                                  ast.TimedEnd()])]
        ['Definition']
    """
    out: list[ast.Node] = []
    stack: list[ast.TimedStart] = []
    for decl in decls:
        if type(decl) is ast.TimedStart:
            stack.append(decl)
        elif type(decl) is ast.TimedEnd:
            if not stack:
                raise ParseError("'}' ends a timed section that was never started", decl.span,
                                 hint="open it with  Timed(et) {")
            stack.pop()
        elif stack and type(decl) is ast.Definition:
            out.append(dataclasses.replace(decl, body=_Timer(_timing(stack[-1])).rewrite(
                decl.body)))
        else:
            out.append(decl)
    if stack:
        raise ParseError("this timed section is never closed", stack[-1].span,
                         hint="close it with '}'")
    return out


def _timing(start: ast.TimedStart) -> ast.Node:
    if start.timing is not None:
        return start.timing
    one = ast.Definition("λ", (ast.PWild(),), ast.Int(1))
    return ast.Let((one,), ast.Name("λ"))


class _Timer:
    """Rewrites one definition's body in discrete time with the timing function ``et``."""

    def __init__(self, et: ast.Node) -> None:
        self.et = et
        self.tock = ast.SetLit((ast.Name(TOCK),))
        self.tock_done = ast.SetLit((ast.Name(TOCK), ast.Name(DONE)))

    def rewrite(self, e: ast.Node) -> ast.Node:
        sp = e.span
        r = self.rewrite
        match e:
            case ast.StopLit():
                return ast.Name(TSTOP, span=sp)
            case ast.SkipLit():
                return ast.Name(TSKIP, span=sp)
            case ast.PrefixExpr(head, fields, then):
                return self._prefix(e, head, fields, r(then))
            case ast.Guard(cond, body):
                return ast.If(cond, r(body), ast.Name(TSTOP, span=sp), span=sp)
            case ast.ProcBinary("[]" | "/\\" as op, left, right):
                return ast.SyncChoiceExpr(r(left), self.tock, r(right), op == "/\\", span=sp)
            case ast.ProcBinary("|||", left, right):
                return self._ended(ast.GenParallel(self._idles(left), self.tock_done,
                                                   self._idles(right), span=sp))
            case ast.GenParallel(left, sync, right):
                return self._ended(ast.GenParallel(
                    self._idles(left), self._with_tock(sync, DONE), self._idles(right), span=sp))
            case ast.AlphaParallelExpr(left, la, ra, right):
                return self._ended(ast.AlphaParallelExpr(
                    self._idles(left), self._with_tock(la, DONE), self._with_tock(ra, DONE),
                    self._idles(right), span=sp))
            case ast.Replicated(op="|||" | "[||]" | "||" as op):
                sync = self.tock_done if op == "|||" else \
                    self._with_tock(e.sync, DONE) if op == "[||]" else e.sync
                alpha = self._with_tock(e.alpha, DONE) if op == "||" else e.alpha
                return self._ended(dataclasses.replace(
                    e, op="||" if op == "||" else "[||]", body=self._idles(e.body), sync=sync,
                    alpha=alpha))
            case ast.Replicated(op="[]" | "[+]" as op):
                sync = self.tock if op == "[]" else self._with_tock(e.sync)
                return dataclasses.replace(e, op="[+]", body=r(e.body), sync=sync)
            case ast.Let(defs, body):
                return ast.Let(tuple(dataclasses.replace(d, body=r(d.body)) for d in defs),
                               r(body), span=sp)
        if not isinstance(e, ast.Node) or type(e) in _VALUE_NODES:
            return e
        changes = {}
        for f in dataclasses.fields(e):
            value = getattr(e, f.name)
            if f.name != "span" and isinstance(value, ast.Node):
                changes[f.name] = r(value)
            elif type(value) is tuple and any(isinstance(v, ast.Node) for v in value):
                # arguments `Deadline(a -> SKIP, 2)`: a process argument is timed too
                changes[f.name] = tuple(r(v) if isinstance(v, ast.Node) else v for v in value)
        return dataclasses.replace(e, **changes) if changes else e

    def _with_tock(self, events: ast.Node, *more: str) -> ast.Node:
        extra = ast.SetLit((ast.Name(TOCK), *(ast.Name(m) for m in more)))
        return ast.Apply(ast.Name("union"), (events, extra), span=events.span)

    def _idles(self, side: ast.Node) -> ast.Node:
        """A side of a parallel that, once terminated, lets time pass (``P ; IDLE``)."""
        return ast.ProcBinary(";", self.rewrite(side), ast.Name(IDLE), span=side.span)

    @staticmethod
    def _ended(par: ast.Node) -> ast.Node:
        """The parallel ``par`` of idling sides, ending when all have ended: ``par \\ {DONE}``.

        In discrete time a side that has terminated must not stop the clock of
        the others (FDR's timed sections; Baxter, Ribeiro and Cavalcanti,
        "Reasoning in tock-CSP with FDR", 2022, whose examples need it): CSP's
        distributed termination would leave it as Ω, which refuses ``tock``.
        So each side becomes ``P ; IDLE`` and all end together on the hidden ``DONE``.
        """
        return ast.HideExpr(par, ast.SetLit((ast.Name(DONE),)), span=par.span)

    def _prefix(self, e: ast.PrefixExpr, head: ast.Node, fields: tuple, then: ast.Node
                ) -> ast.Node:
        """``let TP = e -> (WAIT(et(e)) ; P) [] tock -> TP within TP``."""
        sp = e.span
        fields, event = _bound_fields(head, fields)
        wait = ast.Apply(ast.Name(WAIT), (ast.Apply(self.et, (event,)),))
        act = ast.PrefixExpr(head, fields, ast.ProcBinary(";", wait, then), span=sp)
        idle = ast.PrefixExpr(ast.Name(TOCK), (), ast.Name("Tock·P"))
        body = ast.ProcBinary("[]", act, idle, span=sp)
        local = ast.Definition("Tock·P", None, body, span=sp)
        return ast.Let((local,), ast.Name("Tock·P"), span=sp)


_VALUE_NODES = (ast.Name, ast.Int, ast.Bool, ast.Char, ast.SetLit, ast.SetRange, ast.SeqLit,
                ast.EventSet, ast.Dot, ast.Binary, ast.Unary)


def _bound_fields(head: ast.Node, fields: tuple) -> tuple[tuple, ast.Node]:
    """The prefix's fields, every input bound to a name, and the event they make."""
    parts, new_fields = [head], []
    for i, f in enumerate(fields):
        if type(f) is ast.OutField:
            parts.append(f.value)
            new_fields.append(f)
            continue
        value = _as_expr(f.pattern)
        if value is None:  # `c?_`, `c?(x, _)`: name the whole input to time it
            name = f"tock_input_{i}_"
            new_fields.append(dataclasses.replace(f, pattern=ast.PBoth(ast.PVar(name),
                                                                       f.pattern)))
            value = ast.Name(name)
        else:
            new_fields.append(f)
        parts.append(value)
    event = parts[0] if len(parts) == 1 else ast.Dot(tuple(parts))
    return tuple(new_fields), event


def _as_expr(p: ast.Node) -> ast.Node | None:
    match p:
        case ast.PVar(name):
            return ast.Name(name)
        case ast.PLit(value):
            return value
        case ast.PDot(items) | ast.PTuple(items):
            found = [_as_expr(i) for i in items]
            if None in found:
                return None
            return ast.Dot(tuple(found)) if type(p) is ast.PDot else ast.TupleLit(tuple(found))
    return None
