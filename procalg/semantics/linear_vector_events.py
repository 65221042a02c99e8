"""The events of a vectorised branch: outputs, inputs and static offers as columns.

Part of :mod:`procalg.semantics.linear_vector`: a prefix ``c.e1!e2?x`` of a
vectorised definition (:mod:`procalg.semantics.linear_vector_body`) becomes a
label per row, computed from its fields' values by mixed-radix arithmetic over
the channel's field types (Int, or Bool coded 0 and 1) and a table of the
machine's labels filled on first sight; an input's values are enumerated per
row in the order of :func:`~procalg.semantics.inputs.prefix_offers`.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel k : Bool.{0..2}\\nP(b) = k!b?n -> P(not b)")
    >>> machine = Machine(model.spec.evaluator, model.process("P(true)"))
    >>> labels = []
    >>> event = Output(machine, "k", [], ((False, True), (0, 1, 2)), labels.append)
    >>> event.kinds
    ['b', 'i']
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from procalg.lts.unique_codes import sorted_unique
from procalg.semantics.inputs import pattern_names
from procalg.semantics.kinds import names_in
from procalg.semantics.linear_vector_values import restriction
from procalg.semantics.patterns import constant, match_all
from procalg.semantics.values import expect_set
from procalg.semantics.vector_exprs import (
    Columns,
    NotVector,
    VectorCode,
    encode,
    kind_of,
    vector_expr,
)
from procalg.syntax import ast
from procalg.terms import sort_key, sorted_values

if TYPE_CHECKING:
    from procalg.semantics.linear import Machine

Labeller = Callable[[str], int]
MAX_EVENTS = 1 << 20
"""The most events of one channel a branch's table of labels may span."""


class Output:
    """An output prefix ``c.e1!e2``: its label from the field values by mixed radix.

    A field's type may mix kinds (``datatype M = m.{0..1} | n``: dotted values and
    a constructor), a column holds one: each field keeps, per kind of its type,
    the position in the type of each code (:attr:`indexes`).
    """

    def __init__(self, machine: Machine, channel: str, fields: list[VectorCode],
                 types: tuple[frozenset, ...], labeller: Labeller) -> None:
        self.machine, self.channel, self.fields, self.labeller = machine, channel, fields, labeller
        # one layout per channel and machine, shared by its outputs (each link of a
        # 10,000-prefix chain over c : {0..10000} built its own: quadratic)
        layouts = _LAYOUTS.setdefault(machine, {})
        key = (channel, types, labeller)
        if key not in layouts:
            layouts[key] = _layout(types)
        self.indexes, self.values, self.radix, self.table = layouts[key]

    @property
    def kinds(self) -> list[str]:
        """The kinds each field's type holds (joined when it mixes several)."""
        return ["".join(sorted(index)) for index in self.indexes]

    def labels_of(self, cols: Columns, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The label of each row's event, and the rows whose event the per-state path
        builds otherwise (a value outside its field's type: it raises there)."""
        code = np.zeros(n, dtype=np.int64)
        wrong = np.zeros(n, dtype=bool)
        for field, index, radix in zip(self.fields, self.indexes, self.radix, strict=True):
            values, kind, bad = field(cols, n)
            if bad is not None:
                wrong |= bad
            found = index.get(kind)
            if found is None:  # no value of this kind is in the type: each row raises
                wrong[:] = True
                continue
            low, positions = found
            offset = values.astype(np.int64) - low
            inside = (offset >= 0) & (offset < len(positions))
            at = np.where(inside, positions[np.where(inside, offset, 0)], -1)
            wrong |= at < 0
            code += np.where(at < 0, 0, at) * radix
        label = self.table[code]
        missing = (label < 0) & ~wrong
        if missing.any():
            for c in sorted_unique(code[missing]).tolist():  # np.unique: numpy.ma
                fields = tuple(vals[(c // r) % len(vals)]
                               for vals, r in zip(self.values, self.radix, strict=True))
                event = self.machine.ev.types.event(self.channel, fields)
                self.table[c] = self.labeller(self.machine._name(event))
            label = self.table[code]
        return label, wrong


_LAYOUTS: weakref.WeakKeyDictionary[Machine, dict[Any, tuple]] = weakref.WeakKeyDictionary()


def _layout(types: tuple[frozenset, ...]) -> tuple[list, list, list, np.ndarray]:
    """A channel's fields by mixed radix: per field, per kind of its type, each code's
    position (:attr:`Output.indexes`), the sorted values and the radix; and the table
    of labels by event code, filled as events are met.

    Raises:
        NotVector: a field type spans too many codes, or the channel too many events.
    """
    indexes: list[dict[str, tuple[int, np.ndarray]]] = []
    values: list[list[Any]] = []
    radix: list[int] = []
    size = 1
    for allowed in types:
        ordered = sorted_values(allowed)
        index: dict[str, tuple[int, np.ndarray]] = {}
        ints = set(map(type, ordered)) == {int}  # kind "i" alone (c : {0..29999}): no call each
        kinds = {"i"} if ints else {kind_of(v) for v in ordered}  # as _field_kind says it
        if None in kinds:
            raise NotVector("a field type of values of several kinds")
        for kind in kinds:
            if ints:
                at: Any = np.arange(len(ordered))
                codes = np.array(ordered, dtype=np.int64)  # encode(v) is v
            else:
                at = [i for i, v in enumerate(ordered) if kind_of(v) == kind]
                codes = np.array([encode(ordered[i]) for i in at], dtype=np.int64)
            low, high = int(codes.min()), int(codes.max())
            if high - low >= MAX_EVENTS:
                raise NotVector("a field type too wide")
            positions = np.full(high - low + 1, -1, dtype=np.int64)
            positions[codes - low] = at
            index[kind] = (low, positions)
        indexes.append(index)
        values.append(ordered)
        radix.append(size)
        size *= len(ordered)
    if size > MAX_EVENTS:
        raise NotVector("a channel of too many events")
    return indexes, values, radix, np.full(size, -1, dtype=np.int64)


def _field_kind(allowed: frozenset) -> str:
    """``"i"`` for a channel field over Int values, ``"b"`` over Bool values (coded 0, 1),
    ``"a"`` over field-less constructors (coded by :func:`~.vector_exprs.atom_code`),
    ``"v"`` over tuples, dotted values, sequences or sets (interned)."""
    kinds = {kind_of(v) for v in allowed}
    if len(kinds) == 1 and None not in kinds:
        return kinds.pop()  # type: ignore[return-value]
    raise NotVector("a field type of values of several kinds")


def _domain(values: set, kind: str) -> np.ndarray:
    """An input's values as a column, in the order the per-state path offers them
    (:func:`~procalg.semantics.inputs.prefix_offers`: by ``sort_key``)."""
    ordered = sorted(values, key=sort_key)
    if kind == "b":
        return np.array(ordered, dtype=bool)
    return np.array([encode(v) for v in ordered], dtype=np.int64)


class Offers:
    """A static input's offers: a label and the values bound, per offer, in order."""

    def __init__(self, labels: np.ndarray, bound: dict[str, tuple[np.ndarray, str]]) -> None:
        self.labels, self.bound = labels, bound


def _channel(machine: Machine, expr: ast.PrefixExpr, scope: frozenset[str]
             ) -> tuple[ast.Name, tuple[ast.Node, ...], Any]:
    """A prefix's channel (a declared name, not a local one), the parts after it
    and the channel's field types (None if it has none)."""
    ev = machine.ev
    parts = expr.head.parts if type(expr.head) is ast.Dot else (expr.head,)
    channel = parts[0]
    if type(channel) is not ast.Name or channel.id in scope or channel.id in ev.fallible:
        raise NotVector("a prefix whose channel is no name")
    return channel, parts[1:], ev.types.channels.get(channel.id)


def output_event(machine: Machine, expr: ast.PrefixExpr, scope: frozenset[str],
                 labeller: Labeller) -> Output:
    """``c.e1!e2`` naming channel ``c`` with as many fields (as linear_events._direct)."""
    ev = machine.ev
    channel, rest, types = _channel(machine, expr, scope)
    exprs = (*rest, *(f.value for f in expr.fields))  # type: ignore[union-attr]
    if types is None or len(exprs) != len(types):
        raise NotVector("a prefix that is no whole event")
    fields = [vector_expr(ev, e, scope) for e in exprs]
    return Output(machine, channel.id, fields, types, labeller)


class Input:
    """``c!e?x?y:S``, outputs reading local variables and each input one field over its
    type (restricted by a set of constants, or by ``allows``: per input, the
    check of a set reading variables): one move per row and combination of the
    inputs' values, ascending, the first input outermost (the order of
    :func:`~procalg.semantics.inputs.prefix_offers`)."""

    def __init__(self, event: Output, names: list[str], domains: list[np.ndarray],
                 kinds: list[str], allows: tuple[Callable[[Columns, int], Any], ...] = (),
                 derived: tuple[tuple[int, str, np.ndarray, str], ...] = ()) -> None:
        self.event, self.names, self.domains, self.kinds = event, names, domains, kinds
        self.allows = allows
        self.derived = derived  # per name a pattern binds: its input, values by offer, kind

    def expand(self, rows: np.ndarray, sub: Columns, bad: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, Columns, np.ndarray]:
        """:meth:`Branch.run`'s answer for the enabled ``rows`` (``sub``: their columns)."""
        total = int(np.prod([len(d) for d in self.domains]))
        which = np.repeat(np.arange(len(rows)), total)
        pick = np.tile(np.arange(total), len(rows))
        moved = {k: (v[which], kind) for k, (v, kind) in sub.items()}
        stride, at = total, []
        for name, domain, kind in zip(self.names, self.domains, self.kinds, strict=True):
            stride //= len(domain)
            at.append((pick // stride) % len(domain))
            moved[name] = (domain[at[-1]], kind)
        for index, name, values, kind in self.derived:  # the names a pattern binds
            moved[name] = (values[at[index]], kind)
        if self.allows:
            which, moved = self._allowed(rows, which, moved, bad)
        label, wrong = self.event.labels_of(moved, len(which))
        src = rows[which]
        bad[src[wrong]] = True
        keep = ~bad[src]
        return src[keep], label[keep], {k: (v[keep], kind) for k, (v, kind) in moved.items()}, bad

    def _allowed(self, rows: np.ndarray, which: np.ndarray, moved: Columns, bad: np.ndarray
                 ) -> tuple[np.ndarray, Columns]:
        """The combinations every restriction reading variables allows (a row whose
        restriction the per-state path evaluates otherwise is marked in ``bad``)."""
        keep = np.ones(len(which), dtype=bool)
        for allows in self.allows:
            ok, wrong = allows(moved, len(which))
            bad[rows[which[wrong]]] = True
            keep &= ok
        keep &= ~bad[rows[which]]
        return which[keep], {k: (v[keep], kind) for k, (v, kind) in moved.items()}


def input_event(machine: Machine, expr: ast.PrefixExpr, scope: frozenset[str],
                labeller: Labeller) -> tuple[Input, list[str]]:
    """An input prefix whose outputs read local variables (see :class:`Input`)."""
    ev = machine.ev
    channel, rest, types = _channel(machine, expr, scope)
    items = (*rest, *expr.fields)
    if types is None or len(items) != len(types):
        raise NotVector("a prefix that is no whole event")
    fields: list[VectorCode] = []
    names: list[str] = []
    domains: list[np.ndarray] = []
    kinds: list[str] = []
    allows: list[Callable[[Columns, int], Any]] = []
    derived: list[tuple[int, str, np.ndarray, str]] = []
    inner = set(scope)
    for item, allowed in zip(items, types, strict=True):
        if type(item) is ast.InField:
            pattern = item.pattern
            if type(pattern) is not ast.PVar:
                made = _pattern_input(ev, item, allowed, inner, len(names))
                derived += made[1]
                names.append(f"·in{len(names)}")  # the field's value: no identifier
                domains.append(made[0])
                kinds.append(_field_kind(allowed))
                fields.append(_column(names[-1]))
                inner |= {name for _, name, _, _ in made[1]}
                continue
            if pattern.name in names:
                raise NotVector("an input naming a variable twice")
            if pattern.name not in inner and constant(ev, pattern.name, {}) is not None:
                raise NotVector("an input naming a constructor or channel: it matches only that")
            kind = _field_kind(allowed)
            values = set(allowed)
            if item.restrict is not None and names_in(item.restrict) & inner:
                if pattern.name in names_in(item.restrict):
                    raise NotVector("a restriction naming its own input")
                allows.append(restriction(ev, item.restrict, frozenset(inner), pattern.name))
            elif item.restrict is not None:
                wanted = {v for v in expect_set(ev.eval(item.restrict, {}), item.restrict.span)
                          if kind_of(v) == kind}  # 1 == True: compare within one kind
                values = {v for v in values if v in wanted}
            names.append(pattern.name)
            domains.append(_domain(values, kind))
            kinds.append(kind)
            fields.append(_column(pattern.name))
            inner.add(pattern.name)
        else:
            value = item.value if type(item) is ast.OutField else item
            fields.append(vector_expr(ev, value, frozenset(inner)))
    if any(len(d) == 0 for d in domains):
        raise NotVector("an input with no values")
    return Input(Output(machine, channel.id, fields, types, labeller), names, domains,
                 kinds, tuple(allows), tuple(derived)), \
        names + [name for _, name, _, _ in derived]


def _pattern_input(ev: Any, item: ast.InField, allowed: frozenset, scope: set[str],
                   index: int) -> tuple[np.ndarray, list[tuple[int, str, np.ndarray, str]]]:
    """An input ``c?(x, y)`` or ``c?<x> ^ s`` over one field: the values of the field's
    type its pattern matches (in the per-state path's order), and per name it binds,
    that name's value at each of them (the match done once per value, as
    :func:`~procalg.semantics.inputs.prefix_offers` does it per state)."""
    pattern = item.pattern
    if item.restrict is not None or pattern_names(pattern) & scope:
        raise NotVector("a pattern input restricted, or naming a variable in scope")
    matched = []
    for value in sorted(allowed, key=sort_key):
        env: dict[str, Any] = {}
        if match_all(ev, (pattern,), (value,), env):
            matched.append((value, env))
    if not matched:
        raise NotVector("a pattern input matching no value")
    kind = _field_kind(allowed)
    domain = _domain({v for v, _ in matched}, kind)
    derived = []
    for name in sorted(matched[0][1]):
        values = [env[name] for _, env in matched]
        kinds = {kind_of(v) for v in values}
        if len(kinds) != 1 or None in kinds:
            raise NotVector("a pattern binding values no column holds")
        found = kinds.pop()
        derived.append((index, name, np.array(values, dtype=bool) if found == "b" else
                        np.array([encode(v) for v in values], dtype=np.int64), found))
    return domain, derived


def _column(name: str) -> VectorCode:
    def code(cols: Columns, n: int) -> Any:
        return cols[name][0], cols[name][1], None

    return code


def static_offers(machine: Machine, expr: ast.PrefixExpr, scope: frozenset[str],
            labeller: Labeller) -> tuple[Offers, list[str]]:
    """A static input's offers (reading no local variable), enumerated once by the
    machine's own :meth:`~procalg.semantics.linear_offers.SharedOffers._shared_offers`:
    the labelled list its per-state path made and keeps, if it made it (a wide
    leaf's 200,000 offers listed and named once, not again here)."""
    shared = None if machine.ev.fallible else machine._shared_offers(expr, {})
    if shared is not None:  # (label, binding), in the per-state path's order
        offers: list[tuple[str, Any]] = shared[0]
    else:
        offers = [(machine._name(e), s) for e, s in machine._inputs(expr, {})]
    names = sorted(offers[0][1]) if offers else []
    labels = np.array([labeller(label) for label, _ in offers], dtype=np.int64)
    bound: dict[str, tuple[np.ndarray, str]] = {}
    for name in names:
        values = [scope_.get(name) for _, scope_ in offers]
        kinds = {kind_of(v) for v in values}
        if len(kinds) != 1 or None in kinds or any(len(s) != len(names) for _, s in offers):
            raise NotVector("an input binding values no column holds")
        kind = kinds.pop()
        bound[name] = (np.array(values, dtype=bool) if kind == "b" else
                       np.array([encode(v) for v in values], dtype=np.int64), kind)
    return Offers(labels, bound), names
