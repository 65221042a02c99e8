"""Properties over LTSs (layer 3): one module per kind of check.

Checks see only LTSs and TransitionSystems, never terms or syntax.
"""

from procalg.checks.result import (
    CheckResult,
    Counterexample,
    Equivalence,
    RefinementModel,
    Stats,
    Trace,
    Verdict,
)

__all__ = [
    "CheckResult", "Counterexample", "Equivalence", "RefinementModel", "Stats", "Trace",
    "Verdict",
]
