"""Model families for ``benchmarks/shapes.py``: a ``.proc`` model and an
equivalent Promela model per family and size, with the state count each
must have.

Each Promela model is written so that spin's full search (``-DNOREDUCE``)
stores exactly the states of procalg's LTS plus one: the state before
spin's ``init`` process has started the others. That takes care: every CSP
event is one Promela transition (rendezvous, or an ``atomic`` whose first
statement is its only guard), data a CSP term has forgotten is reset in the
same transition, and two CSP branches that reach the same term reach the
same Promela control state (ABP's receiver). Counts are checked, never
assumed.

Example:
    >>> f = FAMILIES["milner"]
    >>> f.label((4,)), f.expected((4,))
    ('N=4', 96)
    >>> "assert Scheduler :[deadlock free [F]]" in f.proc((4,))
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.families_timed import fischer_proc, fischer_states
from benchmarks.families_wide import wide_ring_proc, wide_ring_promela, wide_ring_states

MODELS = Path(__file__).resolve().parents[1] / "models"
PROMELA = Path(__file__).resolve().parent / "promela"

Size = tuple[int, ...]


@dataclass(frozen=True)
class Family:
    """One row family: how to write both models at a size, and what to expect.

    Attributes:
        name: the family's name in the table and for ``--only``.
        params: the size parameters' names (``("C", "V")``).
        sizes: sizes of the default run (seconds each, today).
        large: the sizes of issue 9's table (minutes, or a timeout).
        proc: the ``.proc`` text at a size, with one deadlock-freedom assertion
            that explores every state (the models are deadlock free), or
            stops at once for ``wide``; in ``[F]``, stuck states only, as
            spin's search for invalid end states (FDR's default ``[FD]``
            would also search for a divergence, which lossy media have).
        promela: the Promela text at a size; None when spin has no peer model.
        expected: procalg's state count at a size, derived by hand (or fitted
            and stated so); None when only the peer can tell.
        spin_extra: spin's states minus procalg's (its ``init``).
        pan_flags: more options for ``./pan`` (``-E``: a model that deadlocks
            by design is searched whole, its invalid end states not errors).
    """

    name: str
    params: tuple[str, ...]
    sizes: tuple[Size, ...]
    large: tuple[Size, ...]
    proc: Callable[[Size], str]
    promela: Callable[[Size], str] | None
    expected: Callable[[Size], int] | None
    spin_extra: int = 1
    pan_flags: tuple[str, ...] = ()

    def label(self, size: Size) -> str:
        """``N=4`` or ``C=4,V=8``."""
        return ",".join(f"{p}={v}" for p, v in zip(self.params, size, strict=True))


# --- readers and writers, under a sequential top ------------------------------

def readers_writers_proc(size: Size, sequential: bool = True) -> str:
    """N readers and 2 writers, each idle -> requesting -> inside, a lock
    process counting readers in, the lock's events hidden, and the whole
    network started by ``configure -> SKIP ; Net`` (so ``;`` is the top;
    ``sequential=False`` checks ``Net`` itself, the product engine's shape)."""
    (n,) = size
    top = "System" if sequential else "Net"
    return f"""N = {n}
channel configure
channel request, startread, endread : {{0..N-1}}
channel wrequest, startwrite, endwrite : {{0..1}}

Reader(i) = request.i -> startread.i -> endread.i -> Reader(i)
Writer(j) = wrequest.j -> startwrite.j -> endwrite.j -> Writer(j)
Lock(r, w) = (r < N and not w) & startread?i -> Lock(r+1, w)
          [] (r > 0) & endread?i -> Lock(r-1, w)
          [] (r == 0 and not w) & startwrite?j -> Lock(r, true)
          [] w & endwrite?j -> Lock(r, false)
Clients = (||| i : {{0..N-1}} @ Reader(i)) ||| (||| j : {{0..1}} @ Writer(j))
Sync = {{| startread, endread, startwrite, endwrite |}}
Net = (Clients [| Sync |] Lock(0, false)) \\ Sync
System = configure -> SKIP ; Net

assert {top} :[deadlock free [F]]
"""


def readers_writers_promela(size: Size, sequential: bool = True) -> str:
    """The lock is two globals updated in the client's transition; ``init``
    does ``configure`` and the τ of ``SKIP ; Net`` before starting the net."""
    (n,) = size
    start = ("skip;                                      /* configure */\n"
             "    skip;                                      /* SKIP ; Net moves to Net by tau */\n"
             "    " if sequential else "")
    return f"""byte r; bool w;

proctype reader() {{
    do
    :: skip;                                   /* request.i */
       atomic {{ !w -> r++ }};                   /* startread.i */
       r--                                     /* endread.i */
    od
}}

proctype writer() {{
    do
    :: skip;                                   /* wrequest.j */
       atomic {{ r == 0 && !w -> w = true }};    /* startwrite.j */
       w = false                               /* endwrite.j */
    od
}}

init {{
    {start}atomic {{
        byte k;
        for (k : 1 .. {n}) {{ run reader() }}
        run writer(); run writer()
    }}
}}
"""


def readers_writers_states(size: Size, sequential: bool = True) -> int:
    """No writer inside: every client in any of its 3 states (each writer
    idle or requesting: 4 * 3^N); one of 2 writers inside, the other idle or
    requesting, readers not inside (4 * 2^N); plus ``System`` and
    ``SKIP ; Net`` when sequential."""
    (n,) = size
    return 4 * 3**n + 4 * 2**n + (2 if sequential else 0)


# --- alternating bit protocol over lossy FIFO media ---------------------------

ABP_CAPACITY = 3


def abp_proc(size: Size) -> str:
    """ABP with D data values; each medium is a FIFO of capacity 3 that can
    lose its head message (a hidden event)."""
    (d,) = size
    return f"""D = {d}
C = {ABP_CAPACITY}
Bit = {{0, 1}}
channel left, right : {{0..D-1}}
channel send, recv : Bit.{{0..D-1}}
channel ack, getack : Bit
channel lose, loseack

Sender(b) = left?x -> Sending(b, x)
Sending(b, x) = send.b.x -> Sending(b, x)
             [] getack.b -> Sender(1 - b)
             [] getack.(1 - b) -> Sending(b, x)

Receiver(b) = recv.b?x -> right!x -> ack.b -> Receiver(1 - b)
           [] recv.(1 - b)?x -> ack.(1 - b) -> Receiver(b)

DataMedium(s) = #s < C & send?b?x -> DataMedium(s ^ <b * D + x>)
             [] not null(s) & recv.(head(s) / D).(head(s) % D) -> DataMedium(tail(s))
             [] not null(s) & lose -> DataMedium(tail(s))
AckMedium(s) = #s < C & ack?b -> AckMedium(s ^ <b>)
            [] not null(s) & getack.head(s) -> AckMedium(tail(s))
            [] not null(s) & loseack -> AckMedium(tail(s))

Internal = {{| send, recv, ack, getack, lose, loseack |}}
Protocol = ((Sender(0) ||| Receiver(0)) [| {{| send, recv, ack, getack |}} |]
            (DataMedium(<>) ||| AckMedium(<>))) \\ Internal

assert Protocol :[deadlock free [F]]
"""


def abp_promela(size: Size) -> str:
    """Media are buffered channels; one ``loser`` process drops heads. The
    receiver's two branches meet in one control state because the CSP terms
    ``ack.b -> Receiver(1-b)`` (after right!x) and ``ack.(1-b') ->
    Receiver(b')`` (after a repeat, b' = 1-b) are the same term."""
    (d,) = size
    lefts = "\n".join(f"    :: atomic {{ !busy -> x = {v}; busy = true }}      /* left.{v} */"
                      for v in range(d))
    return f"""chan dm = [{ABP_CAPACITY}] of {{ bit, byte }};
chan am = [{ABP_CAPACITY}] of {{ bit }};

proctype sender() {{
    bit b; byte x; bool busy;
    do
{lefts}
    :: atomic {{ busy && nfull(dm) -> dm ! b, x }}
    :: atomic {{ busy && am?[eval(b)] -> am ? eval(b); b = 1 - b; x = 0; busy = false }}
    :: atomic {{ busy && am?[eval(1 - b)] -> am ? eval(1 - b) }}
    od
}}

proctype receiver() {{
    bit b; byte x;
    do
    :: if
       :: dm ? eval(b), x; x = 0                    /* recv.b.x; right.x */
       :: atomic {{ dm ? eval(1 - b), _; b = 1 - b }}  /* a repeat */
       fi;
       atomic {{ am ! b; b = 1 - b }}                 /* ack */
    od
}}

proctype loser() {{
    do
    :: dm ? _, _
    :: am ? _
    od
}}

init {{ atomic {{ run sender(); run receiver(); run loser() }} }}
"""


def abp_states(size: Size) -> int:
    """Fitted, not derived: 94 D^2 + 278 D + 16 at capacity 3 (procalg and
    spin agree at D = 1, 2, 4, 16; issue 9 has 39 232 at D = 19)."""
    (d,) = size
    return 94 * d * d + 278 * d + 16


# --- an ordered FIFO: a huge queue, few reachable states ----------------------

def fifo_proc(size: Size) -> str:
    """A producer of 0, 1, ..., V-1, 0, ... into a FIFO of capacity C whose
    output is free: the queue alone has sum V^k states, the product V(C+1)."""
    c, v = size
    return f"""C = {c}
V = {v}
channel put, get : {{0..V-1}}
Producer(i) = put.i -> Producer((i + 1) % V)
Queue(s) = #s < C & put?x -> Queue(s ^ <x>)
        [] not null(s) & get!head(s) -> Queue(tail(s))
System = Producer(0) [| {{| put |}} |] Queue(<>)

assert System :[deadlock free [F]]
"""


def fifo_promela(size: Size) -> str:
    """The queue is a buffered channel; ``get`` is a consumer with one state."""
    c, v = size
    return f"""chan q = [{c}] of {{ byte }};
proctype producer() {{ byte i; do :: atomic {{ q ! i; i = (i + 1) % {v} }} od }}
proctype consumer() {{ do :: q ? _ od }}
init {{ atomic {{ run producer(); run consumer() }} }}
"""


def fifo_states(size: Size) -> int:
    """The next value to put (V) times the queue's length (C+1): its
    contents are the consecutive values before it."""
    c, v = size
    return v * (c + 1)


# --- a wide input -------------------------------------------------------------

def wide_proc(size: Size) -> str:
    """``c?x -> STOP`` over K+1 values: 2 states, K+1 transitions."""
    (k,) = size
    return f"K = {k}\nchannel c : {{0..K}}\nP = c?x -> STOP\n\nassert P :[deadlock free [F]]\n"


def wide_sync_proc(size: Size) -> str:
    """N readers, each ``c?x -> d.i`` over K+1 values, interleaved and all
    synchronised on ``c`` with a writer of ``c.3``: each reader is before or after
    its input, 2^N states, K+1 values each input could take but one it can
    (the network compiler builds the writer first and asks the readers' inputs
    only for its events: ``procalg/semantics/network_narrow.py``)."""
    k, n = size
    return f"""K = {k}
N = {n}
channel c : {{0..K}}
channel d : {{0..N-1}}
Reader(i) = c?x -> d.i -> Reader(i)
Writer = c!3 -> Writer
System = (||| i : {{0..N-1}} @ Reader(i)) [| {{| c |}} |] Writer

assert System :[deadlock free [F]]
"""


def wide_sync_promela(size: Size) -> str:
    """Readers receive from the writer by rendezvous (one transition, the value
    dropped as the CSP term drops it), then make their ``d.i`` move."""
    k, n = size
    return f"""chan c = [0] of {{ int }};
proctype writer() {{ do :: c ! 3 od }}
proctype reader() {{ do :: c ? _; skip od }}  /* c?x ({k + 1} values), then d.i */
init {{ atomic {{ run writer(); {" ".join("run reader();" for _ in range(n))} }} }}
"""


# --- networks (the product engine's ground) -----------------------------------

def _bundled(file: str, process: str, size: Size) -> str:
    """A bundled model with N set and only a deadlock-freedom assertion."""
    (n,) = size
    text = re.sub(r"^N = \d+", f"N = {n}", (MODELS / file).read_text(), flags=re.M)
    body = [line for line in text.splitlines() if not line.startswith("assert")]
    return "\n".join([*body, f"assert {process} :[deadlock free [F]]", ""])


def _promela_file(file: str, defines: dict[str, int]) -> str:
    head = "".join(f"#define {k} {v}\n" for k, v in defines.items())
    return head + (PROMELA / file).read_text()


def buffers_proc(size: Size) -> str:
    """``networks.buffers(N)`` as a ``.proc`` model: one-place cells of
    bits, the links between cells hidden, both ends free."""
    (n,) = size
    return f"""N = {n}
channel c : {{0..N}}.{{0, 1}}
Cell(k) = c.k?v -> c.(k+1)!v -> Cell(k)
Links = {{ c.k.v | k <- {{1..N-1}}, v <- {{0, 1}} }}
Chain = (|| k : {{0..N-1}} @ [{{| c.k, c.(k+1) |}}] Cell(k)) \\ Links

assert Chain :[deadlock free [F]]
"""


# --- a binary odometer: a deep, narrow state space ----------------------------

def odometer_proc(size: Size) -> str:
    """N binary digits in alphabetised parallel (issue 17): digit i counts on
    ``inc.i`` and carries with ``inc.(i+1)``, which its left neighbour counts
    on. About 2^(N+2) BFS levels of a few dozen states each (N=12: 16,358
    levels of 32 states on average; N=14: 65,506 of 73)."""
    (n,) = size
    return f"""N = {n}
channel inc : {{0..N}}
D(i, d) = if d < 1 then inc.i -> D(i, d+1) else inc.i -> inc.(i+1) -> D(i, 0)
Odometer = || i : {{0..N-1}} @ [{{inc.i, inc.(i+1)}}] D(i, 0)

assert Odometer :[deadlock free [F]]
"""


def odometer_promela(size: Size) -> str:
    """One process over a global digit array (0, 1, or 2 = about to carry),
    one ``atomic`` per CSP event ``inc.k``."""
    (n,) = size
    events = ["    :: atomic { d[0] < 2 -> d[0]++ }                  /* inc.0 */"]
    events += [f"    :: atomic {{ d[{k - 1}] == 2 && d[{k}] < 2 -> d[{k - 1}] = 0; d[{k}]++ }}"
               f"  /* inc.{k} */" for k in range(1, n)]
    events.append(f"    :: atomic {{ d[{n - 1}] == 2 -> d[{n - 1}] = 0 }}  /* inc.{n} */")
    body = "\n".join(events)
    return f"""byte d[{n}];

proctype odometer() {{
    do
{body}
    od
}}

init {{ atomic {{ run odometer() }} }}
"""


def odometer_states(size: Size) -> int:
    """Each digit is in one of its 3 local states (0, 1, carrying), and every
    combination is reachable: a carrying digit's left neighbour is free."""
    (n,) = size
    return 3 ** n


def counter_proc(size: Size) -> str:
    """One data-carrying leaf counting modulo N: a BFS level per state
    (2N levels of one state), the deepest, narrowest space; its leaf is
    explored lazily (past 2,000 states), and the network of that one leaf
    walks its levels in plain Python (``procalg/lts/leaf_levels.py``): the
    leaf's next-state function sets the pace, not a level's numpy calls."""
    (n,) = size
    return f"""N = {n}
channel c : {{0..N-1}}
channel d
P(n) = c!n -> d -> P((n + 1) % N)

assert P(0) :[deadlock free [F]]
"""


def counter_promela(size: Size) -> str:
    """One process, one ``atomic`` per CSP event (``c!n``, then ``d``)."""
    (n,) = size
    return f"""int n;
bit said;

proctype counter() {{
    do
    :: atomic {{ said == 0 -> said = 1 }}                    /* c!n */
    :: atomic {{ said == 1 -> said = 0; n = (n + 1) % {n} }}  /* d */
    od
}}

init {{ atomic {{ run counter() }} }}
"""


# --- determinism and refinement: the same space, a different question ----------

def milner_checked(assertion: str) -> Callable[[Size], str]:
    """The bundled scheduler with one determinism or refinement assertion in
    place of deadlock freedom; ``ASpec(0)`` is Milner's specification: the
    tasks start in cyclic order (the b's hidden)."""
    def proc(size: Size) -> str:
        body = [line for line in _bundled("milner_scheduler.proc", "Scheduler", size)
                .splitlines() if not line.startswith("assert")]
        return "\n".join([*body, "ASpec(i) = a.i -> ASpec(Next(i))", f"assert {assertion}", ""])
    return proc


def milner_monitor(size: Size) -> str:
    """``scheduler.pml`` with the specification as a monitor (issue 17's
    peer for a refinement): each a.i asserts it is the a the spec allows
    next and advances it, in one ``d_step`` (one transition, as before).
    The monitor's variable is a function of the control state, so spin still
    stores procalg's states plus one; it checks the traces part, which
    ``[T=`` asks."""
    text = _promela_file("scheduler.pml", {"N": size[0]})
    text = text.replace("chan c[N] = [0] of { bit };",
                        "chan c[N] = [0] of { bit };\nbyte next = 0;  /* the monitor */")
    text = re.sub(r"skip;(\s+)/\* a\.0 \*/",
                  r"d_step { assert(next == 0); next = 1 % N };\1/* a.0 */", text)
    return re.sub(r"skip;(\s+)/\* a\.i \*/",
                  r"d_step { assert(next == i); next = (i + 1) % N };\1/* a.i */", text)


def philosophers_checked(assertion: str) -> Callable[[Size], str]:
    """The bundled (deadlocking) philosophers with one assertion: ``System
    :[deterministic]`` passes, so the whole normal form is built (issue
    17's cliff: 14x the deadlock check at N=10)."""
    def proc(size: Size) -> str:
        body = [line for line in _bundled("dining_philosophers.proc", "System", size)
                .splitlines() if not line.startswith("assert")]
        return "\n".join([*body, f"assert {assertion}", ""])
    return proc


def _milner_states(size: Size) -> int:
    return size[0] * 3 * 2 ** (size[0] - 1)


FAMILIES: dict[str, Family] = {f.name: f for f in [
    Family("readers-writers", ("N",), ((4,), (6,)), ((10,),),
           readers_writers_proc, readers_writers_promela, readers_writers_states),
    Family("abp", ("D",), ((2,), (6,)), ((16,), (19,)), abp_proc, abp_promela, abp_states),
    Family("fifo", ("C", "V"), ((3, 4), (4, 8)), ((6, 10),), fifo_proc, fifo_promela,
           fifo_states),
    Family("wide", ("K",), ((999,),), ((9999,),), wide_proc, None, lambda size: 2),
    Family("wide-sync", ("K", "N"), ((9999, 10),), ((9999, 16),), wide_sync_proc,
           wide_sync_promela, lambda size: 2 ** size[1]),
    Family("readers-writers-net", ("N",), ((6,), (10,)), ((15,),),
           lambda s: readers_writers_proc(s, sequential=False),
           lambda s: readers_writers_promela(s, sequential=False),
           lambda s: readers_writers_states(s, sequential=False)),
    Family("philosophers-fixed", ("N",), ((6,), (8,)), ((10,), (11,)),
           lambda s: _bundled("dining_philosophers_fixed.proc", "System", s),
           lambda s: _promela_file("philosophers.pml", {"N": s[0], "FIXED": 1}), None),
    Family("milner", ("N",), ((8,), (12,)), ((16,), (20,)),
           lambda s: _bundled("milner_scheduler.proc", "Scheduler", s),
           lambda s: _promela_file("scheduler.pml", {"N": s[0]}),
           lambda s: s[0] * 3 * 2 ** (s[0] - 1)),
    Family("buffers", ("N",), ((8,), (11,)), ((14,),), buffers_proc,
           lambda s: _promela_file("buffers.pml", {"N": s[0]}), lambda s: 3 ** s[0]),
    Family("odometer", ("N",), ((10,), (12,)), ((14,), (16,)), odometer_proc,
           odometer_promela, odometer_states),
    Family("counter", ("N",), ((5000,),), ((30000,),), counter_proc, counter_promela,
           lambda s: 2 * s[0]),
    # spin has no determinism check: its peer explores the same space (pan's
    # full search of scheduler.pml), the cost any determinism check starts from
    Family("milner-determinism", ("N",), ((8,), (12,)), ((16,),),
           milner_checked("Scheduler :[deterministic]"),
           lambda s: _promela_file("scheduler.pml", {"N": s[0]}), _milner_states),
    # the peer: pan's full search of the same space (-E: its deadlock is no error)
    Family("phils-determinism", ("N",), ((6,), (8,)), ((10,),),
           philosophers_checked("System :[deterministic]"),
           lambda s: _promela_file("philosophers.pml", {"N": s[0], "FIXED": 0}), None,
           pan_flags=("-E",)),
    Family("milner-refines", ("N",), ((8,), (12,)), ((18,),),
           milner_checked("ASpec(0) [T= Scheduler \\ {| b |}"), milner_monitor,
           _milner_states),
    # priority over a network under ';' (tock-CSP): procalg alone, no Promela peer
    Family("fischer-tock", ("N",), ((4,), (5,)), ((6,), (7,)), fischer_proc, None,
           fischer_states),
    # codes past 62 bits (keys of 64-bit words) in a traces refinement, as Tokeneer's
    Family("wide-ring", ("N", "C", "V"), ((32, 2, 40),), ((40, 3, 30),), wide_ring_proc,
           wide_ring_promela, wide_ring_states),
]}
