"""``assert P :[reachable e]``: some reachable state can perform event ``e``.

Breadth-first exploration stopped at the first state with an ``e``
transition; states are expanded in order of distance, so the witness (the
trace to that state followed by ``e``) is a shortest one, τ counted. A
passing check carries the witness in ``counterexample``, so that
``assert not P :[reachable e]`` fails with it.

Complexity: O(S + T) up to the first ``e``, O(S) integers of memory.

Example:
    >>> from procalg.lts import LTS
    >>> lts = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (1, "τ", 2), (2, "b", 0)])
    >>> check_reachable(lts, "b").counterexample.trace
    ('a', 'b')
    >>> check_reachable(lts, "c").message
    'c is unreachable in 3 states'
"""

from __future__ import annotations

import time
from typing import Any

from procalg.checks.result import CheckResult, Counterexample, Stats, Verdict
from procalg.lts.exploration import Exploration
from procalg.lts.lts import LTS, TAU, TransitionSystem


def check_reachable(system: TransitionSystem[Any] | LTS, event: Any, *,
                    max_states: int | None = None) -> CheckResult:
    """Check that ``event`` can happen in some reachable state.

    Args:
        system: a transition system, or an LTS.
        event: the event (a name, or an object whose ``str`` is the name).
        max_states: give up with :class:`~procalg.errors.LimitExceeded` beyond this.

    Returns:
        PASS with a shortest witness (``trace`` ends with ``event``;
        ``full_path``/``states`` include τ), or FAIL.

    Example:
        >>> from procalg.lts import LTS
        >>> r = check_reachable(LTS.build(2, 0, ["a"], [(0, "τ", 1), (1, "a", 0)]), "a")
        >>> r.passed, r.counterexample.trace, r.counterexample.full_path
        (True, ('a',), ('τ', 'a'))
    """
    started = time.perf_counter()
    name = event if isinstance(event, str) else str(event)
    walk = Exploration(system, max_states=max_states)
    for number, edges in walk:
        for code, target in edges:
            if walk.labels[code] == name:
                visible = () if name == TAU else (name,)
                witness = Counterexample(
                    walk.trace_to(number) + visible,
                    full_path=(*walk.full_path_to(number), name),
                    states=(*walk.path_states(number), walk.state_id(target)),
                    note=f"{name} can happen after this trace",
                )
                return CheckResult(Verdict.PASS, witness, _stats(walk, started),
                                   message=f"{name} is reachable")
    return CheckResult(Verdict.FAIL, None, _stats(walk, started),
                       message=f"{name} is unreachable in {walk.num_states} states")


def _stats(walk: Exploration, started: float) -> Stats:
    return Stats(walk.num_states, walk.transitions, time.perf_counter() - started)
