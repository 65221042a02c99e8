"""CSPM modules and instances, expanded into qualified declarations (syntax/modules.py)."""

from __future__ import annotations

import pytest

from procalg.errors import ParseError
from procalg.semantics import load
from procalg.source import SourceFile
from procalg.syntax import parse
from procalg.syntax.parser import parse_expr

MODEL = """
module Buffer(Size)
    cells = {0..Size}
exports
    channel put, get : {0, 1}
    datatype Mode = idle | busy.{0..Size}
    count(s) = card(s) + Size
    (first, second) = (Size, Size + 1)
    module Inner(k)
    exports
        total = k + Size
    endmodule
endmodule

module Plain
exports
    two = 2
endmodule

instance B = Buffer(3)
instance C = B::Inner(10)
instance P = Plain
P2 = B::put.1 -> B::get.0 -> STOP
"""


def spec():
    return load(parse(MODEL, "m.csp"), SourceFile("m.csp", MODEL))


@pytest.mark.parametrize(("expr", "value"), [
    ("B::count({7})", 4),
    ("(B::first, B::second)", (3, 4)),
    ("member(B::busy.3, B::Mode)", True),
    ("C::total", 13),
    ("Plain::two + P::two", 4),
])
def test_an_instance_binds_the_parameters_and_qualifies_every_name(expr, value):
    assert spec().value(parse_expr(expr)) == value


def test_a_module_channel_is_a_qualified_channel():
    names = [getattr(d, "names", ()) for d in parse(MODEL).declarations]
    assert ("B::put", "B::get") in names


def test_a_module_parameter_shadows_nothing_outside_the_module():
    s = load(parse("Size = 99\n" + MODEL, "m.csp"), SourceFile("m.csp", MODEL))
    assert s.value(parse_expr("Size")) == 99


@pytest.mark.parametrize(("text", "message"), [
    ("module M\nexports\nx = 1\n", "module M is never ended"),
    ("endmodule\n", "'endmodule' without its 'module'"),
    ("instance N = Nowhere(1)\n", "'Nowhere' is no parameterised module"),
    ("module M(x)\nexports\ny = x\nendmodule\ninstance N = M(1, 2)\n", "takes 1 arguments, got 2"),
])
def test_module_mistakes_are_one_line_errors_at_the_place(text, message):
    with pytest.raises(ParseError, match=message):
        parse(text)
