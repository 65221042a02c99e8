"""What every check returns: a verdict, a counterexample a person can read,
and statistics.

Checks never print; the CLI and notebook format these objects.

Example:
    >>> r = CheckResult(Verdict.FAIL, Counterexample(("a", "b"), note="deadlock"),
    ...                 Stats(states=3, transitions=2))
    >>> r.passed, r.counterexample.trace
    (False, ('a', 'b'))
    >>> r.negated().passed
    True
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from procalg.assertion_kinds import Equivalence, RefinementModel

__all__ = ["CheckResult", "Counterexample", "Equivalence", "RefinementModel", "Stats", "Trace",
           "Verdict"]  # the models' enums live in procalg.assertion_kinds: the syntax reads them

if TYPE_CHECKING:  # numpy behind it: a result is read where no search ran
    from procalg.lts.level_search import SearchResult

Trace = tuple[str, ...]
"""A sequence of visible label names (τ omitted unless shown on request)."""


class Verdict(enum.Enum):
    """The outcome of one check."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    """Neither proved nor refuted within the limits (the symbolic engine): never a guess."""


@dataclass(frozen=True, slots=True)
class Counterexample:
    """Evidence for a verdict: the path and what went wrong at its end.

    Attributes:
        trace: visible events from the initial state, in order.
        refused: events refused at the end of ``trace`` (failures checks).
        accepted: events the other side could do there (refinement/determinism).
        cycle: for divergence, the τ-loop (as label names, τ included).
        full_path: the path with τ steps included, for ``--show-tau``.
        states: state numbers along ``full_path`` (explicit LTS of the check).
        note: one sentence saying what went wrong.
        formula: a Hennessy–Milner formula that distinguishes (equivalences).
        lasso: ``trace`` is a prefix and ``cycle`` repeats for ever after it
            (liveness), rather than a τ-loop (divergence).
    """

    trace: Trace
    refused: frozenset[str] | None = None
    accepted: frozenset[str] | None = None
    cycle: Trace | None = None
    full_path: Trace | None = None
    states: tuple[int, ...] | None = None
    note: str = ""
    formula: str | None = None
    lasso: bool = False


@dataclass(frozen=True, slots=True)
class Stats:
    """How much work a check did."""

    states: int = 0
    transitions: int = 0
    seconds: float = 0.0
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    @classmethod
    def of_search(cls, found: SearchResult, **extra: object) -> Stats:
        """The stats of a product-engine search (``--stats`` shows its levels
        and notes), with ``extra`` added.

        Example:
            >>> from procalg.lts.level_search import SearchResult
            >>> Stats.of_search(SearchResult(False, states=4, levels=3)).extra["levels"]
            3
        """
        return cls(found.states, found.transitions, found.seconds,
                   {"engine": "product", "levels": found.levels,
                    "peak_bytes": found.peak_bytes, **extra, "notes": list(found.notes)})


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict of one check, its counterexample (on failure, or a witness
    for a passing reachability check) and statistics."""

    verdict: Verdict
    counterexample: Counterexample | None = None
    stats: Stats = field(default_factory=Stats)
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASS

    def negated(self) -> CheckResult:
        """The result of ``assert not ...``: the verdict flips, evidence stays
        (an unknown stays unknown)."""
        if self.verdict is Verdict.UNKNOWN:
            return self
        flipped = Verdict.FAIL if self.passed else Verdict.PASS
        return replace(self, verdict=flipped)
