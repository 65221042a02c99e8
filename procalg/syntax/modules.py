"""CSPM modules: ``module M(x) ... exports ... endmodule`` and ``instance N = M(e)``.

FDR's modules are a name-space device: a module's declarations are seen
from outside as ``M::name``; a parameterised module is a template whose
``instance`` binds its parameters. They are expanded here, after parsing,
into ordinary declarations with qualified names (``N::y``), so nothing
later knows about modules:

* every name a module declares becomes ``M::name`` (for an instance,
  ``N::name``), and the references inside the module are renamed to match;
* an instance ``N = M(e)`` also defines ``N::x = e`` for each parameter ``x``;
* a module inside a module is ``M::Inner`` (its instances may be made from
  outside, ``instance X = M1::Inner(7)``).

Private names are qualified like exported ones (they cannot clash), so a
model may reach them from outside where FDR would refuse: a deliberate,
harmless difference (docs/language.md).

Example:
    >>> from procalg.syntax import parse
    >>> m = parse("module M(x)\\nexports\\n  f = x + 1\\nendmodule\\ninstance N = M(4)")
    >>> [d.name for d in m.declarations]
    ['N::x', 'N::f']
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from procalg.errors import ParseError
from procalg.syntax import ast

_MODULE_NODES = (ast.ModuleStart, ast.ModuleExports, ast.ModuleEnd, ast.InstanceDecl)


@dataclass
class _Module:
    """A module as written: its parameters and the declarations of its two parts."""

    name: str
    params: tuple[ast.Node, ...] | None
    body: list = field(default_factory=list)  # private, then exported declarations
    span: object = None


@dataclass
class _Template:
    """A parameterised module, with the names visible where it was declared."""

    module: _Module
    outer: dict[str, str]


def expand_modules(module: ast.Module) -> ast.Module:
    """``module`` with its modules and instances expanded (see the module docstring).

    Raises:
        ParseError: an ``exports`` or ``endmodule`` without its ``module``, a
            module never ended, or an instance of an unknown module.
    """
    if not any(type(d) in _MODULE_NODES for d in module.declarations):
        return module
    items = _nest(list(module.declarations))
    out: list[ast.Node] = []
    _flatten(items, "", {}, {}, out)
    return ast.Module(tuple(out), span=module.span)


def _nest(decls: list[ast.Node]) -> list:
    """The flat declaration list with each module's declarations gathered in a _Module."""
    stack: list[_Module] = []
    top: list = []
    for decl in decls:
        target = stack[-1].body if stack else top
        if type(decl) is ast.ModuleStart:
            stack.append(_Module(decl.name, decl.params, span=decl.span))
        elif type(decl) is ast.ModuleExports:
            if not stack:
                raise ParseError("'exports' outside a module", decl.span,
                                 hint="a module reads  module M ... exports ... endmodule")
        elif type(decl) is ast.ModuleEnd:
            if not stack:
                raise ParseError("'endmodule' without its 'module'", decl.span,
                                 hint="remove it, or open the module with  module M")
            done = stack.pop()
            (stack[-1].body if stack else top).append(done)
        else:
            target.append(decl)
    if stack:
        raise ParseError(f"module {stack[-1].name} is never ended", stack[-1].span,
                         hint="end it with 'endmodule'")
    return top


def _flatten(items: list, prefix: str, outer: dict[str, str],
             templates: dict[str, _Template], out: list[ast.Node]) -> list[tuple[str, str]]:
    """Append ``items``' declarations, qualified by ``prefix``, to ``out``.

    Returns the (name as seen in this scope, qualified name) pairs declared,
    so the enclosing scope can see them as ``Inner::name``.
    """
    own = [n for item in items if not isinstance(item, _Module) for n in declared_names(item)]
    names = dict(outer)
    names.update({n: prefix + n for n in own})
    constants = {n for item in items if not isinstance(item, _Module)
                 for n in _constants(item)}
    declared = [(n, prefix + n) for n in own]
    # `transparent normal` in a module: M::normal is the builtin itself
    declared += [(n, n) for item in items if type(item) is ast.TransparentDecl
                 for n in item.names]
    for item in items:  # modules first: their qualified names are seen by everything else
        if isinstance(item, _Module):
            qualified = prefix + item.name
            templates[qualified] = _Template(item, names)  # `instance N = M` copies it
            if item.params is not None:
                templates[qualified] = _Template(item, names)
                names[item.name] = qualified
                continue
            inner = _flatten(item.body, qualified + "::", names, templates, out)
            for rel, full in inner:
                names[f"{item.name}::{rel}"] = full
                declared.append((f"{item.name}::{rel}", full))
            names[item.name] = qualified
    for item in items:
        if isinstance(item, _Module):
            continue
        if type(item) is ast.InstanceDecl:
            for rel, full in _instance(item, prefix, names, templates, out):
                names[f"{item.name}::{rel}"] = full
                declared.append((f"{item.name}::{rel}", full))
            continue
        out.append(_rename_decl(item, prefix, names, constants))
    return declared


def _instance(decl: ast.InstanceDecl, prefix: str, names: dict[str, str],
              templates: dict[str, _Template], out: list) -> list[tuple[str, str]]:
    """Expand ``instance N = M(args)`` (or ``= M``) at ``prefix``."""
    target, args = decl.module, ()
    if type(target) is ast.Apply:
        target, args = target.func, target.args
    if type(target) is not ast.Name:
        raise ParseError("an instance needs a module name: instance N = M(args)", decl.span)
    key = names.get(target.id, target.id)
    template = templates.get(key)
    qualified = prefix + decl.name + "::"
    if template is None:
        raise ParseError(f"'{target.id}' is no parameterised module", target.span,
                         hint="declare it with  module M(x) ... endmodule  first")
    params = template.module.params or ()
    if len(params) != len(args):
        raise ParseError(f"module {target.id} takes {len(params)} arguments, got {len(args)}",
                         decl.span)
    scope = dict(template.outer)
    bound: list[tuple[str, str]] = []
    for param, arg in zip(params, args, strict=True):
        if type(param) is not ast.Name:
            raise ParseError("a module parameter must be a name", param.span)
        value = _rename(arg, names, set(), set())
        out.append(ast.Definition(qualified + param.id, None, value, span=decl.span))
        scope[param.id] = qualified + param.id
        bound.append((param.id, qualified + param.id))
    inner = _flatten(template.module.body, qualified, scope, templates, out)
    return bound + inner


def declared_names(decl: ast.Node) -> list[str]:
    """The names ``decl`` defines or declares: a definition's, a channel's, a
    datatype's and its constructors', a nametype's (none for anything else).

    Example:
        >>> declared_names(ast.ChannelDecl(("a", "b")))
        ['a', 'b']
    """
    match decl:
        case ast.Definition(name=name):
            return [name]
        case ast.ChannelDecl(names=names):
            return list(names)
        case ast.DatatypeDecl(name=name, constructors=cons):
            return [name, *(c.name for c in cons)]
        case ast.NametypeDecl(name=name):
            return [name]
    return []


def _constants(decl: ast.Node) -> list[str]:
    match decl:
        case ast.ChannelDecl(names=names):
            return list(names)
        case ast.DatatypeDecl(constructors=cons):
            return [c.name for c in cons]
    return []


def _rename_decl(decl: ast.Node, prefix: str, names: dict[str, str],
                 constants: set[str]) -> ast.Node:
    """``decl`` with its own names qualified and its references renamed."""
    binders = _binders(decl, constants)
    renamed = _rename(decl, names, binders, constants)
    match renamed:
        case ast.Definition(name=name):
            return dataclasses.replace(renamed, name=prefix + name)
        case ast.ChannelDecl(names=own):
            return dataclasses.replace(renamed, names=tuple(prefix + n for n in own))
        case ast.DatatypeDecl(name=name, constructors=cons):
            return dataclasses.replace(renamed, name=prefix + name, constructors=tuple(
                dataclasses.replace(c, name=prefix + c.name) for c in cons))
        case ast.NametypeDecl(name=name):
            return dataclasses.replace(renamed, name=prefix + name)
    return renamed


def _binders(node: object, constants: set[str]) -> set[str]:
    """Names a declaration binds locally (pattern variables, let definitions):
    references to them stay as they are (an over-approximation of scope)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if type(item) is ast.PVar and item.name not in constants:
            found.add(item.name)
        elif type(item) is ast.Let:
            found.update(d.name for d in item.definitions)
        if isinstance(item, tuple | list):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and isinstance(item, ast.Node):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
    return found


def _rename(node, names: dict[str, str], binders: set[str], constants: set[str]):
    """``node`` with each reference to a module name replaced by its qualified name."""
    if type(node) is ast.Name:
        new = names.get(node.id)
        return node if new is None or new == node.id or node.id in binders else \
            dataclasses.replace(node, id=new)
    if type(node) is ast.PVar:
        new = names.get(node.name)
        if new is not None and node.name in constants:
            return dataclasses.replace(node, name=new)
        return node
    if isinstance(node, tuple):
        return tuple(_rename(x, names, binders, constants) for x in node)
    if not (dataclasses.is_dataclass(node) and isinstance(node, ast.Node)):
        return node
    changes = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, ast.Node | tuple):
            new = _rename(value, names, binders, constants)
            if new is not value:
                changes[f.name] = new
    return dataclasses.replace(node, **changes) if changes else node
