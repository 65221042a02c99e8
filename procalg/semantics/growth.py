"""Parameters that grow without bound: found in the source, confirmed by their values.

``P(n) = a -> P(n + 1)`` has infinitely many states. An explicit engine
would explore it until the state limit (minutes, gigabytes) and then blame
"data types" the model does not have. Instead:

1. :func:`growing` reads the definitions once and finds every recursive call
   that adds a constant to one of the called process's parameters (``n + 1``,
   ``n - 2``, ``1 + n``) where no ``if`` or ``&`` guard on the way to the call
   mentions that parameter. This over-approximates: a partner in parallel or
   a parameter that other arguments bound may still keep it finite.
2. :func:`watch` confirms: when an unfolding of such a process receives a
   value beyond :data:`GROWTH_LIMIT` in magnitude at that position, the
   parameter really has been stepped that far, so the space is at least that
   large; the engines stop with a :class:`~procalg.errors.ModelError` naming
   the definition, the parameter and the call that grows it, in seconds.

A counter that the model does bound (``if n < 10 then P(n + 1) else ...``,
``P((n + 1) % 4)``) is never flagged; one bounded elsewhere is flagged but
never reaches the limit unless the model is that large, where the message
says how to go on.

Example:
    >>> from procalg.syntax.parser import parse
    >>> spec = parse("channel a\\nP(n) = a -> P(n + 1)\\nQ(n) = n < 3 & a -> Q(n + 1)\\n")
    >>> defs = {d.name: [d] for d in spec.declarations if hasattr(d, "body")}
    >>> sorted(growing(defs))
    ['P']
    >>> growing(defs)["P"][0].parameter, growing(defs)["P"][0].step
    ('n', 'n + 1')
    >>> watch(growing(defs), "P", (7,))
    >>> try:
    ...     watch(growing(defs), "P", (GROWTH_LIMIT + 1,))
    ... except ModelError as err:
    ...     print(err.message[:55])
    parameter n of P has grown past 10,000 through P(n + 1)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from procalg.errors import ModelError
from procalg.semantics.kinds import names_in
from procalg.source import Span
from procalg.syntax import ast

GROWTH_LIMIT = 10_000
"""A flagged parameter past this magnitude has been stepped this many times: stop."""


class UnboundedGrowth(ModelError):
    """A flagged parameter passed :data:`GROWTH_LIMIT`: the process has infinitely many states.

    Attributes:
        growth: the parameter and the call that grows it.
    """

    def __init__(self, message: str, growth: Growth, **kwargs: object) -> None:
        super().__init__(message, growth.span, **kwargs)
        self.growth = growth


@dataclass(frozen=True, slots=True)
class Growth:
    """One parameter position that a recursive call moves by a constant.

    Attributes:
        process: the definition whose parameter grows.
        index: the parameter's position.
        parameter: its name.
        step: the argument as written (``n + 1``).
        span: where that argument is.
        dead: the parameter only counts: its definition reads it nowhere but in
            that position of its own calls, so it never changes what the process
            does (see :func:`settle`).
    """

    process: str
    index: int
    parameter: str
    step: str
    span: Span | None
    dead: bool = False


def growing(definitions: Mapping[str, list[ast.Definition]]) -> dict[str, tuple[Growth, ...]]:
    """Every (process, parameter) some call steps by a constant with no guard on it.

    Linear in the size of the definitions. Only calls between definitions
    with plain-name parameters count (patterns match finitely many shapes).
    """
    params = {name: _names(clauses[0]) for name, clauses in definitions.items()
              if len(clauses) == 1 and clauses[0].params}
    found: dict[tuple[str, int], Growth] = {}
    for name, clauses in definitions.items():
        own = params.get(name)
        if own is None:
            continue
        for callee, args, guarded in _calls(clauses[0].body, frozenset()):
            theirs = params.get(callee)
            if theirs is None or len(args) != len(theirs):
                continue
            for index, arg in enumerate(args):
                moved = _stepped(arg)
                if moved is not None and moved in own and moved not in guarded \
                        and (callee, index) not in found:
                    dead = _only_counts(callee, definitions[callee][0], index, theirs[index])
                    found[callee, index] = Growth(callee, index, theirs[index],
                                                  _text(arg), arg.span, dead)
    grouped: dict[str, list[Growth]] = {}
    for growth in found.values():
        grouped.setdefault(growth.process, []).append(growth)
    return {name: tuple(items) for name, items in grouped.items()}


def reaching(definitions: Mapping[str, Iterable[ast.Definition]],
             flagged: Iterable[str]) -> dict[str, str]:
    """Each definition from which some flagged one is reached through the bodies,
    mapped to that flagged one (a flagged one maps to itself).

    The static call graph, read backwards from the flagged definitions: linear
    in the size of the definitions. Over-approximates, as :func:`growing` does:
    every name a body mentions counts as reached, whatever guards it.

    Example:
        >>> from procalg.syntax.parser import parse
        >>> spec = parse("channel a\\nP = a -> Q(0)\\nQ(n) = a -> Q(n + 1)\\nR = a -> R\\n")
        >>> defs = {d.name: [d] for d in spec.declarations if hasattr(d, "body")}
        >>> sorted(reaching(defs, growing(defs)).items())
        [('P', 'Q'), ('Q', 'Q')]
    """
    callers: dict[str, set[str]] = {}
    for name, clauses in definitions.items():
        for clause in clauses:
            for used in names_in(clause.body):
                if used in definitions:
                    callers.setdefault(used, set()).add(name)
    found = {name: name for name in flagged}
    todo = list(found)
    while todo:
        name = todo.pop()
        for caller in callers.get(name, ()):
            if caller not in found:
                found[caller] = found[name]
                todo.append(caller)
    return found


def watch(flagged: Mapping[str, tuple[Growth, ...]], name: str, args: tuple) -> None:
    """Raise if an unfolding of ``name`` receives a flagged argument past the limit.

    Raises:
        UnboundedGrowth: naming the definition, the parameter and the growing call.
    """
    for growth in flagged.get(name, ()):
        value = args[growth.index] if growth.index < len(args) else None
        if type(value) is int and abs(value) > GROWTH_LIMIT:
            raise UnboundedGrowth(
                f"parameter {growth.parameter} of {growth.process} has grown past "
                f"{GROWTH_LIMIT:,} through {growth.process}({growth.step}) with no guard "
                f"bounding it: the process most likely has infinitely many states", growth,
                hint=f"bound it (if {growth.parameter} < N then ... else ...; also when a "
                     f"partner bounds it), count modulo N, or check it with --engine "
                     f"symbolic (unbounded integers)")


def watched(flagged: Mapping[str, tuple[Growth, ...]], name: str, args: tuple,
            settled: bool) -> tuple:
    """:func:`watch` ``args``, first :func:`settle` d if ``settled``; the arguments to use."""
    if settled:
        args = settle(flagged, name, args)
    watch(flagged, name, args)
    return args


def settle(flagged: Mapping[str, tuple[Growth, ...]], name: str, args: tuple) -> tuple:
    """``args`` with every dead counter of ``name`` set to 0.

    A parameter that its definition reads only to pass on, stepped, to itself
    (``Inf(n) = a -> b -> Inf(n + 1)``) cannot change what the process does:
    ``Inf(v)`` and ``Inf(w)`` are strongly bisimilar for all ``v``, ``w``
    (coinduction on the unfolding). Evaluating each unfolding with 0 there
    keeps the state space finite, as mCRL2's parameter elimination (parelm:
    Groote and Lisser, *Computer Assisted Manipulation of Algebraic Process
    Specifications*, 2002) removes parameters that influence no behaviour.

    Example:
        >>> from procalg.syntax.parser import parse
        >>> spec = parse("channel a\\nP(n, m) = a -> P(n + 1, m)\\n")
        >>> defs = {d.name: [d] for d in spec.declarations if hasattr(d, "body")}
        >>> settle(growing(defs), "P", (7, 3))
        (0, 3)
    """
    dead = [g.index for g in flagged.get(name, ()) if g.dead and g.index < len(args)]
    if not dead:
        return args
    return tuple(0 if i in dead else v for i, v in enumerate(args))


def _only_counts(name: str, definition: ast.Definition, index: int, param: str) -> bool:
    """Whether ``param`` (at ``index``) is read only as ``param ± c`` at ``index`` of
    ``name``'s own calls: each such argument holds one of its occurrences."""
    passed = sum(1 for callee, args, _ in _calls(definition.body, frozenset())
                 if callee == name and len(args) > index and _stepped(args[index]) == param)
    return passed > 0 and passed == _occurrences(definition.body, param)


def _occurrences(node: object, name: str) -> int:
    if isinstance(node, ast.Name):
        return int(node.id == name)
    items = node if isinstance(node, tuple) else (
        [getattr(node, f.name) for f in dataclasses.fields(node) if f.name != "span"]
        if dataclasses.is_dataclass(node) else ())
    return sum(_occurrences(item, name) for item in items)


def _names(definition: ast.Definition) -> tuple[str, ...] | None:
    names = []
    for pattern in definition.params or ():
        if not isinstance(pattern, ast.PVar):
            return None
        names.append(pattern.name)
    return tuple(names)


def _calls(node: object, guarded: frozenset[str]) -> Iterator[tuple[str, tuple, frozenset[str]]]:
    """Each call ``Q(args)`` in ``node`` with the names the guards above it mention."""
    if isinstance(node, (ast.If, ast.Guard)):
        inner = guarded | names_in(node.cond)
        for part in ((node.then, node.orelse) if isinstance(node, ast.If) else (node.process,)):
            yield from _calls(part, inner)
        return
    if isinstance(node, ast.Apply) and isinstance(node.func, ast.Name):
        yield node.func.id, node.args, guarded
    if isinstance(node, tuple):
        for item in node:
            yield from _calls(item, guarded)
    elif dataclasses.is_dataclass(node):
        for field in dataclasses.fields(node):
            if field.name != "span":
                yield from _calls(getattr(node, field.name), guarded)


def _stepped(arg: object) -> str | None:
    """``x`` when ``arg`` is ``x + c``, ``c + x`` or ``x - c`` with a literal ``c != 0``."""
    if not isinstance(arg, ast.Binary) or arg.op not in ("+", "-"):
        return None
    left, right = arg.left, arg.right
    if isinstance(left, ast.Name) and isinstance(right, ast.Int) and right.value:
        return left.id
    if arg.op == "+" and isinstance(right, ast.Name) and isinstance(left, ast.Int) and left.value:
        return right.id
    return None


def _text(arg: ast.Binary) -> str:
    def side(node: object) -> str:
        return node.id if isinstance(node, ast.Name) else str(node.value)
    return f"{side(arg.left)} {arg.op} {side(arg.right)}"
