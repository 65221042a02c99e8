"""JSON and GraphML for LTSs.

JSON: ``{"initial": 0, "states": n, "labels": ["τ", "✓", ...],
"transitions": [[src, "label", dst], ...]}``, plus ``"hidden"`` when some
labels are hidden. ``labels`` is the label table (τ and ✓ first), so labels
that no transition uses survive a round trip. GraphML goes through
:meth:`LTS.to_networkx` and networkx's writer (edge attribute ``label``,
graph attribute ``initial``).

Example:
    >>> lts = LTS.build(2, 0, ["a"], [(0, "a", 1)])
    >>> to_json(lts)
    '{"initial": 0, "states": 2, "labels": ["τ", "✓", "a"], "transitions": [[0, "a", 1]]}'
    >>> list(from_json(to_json(lts)).triples())
    [(0, 'a', 1)]
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from procalg.errors import FormatError
from procalg.lts.lts import LTS
from procalg.source import Span


def to_json(lts: LTS) -> str:
    """The LTS as one line of JSON (UTF-8 text, τ and ✓ unescaped)."""
    return "".join(json_chunks(lts))


def json_chunks(lts: LTS, *, moves: int = 1 << 18) -> Iterator[str]:
    """:func:`to_json`'s text in pieces of at most ``moves`` transitions, to be
    written as they come: 48 M transitions as one list of lists take some
    10 GB of Python objects before a byte is written.

    Example:
        >>> lts = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "τ", 0)])
        >>> list(json_chunks(lts, moves=1))[1:]
        ['[0, "a", 1]', ', [1, "τ", 0]', ']}']
    """
    head = {"initial": lts.initial, "states": lts.num_states, "labels": list(lts.labels)}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "transitions": ['
    names = [json.dumps(name, ensure_ascii=False) for name in lts.labels]
    for lo in range(0, lts.num_transitions, moves):
        part = slice(lo, lo + moves)
        yield (", " if lo else "") + ", ".join([f"[{s}, {names[a]}, {d}]" for s, a, d in zip(
            lts.src[part].tolist(), lts.label[part].tolist(), lts.dst[part].tolist(),
            strict=True)])
    hidden = (', "hidden": ' + json.dumps(sorted(lts.hidden), ensure_ascii=False)
              if lts.hidden else "")
    yield "]" + hidden + "}"


def from_json(text: str) -> LTS:
    """Parse :func:`to_json`'s format.

    Raises:
        FormatError: not JSON, or fields missing, mistyped or out of range.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise FormatError(f"not JSON: {err.msg}", Span(err.lineno, err.colno)) from None
    if not isinstance(data, dict):
        raise FormatError("expected a JSON object with initial, states, labels, transitions")
    for key, kind in (("initial", int), ("states", int), ("labels", list),
                      ("transitions", list)):
        if not isinstance(data.get(key), kind) or isinstance(data.get(key), bool):
            raise FormatError(f"field {key!r} is missing or not a {kind.__name__}",
                              hint='e.g. {"initial": 0, "states": 1, "labels": [], '
                                   '"transitions": []}')
    n = data["states"]
    if not 0 <= data["initial"] < max(n, 1) or n < 1:
        raise FormatError(f"initial state {data['initial']} is not among {n} states")
    rows = []
    for i, row in enumerate(data["transitions"]):
        ok = (isinstance(row, list) and len(row) == 3 and isinstance(row[1], str)
              and all(isinstance(x, int) and 0 <= x < n for x in (row[0], row[2])))
        if not ok:
            raise FormatError(f"transition #{i} is not [src, \"label\", dst] with states "
                              f"below {n}: {row!r}")
        rows.append((row[0], row[1], row[2]))
    hidden = data.get("hidden", [])
    for key, names in (("labels", data["labels"]), ("hidden", hidden)):
        if not isinstance(names, list) or not all(isinstance(x, str) for x in names):
            raise FormatError(f"field {key!r} must be a list of label names")
    return LTS.build(n, data["initial"], data["labels"], rows, hidden=hidden)


def to_graphml(lts: LTS) -> str:
    """GraphML text (networkx's writer)."""
    import networkx as nx

    return "\n".join(nx.generate_graphml(lts.to_networkx())) + "\n"


def write_graphml(lts: LTS, path: str | Path) -> Path:
    """Write GraphML to ``path`` and return it."""
    target = Path(path)
    target.write_text(to_graphml(lts), encoding="utf-8")
    return target
