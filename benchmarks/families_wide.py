"""A wide-network family for ``benchmarks/shapes.py``: state codes past 62 bits.

A token ring of N stations (each idle, or holding the token before, between
or after its two ``work`` steps: four local states, two bits) interleaved
with C counters mod V (``inc``, and ``wrap`` back to 0: each value a state
of its own), checked by a traces refinement against a spec that does the
ring's events in ring order and any ``inc`` or ``wrap`` (the ring's N stations
and the counters' fields make 2N + C*ceil(log2 V) bits: N = 32 is already
past 62, so the product engine stores each state as a key of 64-bit words,
as Tokeneer's 131 components need; :mod:`procalg.lts.wide_keys`). One
station holds the token in one of three places, so there are 3N * V^C
states, and the spec, in the same place of the ring, adds none.

The Promela peer: a global token position and phase, one ``do`` loop per
station guarded on them and one per counter, each CSP event one atomic
transition; spin's full search stores the same states plus its ``init``'s.

Example:
    >>> wide_ring_states((32, 2, 40))
    153600
    >>> "Spec [T= System" in wide_ring_proc((32, 2, 40))
    True
"""

from __future__ import annotations

Size = tuple[int, ...]


def wide_ring_states(size: Size) -> int:
    """3N * V^C: the token's station and place, and every counter's value."""
    n, c, v = size
    return 3 * n * v ** c


TOKEN_RING = """Prev(i) = (i + N - 1) % N
Idle(i) = pass.Prev(i) -> Holding(i)
Holding(i) = work.i.1 -> work.i.2 -> pass.i -> Idle(i)
Station(i) = if i == 0 then Holding(i) else Idle(i)
Alpha(i) = {work.i.1, work.i.2, pass.i, pass.Prev(i)}
Ring = || i : {0..N-1} @ [Alpha(i)] Station(i)
"""
"""A token passed round N stations, each working twice while it holds it (needs ``N``
and channels ``work : {0..N-1}.{1..2}``, ``pass : {0..N-1}``)."""


def wide_ring_proc(size: Size) -> str:
    """N stations in a ring and C counters mod V; ``Spec [T= System``."""
    n, c, v = size
    return f"""-- a token ring of N stations and C counters mod V: 3 * N * V^C states
N = {n}
C = {c}
V = {v}
channel work : {{0..N-1}}.{{1..2}}
channel pass : {{0..N-1}}
channel inc, wrap : {{0..C-1}}

{TOKEN_RING}
Counter(j, x) = if x < V - 1 then inc.j -> Counter(j, x + 1) else wrap.j -> Counter(j, 0)
System = Ring ||| (||| j : {{0..C-1}} @ Counter(j, 0))

Order(i) = work.i.1 -> work.i.2 -> pass.i -> Order((i + 1) % N)
Spec = Order(0) ||| RUN({{| inc, wrap |}})

assert Spec [T= System
"""


def wide_ring_promela(size: Size) -> str:
    """The ring as a global token position and place (0: before ``work.i.1``),
    the counters as a global array; every event one atomic step."""
    n, c, v = size
    station = ("proctype station(byte i) { do\n"
               ":: atomic { tok == i && ph == 0 -> ph = 1 }\n"
               ":: atomic { tok == i && ph == 1 -> ph = 2 }\n"
               f":: atomic {{ tok == i && ph == 2 -> ph = 0; tok = (i + 1) % {n} }}\n"
               "od }\n")
    counter = ("proctype counter(byte j) { do\n"
               f":: atomic {{ cnt[j] < {v - 1} -> cnt[j] = cnt[j] + 1 }}\n"
               f":: atomic {{ cnt[j] == {v - 1} -> cnt[j] = 0 }}\n"
               "od }\n")
    runs = " ".join(f"run station({i});" for i in range(n))
    runs += " " + " ".join(f"run counter({j});" for j in range(c))
    return (f"byte tok = 0; byte ph = 0; byte cnt[{c}];\n{station}{counter}"
            f"init {{ atomic {{ {runs} }} }}\n")
