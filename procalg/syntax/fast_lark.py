"""Two costs lark pays per parse-tree node, cut for large (generated) models.

A ``.proc`` expression climbs ~16 precedence levels (``expr`` -> ``hide`` ->
... -> ``atom``): the LALR parser reduces a bare name by every level's unit
rule (``?hide: inter``), so a 19,000-line generated file (ProB's state spaces
for FDR) makes ~300,000 unit reductions for 63,000 tokens. Each one ran
lark's callback chain (``PropagatePositions`` around ``ExpandSingleChild``:
two calls, a dozen ``getattr``) and hashed its ``Rule`` in Python twice.
Then the transformer, for each of its ~60,000 nodes, had ``v_args(meta=True)``
build a fresh wrapper (``functools.update_wrapper``) to call the rule's method.

:func:`shortcut_unit_reductions` makes a unit rule's callback take its one
child as it is (what the chain returned: an inlined rule of one kept
child is that child, whose positions the chain only copied onto itself), and
the parser's rules hash by identity (each rule is one object in its table).
:class:`MetaRules` calls a transformer's ``meta=True`` method directly, looked
up once per class and rule. Parsing ``scheduler0_6.csp`` took 5.2 s of CPU,
now about half (``benchmarks/parse.py``); a small model's parse, a few ms less.

Example:
    >>> from lark import Lark
    >>> parser = Lark('?start: sum\\n?sum: sum "+" atom | atom\\n?atom: NAME\\n'
    ...               '%import common.CNAME -> NAME', parser="lalr", propagate_positions=True)
    >>> shortcut_unit_reductions(parser)  # ?start: sum, ?sum: atom
    2
    >>> tree = parser.parse("a+b")  # as lark built it: b's atom and the start inlined
    >>> str(tree.data), tree.children, tree.meta.end_column
    ('sum', [Token('NAME', 'a'), Token('NAME', 'b')], 4)
"""

from __future__ import annotations

import inspect
import operator
from collections.abc import Callable
from types import FunctionType
from typing import Any

from lark import Lark, Tree, v_args
from lark.exceptions import GrammarError, VisitError
from lark.grammar import Rule


class _IdentityRule(Rule):
    """A rule hashed and compared by identity: the parser looks a rule's callback
    up on every reduction, and :class:`Rule` hashes its origin and expansion in
    Python each time. Within one parser each rule is one object (the table and
    the callbacks share them), so identity is its equality there."""

    __slots__ = ()
    __hash__ = object.__hash__
    __eq__ = object.__eq__


def shortcut_unit_reductions(parser: Lark) -> int:
    """Make ``parser``'s unit reductions cheap (see the module); returns how many
    rules were unit rules (0: this lark's internals are not the shape tested, the
    parser is left as lark built it). Call once, on a parser of one's own (its
    rules change class)."""
    # lark's internals, not its API (tested with lark 1.1.9-1.3): a lark that
    # moved them parses as lark does, only slower
    inner = getattr(getattr(getattr(parser, "parser", None), "parser", None), "parser", None)
    if not isinstance(getattr(inner, "callbacks", None), dict) or not hasattr(
            getattr(inner, "parse_table", None), "states"):
        return 0
    items = list(inner.callbacks.items())
    # one object per rule: a table read from lark's cache may hold equal copies
    canonical = {rule: rule for rule, _ in items if isinstance(rule, Rule)}
    for actions in inner.parse_table.states.values():
        for token, (action, arg) in actions.items():
            if isinstance(arg, Rule) and canonical[arg] is not arg:
                actions[token] = (action, canonical[arg])
    for rule in canonical:
        rule.__class__ = _IdentityRule
    units = {rule for rule in canonical if _is_unit(rule)}
    # the same dict object the parser reads; filled from pairs, so every key is
    # hashed anew (a dict copied from a dict keeps the old hashes)
    inner.callbacks.clear()
    inner.callbacks.update((key, operator.itemgetter(0) if key in units else callback)
                           for key, callback in items)
    return len(units)


def _is_unit(rule: Rule) -> bool:
    """``?a: b``: inlined when it has one child (``?``, no alias), and always has
    one (one symbol, a rule's result that is kept, no ``[x]`` placeholder)."""
    options = rule.options
    return (options.expand1 and not rule.alias and len(rule.expansion) == 1
            and not rule.expansion[0].is_term and not rule.expansion[0].name.startswith("_")
            and not any(options.empty_indices or ()))


# a lark without this attribute: every rule goes through lark's own call (None)
_META = getattr(v_args(meta=True)(lambda self, meta, children: None), "visit_wrapper", None)
_MISSING = object()
_methods: dict[tuple[type, str], Callable[..., Any] | None] = {}


class MetaRules:
    """A mixin for a lark transformer whose rules take ``(self, meta, children)``
    (``@v_args(meta=True)``): each rule's function is looked up once per class and
    called directly, not through a wrapper made per node (see the module)."""

    def _call_userfunc(self, tree: Tree, new_children: list | None = None) -> Any:  # lark's hook
        key = (type(self), tree.data)
        method = _methods.get(key, _MISSING)
        if method is _MISSING:
            method = _methods[key] = _meta_method(type(self), tree.data)
        if method is None:
            return super()._call_userfunc(tree, new_children)  # type: ignore[misc]
        children = new_children if new_children is not None else tree.children
        try:
            return method(self, tree.meta, children)
        except GrammarError:
            raise
        except Exception as err:
            raise VisitError(tree.data, tree, err) from err  # as lark's own


def _meta_method(cls: type, name: str) -> Callable[..., Any] | None:
    """The plain function behind ``cls``'s ``meta=True`` rule ``name`` (None: lark calls it)."""
    attr = inspect.getattr_static(cls, name, None)
    func = getattr(attr, "base_func", None)
    if _META is not None and getattr(attr, "visit_wrapper", None) is _META \
            and type(func) is FunctionType:
        return func
    return None
