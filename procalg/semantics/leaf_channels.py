"""Which channels a leaf may perform events on: an unused ``Int`` channel leaves it lazy.

A lazy leaf (:mod:`procalg.lts.lazy`) declares its labels before it is
explored, so a model with a channel over an infinite type (``channel log :
Int``) could not list them, and every leaf was explored whole, a large one
sending the process to the term rules. Only the channels a leaf can *reach*
matter: those its term names, and those named by the definitions it may call,
transitively (the static call graph over the definitions' text, as
:func:`procalg.semantics.growth.reaching` reads it: every name a body mentions
counts, whatever guards it, so the answer over-approximates). A leaf that
reaches no infinite channel declares the events of the finite ones; one that
reaches an infinite channel, or ``Events``, or a value this walk cannot read,
is explored whole as before (an ``Int`` input it meets then gives its error).
A compressed process in a leaf (``normal(P)``, ``sbisim(P)``, a ``prioritise``
inside a larger leaf) reaches the channels its table's labels name, or, a
priority's table unexplored, those of the process under it.

Cost: one walk of the leaf's term (linear in its size, values included) and
of the definitions it reaches (linear in their text, each read once per model),
and of each compressed table's labels (once per table).

Example:
    >>> from procalg.api.model import loads
    >>> spec = loads("channel a\\nchannel log : Int\\nP = a -> P\\nL = log?x -> L").spec
    >>> reach = ChannelReach(spec)
    >>> sorted(reach.of(spec.process("P"))), sorted(reach.of(spec.process("L")))
    (['a'], ['log'])
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

from procalg.semantics.channels import ChannelRef
from procalg.semantics.child_scope import ALL_EVENTS
from procalg.semantics.functions import Closure
from procalg.semantics.infinite import Infinite
from procalg.semantics.kinds import names_in
from procalg.semantics.priority import Deferred
from procalg.semantics.workflow import FAIL
from procalg.terms import Call, Event, Process
from procalg.terms.compressed import Compressed, MoveTable
from procalg.terms.input import Input

_PLAIN = (int, str, type(None))  # bool and Char are among them: no channel in them


class ChannelReach:
    """The channels each leaf term of one loaded model may reach (module docstring).

    Args:
        spec: the loaded model (its evaluator's definitions and input sites).
    """

    def __init__(self, spec: Any) -> None:
        self.spec = spec
        self.evaluator = spec.evaluator
        self._names: dict[str, frozenset[str]] = {}  # definition -> names its text mentions
        self._sites: dict[int, tuple[str, ...]] = {}  # id(input site) -> its free names
        self._memo: dict[Process, frozenset[str] | None] = {}
        self._tables: dict[MoveTable, list[Any]] = {}  # a compressed table -> what it names

    def of(self, term: Process) -> frozenset[str] | None:
        """The channels ``term`` may perform events on (a superset), or ``None``:
        not known (it reaches ``Events``, or holds a value this walk cannot read)."""
        if term not in self._memo:
            roots = self._mentioned(term)
            self._memo[term] = None if roots is None else self._channels(roots)
        return self._memo[term]

    def _channels(self, roots: set[str]) -> frozenset[str] | None:
        """The channels among the names reached from ``roots`` through the definitions."""
        functions, seen, todo = self.evaluator.functions, set(roots), list(roots)
        local: dict[str, list[str]] = {}  # a let's definition, named in text as written
        for unique, info in functions.items():
            if unique != info.display:
                local.setdefault(info.display, []).append(unique)
        while todo:
            name = todo.pop()
            for called in (name, *local.get(name, ())):
                if called in functions:
                    for used in self._text_names(called) - seen:
                        seen.add(used)
                        todo.append(used)
        if ALL_EVENTS in seen:
            return None
        found = seen & self.spec.channel_decls.keys()
        if found & self.spec.activities.keys():  # an activity may also offer fail.c.v
            found.add(FAIL)
        return frozenset(found)

    def _text_names(self, name: str) -> frozenset[str]:
        found = self._names.get(name)
        if found is None:
            found = self._names[name] = frozenset().union(
                *(names_in(clause) for clause in self.evaluator.functions[name].clauses))
        return found

    def _mentioned(self, term: Process) -> set[str] | None:
        """The names ``term`` holds: calls, channels of its events, an input's free
        names; ``None`` at a value not read here (it may stand for any event)."""
        names: set[str] = set()
        todo: list[Any] = [term]
        while todo:
            item = todo.pop()
            kind = type(item)
            if isinstance(item, (*_PLAIN, Infinite)):
                continue
            if kind is Event or kind is ChannelRef:
                names.add(item.channel)
                todo.extend(item.fields)
            elif kind is Call or kind is Closure:
                names.add(item.name)
                todo.extend(item.args if kind is Call else item.captured)
            elif kind is Input:
                site = self._site_names(item.site)
                if site is None:
                    return None
                names.update(site)
                todo.extend(value for _, value in item.captured)
            elif kind is Compressed:
                todo.extend(self._table_items(item.table))
            elif isinstance(item, frozenset | tuple | list):
                todo.extend(item)
            elif is_dataclass(item) and not isinstance(item, type):  # terms, values, renamings
                todo.extend(getattr(item, f.name) for f in fields(item)
                            if not f.name.startswith("_"))
            else:
                return None
        return names

    def _table_items(self, table: MoveTable) -> list[Any]:
        """What a compressed process's table may perform, to walk as part of the term:
        a priority's operand (its table unexplored), the channels its LTS's label names
        start with (a name is ``channel.field...``), or the labels of its rows."""
        found = self._tables.get(table)
        if found is None:
            moves, graph = table.moves, table.graph
            if isinstance(moves, Deferred):
                found = [moves.term]
            elif graph is not None:
                found = [ChannelRef(name.split(".", 1)[0], ()) for name in graph.labels]
            else:
                found = [label for row in moves for label, _ in row]
            self._tables[table] = found
        return found

    def _site_names(self, site: Any) -> tuple[str, ...] | None:
        """The free names of an input prefix's site (its channel, its continuation's calls)."""
        if id(site) not in self._sites:  # sites are made as the model is evaluated
            self._sites = {id(s): names for s, names, _ in self.evaluator.input_sites.values()}
        return self._sites.get(id(site))
