"""procalg.compiled_methods: dataclass methods' bytecode kept beside the .pyc files.

The oracle is dataclasses without the table: every method a warm table supplies
must be the code compiling its text gives (code objects compare by their bytecode,
constants, names and line table), and a missing, damaged or foreign table must
only cost a compile.
"""

from __future__ import annotations

import dataclasses
import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from procalg import compiled_methods
from procalg.compiled_methods import _exec, _Table, _tables, save

TEXT = ("def __create_fn__(_return_type):\n"
        " def double(x: int) -> _return_type:\n  return 2 * x\n return double")


@pytest.fixture
def module(tmp_path, monkeypatch):
    """A procalg module's globals whose table lives under ``tmp_path``; writing allowed."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(sys, "pycache_prefix", None)
    name = "procalg.fake_for_tests"
    _tables.pop(name, None)
    yield {"__name__": name, "__file__": str(tmp_path / "fake_for_tests.py")}
    _tables.pop(name, None)


def _run(text: str, globals: dict) -> object:
    namespace: dict = {}
    _exec(text, globals, namespace)
    return namespace["__create_fn__"](_return_type=int)


def _table_file(module: dict) -> Path:
    return Path(compiled_methods._path_for(module))


def test_a_missed_text_is_written_at_exit_and_read_by_the_next_process(module) -> None:
    fn = _run(TEXT, module)
    assert fn(21) == 42 and _tables[module["__name__"]].missed
    save()
    assert _table_file(module).is_file()
    del _tables[module["__name__"]]  # a new process: the table is read again
    warm = _run(TEXT, module)
    table = _tables[module["__name__"]]
    assert not table.missed and warm(21) == 42
    assert table.read[TEXT] == compile(TEXT, "<string>", "exec", dont_inherit=True)


def test_a_text_written_twice_in_one_process_compiles_once(module) -> None:
    assert _run(TEXT, module).__code__ is _run(TEXT, module).__code__


def test_the_text_compiles_without_this_module_future_annotations(module) -> None:
    # compiled_methods has `from __future__ import annotations`; dataclasses has
    # not: an annotation must stay the object, as dataclasses' own exec makes it
    assert _run(TEXT, module).__annotations__ == {"x": int, "return": int}


MAGIC = compiled_methods.MAGIC_NUMBER
GOOD = MAGIC + marshal.dumps({TEXT: compile("x = 1", "<string>", "exec")})


@pytest.mark.parametrize("content", [
    b"",  # empty
    MAGIC + b"\xe3garbage",  # a damaged body
    GOOD[:-3],  # cut short
    b"\x00\x00\x0d\x0a" + GOOD[len(MAGIC):],  # another interpreter's
    MAGIC + marshal.dumps([1, 2]),  # not a table
    MAGIC + marshal.dumps({TEXT: 3}),  # not code
])
def test_a_damaged_or_foreign_table_counts_as_empty_and_is_rewritten(module, content) -> None:
    path = _table_file(module)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert _run(TEXT, module)(4) == 8 and _tables[module["__name__"]].missed
    save()
    assert path.read_bytes().startswith(compiled_methods.MAGIC_NUMBER)


def test_an_edited_class_misses_and_the_table_keeps_only_this_import_texts(module) -> None:
    _run(TEXT, module)
    save()
    del _tables[module["__name__"]]
    edited = TEXT.replace("2 * x", "3 * x")
    assert _run(edited, module)(2) == 6  # never the stale double
    save()
    assert list(_Table(str(_table_file(module))).read) == [edited]


def test_nothing_is_written_when_bytecode_is_not_written(module, monkeypatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _run(TEXT, module)
    save()
    assert not _table_file(module).exists()


def test_other_packages_classes_compile_as_before_and_leave_no_table(tmp_path) -> None:
    outside = {"__name__": "someone_else", "__file__": str(tmp_path / "someone_else.py")}
    assert _run(TEXT, outside)(1) == 2
    assert "someone_else" not in _tables


def test_procalg_dataclasses_use_the_table() -> None:
    assert "exec" in vars(dataclasses)
    assert dataclasses.exec.__module__ == "procalg.compiled_methods"


_DUMP = """
import dataclasses, json, marshal, sys
from procalg.cli.main import main
import procalg.cli.commands
from procalg import compiled_methods
codes = {}
for name, module in sorted(sys.modules.items()):
    if not name.startswith("procalg"):
        continue
    for value in vars(module).values():
        if isinstance(value, type) and dataclasses.is_dataclass(value) \\
                and value.__module__ == name:
            for method in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__"):
                fn = value.__dict__.get(method)
                if hasattr(fn, "__code__"):
                    codes[f"{name}.{value.__qualname__}.{method}"] = marshal.dumps(
                        fn.__code__).hex()
tables = compiled_methods._tables.values()
print(json.dumps({"codes": codes, "tables": len(tables),
                  "missed": sum(t.missed for t in tables)}))
"""


def _dump(prefix: Path, write: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(prefix)  # tables (and .pyc files) go there
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    run = subprocess.run([sys.executable, "-c", _DUMP], capture_output=True, text=True,
                         env=env, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])


def test_a_warm_table_gives_every_class_the_methods_compiling_gives(tmp_path) -> None:
    cold = _dump(tmp_path / "fresh", write=False)  # the oracle: nothing cached
    first = _dump(tmp_path / "cache", write=True)  # writes the tables
    warm = _dump(tmp_path / "cache", write=True)  # reads them
    assert len(cold["codes"]) > 300 and cold["missed"] == cold["tables"] > 30
    assert first["codes"] == warm["codes"] == cold["codes"]
    assert warm["missed"] == 0 and warm["tables"] == cold["tables"]
