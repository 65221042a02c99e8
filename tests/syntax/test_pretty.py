"""The printer's contract: parse(pretty(ast)) == ast."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.syntax import ast, parse, pretty
from procalg.syntax.parser import parse_expr

CORPUS = Path(__file__).resolve().parents[2] / "grammar" / "corpus"
VALID = sorted((CORPUS / "valid").glob("*.proc"))


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_every_valid_corpus_file_prints_back_to_an_equal_ast(path):
    module = parse(path.read_text(), path.name)
    assert module.declarations
    assert parse(pretty(module)) == module


def test_printer_adds_only_the_parentheses_precedence_needs():
    assert pretty(parse_expr("((a -> P) [] Q) ; R")) == "(a -> P [] Q) ; R"
    assert pretty(parse_expr("P [] (Q [] R)")) == "P [] (Q [] R)"
    assert pretty(parse_expr("(if a then P else Q) [] R")) == "(if a then P else Q) [] R"
    assert pretty(parse_expr("P [] (if a then P else Q)")) == "P [] if a then P else Q"


def test_unary_minus_never_prints_as_a_comment():
    e = ast.Unary("-", ast.Unary("-", ast.Name("x")))
    assert parse_expr(pretty(e)) == e
    s = ast.SetLit((ast.Unary("-", ast.Int(1)),))
    assert parse_expr(pretty(s)) == s


# -- random ASTs ----------------------------------------------------------------

names = st.sampled_from(["a", "b", "c", "P", "Q", "x"]).map(ast.Name)
atoms = st.one_of(names, st.integers(0, 9).map(ast.Int), st.booleans().map(ast.Bool))
pvars = st.sampled_from(["x", "y"]).map(ast.PVar)
patterns = st.recursive(
    st.one_of(pvars, st.just(ast.PWild()), st.integers(0, 3).map(lambda n: ast.PLit(ast.Int(n)))),
    lambda p: st.one_of(
        st.lists(p, min_size=2, max_size=3).map(lambda i: ast.PTuple(tuple(i))),
        st.lists(p, min_size=2, max_size=3).map(lambda i: ast.PDot(tuple(i))),
        st.tuples(st.lists(p, max_size=2), st.none() | pvars).map(
            lambda t: ast.PSeq(tuple(t[0]), t[1])),
        st.builds(ast.PBoth, p, p),
    ),
    max_leaves=4,
)


def _values(e):
    bin_ops = st.sampled_from(["+", "-", "*", "/", "%", "^", "==", "<", ">=", "and", "or"])
    return st.one_of(
        st.tuples(bin_ops, e, e).map(lambda t: ast.Binary(*t)),
        st.tuples(st.sampled_from(["-", "#", "not"]), e).map(lambda t: ast.Unary(*t)),
        st.lists(e, min_size=2, max_size=3).map(lambda p: ast.Dot(tuple(p))),
        st.tuples(names, st.lists(e, max_size=2)).map(lambda t: ast.Apply(t[0], tuple(t[1]))),
        st.lists(e, max_size=3).map(lambda i: ast.SetLit(tuple(i))),
        st.lists(e, max_size=3).map(lambda i: ast.SeqLit(tuple(i))),
        st.lists(e, min_size=2, max_size=3).map(lambda i: ast.TupleLit(tuple(i))),
        st.tuples(e, e).map(lambda t: ast.SetRange(*t)),
        st.tuples(e, e).map(lambda t: ast.SeqRange(*t)),
        st.lists(e, min_size=1, max_size=2).map(lambda i: ast.EventSet(tuple(i))),
        st.tuples(e, st.lists(st.one_of(e, st.builds(ast.Generator, patterns, e)),
                              min_size=1, max_size=2)).map(
            lambda t: ast.SetComp(t[0], tuple(t[1]))),
        st.tuples(e, st.lists(st.builds(ast.Generator, patterns, e), min_size=1, max_size=2)).map(
            lambda t: ast.SeqComp(t[0], tuple(t[1]))),
    )


def _fields(e):
    return st.lists(st.one_of(st.builds(ast.OutField, e),
                              st.builds(ast.InField, patterns, st.none() | e)), max_size=2)


def _processes(e):
    proc_ops = st.sampled_from([";", "[>", "/\\", "[]", "|~|", "|||"])
    gens = st.lists(st.builds(ast.Generator, patterns, e), min_size=1, max_size=2).map(tuple)
    return st.one_of(
        # the parser groups ; chains to the right (syntax/build.regroup_sequences),
        # brackets included: a left-nested ; is not a tree any text reads back as
        st.tuples(proc_ops, e, e).filter(_not_left_nested_sequence)
        .map(lambda t: ast.ProcBinary(*t)),
        st.tuples(e, _fields(e), e).map(lambda t: ast.PrefixExpr(t[0], tuple(t[1]), t[2])),
        st.builds(ast.Guard, e, e),
        st.builds(ast.Undo, e, e),
        st.builds(ast.Saga, e),
        st.builds(ast.GenParallel, e, e, e),
        st.builds(ast.AlphaParallelExpr, e, e, e, e),
        st.builds(ast.HideExpr, e, e),
        st.tuples(e, st.lists(st.tuples(e, e), min_size=1, max_size=2)).map(
            lambda t: ast.RenameExpr(t[0], tuple(t[1]))),
        st.builds(ast.If, e, e, e),
        st.tuples(st.lists(st.builds(ast.Definition, st.sampled_from(["f", "g"]),
                                     st.none() | st.lists(patterns, max_size=2).map(tuple), e),
                           min_size=1, max_size=2), e).map(
            lambda t: ast.Let(tuple(t[0]), t[1])),
        st.tuples(st.sampled_from(["[]", "|~|", "|||", ";"]), gens, e).map(
            lambda t: ast.Replicated(*t)),
        st.tuples(gens, e, e).map(lambda t: ast.Replicated("[||]", t[0], t[1], sync=t[2])),
        st.tuples(gens, e, e).map(lambda t: ast.Replicated("||", t[0], t[1], alpha=t[2])),
    )


def _not_left_nested_sequence(t: tuple) -> bool:
    op, left, _ = t
    return not (op == ";" and type(left) is ast.ProcBinary and left.op == ";")


leaves = st.one_of(atoms, st.just(ast.StopLit()), st.just(ast.SkipLit()), st.just(ast.ThrowLit()))
expressions = st.recursive(leaves, lambda e: st.one_of(_values(e), _processes(e)), max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(expressions)
def test_random_expressions_print_back_to_an_equal_ast(expr):
    text = pretty(expr)
    assert parse_expr(text) == expr, text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.builds(ast.Definition, st.sampled_from(["P", "F"]),
                          st.none() | st.lists(patterns, max_size=2).map(tuple), expressions),
                min_size=1, max_size=3))
def test_random_modules_print_back_to_an_equal_ast(defs):
    module = ast.Module(tuple(defs))
    assert parse(pretty(module)) == module


def test_a_set_of_replicated_processes_does_not_print_as_an_event_set():
    e = ast.SetLit((ast.Replicated("||", (ast.Generator(ast.PWild(), ast.Name("b")),),
                                   ast.SkipLit(), alpha=ast.ThrowLit()),))
    assert parse_expr(pretty(e)) == e
