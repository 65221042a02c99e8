"""Process terms as JSON, for saved run states (:mod:`procalg.runtime.snapshot`).

Every term is a frozen dataclass of a closed set of classes
(:mod:`procalg.terms`), so a term is written as its class name and fields,
recursively; data values use the history's encoding
(:func:`~procalg.runtime.history.encode_value`). An input prefix's site is
code, not data: it is written as its key (the prefix's source span) and
found again in the loaded model by :func:`procalg.semantics.sites.site`.
What one load of the model makes as it evaluates is named by the model
text (:mod:`procalg.semantics.naming`): a local definition (``Q#2``) by its
``let``'s place, its name and the names it captures; a function value by
its definition's name and captured values; a compressed process by the
compression and its arguments, plus a fingerprint of its table. What cannot
be named (a site without a key, a compressed process of another load)
raises :class:`Unsaveable`, and the run simply keeps no snapshot.

A process is written flat, as a graph: ``{"g": [node, ...]}``, its subterms
first (each written once, however often it is shared), the term itself
last, a subterm in a field as ``{"r": index}``. A run's term may be a chain
of thousands of prefixes, and nested JSON that deep would overflow the
encoder's and the decoder's recursion (``json`` recurses in C), as would a
recursive walk here: workers run on ordinary threads. The older nested
form (``{"p": class, "f": fields}`` with subterms inline) still decodes.

Example:
    >>> from procalg.terms import Event, Prefix, SKIP, Seq
    >>> term = Seq(Prefix(Event("a", (1, True)), SKIP), SKIP)
    >>> decode_term(encode_term(term), sites=None) == term
    True
    >>> for node in encode_term(Prefix(Event("a"), SKIP))["g"]:
    ...     print(node)
    {'p': 'Skip', 'f': []}
    {'p': 'Prefix', 'f': [{'v': {'event': 'a', 'fields': []}}, {'r': 0}]}
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import procalg.terms.input
import procalg.terms.saga  # noqa: F401 - registers the saga terms' classes
from procalg.errors import FormatError, ModelError
from procalg.runtime.history import decode_value, encode_value
from procalg.terms.compressed import Compressed
from procalg.terms.input import InputSite
from procalg.terms.process import Call, Process
from procalg.terms.renaming import Renaming
from procalg.terms.values import Atom, Dotted, Event, Sequence

if TYPE_CHECKING:
    from procalg.runtime.workflow import Workflow
    from procalg.semantics.evaluate import Evaluator


class Unsaveable(FormatError):
    """A term holds something that cannot be written down and found again."""


def _classes() -> dict[str, tuple[type, tuple[str, ...]]]:
    """Every term class by name, with its constructor's fields in order."""
    out: dict[str, tuple[type, tuple[str, ...]]] = {}
    todo = [Process]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        # a slotted dataclass is a new class: the one its module exports is the term's
        if dataclasses.is_dataclass(cls) and \
                getattr(sys.modules[cls.__module__], cls.__name__, None) is cls:
            if cls.__name__ in out:  # two classes of one name: neither is nameable
                raise RuntimeError(f"two term classes named {cls.__name__}")
            out[cls.__name__] = (cls, tuple(f.name for f in dataclasses.fields(cls) if f.init))
    return out


_CLASSES = _classes()


def load_of(workflow: Workflow) -> Evaluator | None:
    """The load whose terms ``workflow``'s machine holds (machines are shared between
    loads of one model text): its input sites and local names are the ones to use."""
    system = workflow.machine.workflow.system
    return getattr(getattr(system, "spec", None), "evaluator", None)


def encode_term(term: Any, ev: Evaluator | None = None) -> Any:
    """``term`` (or a field of one) as JSON-ready data; ``ev`` is the load that made
    it (needed to name local definitions and compressed processes).

    A process is written as a graph (see the module's docstring), in a loop:
    no depth of term recurses.

    Raises:
        Unsaveable: a part that cannot be found again in another load of the model.
    """
    if isinstance(term, Process):
        return _Graph(ev).encode(term)
    return _field(term, ev, None)


class _Graph:
    """The nodes of one process graph: each subterm once, after its subterms."""

    def __init__(self, ev: Evaluator | None) -> None:
        self.ev = ev
        self.index: dict[int, int] = {}  # id of a subterm -> its node (terms are kept alive)
        self.nodes: list[Any] = []

    def encode(self, root: Process) -> dict[str, Any]:
        """``{"g": nodes}``, built by an explicit post-order walk."""
        todo: list[tuple[Process, bool]] = [(root, False)]
        while todo:
            term, ready = todo.pop()
            if id(term) in self.index:
                continue
            if ready:  # every subterm has its node
                self.index[id(term)] = len(self.nodes)
                self.nodes.append(self._node(term))
                continue
            todo.append((term, True))
            todo.extend((sub, False) for sub in _subterms(term) if id(sub) not in self.index)
        return {"g": self.nodes}

    def _node(self, term: Process) -> Any:
        name = type(term).__name__
        if name not in _CLASSES:  # a term class of a module imported since
            _CLASSES.update(_classes())
        if name not in _CLASSES:
            raise Unsaveable(f"a {name} term cannot be saved")
        if type(term) is Compressed:
            return {"compressed": _compressed(term, self.ev)}
        if type(term) is Call:
            return {"p": "Call", "f": [_name(term.name, self.ev),
                                       _field(term.args, self.ev, self.index)]}
        return {"p": name, "f": [_field(getattr(term, f), self.ev, self.index)
                                 for f in _CLASSES[name][1]]}


def _subterms(term: Process) -> list[Process]:
    """The processes in ``term``'s fields (directly, or inside tuples and sets)."""
    if type(term) is Compressed:
        return []  # written by what made it, not by its fields
    names = ("args",) if type(term) is Call else _CLASSES.get(type(term).__name__, (0, ()))[1]
    found: list[Process] = []
    todo = [getattr(term, f) for f in names]
    while todo:
        value = todo.pop()
        if isinstance(value, Process):
            found.append(value)
        elif isinstance(value, tuple | frozenset):
            todo.extend(value)
    return found


def _field(term: Any, ev: Evaluator | None, index: dict[int, int] | None) -> Any:
    """A value as JSON-ready data; in a graph (``index``), a subterm is its node's number."""
    if term is None or isinstance(term, bool | int | str):
        return term
    if isinstance(term, Process):
        return _Graph(ev).encode(term) if index is None else {"r": index[id(term)]}
    if isinstance(term, InputSite):
        if not term.key:
            raise Unsaveable("an input prefix without a place in the model text")
        return {"site": term.key}
    if isinstance(term, Event | Atom | Dotted | Sequence):
        return {"v": encode_value(term)}
    if isinstance(term, tuple):
        return {"t": [_field(x, ev, index) for x in term]}
    if isinstance(term, frozenset):
        items = [_field(x, ev, index) for x in term]
        return {"s": sorted(items, key=repr)}
    if isinstance(term, Renaming):  # explicit pairs and channel rules (terms/renaming.py)
        return {"ren": [_field(part, ev, index) for part in term.parts()]}
    if ev is not None:  # function and channel values come from a loaded model's evaluator
        from procalg.semantics.channels import ChannelRef
        from procalg.semantics.functions import Closure

        if type(term) is Closure:
            return {"fn": [_name(term.name, ev), encode_term(term.captured, ev)]}
        if type(term) is ChannelRef:
            return {"ch": [term.channel, encode_term(term.fields, ev)]}
    raise Unsaveable(f"a {type(term).__name__} value cannot be saved")


def _name(name: str, ev: Evaluator | None) -> Any:
    """A definition's name: as it is if global, by its place in the text if local."""
    if "#" not in name:
        return name
    from procalg.semantics.naming import local_name  # a loaded model's (lark is loaded)

    local = None if ev is None else local_name(ev, name)
    if local is None:
        raise Unsaveable(f"the local definition {name} cannot be found in the model text")
    return {"local": [local.key, local.rank, local.display, list(local.captured)]}


def _compressed(term: Compressed, ev: Evaluator | None) -> list[Any]:
    from procalg.semantics.naming import compressed_source, fingerprint

    source = None if ev is None else compressed_source(ev, term.table)
    if source is None:
        raise Unsaveable(f"the compressed process {term.table.name} was made by another load")
    return [source[0], encode_term(tuple(source[1:]), ev), fingerprint(term.table), term.state]


def decode_term(data: Any, sites: Callable[[str], InputSite | None] | None,
                ev: Evaluator | None = None, refs: list[Any] | None = None) -> Any:
    """Invert :func:`encode_term`; ``sites`` finds an input prefix's site by key, ``ev``
    the load whose local definitions and compressed processes the term uses, ``refs``
    the nodes of the graph being read (a graph's nodes are read in a loop).

    Raises:
        FormatError: malformed data, an unknown class, or a site, local definition or
            compressed process this load does not have.
    """
    if data is None or isinstance(data, bool | int | str):
        return data
    if isinstance(data, list) or not isinstance(data, dict) or len(data) > 2:
        raise FormatError(f"not a saved term: {str(data)[:80]}")
    if "p" in data:
        found = _CLASSES.get(data["p"])
        if found is None or not isinstance(data.get("f"), list) \
                or len(data["f"]) != len(found[1]):
            raise FormatError(f"not a saved term: {str(data)[:80]}")
        if found[0] is Call:
            return Call(_unique(data["f"][0], ev), decode_term(data["f"][1], sites, ev, refs))
        return found[0](*(decode_term(x, sites, ev, refs) for x in data["f"]))
    (tag, body), = data.items()
    if tag == "g" and isinstance(body, list) and body:
        nodes: list[Any] = []
        for node in body:
            nodes.append(decode_term(node, sites, ev, nodes))
        return nodes[-1]
    if tag == "r" and refs is not None and type(body) is int and 0 <= body < len(refs):
        return refs[body]
    if tag == "v":
        return decode_value(body)
    if tag == "t":
        return tuple(decode_term(x, sites, ev, refs) for x in body)
    if tag == "s":
        return frozenset(decode_term(x, sites, ev, refs) for x in body)
    if tag == "ren" and isinstance(body, list) and len(body) == 2:
        pairs, prefixes = (decode_term(x, sites, ev, refs) for x in body)
        return Renaming.of(pairs, prefixes)
    if tag == "site":
        site = sites(body) if sites is not None else None
        if site is None:
            raise FormatError(f"the model has no single input prefix at {body}")
        return site
    if tag == "fn":
        from procalg.semantics.functions import Closure

        return Closure(_unique(body[0], ev), decode_term(body[1], sites, ev))
    if tag == "ch":
        from procalg.semantics.channels import ChannelRef

        return ChannelRef(body[0], decode_term(body[1], sites, ev))
    if tag == "compressed":
        return _table(body, sites, ev)
    raise FormatError(f"not a saved term: {str(data)[:80]}")


def _unique(data: Any, ev: Evaluator | None) -> str:
    """Invert :func:`_name` in ``ev``."""
    if isinstance(data, str):
        return data
    from procalg.semantics.naming import LocalName, unique_name

    key, rank, display, captured = data["local"]
    found = None if ev is None else unique_name(ev, LocalName(key, rank, display,
                                                               tuple(captured)))
    if found is None:
        raise FormatError(f"the model has no local definition {display} at {key}")
    return found


def _table(body: list[Any], sites: Callable[[str], InputSite | None] | None,
           ev: Evaluator | None) -> Compressed:
    """Invert :func:`_compressed`: compress again (or find it done) in ``ev``."""
    from procalg.semantics.naming import compressed_table, fingerprint

    function, args, printed, state = body
    if ev is None:
        raise FormatError(f"{function}(...) needs the model to be compressed again")
    try:
        table = compressed_table(ev, (function, *decode_term(args, sites, ev)))
    except ModelError as err:
        raise FormatError(f"{function}(...) does not compress again: {err.message}") from err
    if fingerprint(table) != printed or not 0 <= state < len(table.moves):
        raise FormatError(f"{table.name} compresses to another table in this load")
    return Compressed(table, state)
