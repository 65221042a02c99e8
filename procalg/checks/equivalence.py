"""Behavioural equivalence of two LTSs: ``P = Q`` under a bisimulation or traces.

Bisimulations: put both LTSs side by side (disjoint union), partition the
union (:mod:`procalg.lts.partition`) and compare the initial states' blocks.
When they differ, the counterexample carries a Hennessy–Milner formula the
left satisfies and the right does not (:mod:`procalg.checks.hml`, after
Cleaveland 1990), its leftmost path of labels as ``trace``, and a note.
Strong formulas use ``<a>``/``[a]``; weak ones ``<<a>>``/``[[a]]``. For
branching bisimulation the formula is a weak one when the LTSs are not even
weakly bisimilar; when they are (e.g. Milner's third τ-law), no weak
formula exists and the note says so instead (branching formulas need
De Nicola & Vaandrager's until-modalities, not implemented).

Trace equivalence is refinement both ways in the traces model.

Complexity: that of the partition (see :mod:`procalg.lts.partition`) on the
union, plus the explanation.

Example:
    >>> from procalg.lts import LTS
    >>> a = LTS.build(2, 0, ["a"], [(0, "a", 1)])
    >>> ta = LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "a", 2)])
    >>> check_equivalence(ta, a, Equivalence.WEAK).passed
    True
    >>> r = check_equivalence(ta, a, Equivalence.STRONG)
    >>> r.passed, r.counterexample.formula
    (False, '<tau>tt')
"""

from __future__ import annotations

import time

from procalg.checks.hml import Explainer, Formula, first_path
from procalg.checks.result import (
    CheckResult,
    Counterexample,
    Equivalence,
    RefinementModel,
    Stats,
    Verdict,
)
from procalg.lts import LTS, TAU
from procalg.lts.partition import (
    Bisimulation,
    Refinement,
    disjoint_union,
    refine,
)

_BISIMULATIONS = {Equivalence.STRONG: Bisimulation.STRONG, Equivalence.WEAK: Bisimulation.WEAK,
                  Equivalence.BRANCHING: Bisimulation.BRANCHING}
"""The equivalences that are bisimulations (``lts/partition``'s own enum)."""


def check_equivalence(left: LTS, right: LTS, equivalence: Equivalence) -> CheckResult:
    """Whether ``left`` and ``right`` are equivalent; a distinguishing formula if not.

    Args:
        left: the first LTS (the formula holds in its initial state).
        right: the second LTS.
        equivalence: strong, weak or branching bisimulation, or trace equivalence.

    Returns:
        A :class:`CheckResult`; on failure ``counterexample.formula`` and
        ``.trace`` explain the difference.
    """
    assert isinstance(equivalence, Equivalence), f"an Equivalence, not {equivalence!r} (.parse)"
    start = time.perf_counter()
    if equivalence is Equivalence.TRACE:
        return _trace_equivalence(left, right)
    kind = _BISIMULATIONS[equivalence]
    union, off = disjoint_union(left, right)
    refinement = refine(union, kind)
    blocks = refinement.blocks
    stats = Stats(states=union.num_states, transitions=union.num_transitions,
                  seconds=time.perf_counter() - start,
                  extra={"blocks": int(blocks.max()) + 1})
    if blocks[left.initial] == blocks[right.initial + off]:
        return CheckResult(Verdict.PASS, stats=stats,
                           message=f"the two LTSs are {kind.value} bisimilar")
    if kind is Bisimulation.BRANCHING:
        weak = refine(union, Bisimulation.WEAK)
        if weak.blocks[left.initial] == weak.blocks[right.initial + off]:
            note = ("not branching bisimilar, although weakly bisimilar: no formula with "
                    "<<a>> modalities separates them (a τ-step in one passes through a "
                    "state the other cannot match)")
            return CheckResult(Verdict.FAIL, Counterexample((), note=note), stats,
                               "the two LTSs are not branching bisimilar")
        refinement, kind_used = weak, Bisimulation.WEAK
    else:
        kind_used = kind
    formula = _explain(refinement, left.initial, right.initial + off, kind_used)
    path = first_path(formula)
    note = (f"the left satisfies {formula} and the right does not"
            f" ({kind_used.value} modalities)")
    counterexample = Counterexample(
        trace=tuple(x for x in path if x != TAU), full_path=tuple(path),
        formula=str(formula), note=note)
    return CheckResult(Verdict.FAIL, counterexample, stats,
                       f"the two LTSs are not {kind.value} bisimilar")


def _explain(refinement: Refinement, p: int, q: int, kind: Bisimulation) -> Formula:
    assert refinement.history is not None  # strong and weak keep their rounds
    explainer = Explainer(refinement.refined, refinement.history,
                          weak=kind is not Bisimulation.STRONG)
    m = refinement.state_map
    return explainer.distinguish(int(m[p]), int(m[q]))


def _trace_equivalence(left: LTS, right: LTS) -> CheckResult:
    from procalg.checks.refinement import check_refinement

    for spec, impl, side in ((left, right, "right"), (right, left, "left")):
        result = check_refinement(spec, impl, RefinementModel.TRACES)
        if not result.passed:
            cex = result.counterexample
            note = f"only the {side} LTS has the trace {list(cex.trace) if cex else []}"
            return CheckResult(Verdict.FAIL, Counterexample(
                cex.trace if cex else (), accepted=cex.accepted if cex else None, note=note),
                result.stats, "the two LTSs are not trace equivalent")
    return CheckResult(Verdict.PASS, message="the two LTSs are trace equivalent")
