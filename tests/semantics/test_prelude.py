"""FDR's built-in processes (semantics/prelude.py) whatever names a model declares."""

from __future__ import annotations

import pytest

from procalg.api.check import check_model
from procalg.api.model import loads
from procalg.api.search import CheckEngine, SearchOptions

# the model's constructors and channels take the names the built-ins' parameters
# had (A, x, P, n, s, i, o, ps): `CHAOS(A)` then matched only the constructor A
CLASHING = """
datatype D = A | B
channel x : D
channel P, n, s, i, o, ps, tock
assert CHAOS({| x |}) [T= x.A -> x.B -> STOP
assert x.A -> x.B -> STOP [T= CHAOS({x.A, x.B})
assert CHAOS({x.A}) :[has trace] <x.A, x.A>
assert RUN({P, n}) :[has trace] <n, P, n>
assert RUN({P}) :[deadlock free]
assert loop(s -> SKIP) :[has trace] <s, s, s>
assert WAIT(2) :[has trace] <tock, tock>
assert BUFFER(2, {(i, o)}) :[has trace] <i, i, o, o>
assert not BUFFER(2, {(i, o)}) :[has trace] <i, i, i>
"""


@pytest.mark.parametrize("engine", [CheckEngine.PRODUCT, CheckEngine.REFERENCE])
def test_built_in_processes_ignore_a_models_names_for_their_parameters(engine):
    reports = list(check_model(loads(CLASHING), options=SearchOptions(engine=engine)))
    assert [str(r.result) for r in reports] == ["pass", "fail"] + ["pass"] * 7
