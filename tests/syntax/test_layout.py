"""FDR's lexer ignores columns: where a declaration ends (syntax/layout.py)."""

from __future__ import annotations

import pytest

from procalg.errors import ParseError
from procalg.syntax import pretty
from procalg.syntax.parser import parse


def test_a_local_definition_whose_body_starts_on_the_next_line_at_its_own_column_continues():
    m = parse("T(n) = let Tst(k) =\n           if k > 0 then STOP\n           else SKIP\n"
              "           U = Tst(n)\n       within U\n")
    assert [d.name for d in m.declarations[0].body.definitions] == ["Tst", "U"]


def test_a_top_level_let_keeps_its_definitions_at_column_one_until_within():
    m = parse("channel a\nSpec = let\n\nS1 = a -> S2\n\nS2 = a -> S1\nwithin S1\nQ = Spec\n")
    assert [type(d).__name__ for d in m.declarations] == ["ChannelDecl", "Definition",
                                                          "Definition"]
    assert [d.name for d in m.declarations[1].body.definitions] == ["S1", "S2"]


def test_a_top_level_let_never_closed_is_an_error_asking_for_within():
    with pytest.raises(ParseError, match="within"):
        parse("channel a\nSpec = let\nS1 = a -> S1\nQ = STOP\n")


def test_an_indented_type_annotation_starts_a_declaration_but_a_module_name_does_not():
    m = parse("module M\nexports\n  datatype T = T1\n  g :: T\n  g = T1\n"
              "  P = STOP [] \n  M::Q\n  Q = STOP\nendmodule\n")
    names = [getattr(d, "name", None) for d in m.declarations]
    assert "M::g" in names and "M::P" in names and "M::Q" in names


def test_an_indented_dotted_pattern_definition_starts_a_declaration():
    m = parse("channel c : {0..1}.{0..1}\nf = STOP\n  c.x = c.1\n")
    assert pretty(m.declarations[1]) == "f = STOP"
    assert "x" in [getattr(d, "name", None) for d in m.declarations[2:]]
