"""The kinds of question an assertion asks: refinement in one of FDR's
semantic models, a behavioural equivalence, the fairness a liveness property
assumes.

Every layer names them with these enums: the syntax reads an assertion's
``[F=`` or ``:[weak]`` into a member once (``parse``, as mCRL2's
``parse_equivalence`` does), and the product engine, the checks and the API
take members only. Importing this module costs nothing (no numpy, no terms).

Example:
    >>> RefinementModel.parse("FD"), Equivalence.parse("weak")
    (<RefinementModel.FAILURES_DIVERGENCES: 'FD'>, <Equivalence.WEAK: 'weak'>)
    >>> RefinementModel.FAILURES.failures, RefinementModel.TRACES.failures
    (True, False)
    >>> Fairness.parse("strong fairness"), Fairness.parse("")
    (<Fairness.STRONG: 'strong'>, <Fairness.NONE: ''>)
"""

from __future__ import annotations

import enum

from procalg.choices import Choice
from procalg.errors import ProcalgError


class RefinementModel(Choice, enum.Enum):
    """FDR's semantic models for refinement, valued by their letters (``[FD=``)."""

    TRACES = "T"
    FAILURES = "F"
    FAILURES_DIVERGENCES = "FD"
    REVIVALS = "V"
    REVIVALS_DIVERGENCES = "VD"
    REFUSAL_TESTING = "R"
    REFUSAL_DIVERGENCES = "RD"

    @classmethod
    def hint(cls) -> str:
        """The letters, and what each model is (``parse`` also takes the names).

        Example:
            >>> RefinementModel.parse("fd"), RefinementModel.parse("traces")
            (<RefinementModel.FAILURES_DIVERGENCES: 'FD'>, <RefinementModel.TRACES: 'T'>)
        """
        return ("use T (traces), F (stable failures), FD (failures-divergences), "
                "V or VD (revivals), R or RD (refusal testing)")

    @property
    def failures(self) -> bool:
        """Whether the model sees stable failures (every model but traces)."""
        return self is not RefinementModel.TRACES

    @property
    def divergences(self) -> bool:
        """Whether the model is divergence-strict (``FD``, ``VD``, ``RD``)."""
        return self.value.endswith("D")


class Equivalence(Choice, enum.Enum):
    """Behavioural equivalences for ``P = Q :[...]``."""

    STRONG = "strong"
    WEAK = "weak"
    BRANCHING = "branching"
    TRACE = "trace"


class Fairness(enum.Enum):
    """Which runs a liveness property counts: all, weakly fair or strongly fair
    ones (PAT's event fairness; :mod:`procalg.checks.liveness`)."""

    NONE = ""
    WEAK = "weak"
    STRONG = "strong"

    @classmethod
    def parse(cls, text: str) -> Fairness:
        """The fairness named ``text`` (``""``, ``weak``, ``strong fairness`` ...;
        ProcalgError naming the choices if none).

        Example:
            >>> Fairness.parse("Weak")
            <Fairness.WEAK: 'weak'>
        """
        try:
            return cls(text.strip().lower().removesuffix("fairness").strip())
        except ValueError:
            raise ProcalgError(f"no fairness called {text!r}",
                               hint="use weak fairness or strong fairness") from None
