"""Tests for procalg.semantics.naming: finding what made a compressed table."""

from __future__ import annotations

import pytest

from procalg.api.model import loads
from procalg.semantics import compress
from procalg.semantics.naming import compressed_source
from procalg.terms import Call


def test_a_compressed_table_is_found_beside_a_compression_that_gave_up_on_its_budget(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compress, "LOSSLESS_BUDGET", 1)  # sbisim(Big) gives up: it is Big
    model = loads("channel a, b\nBig = a -> b -> Big\nSmall = a -> STOP\n"
                  "P = sbisim(Big) ||| normal(Small)")
    assert model.lts("P").num_states == 4
    ev = model.spec.evaluator
    (key, made), = ((k, v) for k, v in ev.compressions.items() if k[0] == "normal")
    assert not hasattr(ev.compressions["sbisim", Call("Big", ())], "table")  # Big itself, first
    assert compressed_source(ev, made.table) == key
