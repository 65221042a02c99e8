"""benchmarks/determinism_switch.py: each forced method runs the check its
name says (``noscreen``: as shipped but for the screen)."""

from __future__ import annotations

from unittest.mock import patch

import pytest

from benchmarks.determinism_switch import forced, model
from procalg.lts import normal_product


@pytest.mark.parametrize(("method", "screened", "searches"), [
    ("noscreen", False, ("normal form", "pairs")),
    ("normal", True, ("normal form",)),
    ("pairs", True, ("pairs",)),
])
def test_a_forced_method_checks_the_late_row_with_its_searches_alone(
        tmp_path, capsys, method, screened, searches) -> None:
    file = tmp_path / "late.proc"
    file.write_text(model("late", 3, 1))
    seen = []

    def find(network, **options):  # what the check ran with, then the check itself
        seen.append((normal_product.SCREEN, normal_product.METHODS))
        return find_nondeterminism(network, **options)

    find_nondeterminism = normal_product.find_nondeterminism
    with patch.object(normal_product, "SCREEN", True), \
            patch.object(normal_product, "METHODS", ("normal form", "pairs")), \
            patch("procalg.checks.determinism.find_nondeterminism", find):
        forced(method, str(file))
    assert seen == [(screened, searches)]
    assert "✗ Sys :[deterministic]" in capsys.readouterr().out
