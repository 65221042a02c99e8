"""benchmarks/long_chain.py: the chain is the model it says, its verdicts are the
chain's, and every size gets a row."""

from __future__ import annotations

import gc

from benchmarks.long_chain import chain, main
from procalg.api import loads
from procalg.api.check import check_model


def test_a_chain_of_n_prefixes_has_n_plus_one_states_and_deadlocks_only_at_its_end() -> None:
    model = loads(chain(9))
    assert model.lts("P").num_states == 10
    deadlock, refines = (r.result.value for r in check_model(model))
    assert (deadlock, refines) == ("fail", "pass")


def test_every_size_gets_a_row_and_the_callers_collector_stays_on(capsys) -> None:
    assert gc.isenabled()
    main(["--sizes", "20", "30", "--runs", "1"])
    assert gc.isenabled()
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert [r[0] for r in rows[1:]] == ["20", "30"]
    assert all(len(r) == 5 for r in rows[1:])
