"""FDR's assertion options and model suffixes as the parser reads them."""

from __future__ import annotations

import pytest

from procalg.assertion_kinds import RefinementModel
from procalg.errors import ParseError
from procalg.syntax import parse


@pytest.mark.parametrize("text", [
    "assert P :[deadlock free] :[partial order reduce]",
    "assert not P [T= Q :[partial order reduce]",
    "assert P [FD= Q :[tau priority]: {tock} :[partial order reduce]",
    "assert P [FD= Q :[partial order reduce] :[tau priority]: {tock}",
    "assert P :[has trace [F]]: <a> :[partial order reduce [ample]]",
])
def test_fdr_partial_order_option_is_accepted_and_kept_in_the_text(text):
    (decl,) = parse(text).declarations
    assert decl.text == text.removeprefix("assert ")
    assert ("tau priority" in text) == (decl.tau_priority is not None)


def test_has_trace_takes_the_three_models_fdr_names() -> None:
    for model in ("T", "F", "FD"):
        (decl,) = parse(f"assert P :[has trace [{model}]]: <a>").declarations
        assert decl.property.model is RefinementModel.parse(model)
    with pytest.raises(ParseError) as err:
        parse("channel a\nassert P :[has trace [V]]: <a>")
    assert "unknown semantic model '[V]'" in str(err.value)
    assert (err.value.span.line, err.value.span.column) == (2, 10)
