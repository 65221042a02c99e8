"""Where FDR accepts a declaration: prints, type annotations and assertions.

procalg shows nothing for ``print e`` and infers nothing from ``f :: T``, but a
file FDR refuses should not load here either (a model that "works" in procalg
and not in FDR is a trap for whoever moves it). So the builder keeps both as
markers (:class:`~procalg.syntax.ast.PrintDecl`,
:class:`~procalg.syntax.ast.TypeAnnotation`) and :func:`placed` checks them
against the rules of libcspm's renamer and parser, then drops them:

* ``print`` stands only at the top level: not in a module, not in a
  ``Timed`` section;
* ``assert`` does not stand in a module;
* an annotation names what its own scope (the file, one module, one ``let``)
  defines or declares (a channel, a datatype, its constructors, a nametype
  too), each name at most once;
* its type is written as FDR writes types: a function type has its arguments
  in parentheses, ``(Int, a) -> a``, and a constraint names one of FDR's type
  classes (``Eq a => ...``).

The scan is linear in the number of declarations.

Example:
    >>> from procalg.syntax import parse
    >>> [d.name for d in parse("f :: (Int) -> Int\\nf(x) = x + 1").declarations]
    ['f']
    >>> parse("f :: Int")
    Traceback (most recent call last):
    ...
    procalg.errors.ParseError: <input>:1:1: error: a type annotation for 'f', which is not...
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from procalg.errors import ParseError
from procalg.syntax import ast
from procalg.syntax.modules import declared_names

TYPE_CLASSES = frozenset({"Eq", "Ord", "Set", "Inputable", "Yieldable", "Complete"})
"""FDR's type classes, the names a constraint ``C a => T`` may use."""

_CONSTRAINT = re.compile(r"\s*([A-Z][A-Za-z0-9_']*)\s+[a-z][A-Za-z0-9_']*\s*")


@dataclass
class _Scope:
    """One scope's definitions and annotations (``module`` names a module's)."""

    module: str | None = None
    defined: set[str] = field(default_factory=set)
    annotated: dict[str, ast.TypeAnnotation] = field(default_factory=dict)


def placed(decls: Iterable[ast.Node]) -> list[ast.Node]:
    """``decls`` (one file's or one ``let``'s, flat) without their print and
    annotation markers, once each stands where FDR accepts it.

    Raises:
        ParseError: at the first misplaced ``print``, ``assert`` or annotation,
            or an annotation whose type FDR cannot read (module docstring).
    """
    scopes = [_Scope()]
    timed = 0
    out: list[ast.Node] = []
    for decl in decls:
        kind = type(decl)
        if kind is ast.PrintDecl:
            _check_print(decl, len(scopes) > 1, timed > 0)
            continue
        if kind is ast.TypeAnnotation:
            _annotate(scopes[-1], decl)
            continue
        if kind is ast.ModuleStart:
            scopes.append(_Scope(decl.name))
        elif kind is ast.ModuleEnd and len(scopes) > 1:
            _close(scopes.pop())  # an unmatched end is syntax/modules.py's error
        elif kind is ast.TimedStart:
            timed += 1
        elif kind is ast.TimedEnd:
            timed = max(0, timed - 1)
        elif kind is ast.Assertion and len(scopes) > 1:
            raise ParseError(f"an assertion inside module {scopes[-1].module}", decl.span,
                             hint="FDR checks assertions at the top level: move it after "
                                  "'endmodule' and name the module's processes as M::P")
        else:
            scopes[-1].defined.update(declared_names(decl))
        out.append(decl)
    _close(scopes[0])  # a module never ended is syntax/modules.py's error
    return out


def _check_print(decl: ast.PrintDecl, in_module: bool, in_timed: bool) -> None:
    if in_module or in_timed:
        where = "a module" if in_module else "a timed section"
        raise ParseError(f"'print' inside {where}", decl.span,
                         hint="FDR reads 'print' only at the top level of a file")


def _annotate(scope: _Scope, decl: ast.TypeAnnotation) -> None:
    _check_type(decl)
    for name in decl.names:
        if name in scope.annotated:
            raise ParseError(f"a second type annotation for {name!r}", decl.span,
                             hint="give each name one annotation")
        scope.annotated[name] = decl


def _close(scope: _Scope) -> None:
    for name, decl in scope.annotated.items():
        if name not in scope.defined:
            raise ParseError(
                f"a type annotation for {name!r}, which is not defined here", decl.span,
                hint="an annotation sits beside its definition, in the same module or "
                     "let: f :: (Int) -> Int, then f(x) = ...")


def _check_type(decl: ast.TypeAnnotation) -> None:
    text = decl.type_text
    for match in re.finditer(r"->", text):
        if not text[:match.start()].rstrip().endswith(")"):
            raise ParseError(f"type {text.strip()!r}: a function type's arguments go in "
                             "parentheses", decl.span, hint="write (a) -> b, (Int, a) -> a")
    context, arrow, _ = text.partition("=>")
    if not arrow:
        return
    constraints = [_CONSTRAINT.fullmatch(part) for part in context.strip(" ()").split(",")]
    if not all(constraints):
        return  # not a constraint context: `Int => Event` is a dotted type
    for found in constraints:
        if found.group(1) not in TYPE_CLASSES:
            raise ParseError(
                f"type {text.strip()!r}: {found.group(1)!r} is not a type class", decl.span,
                hint="FDR's type classes: " + ", ".join(sorted(TYPE_CLASSES)))
