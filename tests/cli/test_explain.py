"""``procalg check --explain``: component tables in text and an "explanation" in JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from procalg.cli.main import main

MODEL = """\
channel a, b, c, h
P = a -> b -> STOP
Q = b -> a -> STOP
assert P [| {a, b} |] Q :[deadlock free]
X = h -> X
assert (X ||| c -> STOP) \\ {h} :[divergence free]
Ext = a -> STOP [] b -> STOP
Int = a -> STOP |~| b -> STOP
assert Ext [F= Int
assert a -> STOP [T= a -> b -> STOP
assert (h -> a -> STOP) \\ {h} = a -> STOP :[strong]
assert Ext [T= Int
"""


@pytest.fixture
def path(tmp_path: Path) -> str:
    target = tmp_path / "m.proc"
    target.write_text(MODEL)
    return str(target)


def test_explain_text_has_a_row_per_component_and_says_who_blocks(path, capsys) -> None:
    assert main(["check", "--explain", path]) == 1
    out = capsys.readouterr().out
    # P offers a, Q offers b, both synchronised: each blocks the other at the start
    assert "a: offered by P, blocked by Q" in out
    assert "b: offered by Q, blocked by P" in out
    rows = [line.split() for line in out.splitlines()]
    assert ["P", "|", "{a}"] in rows and ["Q", "|", "{b}"] in rows


def test_explain_json_projects_every_kind_of_failure(path, capsys) -> None:
    assert main(["check", "--json", "--explain", path]) == 1
    items = {a["assertion"]: a for a in json.loads(capsys.readouterr().out)["assertions"]}
    assert items["Ext [T= Int"]["explanation"] is None  # it passes

    dead = items["P [| {a, b} |] Q :[deadlock free]"]["explanation"]["projection"]
    assert [c["name"] for c in dead["components"]] == ["P", "Q"]

    loop = items["(X ||| c -> STOP) \\ {h} :[divergence free]"]["explanation"]["projection"]
    assert loop["cycle_columns"] == [["h", None]]  # X loops on its hidden h; c waits
    assert [c["offers"] for c in loop["components"]] == [["h"], ["c"]]

    refusal = items["Ext [F= Int"]["explanation"]
    assert refusal["process"] == "Int"
    (comp,) = refusal["projection"]["components"]
    assert comp["offers"] in (["a"], ["b"]) and comp["stable"]  # after the internal choice

    extra = items["a -> STOP [T= a -> b -> STOP"]["explanation"]["projection"]
    assert extra["steps"] == ["a", "b"]  # the implementation's b the spec cannot do

    equiv = items["(h -> a -> STOP) \\ {h} = a -> STOP :[strong]"]["explanation"]
    assert equiv["formula"] == "<tau>tt"
    assert equiv["projection"]["columns"] == [["h"]]  # the τ is the hidden h


def test_without_explain_json_has_no_explanation_key(path, capsys) -> None:
    main(["check", "--json", path])
    items = json.loads(capsys.readouterr().out)["assertions"]
    assert all("explanation" not in a for a in items)


def test_on_a_terminal_the_table_is_drawn_with_rich() -> None:
    import io

    from procalg.api import check_model, loads
    from procalg.api.explain import explain_report
    from procalg.cli.explain import print_explanation

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    model = loads(MODEL)
    why = explain_report(model, next(check_model(model)))
    out = Terminal()
    print_explanation(why, out=out)
    text = out.getvalue()
    assert "┃" in text or "│" in text  # a rich box, not the plain grid
    assert "offers at the end" in text and "blocked by Q" in text


MODELS = Path(__file__).resolve().parents[2] / "models"


def _section(out: str, title: str) -> list[str]:
    """The lines of one failure's details, from its ``✗ title`` line to the next blank."""
    lines = out.splitlines()
    start = lines.index(next(x for x in lines if x.startswith(f"✗ {title} (line")))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return [x.strip() for x in lines[start:end]]


def test_the_broken_order_table_shows_components_appearing_and_who_never_offers_ship(
        capsys) -> None:
    assert main(["check", "--explain", str(MODELS / "order_workflow.proc")]) == 1
    lines = _section(capsys.readouterr().out, "Broken :[deadlock free]")
    rows = {x.split(" | ")[0].strip(): x.split(" | ")[1].split() for x in lines if " | " in x}
    # columns: receive validate charge pick pack τ (the least of the shortest paths:
    # charge sorts before pick); blank where a component did not exist
    assert rows["component"] == ["receive", "validate", "charge", "pick", "pack", "τ",
                                 "offers", "at", "the", "end"]
    assert rows["Broken"] == ["receive", "validate", "(ended", "at", "validate)"]
    assert rows["Fulfil"] == ["·", "pick", "pack", "✓", "Ω", "(terminated)"]
    assert rows["BrokenBilling"] == ["charge", "·", "·", "·", "{ship}"]
    assert "ship: offered by BrokenBilling, blocked by Fulfil, which never does it" in lines


def test_saga_failures_say_which_step_was_stranded_and_which_compensation_threw(
        capsys) -> None:
    assert main(["check", "--json", "--explain", str(MODELS / "broken_saga.proc")]) == 1
    items = {a["assertion"]: a for a in json.loads(capsys.readouterr().out)["assertions"]}
    order = items["Order :[compensation complete]"]["explanation"]["projection"]
    assert order["exact"] and order["steps"][-1] == "stranded.charge"
    assert order["notes"][-1].startswith("the rollback reached step charge, which completed")
    shaky = items["Shaky :[compensation complete]"]["explanation"]["projection"]
    assert shaky["notes"][-1] == ("the compensation of step charge threw (fail.refund): "
                                  "charge stays done")
    assert shaky["components"][0]["offers"] == ["throw"]  # the failed rollback ends the saga


def test_components_of_a_saga_are_named_by_their_definitions(tmp_path, capsys) -> None:
    model = tmp_path / "onboard.proc"
    model.write_text(
        "activity account, laptop, badge attempts 2\n"
        "activity close, recall, revoke never fails\n"
        "channel welcome\n"
        "IT = account undo close ; laptop undo recall ; welcome -> SKIP\n"
        "Facilities = badge undo revoke\n"
        "Onboard = saga (IT [| {welcome} |] Facilities)\n"
        "assert Onboard :[deadlock free]\n")
    assert main(["check", str(model), "--explain"]) == 1
    out = capsys.readouterr().out
    rows = [line.split("|")[0].strip() for line in out.splitlines() if "|" in line]
    assert rows[1:] == ["IT", "Facilities"]
    assert "welcome: offered by IT, blocked by Facilities, which never does it" in out


def test_a_divergence_failing_deadlock_freedom_and_a_revival_are_explained(tmp_path,
                                                                          capsys) -> None:
    # deadlock freedom without a suffix is FDR's [FD]: the divergence is its
    # counterexample, replayed as a cycle (not as a stuck end state)
    target = tmp_path / "m.proc"
    target.write_text("channel a, h\nX = h -> X\nassert X \\ {h} :[deadlock free]\n"
                      "P1 = (a -> STOP) [> STOP\nP2 = (a -> STOP) |~| STOP\n"
                      "assert P1 [V= P2\n")
    assert main(["check", "--json", "--explain", str(target)]) == 1
    items = {a["assertion"]: a for a in json.loads(capsys.readouterr().out)["assertions"]}
    loop = items["X \\ {h} :[deadlock free]"]["explanation"]["projection"]
    assert loop["cycle_columns"] == [["h"]]
    revival = items["P1 [V= P2"]["explanation"]
    assert revival["process"] == "P2" and revival["projection"]["steps"] == ["τ", "a"]
