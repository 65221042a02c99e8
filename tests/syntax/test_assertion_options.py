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


def test_has_trace_may_omit_the_colon_before_its_trace_as_libcspm_reads_it():
    with_colon = parse("channel a\nassert a -> STOP :[has trace]: <a>\n").declarations[-1]
    without = parse("channel a\nassert a -> STOP :[has trace] <a>\n").declarations[-1]
    assert without.property == with_colon.property


def test_a_bare_value_after_a_property_other_than_a_trace_is_a_syntax_error():
    with pytest.raises(ParseError):
        parse("channel a\nassert a -> STOP :[has trace] a\n")
