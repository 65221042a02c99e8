"""Process terms as JSON, for saved run states (:mod:`procalg.runtime.snapshot`).

Every term is a frozen dataclass of a closed set of classes
(:mod:`procalg.terms`), so a term is written as its class name and fields,
recursively; data values use the history's encoding
(:func:`~procalg.runtime.history.encode_value`). An input prefix's site is
code, not data: it is written as its key (the prefix's source span) and
found again in the loaded model by :func:`procalg.semantics.sites.site`.
What cannot be named (a compressed leaf's move table, a function value, a
site without a key, a local definition whose name depends on evaluation
order) raises :class:`Unsaveable`, and the run simply keeps no snapshot.

Example:
    >>> from procalg.terms import Event, Prefix, SKIP, Seq
    >>> term = Seq(Prefix(Event("a", (1, True)), SKIP), SKIP)
    >>> decode_term(encode_term(term), sites=None) == term
    True
    >>> encode_term(Prefix(Event("a"), SKIP))
    {'p': 'Prefix', 'f': [{'v': {'event': 'a', 'fields': []}}, {'p': 'Skip', 'f': []}]}
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import Any

import procalg.terms.compressed
import procalg.terms.input
import procalg.terms.saga  # noqa: F401 - registers the saga terms' classes
from procalg.errors import FormatError
from procalg.runtime.history import decode_value, encode_value
from procalg.terms.input import InputSite
from procalg.terms.process import Call, Process
from procalg.terms.values import Atom, Dotted, Event, Sequence


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
_UNSAVEABLE = {"Compressed"}  # a move table built by this process's exploration


def encode_term(term: Any) -> Any:
    """``term`` (or a field of one) as JSON-ready data.

    Raises:
        Unsaveable: a part that cannot be found again in another load of the model.
    """
    if term is None or isinstance(term, bool | int | str):
        return term
    if isinstance(term, Process):
        name = type(term).__name__
        if name not in _CLASSES:  # a term class of a module imported since
            _CLASSES.update(_classes())
        if name in _UNSAVEABLE or name not in _CLASSES:
            raise Unsaveable(f"a {name} term cannot be saved")
        if type(term) is Call and "#" in term.name:  # a local definition's per-load name
            raise Unsaveable(f"the local definition {term.name} cannot be saved")
        return {"p": name, "f": [encode_term(getattr(term, f)) for f in _CLASSES[name][1]]}
    if isinstance(term, InputSite):
        if not term.key:
            raise Unsaveable("an input prefix without a place in the model text")
        return {"site": term.key}
    if isinstance(term, Event | Atom | Dotted | Sequence):
        return {"v": encode_value(term)}
    if isinstance(term, tuple):
        return {"t": [encode_term(x) for x in term]}
    if isinstance(term, frozenset):
        items = [encode_term(x) for x in term]
        return {"s": sorted(items, key=repr)}
    raise Unsaveable(f"a {type(term).__name__} value cannot be saved")


def decode_term(data: Any, sites: Callable[[str], InputSite | None] | None) -> Any:
    """Invert :func:`encode_term`; ``sites`` finds an input prefix's site by key.

    Raises:
        FormatError: malformed data, an unknown class, or a site ``sites`` cannot find.
    """
    if data is None or isinstance(data, bool | int | str):
        return data
    if isinstance(data, list) or not isinstance(data, dict) or len(data) > 2:
        raise FormatError(f"not a saved term: {str(data)[:80]}")
    if "p" in data:
        found = _CLASSES.get(data["p"])
        if found is None or len(data.get("f", ())) != len(found[1]):
            raise FormatError(f"not a saved term: {str(data)[:80]}")
        return found[0](*(decode_term(x, sites) for x in data["f"]))
    (tag, body), = data.items()
    if tag == "v":
        return decode_value(body)
    if tag == "t":
        return tuple(decode_term(x, sites) for x in body)
    if tag == "s":
        return frozenset(decode_term(x, sites) for x in body)
    if tag == "site":
        site = sites(body) if sites is not None else None
        if site is None:
            raise FormatError(f"the model has no single input prefix at {body}")
        return site
    raise FormatError(f"not a saved term: {str(data)[:80]}")
