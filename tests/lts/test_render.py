"""Pictures through Graphviz, its absence, and the size limit."""

from __future__ import annotations

import pytest

from procalg.errors import ProcalgError
from procalg.lts import LTS
from procalg.lts.render import picture, render

SMALL = LTS.build(3, 0, ["a"], [(0, "τ", 1), (1, "a", 2)])


def test_svg_picture_contains_the_edge_labels(tmp_path):
    path = render(SMALL, tmp_path / "m.svg", highlight_trace=["a"])
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and ">a<" in text and ">τ<" in text


def test_png_picture_is_a_png(tmp_path):
    assert render(SMALL, tmp_path / "m.png", "png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_dot_binary_says_how_to_install_it(monkeypatch):
    monkeypatch.setenv("PATH", "")
    with pytest.raises(ProcalgError) as err:
        picture(SMALL)
    assert "apt-get install graphviz" in err.value.hint and "to_dot" in err.value.hint


def test_large_lts_is_refused_with_its_size_and_a_suggestion():
    ring = LTS.build(50, 0, ["a"], [(i, "a", (i + 1) % 50) for i in range(50)])
    with pytest.raises(ProcalgError) as err:
        picture(ring, max_states=10)
    assert "50 states" in err.value.message and "minimi" in err.value.hint


def test_unknown_format_is_refused():
    with pytest.raises(ProcalgError, match="gif"):
        picture(SMALL, "gif")
