"""Where FDR accepts prints, type annotations and assertions (syntax/placement.py)."""

import pytest

from procalg.errors import ParseError
from procalg.syntax import parse

ACCEPTED = {
    "annotation before its function": "f :: (Int) -> Int\nf(x) = x + 1",
    "annotation after its definition": "f(x) = x\nf :: (a) -> a",
    "one annotation for two names": "f, g :: Int\nf = 1\ng = 2",
    "constrained type": "f :: (Eq a, Ord a) => (a, {a}) -> a\nf(x, y) = x",
    "dotted channel type": "c :: Int => Event\nchannel c : {0..2}",
    "datatype constructors": "Y :: Int => X\ndatatype X = Y.{0..2} | Z",
    "nametype": "T :: {Int}\nnametype T = {0..3}",
    "annotation inside a let": "P = let f :: (Int) -> Int\n        f(x) = x\n    within STOP",
    "annotation inside a module": "module M\n  f :: Int\n  f = 1\nexports\n  g = f\nendmodule",
    "print at the top level": "print 1 + 2\nP = STOP",
    "assertion after a module": (
        "module M\nexports\n  P = STOP\nendmodule\nassert M::P :[deadlock free]"),
}

REFUSED = {
    "print inside a module": (
        "module X\nexports\nprint 0\nendmodule", "'print' inside a module", 3),
    "print inside a timed section": ("Timed {\nprint 0\n}", "'print' inside a timed section", 2),
    "assertion inside a module": (
        "module M\nexports\n  assert STOP [T= STOP\nendmodule", "an assertion inside module M", 3),
    "assertion in a timed section inside a module": (
        "module M\nexports\n  Timed (\\ _ @ 1) {\n    assert STOP [T= STOP\n  }\nendmodule",
        "an assertion inside module M", 4),
    "annotation of nothing": (
        "f :: Int", "a type annotation for 'f', which is not defined here", 1),
    "annotation of a name defined in another scope": (
        "module M\n  f :: Int\nexports\n  g = 1\nendmodule\nf = 1",
        "a type annotation for 'f', which is not defined here", 2),
    "annotation given twice": (
        "f :: Int\nf = 1\n\nf :: Int", "a second type annotation for 'f'", 4),
    "function type without parentheses": (
        "p :: a -> b\np(x) = x", "a function type's arguments go in parentheses", 1),
    "unknown type class": ("f :: Eqs a => a\nf = 0", "'Eqs' is not a type class", 1),
    "module with an empty parameter list": (
        "module m()\nx = 0\nexports\ny = 1\nendmodule", "module m has an empty parameter list", 1),
    "two tau priority options": (
        "assert STOP [T= STOP :[tau priority over]: {} :[tau priority over]: {}",
        "a second ':[tau priority]:' option on one assertion", 1),
}


@pytest.mark.parametrize("text", ACCEPTED.values(), ids=list(ACCEPTED))
def test_fdr_placements_are_accepted(text):
    parse(text)


def test_markers_leave_no_declaration_behind():
    decls = parse("print 1\nf :: Int\nf = 1").declarations
    assert [type(d).__name__ for d in decls] == ["Definition"]


@pytest.mark.parametrize("text, message, line", REFUSED.values(), ids=list(REFUSED))
def test_what_fdr_refuses_is_a_parse_error_at_its_line(text, message, line):
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert message in str(caught.value)
    assert caught.value.span.line == line
