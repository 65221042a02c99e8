"""Lark's parse errors, told in words a CSPM user understands.

Three sources of wording, tried in order:

1. an unclosed bracket (the post-lexer's bracket stack is not empty when the
   file ends, or a declaration seems to start inside the bracket);
2. lark's ``match_examples`` against the invalid corpus
   (``grammar/corpus/invalid/<kind>/*.proc``): a mistake that leaves the
   parser in the same state on the same token as an example gets that kind's
   message from :data:`MESSAGES`;
3. otherwise: what was expected (in words), after which token, and what was
   found instead.

Example:
    >>> from procalg.syntax import parse
    >>> try:
    ...     parse("P = (a -> STOP\\nQ = STOP")
    ... except Exception as err:
    ...     print(err.message)
    unclosed '(' opened at 1:5
"""

from __future__ import annotations

import contextlib
import functools

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from procalg.errors import ParseError
from procalg.source import SourceFile, Span
from procalg.syntax.layout import OPENERS

# kind -> (message, hint); {prev} is the token before the error, {found} what was found.
MESSAGES: dict[str, tuple[str, str | None]] = {
    "missing-expression": (
        "expected an expression after '{prev}', found {found}",
        "complete the expression; a line that starts with a keyword or 'Name =' "
        "begins a new declaration",
    ),
    "channel-without-name": (
        "expected a channel name after 'channel', found {found}",
        "write  channel c : T  (the names come before the ':')",
    ),
    "missing-at": (
        "expected '@' after the generators of a replicated operator, found {found}",
        "write the body after '@', as in  [] x : S @ P(x)",
    ),
    "missing-equals": (
        "expected '=' after the name being defined, found {found}",
        "a definition reads  Name = expression  or  F(x) = expression",
    ),
    "missing-arrow": (
        "expected '->' after the event, found {found}",
        "a prefix reads  event -> process",
    ),
    "bad-duration": (
        "expected a duration such as 250ms, 30s, 5m, 2h or 1d, found {found}",
        "durations need a unit: ms, s, m, h or d",
    ),
    "missing-then-else": (
        "expected 'then' or 'else' to continue the 'if', found {found}",
        "write  if condition then P else Q",
    ),
    "chained-parallel": (
        "the parallel operators do not chain: {found} after a parallel composition",
        "add parentheses, e.g. (P [| A |] Q) [| B |] R; as in FDR, [| |], [ || ], "
        "[ <-> ] and [| |> are non-associative",
    ),
    "missing-within": (
        "expected 'within' after the local definitions of 'let', found {found}",
        "indent every local definition to the same column, then write  within expression",
    ),
}

_WORDS = {
    "NAME": "a name", "INT": "a number", "DURATION": "a duration (like 30s)",
    "PROPERTY": "a property such as :[deadlock free]",
    "REFINES": "'[T=', '[F=', '[FD=', '[V=' or '[R='",
    "$END": "the end of the file", "_DSEP": "the end of the declaration",
    "_LSEP": "the next local definition", "ASSERT_NOT": "'assert not'",
    "TRANSPARENT": "'transparent' or 'external'", "CMP": "a comparison",
    "MULOP": "'*', '/' or '%'",
}
_EXPRESSION_STARTS = {"NAME", "INT", "LPAR"}
# Binary and postfix operators: when many are possible they are one phrase.
_OPERATORS = {
    "->", "[]", "|~|", "|||", "[|", "[", ";", "[>", "/\\", "\\", "undo", "&", "or", "and",
    ".", "+", "-", "^", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "(", "[[", "!", "?",
}


def explain(err: UnexpectedInput, text: str, source: SourceFile) -> ParseError:
    """Turn a lark exception into a :class:`ParseError` with span and hint."""
    unclosed: list[Token] = getattr(err, "unclosed", [])
    inside: Token | None = getattr(err, "column1_inside", None)
    if unclosed and (isinstance(err, UnexpectedEOF) or _at_end(err) or inside is not None):
        top = unclosed[-1] if inside is None else _opened_before(unclosed, inside)
        return ParseError(
            f"unclosed '{top.value}' opened at {top.line}:{top.column}",
            Span(top.line, top.column, top.end_line, top.end_column),
            hint=_unclosed_hint(top, inside), source=source,
        )
    if isinstance(err, UnexpectedCharacters):
        char = text[err.pos_in_stream] if err.pos_in_stream < len(text) else ""
        return ParseError(f"unexpected character '{char}'", Span(err.line, err.column),
                          hint=_expected_hint(_accepts(err)), source=source)
    token = getattr(err, "token", None)
    prev = getattr(err, "previous", None)
    found = _found(token)
    span = _token_span(token, text)
    kind = _match_kind(err)
    if kind == "chained-parallel" and _value(token) not in ("[|", "["):
        kind = None  # lark also offers same-state examples found on another token
    if kind in MESSAGES:
        message, hint = MESSAGES[kind]
        return ParseError(message.format(prev=_value(prev), found=found), span,
                          hint=hint, source=source)
    accepts = _accepts(err)
    if unclosed and _closer_name(unclosed[-1]) in accepts:
        top = unclosed[-1]
        close = OPENERS[top.value]
        return ParseError(
            f"expected '{close}' to close '{top.value}' opened at {top.line}:{top.column}, "
            f"found {found}", span, hint=_expected_hint(accepts), source=source)
    after = f" after '{_value(prev)}'" if prev is not None and _value(prev) else ""
    return ParseError(f"expected {_expected(accepts)}{after}, found {found}", span,
                      source=source)


def _accepts(err: UnexpectedInput) -> set[str]:
    """The terminals the parser would take here (exact, unlike lark's merged ``expected``)."""
    names = None
    if isinstance(err, UnexpectedToken) and err.interactive_parser is not None:
        names = err.accepts
    if names is None:
        names = getattr(err, "expected", None) or getattr(err, "allowed", None) or set()
    return {n for n in names if n != "_NL"}


def _closer_name(opener: Token) -> str | None:
    from procalg.syntax.parser import lark_parser

    close = OPENERS[opener.value]
    for term in lark_parser().terminals:
        if term.pattern.type == "str" and term.pattern.value == close:
            return term.name
    return None


def _match_kind(err: UnexpectedInput) -> str | None:
    from procalg.syntax.parser import raw_parse  # circular at import time only

    def attempt(example: str) -> None:
        # examples of errors found outside the parser match no parser state
        with contextlib.suppress(ParseError):
            raw_parse(example, "start")

    examples = _examples()
    if not examples or not isinstance(err, UnexpectedToken):
        return None
    # lark 1.3 formats a debug message with %d on a ParserState when an error
    # found by the contextual lexer meets a same-state example with other
    # accepts; such a clash means no example fits, so the generic wording is used.
    try:
        return err.match_examples(attempt, examples, use_accepts=True)
    except TypeError:
        return None


@functools.cache
def _examples() -> dict[str, tuple[str, ...]]:
    from importlib import resources  # with pathlib: only for a model that does not parse
    from pathlib import Path

    packaged = resources.files("procalg").joinpath("grammar", "corpus", "invalid")
    repo = Path(__file__).resolve().parents[2] / "grammar" / "corpus" / "invalid"
    root = Path(str(packaged)) if packaged.is_dir() else repo
    if not root.is_dir():
        return {}
    from procalg.syntax.layout import blank_comments

    found: dict[str, tuple[str, ...]] = {}
    for kind in sorted(p for p in root.iterdir() if p.name in MESSAGES):
        texts = []
        for file in sorted(kind.glob("*.proc")):
            try:
                texts.append(blank_comments(file.read_text(encoding="utf-8")))
            except ParseError:
                continue
        found[kind.name] = tuple(texts)
    return found


def _at_end(err: UnexpectedInput) -> bool:
    token = getattr(err, "token", None)
    return token is not None and token.type == "$END"


def _opened_before(unclosed: list[Token], inside: Token) -> Token:
    """The innermost bracket still open when a column-1 token appeared in it."""
    before = [t for t in unclosed if (t.line, t.column) < (inside.line, inside.column)]
    return before[-1] if before else unclosed[-1]


def _unclosed_hint(top: Token, inside: Token | None) -> str:
    close = {"(": ")", "[": "]", "{": "}", "[|": "|]", "{|": "|}", "[[": "]]"}[top.value]
    if inside is not None:
        return (f"add '{close}' before line {inside.line}, which starts at column 1 as a "
                "new declaration would")
    return f"add the matching '{close}'"


def _value(tok: Token | None) -> str:
    if tok is None:
        return ""
    if tok.type in ("_DSEP", "_LSEP"):
        return "the end of the line"
    return str(tok.value)


def _found(token: Token | None) -> str:
    if token is None or token.type == "$END":
        return "the end of the file"
    if token.type == "_DSEP":
        return "a new declaration"
    if token.type == "_LSEP":
        return "a new local definition"
    return f"'{token.value}'"


def _token_span(token: Token | None, text: str) -> Span | None:
    if token is None or token.type == "$END" or token.line is None:
        lines = text.split("\n")
        return Span(len(lines), len(lines[-1]) + 1)
    return Span(token.line, token.column, token.end_line, token.end_column)


def _expected(names: set[str]) -> str:
    if set(names) >= _EXPRESSION_STARTS:
        return "an expression"
    words = {_word(n) for n in names}
    operators = {_word(n) for n in names if n in ("CMP", "MULOP")}
    operators |= {w for w in words if w.strip("'") in _OPERATORS}
    if len(operators) > 4:
        words = (words - operators) | {"an operator"}
    words = sorted(words, key=lambda w: (w.startswith("'"), w))
    if not words:
        return "something else"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _word(name: str) -> str:
    if name in _WORDS:
        return _WORDS[name]
    from procalg.syntax.parser import lark_parser

    try:
        pattern = lark_parser().get_terminal(name).pattern
    except KeyError:
        return name.lower()
    return f"'{pattern.value}'" if pattern.type == "str" else name.lower()


def _expected_hint(names) -> str | None:
    names = set(names or ()) - {"_NL"}
    if not names or names >= _EXPRESSION_STARTS:
        return None
    words = sorted({_word(n) for n in names})
    return "possible here: " + ", ".join(words) if len(words) > 1 else None
