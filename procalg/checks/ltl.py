"""LTL over events: the formula language of ``assert P :[ltl]: FORMULA``.

A run is an infinite sequence of steps, each labelled by one event (or τ,
which no atom matches). An *atom* holds at a step when that step's event
matches it: ``reserve`` matches the event ``reserve``; a channel pattern
``pick.0`` (or ``pick``, or ``{| pick, put |}``) matches every event that
extends it field by field (``pick.0.1``). Three atoms are special:
``tick`` (the step is ✓, or a stutter step after it), ``throw`` (likewise
for ``throw``) and ``deadlock`` (a stutter step of a deadlocked run). The
operators, loosest first::

    <->   ->   ||   &&   U R W   ! X F G [] <>

``->`` and the temporal binary operators nest to the right; ``[]`` and
``<>`` are spin's spellings of ``G`` and ``F``. ``X F G U R W`` are always
operators, so an event cannot be named by one of these letters alone.

The formula is kept in negation normal form (:func:`negation_normal_form`)
for the tableau (``procalg.checks.ltl_buchi``) and evaluated directly on
ultimately periodic words (:func:`holds_on_lasso`) as a reference.

Example:
    >>> f = parse_formula("G (reserve -> F (confirm || compensated))")
    >>> show(f)
    'G (reserve -> F (confirm || compensated))'
    >>> show(negation_normal_form(Not(f)))
    'true U (reserve && false R (!confirm && !compensated))'
    >>> holds_on_lasso(f, ["reserve"], ["confirm"])
    True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from procalg.errors import ParseError
from procalg.reserved import THROW, TICK
from procalg.source import Span

SPECIAL = ("tick", "throw", "deadlock")
"""Atoms that name how a run ends rather than a channel."""


@dataclass(frozen=True, slots=True)
class Atom:
    """Holds at a step whose event extends one of ``patterns`` (``tick``, ``throw``
    and ``deadlock`` are matched by the checker)."""

    patterns: tuple[str, ...]
    text: str

    def matches(self, event: str) -> bool:
        """Whether ``event`` (a label name) matches, ignoring the special atoms."""
        return any(event == p or event.startswith(p + ".") for p in self.patterns)


@dataclass(frozen=True, slots=True)
class Const:
    """``true`` or ``false``."""

    value: bool


@dataclass(frozen=True, slots=True)
class Not:
    operand: Formula


@dataclass(frozen=True, slots=True)
class Unary:
    """``X``, ``F`` or ``G`` (``[]``/``<>`` are read as ``G``/``F``)."""

    op: str
    operand: Formula


@dataclass(frozen=True, slots=True)
class Binary:
    """``&&``, ``||``, ``->``, ``<->``, ``U``, ``R`` or ``W``."""

    op: str
    left: Formula
    right: Formula


Formula = Atom | Const | Not | Unary | Binary

_TOKEN = re.compile(r"\s*(?:(?P<op><->|->|&&|\|\||\[\]|<>|\{\||\|\}|[!(),])"
                    r"|(?P<word>[A-Za-z_][A-Za-z0-9_']*(?:\.[A-Za-z0-9_']+)*)|(?P<bad>\S))")
_BINARY = (("<->",), ("->",), ("||",), ("&&",), ("U", "R", "W"))
_RIGHT = {"->", "U", "R", "W"}


class _Parser:
    def __init__(self, text: str, span: Span | None) -> None:
        self.text, self.span = text, span
        self.tokens: list[tuple[str, int]] = []
        for m in _TOKEN.finditer(text):
            if m["bad"]:
                raise self.error(f"unexpected '{m['bad']}' in the formula", m.start("bad"))
            tok = m["op"] or m["word"]
            if tok is not None:
                self.tokens.append((tok, m.start("op") if m["op"] else m.start("word")))
        self.at = 0

    def error(self, message: str, offset: int) -> ParseError:
        where = None
        if self.span is not None:
            where = Span(self.span.line, self.span.column + offset, file=self.span.file)
        return ParseError(message, where, hint="a formula is built from events, ! && || -> <-> "
                          "and X F G U R W [] <>, e.g.  G (req -> F ack)")

    def peek(self) -> str | None:
        return self.tokens[self.at][0] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        offset = self.tokens[self.at][1] if tok is not None else len(self.text)
        if tok is None or (expected is not None and tok != expected):
            want = f"'{expected}'" if expected else "more"
            found = f"'{tok}'" if tok is not None else "the end of the formula"
            raise self.error(f"expected {want} but found {found}", offset)
        self.at += 1
        return tok

    def formula(self, level: int = 0) -> Formula:
        if level == len(_BINARY):
            return self.unary()
        left = self.formula(level + 1)
        while self.peek() in _BINARY[level]:
            op = self.take()
            right = self.formula(level if op in _RIGHT else level + 1)
            left = Binary(op, left, right)
            if op in _RIGHT:
                break
        return left

    def unary(self) -> Formula:
        tok = self.peek()
        if tok == "!":
            self.take()
            return Not(self.unary())
        if tok in ("X", "F", "G", "[]", "<>"):
            self.take()
            return Unary({"[]": "G", "<>": "F"}.get(tok, tok), self.unary())
        if tok == "(":
            self.take()
            inner = self.formula()
            self.take(")")
            return inner
        if tok == "{|":
            self.take()
            names = [self.name()]
            while self.peek() == ",":
                self.take()
                names.append(self.name())
            self.take("|}")
            return Atom(tuple(names), "{| " + ", ".join(names) + " |}")
        if tok in ("true", "false"):
            self.take()
            return Const(tok == "true")
        name = self.name()
        return Atom((name,), name)

    def name(self) -> str:
        tok = self.peek()
        if tok is None or not (tok[0].isalpha() or tok[0] == "_") or tok in "UWRXFG":
            self.take("an event")  # raises with the position
        return self.take()


def parse_formula(text: str, span: Span | None = None) -> Formula:
    """Parse ``text`` as an LTL formula.

    Args:
        text: the formula.
        span: where ``text`` starts in a file, so errors point into it.

    Raises:
        ParseError: the formula is malformed (one line, with a caret).

    Example:
        >>> show(parse_formula("[] <> {| eat |} && a U b U c"))
        'G F {| eat |} && a U (b U c)'
    """
    parser = _Parser(text, span)
    result = parser.formula()
    if parser.peek() is not None:
        raise parser.error(f"unexpected '{parser.peek()}' after the formula",
                           parser.tokens[parser.at][1])
    return result


def show(f: Formula) -> str:
    """The formula as text, parenthesised where an operand binds looser."""
    return _show(f, 0)


_LEVEL = {"<->": 1, "->": 2, "||": 3, "&&": 4, "U": 5, "R": 5, "W": 5}


def _show(f: Formula, outer: int) -> str:
    match f:
        case Atom():
            return f.text
        case Const():
            return "true" if f.value else "false"
        case Not():
            return "!" + _show(f.operand, 6)
        case Unary():
            return f"{f.op} " + _show(f.operand, 6)
        case Binary():
            level = _LEVEL[f.op]
            # the side an operator nests on needs no parentheses at its own level
            left, right = (level + 1, level) if f.op in _RIGHT else (level, level + 1)
            if f.op in "URW" and isinstance(f.right, Binary) and f.right.op in "URW":
                right = 6  # `a U (b U c)` reads more plainly with its parentheses
            text = f"{_show(f.left, left)} {f.op} {_show(f.right, right)}"
            return f"({text})" if level < outer else text
    raise TypeError(f)


def atoms(f: Formula) -> list[Atom]:
    """The atoms of ``f``, each once, in order of appearance."""
    found: dict[Atom, None] = {}
    stack = [f]
    while stack:
        g = stack.pop()
        match g:
            case Atom():
                found[g] = None
            case Not() | Unary():
                stack.append(g.operand)
            case Binary():
                stack.extend((g.right, g.left))
    return list(found)


def negation_normal_form(f: Formula) -> Formula:
    """An equivalent formula with ``!`` only on atoms and only ``&& || X U R``
    (``F a = true U a``, ``G a = false R a``, ``a W b = b R (a || b)``).

    Example:
        >>> show(negation_normal_form(parse_formula("!(a W b)")))
        '!b U (!a && !b)'
    """
    return _nnf(f, False)


def _nnf(f: Formula, neg: bool) -> Formula:
    match f:
        case Atom():
            return Not(f) if neg else f
        case Const():
            return Const(f.value != neg)
        case Not():
            return _nnf(f.operand, not neg)
        case Unary(op="X"):
            return Unary("X", _nnf(f.operand, neg))
        case Unary(op="F"):
            return _nnf(Binary("U", Const(True), f.operand), neg)
        case Unary(op="G"):
            return _nnf(Binary("R", Const(False), f.operand), neg)
        case Binary(op="&&" | "||"):
            op = f.op if not neg else {"&&": "||", "||": "&&"}[f.op]
            return Binary(op, _nnf(f.left, neg), _nnf(f.right, neg))
        case Binary(op="->"):
            return _nnf(Binary("||", Not(f.left), f.right), neg)
        case Binary(op="<->"):
            both = Binary("&&", f.left, f.right)
            neither = Binary("&&", Not(f.left), Not(f.right))
            return _nnf(Binary("||", both, neither), neg)
        case Binary(op="U" | "R"):
            op = f.op if not neg else {"U": "R", "R": "U"}[f.op]
            return Binary(op, _nnf(f.left, neg), _nnf(f.right, neg))
        case Binary(op="W"):
            return _nnf(Binary("R", f.right, Binary("||", f.left, f.right)), neg)
    raise TypeError(f)


def holds_on_lasso(f: Formula, prefix: Sequence[str], cycle: Sequence[str]) -> bool:
    """Whether ``f`` holds on the word ``prefix · cycle^ω`` (``cycle`` not empty).

    The reference semantics, by fixpoints over the finitely many distinct
    positions (Markey & Schnoebelen, "Model checking a path", CONCUR 2003):
    least fixpoint for ``U``, greatest for ``R``. Special atoms match the
    event names ``tick``→``✓``, ``throw`` and ``deadlock`` literally.
    """
    word = [*prefix, *cycle]
    n, loop = len(word), len(prefix)
    successor = [i + 1 if i + 1 < n else loop for i in range(n)]
    return _eval(negation_normal_form(f), word, successor)[0]


def _eval(f: Formula, word: list[str], nxt: list[int]) -> list[bool]:
    n = len(word)
    match f:
        case Const():
            return [f.value] * n
        case Atom():
            return [_special_match(f, e) for e in word]
        case Not():
            return [not v for v in _eval(f.operand, word, nxt)]
        case Unary(op="X"):
            inner = _eval(f.operand, word, nxt)
            return [inner[nxt[i]] for i in range(n)]
        case Binary(op="&&" | "||"):
            a, b = _eval(f.left, word, nxt), _eval(f.right, word, nxt)
            pick = all if f.op == "&&" else any
            return [pick((x, y)) for x, y in zip(a, b, strict=True)]
        case Binary(op="U" | "R"):
            a, b = _eval(f.left, word, nxt), _eval(f.right, word, nxt)
            until = f.op == "U"
            value = [not until] * n  # lfp from false for U, gfp from true for R
            for _ in range(n + 1):
                value = [(b[i] or (a[i] and value[nxt[i]])) if until
                         else (b[i] and (a[i] or value[nxt[i]])) for i in range(n)]
            return value
    raise TypeError(f)


def _special_match(atom: Atom, event: str) -> bool:
    names = {"tick": TICK, "throw": THROW, "deadlock": "deadlock"}  # the atoms' labels
    return any(event == names.get(p, p) or (p not in names and event.startswith(p + "."))
               for p in atom.patterns)
