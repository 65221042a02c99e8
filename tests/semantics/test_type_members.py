"""A field's declared type keeps booleans apart from integers (Python's True == 1)."""

from __future__ import annotations

import pytest

from procalg.errors import ModelError
from procalg.lts import explore
from procalg.semantics import Spec, load
from procalg.source import SourceFile
from procalg.syntax.parser import parse

DECLS = ("channel d : {0..3}\nchannel b : Bool\n"
         "datatype T = K.{0..2}.Bool\nchannel t : T\nx = 1\n")


def model(text: str) -> Spec:
    return load(parse(DECLS + text, "m.csp"), SourceFile("m.csp", DECLS + text))


def labels(text: str) -> list[str]:
    spec = model(text)
    lts = explore(spec.system(spec.process("P")))
    return sorted(str(lts.labels[i]) for i in set(lts.label.tolist()))


@pytest.mark.parametrize(
    ("process", "value", "owner"),
    [("d!true", "true", "channel d's field 1 type {0..3}"),
     ("d!x < 2", "true", "channel d's field 1 type {0..3}"),
     ("d!(x == 1)", "true", "channel d's field 1 type {0..3}"),
     ("b!1", "1", "channel b's field 1 type {false, true}"),
     ("b!0", "0", "channel b's field 1 type {false, true}"),
     ("t!K.1.0", "0", "constructor K's field 2 type {false, true}"),
     ("t!K.true.true", "true", "constructor K's field 1 type {0..2}")],
)
def test_a_boolean_for_an_integer_field_or_back_is_an_error_naming_the_field(
        process, value, owner):
    with pytest.raises(ModelError) as caught:
        labels(f"P = {process} -> STOP\n")
    assert f"value {value} is outside {owner}" in str(caught.value)


@pytest.mark.parametrize(
    ("process", "label"),
    [("d!1", "d.1"), ("d!0", "d.0"), ("b!true", "b.true"), ("b!false", "b.false"),
     ("b!not x == 1", "b.false"), ("t!K.1.false", "t.K.1.false"), ("d!x + 2", "d.3")],
)
def test_values_of_the_fields_type_pass(process, label):
    assert labels(f"P = {process} -> STOP\n") == [label]
