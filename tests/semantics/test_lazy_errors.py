"""FDR evaluates lazily: an evaluation error in a declaration nothing uses is no
error, and one in a declaration an assertion uses is reported where it happens."""

from __future__ import annotations

import pytest

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.errors import ModelError
from procalg.semantics import Spec, load
from procalg.semantics.lazy_errors import EvaluationError
from procalg.source import SourceFile
from procalg.syntax import ast
from procalg.syntax.parser import parse


def model(text: str) -> Spec:
    return load(parse(text, "m.csp"), SourceFile("m.csp", text))


def _error_when_used(text: str, name: str) -> ModelError:
    spec = model(text)  # loads: FDR never evaluates an unused declaration
    with pytest.raises(ModelError) as caught:  # an EvaluationError or a CyclicValue
        spec.value(ast.Name(name))
    return caught.value


def test_a_pattern_no_clause_matches_is_an_error_only_where_it_is_evaluated() -> None:
    # pick's only clause takes a one-element set; {1, 2, 3} has three
    err = _error_when_used("S = {1, 2, 3}\npick({x}) = x\nX = pick(S) + 2\n", "X")
    assert isinstance(err, EvaluationError)
    assert err.message == "no clause of pick matches ({1, 2, 3})"
    assert (err.span.line, err.span.column) == (3, 5)


def test_a_datatype_value_outside_a_field_type_is_an_error_only_where_it_is_listed() -> None:
    text = "datatype Z = A.{0,1}\ndatatype Y = X.{A.0}\ndatatype K = J.{X.A.0, X.A.1}\n"
    err = _error_when_used(text, "K")
    assert err.message == "value A.1 is outside constructor X's field 1 type {A.0}"
    assert (err.span.line, err.span.column) == (3, 28)
    assert model(text).value(ast.Name("Y")) == model(text).value(ast.Name("Y"))  # Y is fine


def test_subtypes_defined_in_terms_of_each_other_load_while_unused() -> None:
    text = "datatype A = F1.B | F2.B\nsubtype B = F1.C\nsubtype C = F2.B\n"
    err = _error_when_used(text, "A")
    assert "defined in terms of itself" in err.message


def test_a_constructor_whose_field_mentions_its_own_datatype_in_a_seq_loads() -> None:
    text = ("agents = {Ground}\n"
            "datatype fact = Sq.Seq(fact).agents | Summary.agents | Ground\n"
            "channel c : {0, 1}\nP = c.0 -> STOP\nassert P :[deadlock free]\n")
    [report] = check_model(loads(text, "m.csp"))
    assert report.result == "fail"  # the model checks; fact is never listed


def test_an_error_in_a_declaration_an_assertion_uses_is_reported_with_its_place() -> None:
    text = ("channel c : {0..2}\nS = {1, 2}\npick({x}) = x\n"
            "P = c!pick(S) -> STOP\nassert P :[deadlock free]\n")
    [report] = check_model(loads(text, "m.csp"))
    assert report.result == "error"
    assert report.error.message == "no clause of pick matches ({1, 2})"
    assert (report.error.span.line, report.error.span.column) == (4, 7)


def test_type_errors_are_still_reported_at_load() -> None:
    with pytest.raises(ModelError) as caught:
        model("X = {1} + 1\n")
    assert not isinstance(caught.value, EvaluationError)
    assert "'+' needs integers, got a set" in caught.value.message
