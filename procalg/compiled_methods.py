"""A bytecode cache for the methods :mod:`dataclasses` writes for procalg's classes.

Start-up: each ``@dataclass`` compiles the text of the methods it writes
(``__init__``, ``__repr__``, ``__eq__``, ``__hash__`` and, frozen,
``__setattr__``/``__delattr__``) every time its module is imported. On CPython
3.11 that is ~0.7 ms a class, 70 % of it in ``compile``; ``procalg check`` of a
two-state model creates ~170 classes, 0.12 s of its 0.43 s of CPU. Python keeps
a module's own bytecode in ``__pycache__``, but not this generated code.

This module keeps it there too. :func:`install` gives :mod:`dataclasses` an
``exec`` (the name it calls to run the text it wrote; a module global shadows
the builtin) that looks the text up in its module's table of code objects,
compiled as the builtin would (no inherited ``__future__`` flags). A table sits
beside the module's ``.pyc`` (``__pycache__/ast.cpython-311.dataclasses``) and
is written when the process exits if a text was missing from it. The table is
keyed on the whole text, so an entry is used exactly where compiling would give
the same code (an edited class writes a different text: a miss, never a stale
hit; the table is then rewritten with this import's texts only); it starts with
the interpreter's bytecode magic number, and an unreadable one counts as empty.
Only procalg's own modules are looked up (every class in them is made at import,
so a table holds one import's texts); any other class compiles as before. As
for ``.pyc`` files, nothing is written when ``sys.dont_write_bytecode`` is set
(``PYTHONDONTWRITEBYTECODE``) or the folder is read-only: every class then
compiles, as without this module.

Cost: one small file read per module that defines dataclasses; a hit replaces a
``compile`` (~80 µs) by a dictionary lookup.

Example:
    >>> import dataclasses
    >>> install()
    >>> dataclasses.exec.__module__, dataclasses.exec.__name__  # what dataclasses calls
    ('procalg.compiled_methods', '_exec')
    >>> namespace: dict = {}
    >>> _exec("def twice(x):\\n return 2 * x", {"__name__": "example"}, namespace)
    >>> namespace["twice"](21)
    42
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import marshal
import os
import sys
from importlib.util import MAGIC_NUMBER, cache_from_source
from types import CodeType
from typing import Any


class _Table:
    """One module's texts and their code: as read from its file, and as used now."""

    __slots__ = ("missed", "path", "read", "used")

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.read: dict[str, CodeType] = _read(path) if path else {}
        self.used: dict[str, CodeType] = {}
        self.missed = False


_tables: dict[str, _Table] = {}  # module name -> its table, read on its first class


def _compiled(text: str) -> CodeType:
    """``text`` compiled as :func:`exec` compiles a string called from
    :mod:`dataclasses` (which has no ``__future__`` imports)."""
    return compile(text, "<string>", "exec", dont_inherit=True)


def _exec(text: str, globals: dict[str, Any] | None = None,  # exec's own parameter names
          locals: dict[str, Any] | None = None) -> None:
    """Run ``text`` as :func:`exec` would, from its module's table when a procalg
    module's class wrote it."""
    name = globals.get("__name__", "") if globals is not None else ""
    if not (name == "procalg" or name.startswith("procalg.")):
        exec(_compiled(text), globals, locals)
        return
    table = _tables.get(name)
    if table is None:
        table = _tables[name] = _Table(_path_for(globals))  # type: ignore[arg-type]
    code = table.read.get(text) or table.used.get(text)
    if code is None:
        code = _compiled(text)
        table.missed = True
    table.used[text] = code
    exec(code, globals, locals)


def _path_for(globals: dict[str, Any]) -> str | None:
    """The table's file beside the module's ``.pyc`` (``None``: no file to key it on)."""
    source = globals.get("__file__")
    if not isinstance(source, str) or not source.endswith(".py"):
        return None
    try:
        return cache_from_source(source).removesuffix(".pyc") + ".dataclasses"
    except (NotImplementedError, ValueError):  # no cache tag: no bytecode caching at all
        return None


def _read(path: str) -> dict[str, CodeType]:
    """The table in ``path``: empty if there is none, or it is damaged or not this
    interpreter's."""
    try:
        with open(path, "rb") as file:
            data = file.read()  # whole: marshal.load(file) reads it in thousands of calls
    except OSError:
        return {}
    if not data.startswith(MAGIC_NUMBER):
        return {}
    try:
        table = marshal.loads(memoryview(data)[len(MAGIC_NUMBER):])
    except (EOFError, ValueError, TypeError):
        return {}
    if isinstance(table, dict) and all(type(c) is CodeType for c in table.values()):
        return table
    return {}


def save() -> None:
    """Write the tables that missed a text in this process (called at exit).

    A file is written whole under a temporary name and renamed into place, so a
    reader sees the old table or the new one, never part of one.
    """
    if sys.dont_write_bytecode:
        return
    for table in _tables.values():
        if table.missed and table.path is not None:
            table.missed = False
            _write(table.path, table.used)


def _write(path: str, codes: dict[str, CodeType]) -> None:
    temporary = f"{path}.{os.getpid()}"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as file:
            file.write(MAGIC_NUMBER)
            marshal.dump(codes, file)
        os.replace(temporary, path)
    except OSError:  # a read-only install: no table, as Python then writes no .pyc
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def install() -> None:
    """Route :mod:`dataclasses`' ``exec`` through the tables (once per process)."""
    if "exec" in vars(dataclasses):
        return  # installed already, or someone else shadows it: leave theirs alone
    dataclasses.exec = _exec  # type: ignore[attr-defined]
    atexit.register(save)
