"""Pictures of LTSs (SVG, PNG, PDF) through Graphviz's ``dot``.

Uses the ``graphviz`` Python package, which runs the ``dot`` binary
(Debian/Ubuntu package ``graphviz``). Without ``dot`` a
:class:`~procalg.errors.ProcalgError` says how to install it; the DOT text
(:func:`procalg.lts.dot.to_dot`) needs no binary. Layout time grows quickly
with size, so LTSs above ``max_states`` are refused with a suggestion to
minimise first.

Example:
    >>> lts = LTS.build(2, 0, ["a"], [(0, "a", 1)])
    >>> picture(lts, "svg")[:5]
    b'<?xml'
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from procalg.errors import ProcalgError
from procalg.lts.dot import to_dot
from procalg.lts.lts import LTS

FORMATS = ("svg", "png", "pdf")
MAX_STATES = 300
"""Default size limit for pictures: beyond it ``dot`` takes long and the picture is unreadable."""


def picture(
    lts: LTS,
    fmt: str = "svg",
    *,
    highlight_trace: Sequence[str] | None = None,
    max_states: int = MAX_STATES,
    frontier: frozenset[int] = frozenset(),
) -> bytes:
    """The rendered picture as bytes (``frontier``: states drawn as cut off, see
    :mod:`procalg.lts.sketch`, which picks what to draw of a larger LTS).

    Raises:
        ProcalgError: unknown format, LTS above ``max_states``, or no ``dot`` binary.
    """
    if fmt not in FORMATS:
        raise ProcalgError(f"cannot draw pictures as {fmt!r}",
                           hint=f"use one of {', '.join(FORMATS)}")
    if lts.num_states > max_states:
        raise ProcalgError(
            f"the LTS has {lts.num_states} states, more than the picture limit of {max_states}",
            hint="draw a sketch of it (procalg.lts.sketch), minimise it first "
                 "(lts.minimize(Bisimulation.BRANCHING)), or raise max_states")
    import graphviz  # here, not above: importing it is a tenth of `procalg check`'s start-up

    source = graphviz.Source(to_dot(lts, highlight_trace, frontier=frontier))
    try:
        return source.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise ProcalgError(
            "cannot draw pictures: Graphviz's 'dot' program is not installed",
            hint="install it (apt-get install graphviz); the DOT text from "
                 "procalg.lts.dot.to_dot is still available without it") from None
    except graphviz.CalledProcessError as err:  # pragma: no cover - dot rejecting our text
        raise ProcalgError(f"Graphviz failed: {err.stderr!r}") from None


def render(
    lts: LTS,
    path: str | Path,
    fmt: str = "svg",
    *,
    highlight_trace: Sequence[str] | None = None,
    max_states: int = MAX_STATES,
    frontier: frozenset[int] = frozenset(),
) -> Path:
    """Draw ``lts`` into the file ``path`` and return the path.

    Raises:
        ProcalgError: as :func:`picture`.
    """
    target = Path(path)
    data = picture(lts, fmt, highlight_trace=highlight_trace, max_states=max_states,
                   frontier=frontier)
    target.write_bytes(data)
    return target
