"""Hand-built networks for benchmarks and tests (no parser needed).

Dining philosophers (language.md section 1), Milner's scheduler and a chain
of one-place buffers, built from component LTSs with
:mod:`procalg.lts.network`, so the product engine can be measured alone.

Example:
    >>> from procalg.lts.product import count_states
    >>> count_states(philosophers(3)).states
    99
"""

from __future__ import annotations

from procalg.lts.lts import LTS
from procalg.lts.network import Network, alpha_parallel, close, component, hide, parallel


def _cycle(events: list[str]) -> LTS:
    n = len(events)
    return LTS.build(n, 0, events, [(i, e, (i + 1) % n) for i, e in enumerate(events)])


def phil(i: int, n: int, fixed: bool = False) -> LTS:
    """Phil(i) as in ``models/dining_philosophers*.proc`` (6 states).

    Deadlocking: pick i, pick i+1, eat, put i, put i+1. Fixed: philosopher 0
    picks fork 1 first, and everyone puts the second fork down first.
    """
    first, second = i, (i + 1) % n
    if not fixed:
        return _cycle([f"think.{i}", f"pick.{i}.{first}", f"pick.{i}.{second}", f"eat.{i}",
                       f"put.{i}.{first}", f"put.{i}.{second}"])
    if i == 0:
        first, second = second, first
    return _cycle([f"think.{i}", f"pick.{i}.{first}", f"pick.{i}.{second}", f"eat.{i}",
                   f"put.{i}.{second}", f"put.{i}.{first}"])


def fork(j: int, n: int) -> LTS:
    """Fork(j): picked up and put down by philosopher j or j-1 (3 states)."""
    left = (j + n - 1) % n
    return LTS.build(3, 0, [], [(0, f"pick.{j}.{j}", 1), (1, f"put.{j}.{j}", 0),
                                (0, f"pick.{left}.{j}", 2), (2, f"put.{left}.{j}", 0)])


def _interleave(nets: list[Network]) -> Network:
    net = nets[0]
    for other in nets[1:]:
        net = parallel(net, other, set())
    return net


def philosophers(n: int, fixed: bool = False) -> Network:
    """``(||| i @ Phil(i)) [| {| pick, put |} |] (||| j @ Fork(j))``."""
    phils = _interleave([component(phil(i, n, fixed)) for i in range(n)])
    forks = _interleave([component(fork(j, n)) for j in range(n)])
    sync = {f"{a}.{i}.{j}" for a in ("pick", "put") for i in range(n) for j in range(n)}
    return close(parallel(phils, forks, sync))


def cycler(i: int, n: int) -> LTS:
    """Milner's cycler: a.i, then b.i and c.(i+1) in either order, then c.i."""
    a, b, c, back = f"a.{i}", f"b.{i}", f"c.{(i + 1) % n}", f"c.{i}"
    triples = [(0, a, 1), (1, b, 2), (2, c, 4), (1, c, 3), (3, b, 4), (4, back, 0)]
    return LTS.build(5, 0 if i == 0 else 4, [], triples)


def scheduler(n: int) -> Network:
    """``(|| i @ [Alpha(i)] Cycler(i)) \\ {| c |}`` (Milner 1989)."""
    alpha = [{f"a.{i}", f"b.{i}", f"c.{i}", f"c.{(i + 1) % n}"} for i in range(n)]
    net, acc = component(cycler(0, n)), set(alpha[0])
    for i in range(1, n):
        net = alpha_parallel(net, component(cycler(i, n)), acc, alpha[i])
        acc |= alpha[i]
    return close(hide(net, {f"c.{i}" for i in range(n)}))


def buffers(n: int, values: int = 2) -> Network:
    """A chain of ``n`` one-place buffers of ``values`` values, links hidden."""
    def cell(k: int) -> LTS:
        triples = [(0, f"c{k}.{v}", v + 1) for v in range(values)]
        triples += [(v + 1, f"c{k + 1}.{v}", 0) for v in range(values)]
        return LTS.build(values + 1, 0, [], triples)

    net = component(cell(0))
    for k in range(1, n):
        link = {f"c{k}.{v}" for v in range(values)}
        net = hide(parallel(net, component(cell(k)), link), link)
    return close(net)
