"""``parse(text) -> Module``: the `.proc` front end's entry point.

The grammar is ``grammar/procalg.lark``: an installed wheel carries it as
``procalg/grammar/procalg.lark``; a source checkout reads the repository
copy. The LALR tables are built once per process (about a tenth of a second)
and parsing is linear in the length of the text.

Example:
    >>> m = parse("channel a\\nP = a -> P")
    >>> [type(d).__name__ for d in m.declarations]
    ['ChannelDecl', 'Definition']
"""

from __future__ import annotations

import functools
import os
import threading
from typing import TYPE_CHECKING

from lark import Lark
from lark.exceptions import UnexpectedInput, VisitError

from procalg.errors import ModelError, ParseError
from procalg.source import SourceFile, read_source
from procalg.syntax import ast, lark_snapshot, parse_cache
from procalg.syntax.assertion_rules import AssertionBuilder
from procalg.syntax.diagnostics import explain
from procalg.syntax.fast_lark import shortcut_unit_reductions
from procalg.syntax.layout import Layout, blank_comments
from procalg.syntax.modules import expand_modules
from procalg.syntax.timed import expand_sections, mark_sections
from procalg.syntax.value_rules import PARSED_FILE
from procalg.syntax.walk import children

if TYPE_CHECKING:
    from pathlib import Path

_LOCK = threading.Lock()  # the post-lexer keeps per-parse state


def grammar_path() -> Path:
    """Where ``procalg.lark`` is: inside the installed package, else the checkout.

    Example:
        >>> grammar_path().name
        'procalg.lark'
    """
    from importlib import resources  # with pathlib: only where the parser is built anew
    from pathlib import Path

    packaged = resources.files("procalg").joinpath("grammar", "procalg.lark")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "grammar" / "procalg.lark"


@functools.cache
def lark_parser() -> Lark:
    """The LALR parser, built on first use and kept for the process (its unit
    reductions cheap: :mod:`procalg.syntax.fast_lark`); where parsed models are
    kept (the CLI's own command line), read back from its snapshot there
    (:mod:`procalg.syntax.lark_snapshot`: a third of lark's load)."""
    folder = parse_cache.active_folder()
    parser = lark_snapshot.load(folder) if folder is not None else None
    if parser is None:
        parser = build_lark()
        if folder is not None:
            lark_snapshot.keep(parser, folder)  # as lark built it, before the shortcuts
    shortcut_unit_reductions(parser)
    return parser


def build_lark() -> Lark:
    """A new LALR parser of the grammar as lark builds it (:func:`lark_parser`
    starts from one).

    Example:
        >>> build_lark().parse("channel a\\n", start="start").data
        'start'
    """
    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        postlex=Layout(),
        propagate_positions=True,
        maybe_placeholders=True,
        start=["start", "expr"],
        # lark keeps the LALR tables in a temp file keyed by the grammar's hash:
        # start-up (every CLI call, every engine resume) drops from ~0.6 s to ~0.05 s
        cache=True,
    )


def parse(text: str, filename: str = "<input>") -> ast.Module:
    """Parse a whole ``.proc`` model.

    Args:
        text: the file's contents.
        filename: shown in error messages.

    Returns:
        The module's declarations, in order, every node with its span.

    Raises:
        ParseError: the text is not a well-formed model; ``span`` says where,
            ``source`` holds the text so ``str(err)`` quotes the line.

    Example:
        >>> parse("P = a ->", "m.proc")
        Traceback (most recent call last):
        ...
        procalg.errors.ParseError: m.proc:1:9: error: expected an expression after '->'...
    """
    module = _included(_parse(text, filename, "start"), filename, (filename,),
                       os.path.dirname(filename))
    return expand_modules(expand_sections(module))


def _included(module: ast.Module, filename: str, chain: tuple[str, ...],
              root_folder: str) -> ast.Module:
    """``module`` with every ``include "file"`` replaced by that file's declarations.

    The path is relative to the including file; where no file is there, relative
    to ``root_folder``, the main file's folder (FDR's reading: libcspm resolves every
    include against the root file's directory, so a model written for FDR may
    include from a nested file a path meant from the main one). A file that
    includes itself, directly or through others, is an error that shows the chain.
    """
    if not any(type(d) is ast.IncludeDecl for d in module.declarations):
        return module
    from pathlib import Path  # only for a model that includes files

    root = Path(root_folder)
    out: list[ast.Node] = []
    for decl in module.declarations:
        if type(decl) is not ast.IncludeDecl:
            out.append(decl)
            continue
        path = Path(filename).parent / decl.path
        if not path.exists() and (root / decl.path).exists():
            path = root / decl.path  # FDR's reading (see above)
        key = str(path.resolve())
        if key in {str(Path(c).resolve()) for c in chain}:
            shown = " -> ".join((*chain, str(path)))
            raise ParseError(f"include cycle: {shown}", decl.span,
                             source=SourceFile(filename, _read(filename)),
                             hint="remove one of the includes in the chain")
        try:
            text = read_source(path)
        except OSError as err:
            raise ParseError(f"cannot read included file '{decl.path}': {err.strerror}",
                             decl.span, source=SourceFile(filename, _read(filename)),
                             hint="the path is relative to the including file "
                                  "(or to the main file's folder, as FDR reads it)") from None
        inner = _parse(text, str(path), "start")
        out.extend(_included(inner, str(path), (*chain, str(path)), root_folder).declarations)
    return ast.Module(tuple(out), span=module.span)


def _read(filename: str) -> str:
    try:
        return read_source(filename)
    except OSError:
        return ""


def parse_expr(text: str, filename: str = "<input>") -> ast.Node:
    """Parse one expression (value or process).

    Example:
        >>> parse_expr("a -> b -> STOP [] c -> SKIP").op
        '[]'
    """
    return _parse(text, filename, "expr")


MAX_NESTING = 20_000
"""Operators one expression may nest (a chain of prefixes, ``[]``, ``if ... else if``):
past it a model is refused with its place. Every path (evaluating, the term rules,
checks, printing, runs) handles this depth on :func:`procalg.semantics.deep.run_deep`'s
stack, which callers load models on."""


def check_nesting(node: ast.Node, limit: int | None = None) -> None:
    """Refuse a tree nested more than ``limit`` (:data:`MAX_NESTING`) nodes deep.

    Example:
        >>> check_nesting(parse_expr("a -> b -> c -> STOP"), limit=3)
        Traceback (most recent call last):
        ...
        procalg.errors.ModelError: <input>:1:16: error: the model nests more than 3 ...
    """
    limit = MAX_NESTING if limit is None else limit
    todo = [(node, 1)]
    while todo:  # a loop: the tree may be as deep as the text is long
        here, depth = todo.pop()
        if depth > limit:
            raise ModelError(
                f"the model nests more than {limit:,} operators deep here", here.span,
                hint=f"procalg follows up to {limit:,} nested operators (prefixes, choices, "
                     "if ... else if ...); split the chain into named definitions, "
                     "e.g. P = a -> ... -> P2 and P2 = ...")
        todo.extend((child, depth + 1) for child in children(here))


def _parse(text: str, filename: str, start: str) -> ast.Node:
    source = SourceFile(filename, text)
    # a sub-parse (an assertion's expression, padded to file positions) keeps
    # the file that is being parsed; an included file sets its own
    stamp = PARSED_FILE.set(PARSED_FILE.get() or source)
    try:
        clean = mark_sections(blank_comments(text))
        tree = raw_parse(clean, start)
        node = AssertionBuilder(clean, lambda t: _parse(t, filename, "expr")).transform(tree)
        check_nesting(node)
        return node
    except (ParseError, ModelError) as err:
        err.source = err.source or source
        raise
    except VisitError as err:
        if isinstance(err.orig_exc, ParseError):
            err.orig_exc.source = err.orig_exc.source or source
            raise err.orig_exc from None
        raise
    except UnexpectedInput as err:
        found = explain(err, clean, source)
        # a timed section's braces were marked before lexing: say them as written
        found.message = found.message.replace("⟦", "{").replace("⟧", "}")
        if found.hint:
            found.hint = found.hint.replace("⟦", "{").replace("⟧", "}")
        raise found from None
    except RecursionError:
        raise ParseError("the model nests too deeply to parse", None, source=source,
                         hint="split deeply nested expressions into named definitions") from None
    finally:
        PARSED_FILE.reset(stamp)


def raw_parse(clean: str, start: str):
    """Lark parse of comment-free text; lark exceptions escape unchanged."""
    parser = lark_parser()
    with _LOCK:
        parser.options.postlex.text = clean
        try:
            return parser.parse(clean, start=start)
        except UnexpectedInput as err:
            layout = parser.options.postlex
            err.unclosed = list(layout.brackets)  # type: ignore[attr-defined]
            err.column1_inside = layout.column1_inside  # type: ignore[attr-defined]
            token = getattr(err, "token", None)
            handed = token is not None and token is layout.last
            # the token before the offending one (the offending one may never
            # have reached the post-lexer: end of file, bad character)
            err.previous = layout.previous if handed else layout.last  # type: ignore[attr-defined]
            raise
