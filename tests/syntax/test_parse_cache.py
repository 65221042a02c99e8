"""procalg.syntax.parse_cache: a model read back is the model the parser gives.

The oracle is the parser: an entry read back has the very shape the fresh
parse has, field by field (spans and source texts included, which ``==`` on
the AST does not compare); any change to the text, the file name or the
parser's code must miss; a damaged entry, a text that does not parse or one
that includes files must only cost a parse.
"""

from __future__ import annotations

import dataclasses
import io
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procalg.errors import ParseError
from procalg.syntax import parse_cache
from procalg.syntax.parser import parse as fresh_parse

ROOT = Path(__file__).resolve().parents[2]
MODELS = sorted([*ROOT.glob("models/**/*.proc"), *ROOT.glob("grammar/corpus/valid/*.proc")])
TEXT = "channel a, b\nP = a -> b -> P\nassert P :[deadlock free]\n"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """The cache on, in a folder of its own."""
    monkeypatch.setenv(parse_cache.ENV, str(tmp_path / "parsed"))
    parse_cache.enable()
    yield tmp_path / "parsed"
    parse_cache.disable()


def _shape(value: Any) -> Any:
    """Every field of every node, spans too (``==`` skips them), as nested tuples."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__,
                *((f.name, _shape(getattr(value, f.name))) for f in dataclasses.fields(value)))
    if isinstance(value, tuple | list):
        return (type(value).__name__, *(_shape(v) for v in value))
    if isinstance(value, frozenset | set):
        return (type(value).__name__, *sorted(map(repr, value)))
    if isinstance(value, dict):
        return ("dict", *sorted((repr(k), _shape(v)) for k, v in value.items()))
    return (type(value).__qualname__, value)


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle")) if folder.is_dir() else []


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_a_model_read_back_is_field_for_field_the_model_the_parser_gives(cache, path):
    text = path.read_text()
    parse_cache.parse(text, str(path))  # a miss: parsed, kept
    back = parse_cache.cached(text, str(path))
    assert back is not None
    assert _shape(back) == _shape(fresh_parse(text, str(path)))


class _NoLark(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        assert not module.startswith("lark"), f"{module}.{name}"
        return super().find_class(module, name)


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_an_entry_names_no_lark_class_so_reading_it_back_needs_no_lark(cache, path):
    parse_cache.parse(path.read_text(), str(path))
    for entry in _entries(cache):
        _key, module = _NoLark(io.BytesIO(entry.read_bytes())).load()
        assert type(module).__name__ == "Module"


def test_a_second_parse_of_the_same_text_is_read_back(cache, monkeypatch):
    first = parse_cache.parse(TEXT, "m.proc")
    assert len(_entries(cache)) == 1

    def no_parser(*args):
        raise AssertionError("parsed again")

    monkeypatch.setattr("procalg.syntax.parser.parse", no_parser)
    assert parse_cache.parse(TEXT, "m.proc") == first


def test_an_entry_read_for_another_key_of_its_name_is_a_miss(cache, monkeypatch):
    parse_cache.parse(TEXT, "m.proc")
    (entry,) = _entries(cache)
    monkeypatch.setattr(parse_cache, "_entry", lambda text, filename: entry)  # one name
    assert parse_cache.cached(TEXT, "m.proc") is not None
    assert parse_cache.cached(TEXT + "Q = a -> Q\n", "m.proc") is None


def test_another_text_or_file_name_is_another_entry(cache):
    parse_cache.parse(TEXT, "m.proc")
    assert parse_cache.cached(TEXT + "Q = a -> Q\n", "m.proc") is None
    assert parse_cache.cached(TEXT, "other.proc") is None  # spans name the file


def test_an_edited_parser_module_misses_every_entry(cache, tmp_path, monkeypatch):
    package = tmp_path / "procalg"  # a stand-in for the package whose files are stamped
    (package / "syntax").mkdir(parents=True)
    module = package / "syntax" / "layout.py"
    module.write_text("# the post-lexer\n")
    monkeypatch.setattr(parse_cache, "_PACKAGE", package)
    parse_cache.code_stamp.cache_clear()
    try:
        parse_cache.parse(TEXT, "m.proc")
        assert parse_cache.cached(TEXT, "m.proc") is not None
        os.utime(module, ns=(0, module.stat().st_mtime_ns + 1_000_000_000))  # saved again
        parse_cache.code_stamp.cache_clear()
        assert parse_cache.cached(TEXT, "m.proc") is None
        module.write_text("# the post-lexer, edited\n")
        parse_cache.code_stamp.cache_clear()
        assert parse_cache.cached(TEXT, "m.proc") is None
    finally:
        parse_cache.code_stamp.cache_clear()


def test_a_damaged_entry_is_a_miss_and_is_written_again(cache):
    parse_cache.parse(TEXT, "m.proc")
    (entry,) = _entries(cache)
    entry.write_bytes(b"not a pickle")
    assert parse_cache.cached(TEXT, "m.proc") is None
    assert parse_cache.parse(TEXT, "m.proc") == fresh_parse(TEXT, "m.proc")
    assert parse_cache.cached(TEXT, "m.proc") is not None


def test_an_entry_holding_something_else_than_a_module_is_a_miss(cache):
    parse_cache.parse(TEXT, "m.proc")
    (entry,) = _entries(cache)
    entry.write_bytes(pickle.dumps(["a", "list"]))
    assert parse_cache.cached(TEXT, "m.proc") is None


def test_a_text_that_does_not_parse_raises_the_parser_error_and_keeps_nothing(cache):
    with pytest.raises(ParseError) as raised:
        parse_cache.parse("P = a ->", "m.proc")
    with pytest.raises(ParseError) as fresh:
        fresh_parse("P = a ->", "m.proc")
    assert str(raised.value) == str(fresh.value)
    assert _entries(cache) == []


def test_a_text_that_includes_a_file_is_parsed_afresh_every_time(cache, tmp_path):
    (tmp_path / "inc.proc").write_text("channel a\n")
    main = tmp_path / "main.proc"
    text = 'include "inc.proc"\nP = a -> P\n'
    parse_cache.parse(text, str(main))
    assert _entries(cache) == []  # the included text is not in an entry's name


def test_a_library_caller_neither_reads_nor_writes_entries(tmp_path, monkeypatch):
    monkeypatch.setenv(parse_cache.ENV, str(tmp_path / "parsed"))
    parse_cache.disable()
    parse_cache.parse(TEXT, "m.proc")
    assert _entries(tmp_path / "parsed") == []


def test_an_empty_cache_folder_variable_turns_the_cache_off(cache, monkeypatch):
    monkeypatch.setenv(parse_cache.ENV, "")
    assert parse_cache.folder() is None
    assert parse_cache.parse(TEXT, "m.proc") == fresh_parse(TEXT, "m.proc")


def test_the_folder_defaults_to_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv(parse_cache.ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert parse_cache.folder() == str(tmp_path / "procalg" / "parsed")


def test_a_folder_that_cannot_be_written_keeps_nothing_and_parses(tmp_path, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv(parse_cache.ENV, str(blocker / "parsed"))
    parse_cache.enable()
    try:
        assert parse_cache.parse(TEXT, "m.proc") == fresh_parse(TEXT, "m.proc")
    finally:
        parse_cache.disable()


def test_the_folder_is_its_owner_s_alone(cache):
    parse_cache.parse(TEXT, "m.proc")
    assert cache.stat().st_mode & 0o077 == 0


def test_past_its_bound_the_folder_drops_the_least_recently_used(cache, monkeypatch):
    monkeypatch.setattr(parse_cache, "KEPT", 4)
    texts = [f"channel a\nP{i} = a -> P{i}\n" for i in range(5)]
    for i, text in enumerate(texts[:4]):
        parse_cache.parse(text, "m.proc")
        os.utime(parse_cache._entry(text, "m.proc"), ns=(i * 10**9, i * 10**9))  # oldest first
    parse_cache.cached(texts[0], "m.proc")  # used again: the most recent
    parse_cache.parse(texts[4], "m.proc")  # the fifth: a quarter of the bound (the two oldest) go
    kept = [parse_cache.cached(text, "m.proc") is not None for text in texts]
    assert kept == [True, False, False, True, True]


@given(st.text(alphabet="a./", max_size=12))
def test_a_model_file_is_named_as_pathlib_names_it(path) -> None:
    # spans and messages carry the name, and the entry's key holds it: the CLI's
    # check (api.model.load) and its look-ahead (holds) must both say str(Path(path))
    assert parse_cache.model_name(path) == str(Path(path))


def test_a_check_named_through_dots_and_slashes_reads_its_entry_back(cache, tmp_path,
                                                                     monkeypatch) -> None:
    from procalg.api.model import load

    (tmp_path / "m.proc").write_text(TEXT)
    monkeypatch.chdir(tmp_path)
    assert not parse_cache.holds(".//m.proc")
    model = load(".//m.proc")
    assert model.source.name == "m.proc" and parse_cache.holds("./m.proc")
