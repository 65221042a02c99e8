"""``[FD=`` and ``[F=`` with lazy leaves that widen the codes while the check runs.

The bulk refinement search (:mod:`procalg.lts.refine_product`) reads each
state's implementation part in the layout of the divergence search that ran
first (``impl_codes``), while lazy leaves may grow and re-encode the codes of
either search. A leaf counting to 40 passes several digit widths (4, 16, 64
local states ...); its divergence or refusal lies at depth 40. Each check is
run alone and after other checks that expanded the same leaves first (another
network, the normalised spec's, deferring other labels), against the reference.
"""

from __future__ import annotations

from functools import partial
from unittest.mock import patch

import pytest

from procalg.api import check_model, loads
from procalg.api.search import CheckEngine, SearchOptions
from procalg.lts import leaf_choice
from procalg.lts.vectors import Tables
from procalg.semantics import leaves

MODEL = """channel a, b, c
L(n) = if n < 40 then a -> L(n + 1) else b -> L(n)
M = a -> M [] c -> STOP
T = (L(0) [| {a} |] M) \\ {b}
U = L(0) [| {a} |] M
S = a -> S [] c -> STOP
"""
"""``T`` diverges after 40 ``a`` s (``[FD=`` fails there), ``U`` refuses ``a``
there (``[F=`` and ``[FD=`` fail); both pass ``[T=``."""

CHECKS = ["S [FD= T", "S [FD= U", "S [F= U", "S [T= T", "S [F= T"]


def _answers(assertions: list[str], engine: CheckEngine) -> list[tuple]:
    text = MODEL + "".join(f"assert {a}\n" for a in assertions)
    out = []
    for r in check_model(loads(text), options=SearchOptions(engine=engine)):
        found = r.check.counterexample
        out.append((r.assertion.text, r.result, None if found is None else (
            found.trace, found.refused, found.cycle)))
    return out


@pytest.mark.parametrize("first", [[], ["S [T= T", "S [T= U"], ["U :[deadlock free [F]]"]],
                         ids=["alone", "after-traces", "after-deadlock"])
@pytest.mark.parametrize("check", CHECKS)
def test_lazy_leaves_widening_during_a_refinement_give_the_reference_answer(
        first: list[str], check: str) -> None:
    grown = []
    expand = Tables.expand

    def counted(self: Tables, codes):  # type: ignore[no-untyped-def]
        recode = expand(self, codes)
        grown.append(recode is not None)
        return recode

    with patch.object(leaves, "leaf", partial(leaf_choice.leaf, eager_limit=2)), \
            patch.object(Tables, "expand", counted):
        mine = _answers([*first, check], CheckEngine.AUTO)
    assert sum(grown) >= 2  # the leaf's digits widened (4, 16, 64 local states)
    assert mine == _answers([*first, check], CheckEngine.REFERENCE)
