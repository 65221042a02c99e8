"""Determinism without a normal form where hidden moves are confluent.

The screen (:mod:`procalg.lts.determinism_screen`) passes a process whose
every reachable state has one move a visible label, ✓ alone, and no τ. This
module widens it to τ moves that cannot matter: ``P`` is deterministic in
both the failures-divergences and the stable-failures model if every
reachable state ``p`` satisfies

1. *labels*: ``p`` has at most one move per visible label (✓ included);
2. *✓ alone*: if ``p`` can do ✓, it has no other move;
3. *confluence*: for every ``p -τ-> q`` and every move ``p -x-> p'``, the
   sets ``X`` and ``Y`` meet, where ``Y = {p'} ∪ τ(p')`` and ``X`` is the
   ``x``-targets of ``q`` (``x`` visible) or ``{q} ∪ τ(q)`` (``x = τ``);

and no τ-cycle is reachable (:func:`~procalg.lts.refine_product.tau_acyclic`).

Proof. τ terminates (no τ-cycle, finitely many states) and is locally
confluent (3 with ``x = τ``), so by Newman's lemma every state ``p`` has one
stable τ-descendant ``nf(p)`` (Newman, "On theories with a combinatorial
definition of equivalence", Ann. Math. 1942), shared by all of ``p``'s
τ-descendants. Lemma: if ``p -a-> p'`` (``a`` visible) then ``nf(p) -a-> r'``
with ``p' τ* r'``: walk the τ-path from ``p`` to ``nf(p)``; at each step 3
moves the ``a``-move along (its target one τ or none further on), and 1 makes
that ``a``-move the only one. By induction on ``s``, all members of the
normal-form node ``N(s)`` (the τ-closed states after ``s``) share one
``nf``: true for the start's closure; a member ``p`` of ``N(s^a)`` is a
τ-descendant of some ``p'`` with ``p -a-> p'``, ``p ∈ N(s)``, and by the
lemma ``nf(p') = nf(r')`` for the one ``a``-move ``r'`` of the shared
``nf``. So ``N(s)`` has exactly one stable member ``r`` (a stable member is
its own ``nf``), no divergence, and every event a member offers ``r`` offers
too (the lemma): no member refuses what another offers (Roscoe,
*Understanding Concurrent Systems*, 2010, sec. 10.5). If a member can do ✓,
so can ``r``, whose only move is then ✓ (2): no other event is offered. The
conditions are sufficient only: a τ that disables a visible move (``a -> STOP
|~| STOP``'s shape) fails 3, and the caller builds the normal form.

Condition 1 is read from the network where it can be
(:func:`labels_deterministic`: one rule per visible label, each part's
component deterministic in its local label), else per state. Condition 3 is
checked a chunk of states at a time: the τ-targets' moves and the other
targets' τ-moves are asked in bulk, and the sets meet where their (pair,
state) keys collide. Time ``O(T log T + P log P)`` for ``T`` transitions and
``P`` pairs of a τ-move and a move of its source. Milner's scheduler (N=16,
1,572,864 states, its token hidden) is screened in 1.2 s where its normal
form of 1,048,577 sets took 2.7 s (the plain deadlock search: 0.5 s). The
price: a screen that fails late is spent for nothing (the scheduler at N=14
beside a hidden choice reached after six rounds: 1.7 s of 4.1 s), unless a
look-ahead walk meets the rejected state first (:mod:`procalg.lts.determinism_probe`:
there 0.08 s).

Example:
    >>> from procalg.lts import LTS
    >>> from procalg.lts.network import close, component
    >>> ab = LTS.build(2, 0, ["a"], [(0, "a", 1)])
    >>> labels_deterministic(close(component(ab)))
    True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np

from procalg.lts.code_sets import sorted_in
from procalg.lts.lts import LTS, TAU, TAU_INDEX, TICK_INDEX
from procalg.lts.network import Network
from procalg.lts.refine_product import tau_acyclic
from procalg.lts.unique_codes import sorted_unique  # not np.unique: numpy.ma
from procalg.lts.vectors import Tables

Goal = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], "tuple[int, str] | None"]


def labels_deterministic(network: Network) -> bool:
    """Whether no product state can have two moves with one visible label:
    each visible label (✓ too) has one rule, naming each component once, and
    each of its components has at most one move per state in its local
    label (a rule's move is then fixed by its source). Priority only takes
    moves away, so it keeps this true.

    Example:
        >>> from procalg.lts import LTS
        >>> from procalg.lts.network import close, component
        >>> two = LTS.build(3, 0, ["a"], [(0, "a", 1), (0, "a", 2)])
        >>> labels_deterministic(close(component(two)))
        False
    """
    if not all(isinstance(c, LTS) for c in network.components):
        return False  # a lazy component's moves are not all known yet
    visible = [r for r in network.rules if r.label != TAU]
    if any(n > 1 for n in Counter(r.label for r in visible).values()):
        return False
    seen: dict[tuple[int, str], bool] = {}
    for rule in visible:
        if len({c for c, _ in rule.parts}) != len(rule.parts):
            return False
        for part in rule.parts:
            if part not in seen:
                component = network.components[part[0]]
                assert isinstance(component, LTS)
                seen[part] = _one_move_a_state(component, part[1])
            if not seen[part]:
                return False
    return True


def _one_move_a_state(lts: LTS, name: str) -> bool:
    """Whether no state of ``lts`` has two ``name``-moves to different targets."""
    index = lts.label_index(name)
    if index is None:
        return True
    mask = lts.label == index
    src = lts.src[mask].astype(np.int64)
    moves = sorted_unique(src * lts.num_states + lts.dst[mask])
    return len(sorted_unique(moves // lts.num_states)) == len(moves)


def confluence_goal(tables: Tables, taus: Tables | None, labels_checked: bool) -> Goal:
    """A search's goal that flags the first chunk with a state breaking the
    module's conditions 1 to 3 (1 left out when ``labels_checked``, 3 when
    ``taus``, the τ-rules' tables, is ``None``: no τ-rules); its witness is a
    code of the chunk (only its being found counts)."""
    def goal(chunk: np.ndarray, src: np.ndarray, dst: np.ndarray, lab: np.ndarray
             ) -> tuple[int, str] | None:
        if not len(lab):
            return None
        broken = (_tick_shared(src, lab) or (not labels_checked and _labels_twice(src, lab))
                  or (taus is not None
                      and not _confluent(tables, taus, src, dst.astype(np.int64), lab)))
        return (int(chunk[0]), "") if broken else None
    return goal


def _tick_shared(src: np.ndarray, lab: np.ndarray) -> bool:
    """Whether a source that can do ✓ has another move."""
    ticking = src[lab == TICK_INDEX]
    return bool(len(ticking)) and bool((np.bincount(src)[ticking] > 1).any())


def _labels_twice(src: np.ndarray, lab: np.ndarray) -> bool:
    """Whether a source has two moves with one visible label."""
    seen = lab != TAU_INDEX
    key = src[seen].astype(np.int64) * (int(lab.max()) + 1) + lab[seen]
    return len(sorted_unique(key)) != len(key)


def _confluent(tables: Tables, taus: Tables, src: np.ndarray, dst: np.ndarray,
               lab: np.ndarray) -> bool:
    """Condition 3 for every τ-move among the moves (``src`` indexes their sources)."""
    tau = np.flatnonzero(lab == TAU_INDEX)
    if not len(tau):
        return True
    by_source = np.argsort(src, kind="stable")
    count = np.bincount(src)
    first = np.cumsum(count) - count
    edge, at = _spans(first[src[tau]], count[src[tau]])  # (τ-move, move of its source)
    move = by_source[at]
    other = move != tau[edge]  # (a τ-move paired with itself meets: q is in both sets)
    edge, move = edge[other], move[other]
    q = dst[tau]
    # the τ-target's moves labelled as the pair's move: X, but for a τ pair's q itself
    q_src, q_dst, q_lab = tables.successors(tables.layout.cast(q))
    width = len(tables.labels)
    q_key = q_src.astype(np.int64) * width + q_lab
    q_order = np.argsort(q_key, kind="stable")
    q_key, q_dst = q_key[q_order], q_dst[q_order].astype(np.int64)
    want = edge * width + lab[move]
    lo = np.searchsorted(q_key, want, "left")
    many = np.searchsorted(q_key, want, "right") - lo
    visible = lab[move] != TAU_INDEX
    if (visible & (many == 0)).any():  # q cannot do the visible move p did
        return False
    one = visible & (many == 1)  # the usual case: X is one state, met by a compare
    if not _one_met(taus, dst[move[one]], q_dst[lo[one]]):
        return False
    rest = np.flatnonzero(~one)  # τ pairs, and q with two moves of one label (not for long)
    if not len(rest):
        return True
    pair, at_x = _spans(lo[rest], many[rest])
    silent = np.flatnonzero(~visible[rest])
    x_pair = np.concatenate((pair, silent))
    x_code = np.concatenate((q_dst[at_x], q[edge[rest[silent]]]))
    target = dst[move[rest]]
    y_src, y_dst, y_lab = taus.successors(tables.layout.cast(target))
    hidden = y_lab == TAU_INDEX
    y_pair = np.concatenate((np.arange(len(rest)), y_src[hidden]))
    y_code = np.concatenate((target, y_dst[hidden].astype(np.int64)))
    return bool(_meeting(x_pair, x_code, y_pair, y_code, len(rest)).all())


def _one_met(taus: Tables, target: np.ndarray, wanted: np.ndarray) -> bool:
    """Whether each ``target`` is its ``wanted`` state or moves to it by one τ."""
    far = np.flatnonzero(target != wanted)
    if not len(far):
        return True
    y_src, y_dst, y_lab = taus.successors(taus.layout.cast(target[far]))
    hit = (y_lab == TAU_INDEX) & (y_dst.astype(np.int64) == wanted[far][y_src])
    return bool((np.bincount(y_src[hit], minlength=len(far)) > 0).all())


def _spans(lo: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ranges ``lo[i] .. lo[i] + n[i] - 1`` laid end to end, each entry
    with its ``i``.

    Example:
        >>> [a.tolist() for a in _spans(np.array([5, 0]), np.array([2, 3]))]
        [[0, 0, 1, 1, 1], [5, 6, 0, 1, 2]]
    """
    n = n.astype(np.int64)
    owner = np.repeat(np.arange(len(lo)), n)
    offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    return owner, np.repeat(lo.astype(np.int64), n) + offset


def _meeting(x_pair: np.ndarray, x_code: np.ndarray, y_pair: np.ndarray,
             y_code: np.ndarray, pairs: int) -> np.ndarray:
    """Per pair, whether its ``X`` and ``Y`` codes share one (keys of pair
    and code rank, deduplicated per side, collide once both hold them).

    Example:
        >>> _meeting(np.array([0, 1]), np.array([7, 8]), np.array([0, 1]),
        ...          np.array([7, 9]), 2).tolist()
        [True, False]
    """
    codes = sorted_unique(np.concatenate((x_code, y_code)))
    x = sorted_unique(x_pair * len(codes) + np.searchsorted(codes, x_code))
    y = sorted_unique(y_pair * len(codes) + np.searchsorted(codes, y_code))
    met = np.zeros(pairs, bool)
    met[x[sorted_in(y, x)] // max(len(codes), 1)] = True
    return met


def applies(tables: Tables) -> bool:
    """Whether the conditions can be checked on ``tables``: τ-rules, eager
    components, codes of one word, and no τ-cycle possible."""
    network = tables.network
    return (any(r.label == TAU for r in network.rules) and not tables.lazy
            and not tables.layout.wide and not tables.layout.words
            and tau_acyclic(network))
