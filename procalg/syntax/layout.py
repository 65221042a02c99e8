"""Comments and CSPM layout: what the grammar cannot say by itself.

Two passes around lark's lexer:

* :func:`blank_comments` replaces ``-- ...`` and nestable ``{- ... -}``
  comments by spaces (newlines kept), so every later position is the
  position in the user's file. Nesting needs a counter, which a regular
  expression lexer lacks.
* :class:`Layout`, a lark post-lexer, decides what each newline means. As in
  CSPM, a declaration ends where the next one starts: a token at column 1
  outside brackets starts a new top-level declaration (``_DSEP``). Inside a
  ``let``, a token at the column of the block's first definition starts the
  next local definition (``_LSEP``). Other newlines are white space.

The post-lexer also keeps the stack of open brackets, so a parse error can
say which bracket was never closed.

Example:
    >>> blank_comments("P = a -> STOP -- done\\n{- a {- nested -} note -}Q = P")
    'P = a -> STOP        \\n                         Q = P'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lark import Token

from procalg.errors import ParseError
from procalg.source import Span

OPENERS = {"(": ")", "[": "]", "{": "}", "[|": "|]", "{|": "|}", "[[": "]]"}
CLOSERS = {close: open_ for open_, close in OPENERS.items()}
_WITHIN = re.compile(r"within(?![A-Za-z0-9_'])")


def blank_comments(text: str) -> str:
    """Replace every comment by spaces, keeping newlines and columns.

    Raises:
        ParseError: a ``{-`` comment is never closed (span: where it opens).

    Example:
        >>> blank_comments("a {- x -} b")
        'a         b'
    """
    out = list(text)
    i, n = 0, len(text)
    opened: list[int] = []  # offsets of the open {- of nested block comments
    while i < n:
        two = text[i : i + 2]
        if two == "{-":
            opened.append(i)
            out[i] = out[i + 1] = " "
            i += 2
        elif opened and two == "-}":
            opened.pop()
            out[i] = out[i + 1] = " "
            i += 2
        elif opened:
            if text[i] != "\n":
                out[i] = " "
            i += 1
        elif two == "--":
            while i < n and text[i] != "\n":
                out[i] = " "
                i += 1
        else:
            i += 1
    if opened:
        line, column = offset_position(text, opened[0])
        raise ParseError(
            "unterminated comment: '{-' is never closed",
            Span(line, column, line, column + 2),
            hint="close the comment with '-}' (block comments nest: every '{-' needs its own '-}')",
        )
    return "".join(out)


def offset_position(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based (line, column) of ``offset`` in ``text``.

    Example:
        >>> offset_position("ab\\ncd", 4)
        (2, 2)
    """
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


@dataclass
class _Block:
    """An open ``let`` block: its definitions start at ``column``."""

    depth: int  # bracket depth at the `let`
    column: int | None = None  # set by the first token after `let`


@dataclass
class Layout:
    """Lark post-lexer implementing CSPM's layout rule (see module docstring).

    One instance serves one parse at a time; :meth:`process` resets it.
    ``brackets`` is left holding the unclosed brackets when a parse fails.
    """

    text: str = ""
    brackets: list[Token] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)
    column1_inside: Token | None = None  # first column-1 token inside the open brackets
    column1_depth: int = 0  # how many brackets were open at column1_inside
    previous: Token | None = None  # the token before the last one handed to the parser
    last: Token | None = None
    always_accept: tuple[str, ...] = ("_NL",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        """Turn ``_NL`` tokens into separators or drop them (lark's post-lexer hook)."""
        self.brackets, self.blocks, self.column1_inside = [], [], None
        self.previous = self.last = None
        for tok in stream:
            if tok.type == "_NL":
                sep = self._separator(tok) if self.last is not None else None
                if sep is not None:
                    self.previous, self.last = self.last, sep
                    yield sep
                continue
            self._track(tok)
            self.previous, self.last = self.last, tok
            yield tok

    def _separator(self, nl: Token) -> Token | None:
        column = len(nl.value) - nl.value.rfind("\n")  # column of the next token
        nxt = nl.end_pos
        if nxt >= len(self.text) or _WITHIN.match(self.text, nxt):
            return None  # end of file, or `within` closing a let block
        if not self.brackets and self._ends_declaration(column, nxt):
            return Token.new_borrow_pos("_DSEP", "", _after(nl))
        if column == 1 and self.brackets and self.column1_inside is None:
            self.column1_inside, self.column1_depth = _after(nl), len(self.brackets)
        block = self.blocks[-1] if self.blocks else None
        if block and block.depth == len(self.brackets) and self._ends_local(block, column, nxt):
            return Token.new_borrow_pos("_LSEP", "", _after(nl))
        return None

    def _ends_local(self, block: _Block, column: int, nxt: int) -> bool:
        """Whether a newline inside a ``let`` block ends the local definition.

        As at the top level, columns only break ties: a line at the block's
        column starts the next definition unless it starts with an operator
        (``= e`` on its own line continues ``Init``), and a deeper line that
        starts a definition (``Name(args) =``) is one after a complete
        expression, however it is indented (tabs make columns unreliable).
        """
        if block.column is None:
            return False
        if column == block.column:
            if self.last is not None and not _can_end(self.last) \
                    and not starts_declaration(self.text, nxt):
                return False  # `Tst(k) =` then `if ...` at the same column: the body
            return not _CONTINUES.match(self.text, nxt) or bool(
                _PATTERN_DEFINITION.match(self.text, nxt))
        after = self.last is not None and (_can_end(self.last) or self.last.value == "⟦")
        return (after  # a local timed section's first definition follows its `{`
                and not _CONTINUES.match(self.text, nxt) and starts_declaration(self.text, nxt))

    def _ends_declaration(self, column: int, nxt: int) -> bool:
        """Whether a newline outside brackets ends the top-level declaration.

        FDR's lexer ignores columns, so columns only break ties: a line that
        starts with an operator (``[] b -> P``) continues, wherever it starts;
        a line that starts a declaration (a keyword, or ``Name(args) =``) is
        a new one, however it is indented; any other line at column 1 is a
        new declaration unless it follows an operator (``a ->``), and any
        other indented line continues.
        """
        block = self.blocks[-1] if self.blocks else None
        if block is not None and block.depth == 0:
            return False  # inside a top-level let (until its `within`): its own rule applies
        complete = self.last is not None and _can_end(self.last)
        if column == 1 and complete and _PATTERN_DEFINITION.match(self.text, nxt):
            return True  # `<x>^s = e` at column 1 defines, it does not compare
        if _CONTINUES.match(self.text, nxt):
            return False
        declaration = starts_declaration(self.text, nxt)
        if column == 1:
            return declaration or complete
        return declaration  # `Name(args) =` can never continue an expression

    def _track(self, tok: Token) -> None:
        if self.blocks and self.blocks[-1].column is None:
            self.blocks[-1].column = tok.column
        value = tok.value
        if value in OPENERS and tok.type not in ("NAME", "INT"):
            self.brackets.append(tok)
        elif value in CLOSERS:
            self._close(tok)
        elif value == "|>" and self.brackets and self.brackets[-1].value == "[|":
            self.brackets.pop()  # exception `P [| A |> Q` closes its `[|` with `|>`
        elif tok.type == "LET":
            self.blocks.append(_Block(len(self.brackets)))
        elif tok.type == "WITHIN" and self.blocks:
            self.blocks.pop()

    def _close(self, tok: Token) -> None:
        if not self.brackets:
            return  # the parser reports the stray closer with its expectations
        top = self.brackets[-1]
        if OPENERS[top.value] != tok.value:
            raise ParseError(
                f"'{tok.value}' does not match '{top.value}' opened at {top.line}:{top.column}",
                Span(tok.line, tok.column, tok.end_line, tok.end_column),
                hint=f"close '{top.value}' with '{OPENERS[top.value]}' first",
            )
        self.brackets.pop()
        if self.column1_inside is not None and len(self.brackets) < self.column1_depth:
            self.column1_inside = None  # its brackets are closed: it was a continuation
        while self.blocks and self.blocks[-1].depth > len(self.brackets):
            self.blocks.pop()  # a let inside the brackets ends with them


# a line starting with one of these continues the previous one (binary
# operators, closing brackets, and the words that continue an expression)
_CONTINUES = re.compile(
    r"(->|\[\]|\|~\||\|\|\||\[\||\[>|/\\|\\|;|&|\[\[|\]\]|[-+*/%^.,|@:?!=<>\])}\[]"
    r"|(then|else|and|or|undo|within)(?![A-Za-z0-9_']))")
_DECLARATION_KEYWORDS = re.compile(
    r"(channel|datatype|subtype|nametype|assert|transparent|external"
    r"|include|module|exports|endmodule|instance|print|Timed)(?![A-Za-z0-9_'])|⟧"
    # the workflow words are CSPM names too (`signal?x -> P`): a declaration
    # only when a name follows
    r"|(activity|signal|timer)[ \t]+[A-Za-z_]")
# a sequence pattern being defined: `<x>^s = e` (one `=`, no `==`, on the line)
_PATTERN_DEFINITION = re.compile(r"<[^\n=<>]*>(\^[A-Za-z_][A-Za-z0-9_']*)?[ \t]*=(?!=)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_']*")
# `g :: T`, `f, g :: T` (a space on one side of `::`, unlike a module name `M::x`)
_ANNOTATION = re.compile(r"[A-Za-z_][A-Za-z0-9_']*([ \t]*,[ \t]*[A-Za-z_][A-Za-z0-9_']*)*"
                         r"([ \t]+::|::[ \t])")
# `d.0 = d.1`: a dotted pattern being defined (one `=`, not `==`)
_DOTTED_DEFINITION = re.compile(r"[A-Za-z_][A-Za-z0-9_']*(\.[A-Za-z0-9_']+)+[ \t]*=(?!=)")
_EXPRESSION_WORDS = {"let", "within", "if", "then", "else", "not", "and", "or"}
_ENDS_EXPRESSION = {")", "]", "}", "|}", ">", "]]", "STOP", "SKIP", "THROW", "true", "false",
                    "exports", "endmodule", "⟦", "⟧"}


def starts_declaration(text: str, pos: int) -> bool:
    """Whether a declaration starts at ``pos``: a keyword, or ``Name(args)... =``.

    Example:
        >>> starts_declaration("  f(x)(y) = x", 2), starts_declaration("f(x) == 1", 0)
        (True, False)
    """
    if _DECLARATION_KEYWORDS.match(text, pos) or _ANNOTATION.match(text, pos) \
            or _DOTTED_DEFINITION.match(text, pos):
        return True
    if text.startswith(("(", "{"), pos):  # `(x, y) = e`, `{x} = e`: a pattern declaration
        end = _balanced(text, pos)
        return end is not None and _DEFINES.match(text, end) is not None
    name = _NAME.match(text, pos)
    if name is None or name.group() in _EXPRESSION_WORDS:
        return False  # `let (x, y) = e within ...` continues an expression
    i, n = name.end(), len(text)
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n or text[i] != "(":
            break
        depth = 0
        while i < n:  # skip one balanced argument list
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
            if depth == 0:
                break
    if i > name.end():  # `Compo(i, X)` with its `=` on the next line
        while i < n and text[i] in " \t\r\n":
            i += 1
    return text.startswith("=", i) and not text.startswith("==", i)


_DEFINES = re.compile(r"[ \t]*=(?!=)")


def _balanced(text: str, pos: int) -> int | None:
    """The offset just after the bracket group opening at ``pos`` on its line, if closed."""
    depth = 0
    for i in range(pos, len(text)):
        char = text[i]
        if char == "\n":
            return None
        depth += (char in "({[") - (char in ")}]")
        if depth == 0:
            return i + 1
    return None


def _can_end(tok: Token) -> bool:
    """Whether an expression can end with ``tok`` (so a newline after it may end it)."""
    return tok.type in ("NAME", "INT", "DURATION", "PROPERTY", "CHAR", "STRING") \
        or tok.value in _ENDS_EXPRESSION


def _after(nl: Token) -> Token:
    """A zero-width token positioned where the newline's next token starts."""
    line = (nl.line or 1) + nl.value.count("\n")
    column = len(nl.value) - nl.value.rfind("\n")
    return Token("_NL", "", nl.end_pos, line, column, line, column, nl.end_pos)
