"""The falls survey (benchmarks/falls.py): every shape's model loads and checks."""

from __future__ import annotations

import pytest

from benchmarks.falls import SHAPES, survey


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_surveyed_shape_checks_and_names_its_engine(name):
    engine, seconds, why = survey(name, 5)
    assert engine in ("product", "reference", "symbolic"), why
    assert seconds >= 0
    assert engine != "reference" or why  # a fall says why
