"""FDR's synchronising choice ``[+ A +]`` and interrupt ``/+ A +\\``: parsing and meaning."""

from __future__ import annotations

import pytest

from procalg.api import loads
from procalg.api.check import check_model
from procalg.syntax import ast, parse_expr, pretty


@pytest.mark.parametrize(
    ("text", "top"),
    [
        ("P [+ A +] Q [] R", "[]"),  # the level of []: left to right
        ("P [] Q [+ A +] R", "[+]"),
        ("P |~| Q [+ A +] R", "|~|"),  # binds tighter than |~|
        ("P /+ A +\\ Q [] R", "[]"),  # the level of /\
        ("P ; Q /+ A +\\ R", "/+"),
    ],
)
def test_synchronising_operators_bind_as_their_plain_forms(text: str, top: str) -> None:
    node = parse_expr(text)
    found = {ast.ProcBinary: lambda n: n.op,
             ast.SyncChoiceExpr: lambda n: "/+" if n.interrupt else "[+]"}[type(node)](node)
    assert found == top
    assert parse_expr(pretty(node)) == node


def test_timed_choice_and_interrupt_let_tock_pass_without_deciding() -> None:
    model = loads("""
channel a, b, c, tock
P = (tock -> a -> STOP) [+ {tock} +] (tock -> b -> STOP [] c -> STOP)
Q = (a -> tock -> STOP) /+ {tock} +\\ (tock -> c -> STOP [] b -> STOP)
R = [+ {tock} +] x : {a, b} @ tock -> x -> STOP
assert P :[has trace]: <tock, a>
assert P :[has trace]: <tock, b>
assert not P :[has trace]: <tock, tock>
assert P :[has trace]: <c>
assert Q :[has trace]: <a, tock, c>
assert not Q :[has trace]: <tock>
assert Q :[has trace]: <b>
assert R :[has trace]: <tock, a>
assert R :[has trace]: <tock, b>
assert not R :[has trace]: <a>
""")
    assert [r.result for r in check_model(model)] == ["pass"] * 10
