"""The bracketed part of an assertion: ``:[deadlock free [F]]`` and friends.

The lexer takes ``:[ ... ]`` as one token so that the words inside (``free``,
``trace``, ``strong``...) stay ordinary names everywhere else; this module
reads the words, checks them, and suggests the nearest known property when
they are misspelt.

The letters of a model (``[F]``) and the words of an equivalence become
:class:`procalg.assertion_kinds.RefinementModel` and ``Equivalence`` members here,
once.

Example:
    >>> words_and_model(":[deadlock free [FD]]")
    ('deadlock free', 'FD')
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lark import Token

from procalg.assertion_kinds import Equivalence, Fairness, RefinementModel
from procalg.errors import ParseError
from procalg.source import Span
from procalg.syntax import ast

SIMPLE = {
    "deadlock free": ast.DeadlockFree,
    "divergence free": ast.DivergenceFree,
    "livelock free": ast.DivergenceFree,  # FDR's synonym
    "deterministic": ast.Deterministic,
}
# FDR also accepts the hyphenated spellings (`:[deadlock-free]`)
SIMPLE.update({words.replace(" ", "-"): node for words, node in list(SIMPLE.items())
               if " " in words})
EQUIVALENCES = ("strong", "weak", "branching")
KNOWN = (*SIMPLE, "has trace", "reachable", "compensation complete", *EQUIVALENCES,
         "terminates", "terminates weak fairness", "terminates strong fairness", "ltl")
# symbolic engine: `:[invariant]: EXPR` over the components' parameters
KNOWN += ("invariant",)
MODELS = ("T", "F", "FD")
# the models FDR takes per property (FDR2 manual A.6.3: deadlock freedom and
# determinism in [F] or [FD], [FD] when none is written; divergence only in [FD])
_ALLOWED = {ast.DeadlockFree: ("F", "FD"), ast.Deterministic: ("F", "FD"),
            ast.DivergenceFree: ("FD",)}
_MODEL = re.compile(r"^(?P<words>.*?)\s*\[\s*(?P<model>[A-Za-z]+)\s*\]\s*$", re.S)


def words_and_model(prop: str) -> tuple[str, str | None]:
    """Split ``:[words [M]]`` into the normalised words and the model (or None)."""
    inner = prop[2:-1]
    found = _MODEL.match(inner)
    if found:
        return " ".join(found["words"].split()), found["model"]
    return " ".join(inner.split()), None


def decode_property(
    tok: Token,
    left: ast.Node,
    trace: ast.Node | None,
    parse_event: Callable[[int, int], ast.Node],
    span: Span | None,
    right: ast.Node | None = None,
) -> ast.Node:
    """Build the property node for ``left :[...]`` (or ``left = right :[...]``).

    Args:
        tok: the PROPERTY token.
        left: the process before the brackets.
        trace: the expression after ``:[has trace]:``, if any.
        parse_event: parses source offsets ``[start, end)`` as an expression
            (for ``reachable e``).
        span: the span of the whole property.
        right: the second process of an equivalence, if any.

    Raises:
        ParseError: unknown property, misplaced model, missing trace.
    """
    where = Span(tok.line, tok.column, tok.end_line, tok.end_column)
    words, model = words_and_model(tok.value)
    if model is not None and model not in MODELS:
        raise ParseError(f"unknown semantic model '[{model}]'", where,
                         hint="use [T] (traces), [F] (failures) or [FD] (failures-divergences)")
    if right is not None:
        if words not in EQUIVALENCES or model is not None:
            raise _unknown(words, where, "after 'P = Q' use :[strong], :[weak] or :[branching]")
        return ast.Equivalent(left, right, Equivalence.parse(words), span=span)
    if words in SIMPLE:
        node = SIMPLE[words]
        allowed = _ALLOWED[node]
        if model is not None and model not in allowed:
            name = words.replace("-", " ")
            raise ParseError(f"':[{name}]' is not checked in [{model}]", where,
                             hint="FDR checks it in " + " or ".join(f"[{m}]" for m in allowed)
                             + " (with no suffix: [FD])")
        return node(left, _model(model), span=span)
    if words == "has trace":
        if trace is None:
            raise ParseError("':[has trace]' needs the trace after it", where,
                             hint="write  assert P :[has trace]: <a, b>")
        return ast.HasTrace(left, trace, _model(model), span=span)
    # symbolic engine: `:[invariant]: EXPR` (the expression rides in `trace`'s place)
    if words == "invariant" and model is None:
        if trace is None:
            raise ParseError("':[invariant]' needs the expression after it", where,
                             hint="write  assert P :[invariant]: balance >= 0")
        return ast.Invariant(left, trace, span=span)
    if trace is not None:
        raise ParseError("only ':[has trace]' and ':[invariant]' are followed by ': ...'",
                         where)
    if words == "compensation complete" and model is None:
        return ast.CompensationComplete(left, span=span)
    if words.startswith("reachable") and model is None:
        offset = tok.value.index("reachable") + len("reachable")
        if not tok.value[offset:-1].strip() or words[len("reachable")] not in " \t\n":
            raise ParseError("':[reachable e]' needs the event e", where,
                             hint="write  assert P :[reachable done]")
        event = parse_event(tok.start_pos + offset, tok.end_pos - 1)
        return ast.Reachable(left, event, span=span)
    if words in EQUIVALENCES:
        raise ParseError(f"':[{words}]' compares two processes", where,
                         hint=f"write  assert P = Q :[{words}]")
    if words.split(" ")[0] in ("terminates", "ltl") and model is None:
        return _terminates(words, left, where, span)
    raise _unknown(words, where, None)


def _model(letters: str | None) -> RefinementModel | None:
    return None if letters is None else RefinementModel.parse(letters)


# -- liveness: `:[terminates [weak|strong fairness]]`, `:[ltl [weak|strong fairness]]: F`

FAIRNESS = ("", "weak fairness", "strong fairness")


def _fairness(rest: str, where: Span, form: str) -> Fairness:
    if rest not in FAIRNESS:
        raise ParseError(f"unknown fairness '{rest}' in ':[{form} ...]'", where,
                         hint=f"write :[{form}], :[{form} weak fairness] or "
                         f":[{form} strong fairness]")
    return Fairness.parse(rest)


def _terminates(words: str, left: ast.Node, where: Span, span: Span | None) -> ast.Node:
    form, _, rest = words.partition(" ")
    if form == "ltl":
        raise ParseError("':[ltl]' needs the formula after it", where,
                         hint="write  assert P :[ltl]: G (req -> F ack)")
    return ast.Terminates(left, _fairness(rest, where, "terminates"), span=span)


def decode_ltl(tok: Token, left: ast.Node, span: Span | None) -> ast.Ltl:
    """Build ``left :[ltl ...]: FORMULA`` from its LTL_PROPERTY token.

    Example:
        >>> from lark import Token
        >>> tok = Token("LTL_PROPERTY", ":[ltl weak fairness]: G F a", line=1, column=10)
        >>> p = decode_ltl(tok, ast.Name("P"), None)
        >>> p.formula, p.fairness.value, p.formula_span.column
        ('G F a', 'weak', 32)
    """
    close = tok.value.index("]")
    words = " ".join(tok.value[2:close].split())
    where = Span(tok.line, tok.column, tok.line, tok.column + close + 1)
    fairness = _fairness(words[len("ltl"):].strip(), where, "ltl")
    after = tok.value.index(":", close) + 1
    formula = tok.value[after:]
    start = after + len(formula) - len(formula.lstrip())
    if not formula.strip():
        raise ParseError("':[ltl]:' needs a formula after it", where,
                         hint="write  assert P :[ltl]: G (req -> F ack)")
    return ast.Ltl(left, formula.strip(), fairness, Span(tok.line, tok.column + start),
                   span=span)


def _unknown(words: str, where: Span, hint: str | None) -> ParseError:
    import difflib  # an error's suggestion: not on every parse

    guess = difflib.get_close_matches(words, KNOWN, n=1, cutoff=0.6)
    message = f"unknown assertion ':[{words}]'"
    if guess:
        message += f"; did you mean '{guess[0]}'?"
    known = ", ".join(KNOWN)
    return ParseError(message, where, hint=hint or f"the known properties are: {known}")
