"""The Aldebaran ``.aut`` format of CADP and mCRL2: read and write.

Written exactly as mCRL2's ``ltsconvert`` writes it (``liblts_aut.cpp``):
a header ``des (0,M,N)`` (initial state, M transitions, N states; no spaces
after the commas), then one ``(from,"label",to)`` per line, every line
ending in ``\\n``. The initial state is always written as 0: if it is not,
states 0 and the initial state swap numbers. τ (and any hidden label) is
written ``tau``; ✓ is written ``"✓"`` by default (pass ``tick="exit"`` for
CADP's LOTOS convention), and reading maps that same label back to ✓.

Reading is as lenient as mCRL2's reader: spaces anywhere between tokens,
quoted or unquoted labels, ``\\r\\n`` line ends, blank lines; ``tau`` and
CADP's ``i`` both mean τ. Anything malformed raises
:class:`procalg.errors.FormatError` pointing at the line.

Example:
    >>> lts = LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "a", 2), (2, "✓", 2)])
    >>> print(write_aut(lts), end="")
    des (0,3,3)
    (0,"tau",1)
    (1,"a",2)
    (2,"✓",2)
    >>> list(read_aut('des (0, 1, 2)\\n(0, i, 1)\\n').triples())
    [(0, 'τ', 1)]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from procalg.errors import FormatError
from procalg.lts.lts import LTS, TAU, TICK, TICK_INDEX
from procalg.lts.tau import effective_labels
from procalg.source import SourceFile, Span

_HEADER = re.compile(r"\s*des\s*\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)\s*$")
_EDGE = re.compile(r"\s*\(\s*(\d+)\s*,(.*),\s*(\d+)\s*\)\s*$")
TAU_NAMES = ("tau", "i")


def write_aut(lts: LTS, *, tick: str = TICK) -> str:
    """The LTS in Aldebaran format, byte for byte as mCRL2 writes it.

    Args:
        lts: the LTS; hidden labels are written as ``tau``.
        tick: the label to write for ✓.

    Raises:
        FormatError: a label contains a double quote or a line break.
    """
    return "".join(aut_chunks(lts, tick=tick))


def aut_chunks(lts: LTS, *, tick: str = TICK, lines: int = 1 << 18) -> Iterator[str]:
    """:func:`write_aut`'s text in pieces of at most ``lines`` lines (the
    header first), for writing a large LTS without holding its text: 48 M
    transitions are some 1.5 GB of text, and built at once as Python
    strings, ten times that.

    Transitions are written by source, label, target (mCRL2's order); an LTS
    already in that order (an explored product's, without hidden labels) is
    not sorted again.

    Raises:
        FormatError: a label contains a double quote or a line break.

    Example:
        >>> lts = LTS.build(3, 0, ["a"], [(0, "a", 1), (1, "a", 2), (2, "τ", 0)])
        >>> list(aut_chunks(lts, lines=2))
        ['des (0,3,3)\\n', '(0,"a",1)\\n(1,"a",2)\\n', '(2,"tau",0)\\n']
    """
    names = ["tau", tick, *lts.labels[TICK_INDEX + 1:]]
    for name in names:
        if '"' in name or "\n" in name:
            raise FormatError(f"label {name!r} cannot be written to .aut",
                              hint="rename the event: .aut labels cannot contain quotes")
    return _aut_lines(lts, names, lines)  # names checked now: before a file is opened


def _aut_lines(lts: LTS, names: list[str], lines: int) -> Iterator[str]:
    yield f"des (0,{lts.num_transitions},{lts.num_states})\n"
    perm = np.arange(lts.num_states)
    perm[[0, lts.initial]] = perm[[lts.initial, 0]]  # initial state becomes 0
    src, dst = (a if lts.initial == 0 else perm[a] for a in (lts.src, lts.dst))
    labels = effective_labels(lts)
    order = None if _ordered(src, labels, dst) else np.lexsort((dst, labels, src))
    quoted = [f',"{name}",' for name in names]
    for lo in range(0, lts.num_transitions, lines):
        part = slice(lo, lo + lines) if order is None else order[lo: lo + lines]
        yield "".join([f"({s}{quoted[a]}{d})\n" for s, a, d in zip(
            src[part].tolist(), labels[part].tolist(), dst[part].tolist(), strict=True)])


def _ordered(src: np.ndarray, lab: np.ndarray, dst: np.ndarray) -> bool:
    """Whether the triples are in ascending (source, label, target) order.

    Example:
        >>> _ordered(np.array([0, 0, 1]), np.array([2, 3, 0]), np.array([5, 1, 0]))
        True
        >>> _ordered(np.array([0, 0]), np.array([3, 3]), np.array([5, 1]))
        False
    """
    if len(src) < 2:
        return True
    s0, s1, a0, a1, d0, d1 = src[:-1], src[1:], lab[:-1], lab[1:], dst[:-1], dst[1:]
    return bool(np.all((s0 < s1) | ((s0 == s1) & ((a0 < a1) | ((a0 == a1) & (d0 <= d1))))))


def read_aut(source: str | Path, *, tick: str = TICK) -> LTS:
    """Parse Aldebaran text, or the file at ``source`` if it is a path.

    A ``str`` that starts with ``des`` (after blanks) or spans several lines
    is the text itself; any other ``str`` or a :class:`~pathlib.Path` names a file.

    Raises:
        FormatError: malformed header or transition, a state number out of
            range, or a transition count that disagrees with the header.
    """
    if isinstance(source, Path) or not (source.lstrip().startswith("des") or "\n" in source):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise FormatError(f"cannot read .aut file {str(path)!r}: {err.strerror}",
                              hint="check the path") from None
        name = str(path)
    else:
        text, name = source, "<aut>"
    return _parse(text, SourceFile(name, text), tick)


def _parse(text: str, src: SourceFile, tick: str) -> LTS:
    lines = text.splitlines()
    if not lines or not (head := _HEADER.match(lines[0])):
        raise FormatError("expected the header 'des (initial,transitions,states)'",
                          Span(1, 1), hint="an .aut file starts with e.g. 'des (0,3,4)'",
                          source=src)
    initial, count, states = (int(x) for x in head.groups())
    if states == 0 or initial >= states:
        raise FormatError(f"initial state {initial} is not among the {states} states",
                          Span(1, 1), source=src)
    names = {name: TAU for name in TAU_NAMES} | {tick: TICK}
    rows: list[tuple[int, str, int]] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        edge = _EDGE.match(line)
        if edge is None:
            raise FormatError("expected a transition '(from,\"label\",to)'", Span(number, 1),
                              hint="one transition per line", source=src)
        s, d = int(edge[1]), int(edge[3])
        for state, col in ((s, edge.start(1)), (d, edge.start(3))):
            if state >= states:
                raise FormatError(f"state {state} is not below the header's {states} states",
                                  Span(number, col + 1), source=src)
        label = _label(edge[2].strip(), number, edge.start(2), src)
        rows.append((s, names.get(label, label), d))
    if len(rows) != count:
        raise FormatError(f"the header announces {count} transitions but {len(rows)} follow",
                          Span(1, 1), hint="fix the header's second number", source=src)
    return LTS.build(states, initial, [], rows)


def _label(raw: str, line: int, col: int, src: SourceFile) -> str:
    if raw.startswith('"'):
        if len(raw) < 2 or not raw.endswith('"') or '"' in raw[1:-1]:
            raise FormatError("unterminated or malformed quoted label", Span(line, col + 1),
                              source=src)
        return raw[1:-1]
    if not raw:
        raise FormatError("empty label", Span(line, col + 1), source=src)
    return "".join(raw.split())  # mCRL2 drops blanks inside unquoted labels
