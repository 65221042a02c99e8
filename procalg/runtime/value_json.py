"""The tagged JSON encoding of data values, for histories, snapshots and queries.

``int``, ``bool`` and ``str`` (τ, ✓) stay as they are; every other kind of
value is a one-key dict naming it, so decoding never has to guess and sets,
dotted values and atoms survive the round trip.

Example:
    >>> v = Dotted(Atom("A"), (1, frozenset({2})))
    >>> decode_value(encode_value(v)) == v
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from procalg.errors import FormatError
from procalg.terms.values import Atom, Dotted, Event, Sequence, Value


@dataclass(frozen=True, slots=True)
class SavedFunction:
    """A function value (a ``Closure`` of one load of the model) named by the model text:
    ``data`` is its :func:`procalg.runtime.termjson.encode_term` JSON, ``display`` how
    it prints. What a run record's arguments hold where the process takes a function
    (a run continued as new, :mod:`procalg.runtime.continuation`); the load that
    builds the run's workflow turns it back into its own ``Closure``.

    Example:
        >>> saved = SavedFunction('{"fn":["add",{"t":[3]}]}', "add")
        >>> decode_value(encode_value(saved)) == saved, str(saved)
        (True, 'add')
    """

    data: str
    display: str

    def __str__(self) -> str:
        return self.display


def encode_value(value: Value) -> Any:
    """Encode a data value (or label) as JSON-ready data, losslessly.

    ``int``, ``bool`` and ``str`` (τ, ✓) stay as they are; every other kind is
    a one-key dict naming it, so decoding never has to guess.

    Example:
        >>> encode_value(frozenset({2, 1})), encode_value(Atom("red"))
        ({'set': [1, 2]}, {'atom': 'red'})
        >>> encode_value(Event("c", (1, True)))
        {'event': 'c', 'fields': [1, True]}
    """
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, Atom):
        return {"atom": value.name}
    if isinstance(value, Event):
        return {"event": value.channel, "fields": [encode_value(v) for v in value.fields]}
    if isinstance(value, Dotted):
        return {"dot": [encode_value(value.head), *(encode_value(v) for v in value.fields)]}
    if isinstance(value, tuple):
        return {"tuple": [encode_value(v) for v in value]}
    if isinstance(value, Sequence):
        return {"seq": [encode_value(v) for v in value.items]}
    if isinstance(value, frozenset):
        items = [encode_value(v) for v in value]
        return {"set": sorted(items, key=repr)}
    if isinstance(value, SavedFunction):
        return {"fn": value.data, "show": value.display}
    raise FormatError(f"cannot record value {value!r} of type {type(value).__name__}")


def decode_value(data: Any) -> Value:
    """Invert :func:`encode_value`.

    Example:
        >>> decode_value({"dot": [{"atom": "A"}, 1]})
        Dotted(head=Atom(name='A'), fields=(1,))
        >>> decode_value({"set": [1, 2]}) == frozenset({1, 2})
        True
    """
    if isinstance(data, bool | int | str):
        return data
    if isinstance(data, dict) and len(data) in (1, 2):
        if "fn" in data:
            return SavedFunction(data["fn"], data.get("show", "λ"))
        if "event" in data:
            return Event(data["event"], tuple(decode_value(v) for v in data.get("fields", [])))
        if len(data) == 1:
            (tag, body), = data.items()
            if tag == "atom":
                return Atom(body)
            if tag == "dot" and body:
                return Dotted(decode_value(body[0]), tuple(decode_value(v) for v in body[1:]))
            if tag == "tuple":
                return tuple(decode_value(v) for v in body)
            if tag == "seq":
                return Sequence(tuple(decode_value(v) for v in body))
            if tag == "set":
                return frozenset(decode_value(v) for v in body)
    raise FormatError(f"not a recorded procalg value: {data!r}")
