"""procalg.syntax.lark_snapshot: the parser read back parses as lark's own does.

The oracle is the parser lark loads from its cache: on every model, every valid
corpus file and every invalid one, the parser read back from a snapshot gives
the same AST field for field (positions come from its callbacks) or the same
error text (the expected tokens come from its parse table and lexers).
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import pytest

from procalg.errors import ProcalgError
from procalg.syntax import lark_snapshot, parse_cache
from procalg.syntax import parser as parser_module
from procalg.syntax.fast_lark import shortcut_unit_reductions
from procalg.syntax.parser import build_lark, parse
from tests.syntax.test_parse_cache import MODELS, ROOT, _shape

INVALID = sorted(ROOT.glob("grammar/corpus/invalid/*/*.proc"))


@pytest.fixture(scope="module")
def read_back(tmp_path_factory):
    """A parser written to a snapshot and read back, shortcuts applied as the CLI's."""
    folder = tmp_path_factory.mktemp("snapshot")
    lark_snapshot.keep(build_lark(), folder)
    parser = lark_snapshot.load(folder)
    assert parser is not None
    shortcut_unit_reductions(parser)
    return parser


def _outcome(path: Path) -> tuple:
    try:
        return ("parsed", _shape(parse(path.read_text(), path.name)))
    except ProcalgError as err:
        return ("refused", str(err), err.hint)


@pytest.mark.parametrize("path", MODELS + INVALID, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_parser_read_back_parses_or_refuses_every_file_as_lark_s_own(
        path, read_back, monkeypatch):
    own = _outcome(path)
    monkeypatch.setattr(parser_module, "lark_parser", lambda: read_back)
    assert _outcome(path) == own


def test_a_snapshot_holds_no_regex_engine_action_or_callback_but_names_them(tmp_path):
    parser = build_lark()
    lark_snapshot.keep(parser, tmp_path)
    data = io.BytesIO(Path(lark_snapshot.path_in(tmp_path)).read_bytes())
    assert pickle.load(data) == parse_cache.code_stamp()  # what the snapshot is of
    with pytest.raises(pickle.UnpicklingError):  # a plain reader meets the names
        pickle.load(data)


def test_a_snapshot_of_other_code_under_its_name_reads_as_none(tmp_path, monkeypatch):
    lark_snapshot.keep(build_lark(), tmp_path)
    written = lark_snapshot.path_in(tmp_path)
    monkeypatch.setattr(lark_snapshot, "code_stamp", lambda: b"another parser's code")
    monkeypatch.setattr(lark_snapshot, "path_in", lambda folder: written)  # a CRC's collision
    assert lark_snapshot.load(tmp_path) is None


def test_a_damaged_snapshot_reads_as_none(tmp_path):
    Path(lark_snapshot.path_in(tmp_path)).write_bytes(b"\x80\x05not a parser")
    assert lark_snapshot.load(tmp_path) is None
    assert lark_snapshot.load(tmp_path / "nowhere") is None


def test_the_cli_s_parser_is_read_back_once_written(tmp_path, monkeypatch):
    monkeypatch.setenv(parse_cache.ENV, str(tmp_path))
    parse_cache.enable()
    try:
        parser_module.lark_parser.cache_clear()
        parser_module.lark_parser()  # built by lark, snapshotted
        assert Path(lark_snapshot.path_in(tmp_path)).is_file()
        monkeypatch.setattr(parser_module, "build_lark", lambda: pytest.fail("built again"))
        parser_module.lark_parser.cache_clear()
        assert parser_module.lark_parser().parse("channel a\n", start="start").data == "start"
    finally:
        parse_cache.disable()
        parser_module.lark_parser.cache_clear()
