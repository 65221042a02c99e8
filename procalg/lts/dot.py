"""Graphviz DOT text for an LTS, optionally with a trace's path highlighted.

Conventions: an invisible start node with an arrow into the initial state;
deadlocked states (no moves, not entered by ✓) are red octagons; states
entered by ✓ with no moves are double circles; τ-edges are dashed; the
path of a highlighted trace is drawn thick and blue. State names, when the
LTS has them, become tooltips (SVG shows them on hover).

A highlighted trace is matched as a *weak* path (τ-steps may come
between its events) unless it spells τ explicitly, in which case it is
matched step by step; the shortest matching path is drawn (BFS over
``(state, position)``, O((n + m) · len(trace))).

Example:
    >>> lts = LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "a", 2)])
    >>> text = to_dot(lts, highlight_trace=["a"])
    >>> "style=dashed" in text, "octagon" in text, "__start -> s0" in text
    (True, True, True)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from procalg.errors import ProcalgError
from procalg.lts.lts import LTS, TAU, TAU_INDEX
from procalg.lts.tau import effective_labels

HIGHLIGHT = 'color="#1f5fbf", penwidth=2.5'


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(lts: LTS, highlight_trace: Sequence[str] | None = None, *, name: str = "lts",
           frontier: frozenset[int] = frozenset()) -> str:
    """DOT source for ``lts``.

    Args:
        lts: the LTS to draw.
        highlight_trace: label names to highlight along a path from the initial state.
        name: the graph's name.
        frontier: states whose moves were cut off (part of a larger LTS, see
            :mod:`procalg.lts.sketch`): drawn dashed with an arrow to "…", never
            as deadlocks.

    Raises:
        ProcalgError: ``highlight_trace`` is not a trace of ``lts``.
    """
    edges, nodes = (set(), set()) if highlight_trace is None else trace_path(lts, highlight_trace)
    deadlocks = set(lts.deadlocks())
    stopped = (lts.out_degree() == 0) & lts.terminated()
    names = list(lts.state_names) if lts.state_names else None  # lazy names: in one go
    out = [f"digraph {_quote(name)} {{", "  rankdir=LR;",
           '  node [shape=circle, fontname="Helvetica"];',
           '  edge [fontname="Helvetica"];',
           '  __start [shape=none, label="", width=0, height=0];',
           f"  __start -> s{lts.initial};"]
    for s in range(lts.num_states):
        attrs = [f'label="{s}"']
        if s in frontier:
            attrs.append("style=dashed")
            out.append(f'  more{s} [shape=none, label="…"];')
            out.append(f"  s{s} -> more{s} [style=dotted];")
        elif s in deadlocks:
            attrs.append('shape=octagon, style=filled, fillcolor="#f4cccc", color="#cc0000"')
        elif stopped[s]:
            attrs.append("shape=doublecircle")
        if s in nodes:
            attrs.append(HIGHLIGHT)
        if names:
            attrs.append(f"tooltip={_quote(names[s])}")
        out.append(f"  s{s} [{', '.join(attrs)}];")
    labels = effective_labels(lts)
    for i, (s, a, d) in enumerate(zip(lts.src.tolist(), labels.tolist(), lts.dst.tolist(),
                                      strict=True)):
        attrs = [f"label={_quote(lts.labels[a])}"]
        if a == TAU_INDEX:
            attrs.append("style=dashed")
        if i in edges:
            attrs.append(HIGHLIGHT)
        out.append(f"  s{s} -> s{d} [{', '.join(attrs)}];")
    out.append("}")
    return "\n".join(out) + "\n"


def trace_path(lts: LTS, trace: Sequence[str]) -> tuple[set[int], set[int]]:
    """Transition indices and states on a shortest path that performs ``trace``.

    Raises:
        ProcalgError: no path performs ``trace``.
    """
    wanted = list(trace)
    strict = TAU in wanted
    labels = effective_labels(lts)
    start = (lts.initial, 0)
    parent: dict[tuple[int, int], tuple[tuple[int, int], int] | None] = {start: None}
    queue = deque([start])
    while queue:
        state, pos = queue.popleft()
        if pos == len(wanted):
            return _unwind(parent, (state, pos))
        for i in lts.out_range(state):
            a, d = int(labels[i]), int(lts.dst[i])
            if lts.labels[a] == wanted[pos]:
                nxt = (d, pos + 1)
            elif a == TAU_INDEX and not strict:
                nxt = (d, pos)
            else:
                continue
            if nxt not in parent:
                parent[nxt] = ((state, pos), i)
                queue.append(nxt)
    raise ProcalgError(f"the LTS cannot perform the trace <{', '.join(wanted)}>",
                       hint="highlight a trace taken from a counterexample of this LTS")


def _unwind(parent, key) -> tuple[set[int], set[int]]:
    edges, nodes = set(), {key[0]}
    link = parent[key]
    while link is not None:
        key, edge = link
        edges.add(edge)
        nodes.add(key[0])
        link = parent[key]
    return edges, nodes
