"""A parent that synchronises with, hides or renames its child's events is refused at load.

The checker inlines a child, the engine runs it apart: they agree only where
the parent leaves the child's events alone (semantics/child_scope.py).
"""

from __future__ import annotations

import pytest

from procalg.api.model import loads
from procalg.cli.main import main
from procalg.errors import ModelError

HEAD = "channel a, b : {1, 2}\nK(x) = a.x -> SKIP\nJ = child(K(1))\n"


@pytest.mark.parametrize(("body", "message"), [
    ("child(K(1)) [| {| a |} |] a.1 -> SKIP",
     r"parallel \[\| \|\] synchronises on channel a of child\(K\) at m.proc:4:5"),
    ("child(K(2)) \\ {| a |}", r"hiding \\ hides channel a of child\(K\) at m.proc:4:5"),
    ("child(K(1)) [[ a <- b ]]", r"renaming \[\[ \]\] renames channel a of child\(K\)"),
    ("child(K(1)) [ {| a |} || {| b |} ] b.1 -> SKIP", r"alphabetised parallel"),
    ("child(K(1)) [ {| b |} || {| b |} ] b.1 -> SKIP",
     r"has no alphabet for the start event of child\(K\)"),
    ("child(K(1)) [| Events |] SKIP", r"synchronises on channel a of child\(K\)"),
    ("[| {| a |} |] i : {1, 2} @ child(K(i))", r"replicated \[\|\|\] synchronises on"),
    ("(J ; b.1 -> SKIP) \\ {a.1}", r"hides channel a of child\(K\) at m.proc:3:5"),
    ("child(K(1)) [| {| a |} |> SKIP", r"exception"),
])
def test_a_parent_on_its_childs_events_is_refused_naming_operator_and_child(
        body: str, message: str) -> None:
    with pytest.raises(ModelError, match=message) as err:
        loads(HEAD + "P = " + body, "m.proc")
    assert err.value.span is not None and err.value.span.line == 4


@pytest.mark.parametrize("body", [
    "(child(K(1)) ; b.1 -> SKIP) [| {| b |} |] b.1 -> SKIP",  # the parent's own events
    "(child(K(1)) ; b.1 -> SKIP) \\ {| b |}",
    "child(K(1)) ||| child(K(1))",
    "||| i : {1, 2} @ child(K(i))",
    "(b.1 -> SKIP) [| {| a |} |> child(K(1))",  # the handler runs after the exception
    "child(K(1), b.1 -> SKIP) [[ b <- a ]]",  # renames the reaction's b only
])
def test_a_parent_that_leaves_its_childs_events_alone_loads(body: str) -> None:
    assert "P" in loads(HEAD + "P = " + body, "m.proc").spec.definitions


def test_a_model_with_its_own_child_function_is_plain_cspm() -> None:
    model = loads("channel a\nchild(P) = P\nQ = child(a -> SKIP) \\ {a}")
    assert "Q" in model.spec.definitions


def test_the_cli_reports_the_refusal_as_one_error_line(tmp_path, capsys) -> None:
    path = tmp_path / "m.proc"
    path.write_text(HEAD + "P = child(K(2)) \\ {| a |}\nassert P :[deadlock free]\n")
    assert main(["check", str(path)]) != 0
    err = capsys.readouterr().err
    assert "error: a parent must leave its child's events alone: hiding" in err
    assert "Traceback" not in err
