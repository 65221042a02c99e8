"""Parsed models kept between processes: a ``.proc`` text parsed once is read back.

Start-up: before a check can start, ``procalg check`` of a small model imports
lark (~12 ms), loads its LALR tables (~16 ms) and, at the first parse, compiles
a lexer for each parser state it meets (~10 ms on ``alternating_bit.proc``):
a quarter of its 0.2 s. The AST that comes out is plain frozen dataclasses;
pickled, it reads back in under a millisecond, without lark. So the process's
own command line (:func:`enable`, called by ``procalg.cli.main``) keeps each
model it parses in a cache folder, as Python keeps a module's bytecode: a
later command on the same text reads the AST and never imports lark.

An entry holds its key, which a reader compares (the file is named by a CRC
of it): the text, the file name (spans carry it) and a stamp of the code that
parsed it, the size and modification time of every module of
``procalg.syntax``, the grammar, procalg's layer-0 modules and lark's main
modules, with Python's version. An edited parser or grammar makes other keys
(a miss, never a stale hit), as an edited text does. A text that includes
files is never kept (their texts are not in the key), nor one that
does not parse (its error comes from the parser, as ever). An entry that
cannot be read or unpickled is a miss; a folder that cannot be written keeps
nothing. The folder holds at most :data:`KEPT` entries: writing past that
removes the least recently used quarter (a hit touches its entry).

The folder is ``$PROCALG_CACHE_DIR``, else ``$XDG_CACHE_HOME/procalg/parsed``,
else ``~/.cache/procalg/parsed``; ``PROCALG_CACHE_DIR=`` (empty) turns the
cache off. It is created readable by its owner only: an entry is a pickle, and
unpickling runs what it names.

Cost: a miss adds the pickling and a file write (~1 ms on a small model) to
the parse; a hit costs ~40 stat calls, a CRC and a file read.

Example:
    >>> import tempfile
    >>> before = os.environ.get(ENV)
    >>> os.environ[ENV] = tempfile.mkdtemp()
    >>> enable()
    >>> text = "channel a\\nP = a -> P\\n"
    >>> cached(text, "m.proc") is None  # not parsed yet
    True
    >>> module = parse(text, "m.proc")
    >>> cached(text, "m.proc") == module  # the same AST, read back
    True
    >>> disable()
    >>> _ = os.environ.pop(ENV) if before is None else os.environ.update({ENV: before})
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import pickle
import sys
import zlib

from procalg.syntax import ast

ENV = "PROCALG_CACHE_DIR"
"""The cache folder's environment variable (empty: no cache)."""

KEPT = 512
"""Entries the folder holds at most (a small model's is a few kB)."""

_PACKAGE = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # procalg/
_LAYER0 = ("__init__", "errors", "source", "assertion_kinds", "choices", "reserved")
_enabled = [False]


def enable() -> None:
    """Keep and read back parsed models in this process (the CLI's own command line)."""
    _enabled[0] = True


def disable() -> None:
    """Parse every model afresh again (the default of a library caller)."""
    _enabled[0] = False


def active_folder() -> str | None:
    """The folder, if this process keeps parsed models (:func:`enable`), else ``None``."""
    return folder() if _enabled[0] else None


def folder() -> str | None:
    """Where entries live, ``None`` if the cache is off (see the module).

    Example:
        >>> folder() is None or isinstance(folder(), str)
        True
    """
    chosen = os.environ.get(ENV)
    if chosen is not None:
        return chosen or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if base.startswith("~"):  # no home to expand: keep nothing rather than write here
        return None
    return os.path.join(base, "procalg", "parsed")


@functools.cache
def code_stamp() -> bytes:
    """The parser's code as the entries' names see it: each file's size and
    modification time (as a ``.pyc`` checks its source), and Python's version.

    Example:
        >>> code_stamp() == code_stamp()
        True
    """
    syntax = os.path.join(_PACKAGE, "syntax")
    files = [os.path.join(syntax, name) for name in sorted(os.listdir(syntax))
             if name.endswith(".py")]
    files += [os.path.join(_PACKAGE, f"{name}.py") for name in _LAYER0]
    files += [os.path.join(_PACKAGE, "grammar", "procalg.lark"),
              os.path.join(os.path.dirname(_PACKAGE), "grammar", "procalg.lark")]
    lark = importlib.util.find_spec("lark")  # found, not imported: an upgrade rewrites it
    if lark is not None and lark.origin:  # resolved: a venv reached through a link is one
        origin = os.path.realpath(lark.origin)
        files += [origin, os.path.join(os.path.dirname(origin), "lark.py")]
    parts = [sys.version]
    for path in files:
        try:
            status = os.stat(path)
        except OSError:
            parts.append(f"{os.path.basename(path)}:-")
            continue
        parts.append(f"{path}:{status.st_size}:{status.st_mtime_ns}")
    return "\n".join(parts).encode()


def _key(text: str, filename: str) -> bytes:
    """What an entry is the AST of: the parser's code, the file name, the text."""
    name = filename.encode("utf-8", "surrogatepass")
    return b"\0".join((code_stamp(), name, text.encode("utf-8", "surrogatepass")))


def _entry(text: str, filename: str) -> str | None:
    """The file that holds ``text``'s AST, ``None`` if it is never kept.

    Named by a CRC of its key (:func:`_key`), which the entry holds whole and a
    reader compares: two keys of one name share the file, each read of the
    other's a miss, never a wrong AST. (A CRC, not SHA-256: ``hashlib`` loads
    OpenSSL, ~2 ms of a start-up that then needs it nowhere.)
    """
    where = active_folder()
    if where is None or "include" in text:
        return None  # an include's text is not in the name: parse it afresh
    key = _key(text, filename)
    return os.path.join(where, f"{zlib.crc32(key):08x}-{len(key):x}.pickle")


def cached(text: str, filename: str = "<input>") -> ast.Module | None:
    """``text``'s AST as a previous process parsed it, ``None`` on a miss."""
    entry = _entry(text, filename)
    if entry is None:
        return None
    try:
        with open(entry, "rb") as file:
            data = file.read()
        key, module = pickle.loads(data)
    except FileNotFoundError:
        return None
    except Exception:  # damaged, foreign, or of a class now gone: a miss
        return None
    if key != _key(text, filename) or type(module) is not ast.Module:
        return None
    with contextlib.suppress(OSError):
        os.utime(entry)  # recently used: kept when the folder is trimmed
    return module


def holds(path: str) -> bool:
    """Whether the model in file ``path`` will be read back (a check before it is
    loaded: the parser need not be built)."""
    from procalg.source import read_source

    try:  # named as api.model.load names it
        return _entry_path(read_source(path), model_name(path)) is not None
    except OSError:
        return False


def model_name(path: str | os.PathLike[str]) -> str:
    """The name a model file's spans and messages carry: ``str(Path(path))``
    (``./m.proc`` is ``m.proc``), worked out without importing :mod:`pathlib`,
    which with the ``urllib.parse`` and ``ipaddress`` it loads is ~3 ms that a
    check needs nowhere else.

    Example:
        >>> model_name("./models//m.proc"), model_name("/"), model_name("")
        ('models/m.proc', '/', '.')
    """
    text = os.fspath(path)
    if os.sep != "/" or os.altsep:  # not POSIX: pathlib's own rules
        from pathlib import Path

        return str(Path(text))
    root = "//" if text.startswith("//") and not text.startswith("///") else "/" * (text[:1] == "/")
    return root + "/".join(part for part in text.split("/") if part not in ("", ".")) or "."


def _entry_path(text: str, filename: str) -> str | None:
    entry = _entry(text, filename)
    return entry if entry is not None and os.path.isfile(entry) else None


def parse(text: str, filename: str = "<input>") -> ast.Module:
    """:func:`procalg.syntax.parse`, read from the cache when this text was
    parsed before (the process's own command line: :func:`enable`), else
    parsed and kept."""
    module = cached(text, filename)
    if module is not None:
        return module
    from procalg.syntax.parser import parse as parse_text  # lark: only on a miss

    module = parse_text(text, filename)
    entry = _entry(text, filename)
    if entry is not None:
        _keep(entry, _key(text, filename), module)
    return module


def _keep(entry: str, key: bytes, module: ast.Module) -> None:
    """Write ``module`` and its key to ``entry`` whole (a temporary name, then a
    rename: a reader sees no entry or all of it); any failure keeps nothing."""
    try:
        data = pickle.dumps((key, module), protocol=pickle.HIGHEST_PROTOCOL)
    except (RecursionError, pickle.PicklingError, TypeError, AttributeError):
        return  # nested past pickle's recursion, or not plain data: parse it next time
    temporary = f"{entry}.{os.getpid()}"
    try:
        os.makedirs(os.path.dirname(entry), mode=0o700, exist_ok=True)
        with open(temporary, "wb") as file:
            file.write(data)
        os.replace(temporary, entry)
        _trim(os.path.dirname(entry))
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _trim(where: str) -> None:
    """Past :data:`KEPT` entries, remove the least recently used quarter."""
    with os.scandir(where) as found:
        entries = [e for e in found if e.name.endswith(".pickle")]
    if len(entries) <= KEPT:
        return
    entries.sort(key=lambda e: e.stat().st_mtime_ns)
    for old in entries[:len(entries) - KEPT * 3 // 4]:
        with contextlib.suppress(OSError):
            os.unlink(old.path)
