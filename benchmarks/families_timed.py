"""A tock-CSP family for ``benchmarks/shapes.py``: priority over a network, below the top.

Fischer's timed mutual exclusion with a ``tock`` clock shared by every node:
node ``i`` reads the shared variable, and on 0 picks a delay of up to ``D``
tocks before writing ``i``; it then waits ``T`` tocks and reads again, entering
its critical section if it still holds ``i``. Reads and writes are hidden and
``prioritise(Net, <{}, {tock}>)`` makes them urgent (maximal progress: time
passes only when nothing internal can happen). With ``T > D`` no two nodes are
ever inside together (``Watched`` never does ``bad``).

The checked process is ``Sys ; SKIP``: the priority under a control operator,
which the product engine evaluates as a scope state by state
(:mod:`procalg.lts.priority_scopes`) once its operand passes 2,000 states.
There is no Promela peer (maximal progress would be Promela's ``timeout``, and
spin's states would not be these one for one): the rows are procalg's alone,
and ``--engine reference`` (the term rules) is the oracle at small sizes.

Example:
    >>> "prioritise(Net, <{}, {tock}>)" in fischer_proc((3,))
    True
    >>> fischer_states((6,))
    732810
"""

from __future__ import annotations

Size = tuple[int, ...]

_COUNTS = {2: 116, 3: 780, 4: 9_548, 5: 82_841, 6: 732_810, 7: 6_594_979}
"""``Sys ; SKIP``'s states as the product engine counts them: at 2 and 3 the
priority's operand explored whole and reduced modulo strong bisimulation, from 4
its components in the product (as the nested component counted them, lazily,
before scopes; N=7 passed its 5,000,000-state cap). Counted, not derived."""


def fischer_proc(size: Size, check: str = "Ended :[deadlock free [F]]") -> str:
    """N Fischer nodes with delays D = 2, T = 3 and a tock clock, checking ``check``."""
    (n,) = size
    return f"""-- Fischer's mutual exclusion with a tock clock, N = {n}
N = {n}
D = 2
T = 3
Ids = {{1..N}}
channel read, write : Ids.{{0..N}}
channel enter, leave : Ids
channel tock, bad

Var(x) = read?i!x -> Var(x) [] write?i?y -> Var(y) [] tock -> Var(x)

Idle(i) = read.i?x -> (if x == 0 then Pick(i) else tock -> Idle(i))
Pick(i) = |~| j : {{0..D}} @ Delay(i, j)
Delay(i, j) = if j == 0 then write.i.i -> Check(i, 0) else tock -> Delay(i, j - 1)
Check(i, t) = if t < T then tock -> Check(i, t + 1)
              else read.i?x -> (if x == i then Ready(i) else tock -> Idle(i))
Ready(i) = enter.i -> Inside(i) [] tock -> Ready(i)
Inside(i) = leave.i -> write.i.0 -> Idle(i) [] tock -> Inside(i)

Nodes = [| {{tock}} |] i : Ids @ Idle(i)
Net = (Nodes [| {{| read, write, tock |}} |] Var(0)) \\ {{| read, write |}}
Sys = prioritise(Net, <{{}}, {{tock}}>)

Observer = enter?i -> (leave.i -> Observer [] enter?j -> bad -> STOP)
Watched = Sys [| {{| enter, leave |}} |] Observer
Ended = Sys ; SKIP

assert {check}
"""


def fischer_states(size: Size) -> int:
    """The product engine's count at ``size`` (see :data:`_COUNTS`)."""
    return _COUNTS[size[0]]
