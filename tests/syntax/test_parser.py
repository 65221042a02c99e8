"""Hand-written precedence, associativity, layout and span cases for the parser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.assertion_kinds import Equivalence
from procalg.assertion_kinds import RefinementModel as M
from procalg.errors import ParseError
from procalg.source import Span
from procalg.syntax import ast, parse, pretty
from procalg.syntax.parser import parse_expr

a, b, c, d, P, Q, R = (ast.Name(n) for n in ("a", "b", "c", "d", "P", "Q", "R"))


def pre(head, then, *fields):
    return ast.PrefixExpr(head, tuple(fields), then)


def op(o, left, right):
    return ast.ProcBinary(o, left, right)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # prefix binds tighter than every binary process operator, and nests right
        ("a -> b -> P", pre(a, pre(b, P))),
        ("a -> P [] b -> Q", op("[]", pre(a, P), pre(b, Q))),
        ("a -> P ; Q", op(";", pre(a, P), Q)),
        # FDR's table (libcspm's grammar), each adjacent pair both ways round:
        # ; above [> above /\ above [] above |~| above the parallel family
        # above ||| above hiding
        ("P ; Q [> R", op("[>", op(";", P, Q), R)),
        ("P [> Q ; R", op("[>", P, op(";", Q, R))),
        ("P [> Q /\\ R", op("/\\", op("[>", P, Q), R)),
        ("P /\\ Q [> R", op("/\\", P, op("[>", Q, R))),
        ("P /\\ Q [] R", op("[]", op("/\\", P, Q), R)),
        ("P [] Q /\\ R", op("[]", P, op("/\\", Q, R))),
        ("P [] Q |~| R", op("|~|", op("[]", P, Q), R)),
        ("P |~| Q [] R", op("|~|", P, op("[]", Q, R))),
        ("P |~| Q [| a |] R", ast.GenParallel(op("|~|", P, Q), a, R)),
        ("P [| a |] Q |~| R", ast.GenParallel(P, a, op("|~|", Q, R))),
        ("P |~| Q [a || b] R", ast.AlphaParallelExpr(op("|~|", P, Q), a, b, R)),
        ("P [a || b] Q |~| R", ast.AlphaParallelExpr(P, a, b, op("|~|", Q, R))),
        ("P |~| Q [a <-> b] R", ast.LinkParallelExpr(op("|~|", P, Q), ((a, b),), R)),
        ("P [a <-> b] Q |~| R", ast.LinkParallelExpr(P, ((a, b),), op("|~|", Q, R))),
        ("P |~| Q [| a |> R", ast.ExceptionExpr(op("|~|", P, Q), a, R)),
        ("P [| a |> Q |~| R", ast.ExceptionExpr(P, a, op("|~|", Q, R))),
        ("P ||| Q [| a |] R", op("|||", P, ast.GenParallel(Q, a, R))),
        ("P [| a |] Q ||| R", op("|||", ast.GenParallel(P, a, Q), R)),
        ("P ||| Q [a || b] R", op("|||", P, ast.AlphaParallelExpr(Q, a, b, R))),
        ("P [a <-> b] Q ||| R", op("|||", ast.LinkParallelExpr(P, ((a, b),), Q), R)),
        ("P ||| Q [| a |> R", op("|||", P, ast.ExceptionExpr(Q, a, R))),
        ("P ||| Q \\ a", ast.HideExpr(op("|||", P, Q), a)),
        # FDR: the hidden set ends at the next process operator (libcspm's
        # transformHideProject), so this is (P \\ a) ||| Q, not P \\ (a ||| Q)
        ("P \\ a ||| Q", op("|||", ast.HideExpr(P, a), Q)),
        ("P \\ a [| b |] Q", ast.GenParallel(ast.HideExpr(P, a), b, Q)),
        ("P \\ a ; Q", op(";", ast.HideExpr(P, a), Q)),
        ("P [] Q [| a |] R", ast.GenParallel(op("[]", P, Q), a, R)),
        ("P [a <-> b, c <-> d] Q", ast.LinkParallelExpr(P, ((a, b), (c, d)), Q)),
        # left associativity
        ("P [] Q [] R", op("[]", op("[]", P, Q), R)),
        # ; is associative: the builder groups its chains to the right (issue 9)
        ("P ; Q ; R", op(";", P, op(";", Q, R))),
        ("P ||| Q ||| R", op("|||", op("|||", P, Q), R)),
        ("P \\ a \\ b", ast.HideExpr(ast.HideExpr(P, a), b)),
        # undo: tighter than ;, looser than ->
        ("a undo b ; c undo d", op(";", ast.Undo(a, b), ast.Undo(c, d))),
        ("a -> P undo Q", ast.Undo(pre(a, P), Q)),
        ("P undo Q undo R", ast.Undo(ast.Undo(P, Q), R)),
        # guards bind like prefix
        ("a & P [] Q", op("[]", ast.Guard(a, P), Q)),
        ("a or b & c -> P", ast.Guard(ast.Binary("or", a, b), pre(c, P))),
        # renaming is the tightest
        ("a -> P [[a <- b]]", pre(a, ast.RenameExpr(P, ((a, b),)))),
        # if / let / replicated bodies extend as far right as possible
        ("P [] if a then Q else R [] P",
         op("[]", P, ast.If(a, Q, op("[]", R, P)))),
        ("[] x : a @ P [] Q",
         ast.Replicated("[]", (ast.Generator(ast.PVar("x"), a),), op("[]", P, Q))),
        ("saga P ; Q", op(";", ast.Saga(P), Q)),
    ],
)
def test_process_operators_follow_the_precedence_table(text, expected):
    assert parse_expr(text) == expected


one, two = ast.Int(1), ast.Int(2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * a", ast.Binary("+", one, ast.Binary("*", two, a))),
        ("1 - 2 - a", ast.Binary("-", ast.Binary("-", one, two), a)),
        ("-a * 2", ast.Binary("*", ast.Unary("-", a), two)),
        ("a + 1 == 2 and not b", ast.Binary(
            "and", ast.Binary("==", ast.Binary("+", a, one), two), ast.Unary("not", b))),
        ("a or b and c", ast.Binary("or", a, ast.Binary("and", b, c))),
        # dots are looser than arithmetic: c.i+1 is c.(i+1)
        ("c.a+1", ast.Dot((c, ast.Binary("+", a, one)))),
        ("c.1.a", ast.Dot((c, one, a))),
        ("#a ^ b", ast.Binary("^", ast.Unary("#", a), b)),
        ("f(a)(b)", ast.Apply(ast.Apply(ast.Name("f"), (a,)), (b,))),
        ("<a, b>", ast.SeqLit((a, b))),
        ("<>", ast.SeqLit(())),
        ("{}", ast.SetLit(())),
        ("(a, b)", ast.TupleLit((a, b))),
        ("{| a, b.1 |}", ast.EventSet((a, ast.Dot((b, one))))),
        ("{| a.x | x <- b |}",
         ast.EventSet((ast.Dot((a, ast.Name("x"))),), (ast.Generator(ast.PVar("x"), b),))),
        ("P [[ ]]", ast.RenameExpr(P, (), ())),
    ],
)
def test_value_operators_follow_the_precedence_table(text, expected):
    assert parse_expr(text) == expected


def test_prefix_fields_mix_inputs_outputs_and_dots():
    got = parse_expr("c.a?x:b!d+1?(y, _) -> P")
    assert got == ast.PrefixExpr(
        ast.Dot((c, a)),
        (ast.InField(ast.PVar("x"), b), ast.OutField(ast.Binary("+", d, one)),
         ast.InField(ast.PTuple((ast.PVar("y"), ast.PWild())))),
        P,
    )


@pytest.mark.parametrize(
    ("field", "bracketed"),
    [("not a", "(not a)"), ("a == b", "(a == b)"), ("a and not b", "(a and not b)"),
     ("a < b or c", "(a < b or c)"), ("not a.b", "(not a.b)")],
)
def test_an_output_takes_a_boolean_expression_as_in_libcspm(field, bracketed):
    # libcspm's table puts ! below or, and, not and the comparisons: c!not b is c!(not b)
    # (corpus: cspmf's abp.csp has c!not bit -> R(bit)); the next field or -> ends it
    got = parse_expr(f"c!{field}?x -> P")
    assert got == parse_expr(f"c!{bracketed}?x -> P")
    assert isinstance(got.fields[0], ast.OutField)
    assert got.fields[1] == ast.InField(ast.PVar("x"))


def test_an_input_pattern_may_be_dotted():
    got = parse_expr("c?x.y -> P")
    assert got.fields == (ast.InField(ast.PDot((ast.PVar("x"), ast.PVar("y")))),)


def test_a_token_at_column_one_starts_a_new_declaration():
    m = parse("P = a -> Q\nQ = b\n  -> P\n")
    assert [d.name for d in m.declarations] == ["P", "Q"]
    assert m.declarations[1].body == pre(b, P)


def test_a_column_one_token_inside_brackets_continues_the_declaration():
    m = parse("P = (a\n-> P)\n")
    assert m.declarations == (ast.Definition("P", None, pre(a, P)),)


def test_a_column_one_line_that_starts_with_an_operator_continues():
    m = parse("P = a -> P\n[] b -> STOP\n|~| c -> STOP\nQ = P")
    assert [d.name for d in m.declarations] == ["P", "Q"]
    assert m.declarations[0].body == op("|~|", op("[]", pre(a, P), pre(b, ast.StopLit())),
                                       pre(c, ast.StopLit()))


def test_a_line_after_a_trailing_operator_continues_even_at_column_one():
    m = parse("P = a ->\nb -> P\nQ = P")
    assert m.declarations[0].body == pre(a, pre(b, P))


def test_indented_declarations_are_declarations_as_in_fdr():
    m = parse("  channel a\n  P = a -> P\n    F(x) = x\n  assert P :[deadlock free]")
    assert [type(d).__name__ for d in m.declarations] == [
        "ChannelDecl", "Definition", "Definition", "Assertion"]


def test_an_indented_line_that_is_no_declaration_continues():
    m = parse("P = f\n  (a)\nQ = P")
    assert m.declarations[0].body == ast.Apply(ast.Name("f"), (a,))


def test_a_definition_after_a_trailing_operator_is_still_a_missing_expression():
    with pytest.raises(ParseError, match="expected an expression after '->'") as info:
        parse("P = a ->\n  Q = b -> Q")
    assert (info.value.span.line, info.value.span.column) == (2, 3)


def test_let_definitions_are_separated_by_layout():
    m = parse("P = let\n    x = 1\n    f(y) = y\n      + x\n  within f(x)")
    let = m.declarations[0].body
    assert [d.name for d in let.definitions] == ["x", "f"]
    assert let.definitions[1].body == ast.Binary("+", ast.Name("y"), ast.Name("x"))


def test_within_may_start_at_column_one():
    m = parse("P = let\n  x = 1\nwithin x\nQ = 2")
    assert [d.name for d in m.declarations] == ["P", "Q"]


def test_comments_nest_and_are_ignored():
    m = parse("{- a {- b -} c -} P = 1 -- x\n-- only a comment\nQ = 2")
    assert [d.name for d in m.declarations] == ["P", "Q"]


def test_function_clauses_keep_their_patterns_in_order():
    m = parse("f(0) = 1\nf(<x>^s, (a, _)) = x")
    assert m.declarations[0].params == (ast.PLit(ast.Int(0)),)
    assert m.declarations[1].params == (
        ast.PSeq((ast.PVar("x"),), ast.PVar("s")),
        ast.PTuple((ast.PVar("a"), ast.PWild())),
    )


def test_every_assertion_form_is_recognised():
    m = parse(
        "assert P :[deadlock free [F]]\nassert P :[divergence free]\n"
        "assert P :[deterministic [FD]]\nassert P :[has trace]: <a, b>\n"
        "assert P :[reachable c.1]\nassert P [T= Q\nassert P [F= Q\nassert P [FD= Q\n"
        "assert P = Q :[strong]\nassert P = Q :[weak]\nassert P = Q :[branching]\n"
        "assert P :[compensation complete]\nassert not P :[livelock free]"
    )
    props = [d.property for d in m.declarations]
    assert props == [
        ast.DeadlockFree(P, M.FAILURES), ast.DivergenceFree(P),
        ast.Deterministic(P, M.FAILURES_DIVERGENCES),
        ast.HasTrace(P, ast.SeqLit((a, b))), ast.Reachable(P, ast.Dot((c, one))),
        ast.Refines(P, Q, M.TRACES), ast.Refines(P, Q, M.FAILURES),
        ast.Refines(P, Q, M.FAILURES_DIVERGENCES),
        ast.Equivalent(P, Q, Equivalence.STRONG), ast.Equivalent(P, Q, Equivalence.WEAK),
        ast.Equivalent(P, Q, Equivalence.BRANCHING), ast.CompensationComplete(P),
        ast.DivergenceFree(P),
    ]
    assert [d.negated for d in m.declarations] == [False] * 12 + [True]


def test_assertion_text_is_as_written_with_whitespace_collapsed():
    m = parse("assert   System\n    :[deadlock free]   -- note\nassert not P [T=   Q")
    assert [d.text for d in m.declarations] == ["System :[deadlock free]", "not P [T= Q"]


def test_workflow_declarations_record_their_options():
    m = parse(
        "activity a, b : {0..1} attempts 3 backoff 250ms timeout 2h\n"
        "activity r never fails\nsignal s : Bool\ntimer t = 1d\ntransparent normal"
    )
    assert m.declarations == (
        ast.ActivityDecl(("a", "b"), (ast.SetRange(ast.Int(0), one),), 3, 250, 7_200_000),
        ast.ActivityDecl(("r",), never_fails=True),
        ast.SignalDecl(("s",), (ast.Name("Bool"),)),
        ast.TimerDecl("t", 86_400_000),
        ast.TransparentDecl("transparent", ("normal",)),
    )


def test_workflow_words_stay_ordinary_names_in_expressions():
    m = parse("channel timeout, signal, undo2\nP = timeout -> signal -> STOP")
    assert m.declarations[1].body == pre(ast.Name("timeout"), pre(ast.Name("signal"),
                                                                   ast.StopLit()))


def test_spans_give_line_column_and_end():
    m = parse("channel a\nP = a ->\n    STOP")
    body = m.declarations[1].body
    assert m.declarations[1].span == Span(2, 1, 3, 9)
    assert body.span == Span(2, 5, 3, 9)
    assert body.then.span == Span(3, 5, 3, 9)


def test_every_node_of_a_parsed_module_has_a_span():
    m = parse("channel c : {0..1}\nP = c?x -> (if x == 0 then STOP else SKIP) [] [] y : {1} @ P")
    missing = []

    def walk(node):
        if isinstance(node, ast.Node):
            if node.span is None:
                missing.append(node)
            for name in node.__slots__:
                walk(getattr(node, name))
        elif isinstance(node, tuple):
            for item in node:
                walk(item)

    walk(m)
    assert missing == []


@pytest.mark.parametrize(("text", "kind"), [
    ("assert P :[deadlock-free]", ast.DeadlockFree),
    ("assert P :[deadlock-free [FD]]", ast.DeadlockFree),
    ("assert P :[divergence-free]", ast.DivergenceFree),
    ("assert P :[livelock free]", ast.DivergenceFree),
    ("assert P :[livelock-free]", ast.DivergenceFree),
])
def test_fdr_spellings_of_the_simple_properties_are_accepted(text, kind):
    assert type(parse(text).declarations[0].property) is kind


@pytest.mark.parametrize(("text", "said"), [
    ("assert P :[deadlock free [T]]", "':[deadlock free]' is not checked in [T]"),
    ("assert P :[deterministic [T]]", "':[deterministic]' is not checked in [T]"),
    ("assert P :[divergence free [F]]", "':[divergence free]' is not checked in [F]"),
    ("assert P :[livelock-free [T]]", "':[livelock free]' is not checked in [T]"),
])
def test_a_model_fdr_does_not_check_a_property_in_is_an_error(text, said):
    # FDR2 manual A.6.3: deadlock freedom and determinism in [F] or [FD]
    # ([FD] when none is written), divergence freedom in [FD] only
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert f"error: {said}" in str(caught.value)
    assert caught.value.span.line == 1 and caught.value.span.column == 10


def test_a_lambda_is_a_local_function_and_prints_back_as_a_lambda():
    from procalg.syntax.pretty import pretty

    got = parse_expr("\\ x, (y, _) @ x + y")
    assert type(got) is ast.Let and got.definitions[0].params == (
        ast.PVar("x"), ast.PTuple((ast.PVar("y"), ast.PWild())))
    assert pretty(got) == "\\ x, (y, _) @ x + y"


def test_a_curried_definition_takes_its_later_arguments_by_lambda():
    d = parse("f(x)(y) = x").declarations[0]
    assert d.params == (ast.PVar("x"),)
    assert type(d.body) is ast.Let and d.body.definitions[0].params == (ast.PVar("y"),)


def test_include_splices_the_file_relative_to_the_including_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "main.csp").write_text('channel a\ninclude "sub/p.csp"\nQ = P\n')
    (tmp_path / "sub" / "p.csp").write_text('include "r.csp"\nP = a -> R\n')
    (tmp_path / "sub" / "r.csp").write_text("R = STOP\n")
    main = tmp_path / "main.csp"
    m = parse(main.read_text(), str(main))
    assert [getattr(d, "name", None) or "channel" for d in m.declarations] == [
        "channel", "R", "P", "Q"]


def test_an_include_missing_beside_the_including_file_is_read_from_the_main_files_folder(
        tmp_path):
    # FDR (libcspm) resolves every include against the root file's folder
    (tmp_path / "lib").mkdir()
    (tmp_path / "sub").mkdir()
    (tmp_path / "main.csp").write_text('channel a\ninclude "sub/p.csp"\nQ = P\n')
    (tmp_path / "sub" / "p.csp").write_text('include "lib/r.csp"\nP = a -> R\n')
    (tmp_path / "lib" / "r.csp").write_text("R = STOP\n")
    main = tmp_path / "main.csp"
    m = parse(main.read_text(), str(main))
    assert [getattr(d, "name", None) or "channel" for d in m.declarations] == [
        "channel", "R", "P", "Q"]
    (tmp_path / "sub" / "lib").mkdir()  # beside the including file: that one wins
    (tmp_path / "sub" / "lib" / "r.csp").write_text("R = SKIP\nR2 = STOP\n")
    m = parse(main.read_text(), str(main))
    assert "R2" in [getattr(d, "name", None) for d in m.declarations]


def test_an_include_cycle_is_an_error_showing_the_chain(tmp_path):
    (tmp_path / "a.csp").write_text('include "b.csp"\n')
    (tmp_path / "b.csp").write_text('P = STOP\ninclude "a.csp"\n')
    a = tmp_path / "a.csp"
    chain = r"include cycle: .*a\.csp -> .*b\.csp -> .*a\.csp"
    with pytest.raises(ParseError, match=chain) as info:
        parse(a.read_text(), str(a))
    assert (info.value.span.line, info.value.span.column) == (2, 1)
    assert info.value.render().startswith(f"{tmp_path / 'b.csp'}:2:1: error:")


def test_a_missing_included_file_is_an_error_at_the_include(tmp_path):
    a = tmp_path / "a.csp"
    a.write_text('channel x\ninclude "none.csp"\n')
    with pytest.raises(ParseError, match=r"cannot read included file 'none\.csp'") as info:
        parse(a.read_text(), str(a))
    assert (info.value.span.line, info.value.span.column) == (2, 1)


def test_a_workflow_word_is_a_plain_name_where_no_declaration_follows():
    m = parse("channel signal : {0, 1}\nP = c ->\n  signal?x -> P\nQ = P")
    assert [getattr(d, "name", None) for d in m.declarations] == [None, "P", "Q"]


def test_a_subtype_declaration_names_a_set():
    d = parse("subtype T = A | B.{0..1}").declarations[0]
    assert type(d) is ast.NametypeDecl and d.name == "T"


def test_a_let_definition_whose_equals_sign_starts_the_next_line_continues():
    m = parse("P = let\n    Init\n    = a -> Sel\n    Sel = b -> Init\n  within Init")
    assert [d.name for d in m.declarations[0].body.definitions] == ["Init", "Sel"]


def test_a_deeper_let_line_that_starts_a_definition_is_the_next_definition():
    m = parse("P = let\n  f(x) = x\n     g(y) = y\n  within f(1)")
    assert [d.name for d in m.declarations[0].body.definitions] == ["f", "g"]


def test_let_with_a_pattern_after_an_operator_is_no_new_declaration():
    m = parse("P = a ->\n  let (x, y) = (1, 2)\n  within STOP\nQ = P")
    assert [d.name for d in m.declarations] == ["P", "Q"]


def test_a_pattern_declaration_defines_every_name_of_its_pattern():
    m = parse("(x, y) = f(2)\n<h>^t = <1>\nS = 1")
    assert [d.name for d in m.declarations] == ["(x, y)", "x", "y", "(h, t)", "h", "t", "S"]


def test_a_tuple_of_names_defined_by_a_tuple_defines_each_name_on_its_own():
    m = parse("(x, _, y) = (1, 2, z)")  # evaluated one by one (FDR is lazy)
    assert [(d.name, d.body) for d in m.declarations] == [("x", ast.Int(1)),
                                                          ("y", ast.Name("z"))]


def test_a_comprehension_may_list_several_items():
    got = parse_expr("{x, y | x <- A, y <- B}")
    assert (got.item, got.more) == (ast.Name("x"), (ast.Name("y"),))
    assert parse_expr("<x, y | x <- A>").more == (ast.Name("y"),)


def test_a_double_pattern_and_a_suffix_pattern_are_function_patterns():
    m = parse("f(<x>^_ @@ s^<y>) = x")
    assert m.declarations[0].params == (ast.PBoth(
        ast.PSeq((ast.PVar("x"),), ast.PWild()), ast.PSeqEnd(ast.PVar("s"), (ast.PVar("y"),))),)


def test_an_input_field_may_bind_its_value_twice_with_at_at_as_libcspm_does():
    prefix = parse_expr("c?x@@y:S -> STOP")
    [field] = prefix.fields
    assert field.pattern == ast.PBoth(ast.PVar("x"), ast.PVar("y"))
    assert field.restrict == ast.Name("S")
    nested = parse_expr("c?v@@a.b@@_ -> STOP").fields[0].pattern  # @@ groups to the left
    assert nested == ast.PBoth(ast.PBoth(ast.PVar("v"), ast.PDot((ast.PVar("a"), ast.PVar("b")))),
                               ast.PWild())
    assert parse_expr("c$x@@y -> STOP") == parse_expr("c$(x @@ y) -> STOP")


_INPUT_PATTERNS = st.sampled_from(["x", "_", "0", "x.y", "(x, y)", "<x>^s", "{x}", "<>",
                                    "(a @@ b)", "(x.0)"])


@settings(max_examples=100, deadline=None)
@given(_INPUT_PATTERNS, _INPUT_PATTERNS, st.sampled_from(["", ":S"]), st.sampled_from("?$"))
def test_an_unbracketed_at_at_in_an_input_parses_as_the_bracketed_one(left, right, restrict,
                                                                       mark):
    bare = parse_expr(f"c{mark}{left}@@{right}{restrict} -> STOP")
    assert bare == parse_expr(f"c{mark}({left} @@ {right}){restrict} -> STOP")
    if mark == "$":  # a nondeterministic prefix: an internal choice over the values
        return
    both = bare.fields[0].pattern
    assert both == ast.PBoth(parse_expr(f"c?{left} -> STOP").fields[0].pattern,
                             parse_expr(f"c?{right} -> STOP").fields[0].pattern)


def test_links_with_a_comprehension_and_replicated_link_parallel_parse_and_print_back():
    from procalg.syntax.pretty import pretty

    m = parse("L = P [a.i <-> b.i | i <- S] Q\nR = [a <-> b] i : <1..3> @ P(i)")
    link, rep = m.declarations[0].body, m.declarations[1].body
    assert (len(link.links), len(link.qualifiers)) == (1, 1)
    assert (rep.op, len(rep.links)) == ("[<->]", 1)
    assert parse(pretty(m)) == m


def test_a_function_whose_equals_sign_is_on_the_next_line_is_a_new_local_definition():
    m = parse("P = let\n  S = a -> S\n\n    F(i)\n     = b -> F(i)\n within F(1)")
    assert [d.name for d in m.declarations[0].body.definitions] == ["S", "F"]


def test_a_let_definition_indented_with_tabs_left_of_the_first_is_still_the_next_one():
    m = parse("A(x) = let B = x\n\t\t\tC = 1 within B + C")
    assert [d.name for d in m.declarations[0].body.definitions] == ["B", "C"]


def test_a_type_annotation_is_read_and_leaves_no_declaration():
    m = parse("f, g :: (Int, Int) -> <Int>\nf(x, y) = <x + y>\ng(x, y) = <x>\n")
    assert [d.name for d in m.declarations] == ["f", "g"]


def test_a_print_statement_is_read_and_leaves_no_declaration_as_fdr_only_shows_it():
    m = parse("f(x) = x + 1\nprint f(1)\n  + 3\nprint <1, 2>\nchannel a\n")
    assert [type(d).__name__ for d in m.declarations] == ["Definition", "ChannelDecl"]


def test_a_print_statement_without_an_expression_is_a_syntax_error():
    with pytest.raises(ParseError, match="after 'print'"):
        parse("print\nchannel a\n")


def test_an_invariant_assertion_carries_its_condition():
    module = parse("channel c : Int\nP(n) = c!n -> P(n + 1)\n"
                   "assert P(0) :[invariant]: n >= 0 and n < 10")
    prop = module.declarations[-1].property
    assert type(prop) is ast.Invariant
    assert pretty(module.declarations[-1]) == \
        "assert P(0) :[invariant]: n >= 0 and n < 10"


def test_an_invariant_without_its_condition_is_a_parse_error_with_the_form():
    with pytest.raises(ParseError, match="needs the expression") as caught:
        parse("channel a\nP = a -> P\nassert P :[invariant]")
    assert "balance >= 0" in caught.value.hint


def test_a_comprehension_generator_may_be_written_with_a_colon_as_fdr_allows() -> None:
    from procalg.syntax import parse_expr as _parse_expr

    assert _parse_expr("{(x, y) | x : {1, 2}, y <- {3}}") == \
        _parse_expr("{(x, y) | x <- {1, 2}, y <- {3}}")


def test_brackets_keep_a_hidden_set_whole_where_fdr_would_end_it_at_an_operator() -> None:
    from procalg.syntax import ast as syntax

    assert type(parse_expr("P \\ A ; Q")) is syntax.ProcBinary  # (P \ A) ; Q, as FDR reads
    bracketed = parse_expr("P \\ (A ; Q)")
    assert type(bracketed) is syntax.HideExpr and type(bracketed.hidden) is syntax.ProcBinary
    assert type(parse_expr("P \\ (A) ; Q")) is syntax.ProcBinary  # the brackets hold A only


@pytest.mark.parametrize("text", [
    "assert P [T= Q :[tau priority]: {tock}",
    "assert P [FD= Q :[tau priority over]: {| tock |}",
    "assert not P :[deadlock free [F]] :[tau priority]: {tock}",
    "assert P :[has trace]: <a> :[tau priority]: {tock}",
])
def test_fdr_tau_priority_option_follows_any_assertion_and_prints_back(text):
    (decl,) = parse(text).declarations
    assert decl.tau_priority is not None
    assert decl.text == text.removeprefix("assert ")
    assert parse(pretty(parse(text))) == parse(text)


def test_a_type_annotation_may_carry_constraints_and_stand_in_a_let():
    m = parse("f :: (Eq a) => (a, a) -> Bool\nf(x, y) = x == y\n"
              "g = let\n      h :: (a) -> a\n      h(x) = x\n    within h(1)\n"
              "c :: Char\nc = 'C'\nd :: Int => Event\nd = 1\n")
    assert [d.name for d in m.declarations] == ["f", "g", "c", "d"]
    assert [d.name for d in m.declarations[1].body.definitions] == ["h"]


@pytest.mark.parametrize(("text", "expected"), [
    ("<x | x <- <0..5>, x < 3> == <0, 1, 2>", True),
    ("head(<x | x <- <0..>, 7 < x>)", 8),  # drawn lazily: the condition stops nothing
    ("<x | x <- <0..9>, 2 < x and x < 5> == <3, 4>", True),
    ("<x | x <- <0..9>, (x > 7)> == <8, 9>", True),
])
def test_a_sequence_comprehension_condition_may_compare_with_less_than(text, expected) -> None:
    from procalg.api import loads

    assert loads("").value(parse_expr(text)) == expected


def test_a_bare_greater_than_in_a_sequence_condition_closes_the_brackets() -> None:
    # as in FDR: `>` ends the sequence, so `x > 7` needs parentheses there
    with pytest.raises(ParseError) as info:
        parse("s = <x | x <- <0..9>, x > 7>\n")
    assert info.value.span is not None and info.value.span.line == 1
