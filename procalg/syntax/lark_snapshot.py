"""The LALR parser as lark built it, pickled whole: read back in a third of lark's load.

Start-up: ``Lark(..., cache=True)`` keeps the grammar's analysis in a file but
loads it as nested lists and dicts that it then rebuilds into rules, a parse
table of 517 states and a lexer for each of 153 token sets (``deserialize``):
~17 ms of CPU, a tenth of a small check. Pickled as the objects themselves,
the same parser reads back in ~6 ms (the parse table's actions and rules,
terminals and lexers as they were, shared where they were shared).

What a pickle cannot hold is named instead and supplied again on reading: the
``re`` module (each lexer's regex engine), the parser's two actions ``Shift``
and ``Reduce`` (lark compares them by identity), and the tree callbacks
(closures: rebuilt from the rules, ~1 ms, as lark's own load does). The
snapshot is taken before :func:`procalg.syntax.fast_lark.shortcut_unit_reductions`
changes the parser, which the caller applies to either.

The snapshot lives in :mod:`procalg.syntax.parse_cache`'s folder, starting
with (and named by a CRC of) that module's stamp of the parser's code (the
grammar, ``procalg.syntax``, lark's main modules, Python's version), so an
edited grammar or a new lark reads no snapshot of the old. Anything
unexpected in reading it (damaged, another lark's classes) makes :func:`load`
answer ``None``: the caller builds the parser as lark does and :func:`keep`
writes a new snapshot.

Example:
    >>> import tempfile
    >>> from procalg.syntax.parser import build_lark
    >>> folder = tempfile.mkdtemp()
    >>> keep(build_lark(), folder)
    >>> parser = load(folder)
    >>> parser.parse("channel a\\n", start="start").data
    'start'
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import re
import zlib
from typing import Any

from lark import Lark
from lark.parsers import lalr_analysis

from procalg.syntax.parse_cache import code_stamp

_CALLBACKS = "callbacks"
_ACTIONS = {"shift": getattr(lalr_analysis, "Shift", None),
            "reduce": getattr(lalr_analysis, "Reduce", None)}
"""lark's two parser actions (internals, as of lark 1.1-1.3): a lark without them
is not the shape this module knows, and gets no snapshot."""


def _named(callbacks: dict[Any, Any]) -> dict[int, str]:
    """The objects a snapshot names rather than holds, by identity."""
    actions = {id(action): name for name, action in _ACTIONS.items()}
    return {id(re): "re", **actions, id(callbacks): _CALLBACKS}


class _Writer(pickle.Pickler):
    def __init__(self, file: io.BytesIO, parser: Lark) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.names = _named(parser._callbacks)
        self.dropped = id(getattr(parser, "_parse_tree_builder", None))

    def persistent_id(self, obj: Any) -> str | None:
        if id(obj) == self.dropped:
            return "dropped"  # the callbacks' builder: made again with them
        return self.names.get(id(obj))


class _Reader(pickle.Unpickler):
    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file)
        self.callbacks: dict[Any, Any] = {}  # filled once the parser is read
        self.objects = {"re": re, **_ACTIONS, _CALLBACKS: self.callbacks, "dropped": None}

    def persistent_load(self, pid: Any) -> Any:
        return self.objects[pid]


def path_in(folder: str | os.PathLike[str]) -> str:
    """The snapshot's file in ``folder``, named by a CRC of the parser's code (the
    file starts with that code's stamp, which :func:`load` compares)."""
    return os.path.join(folder, f"lark-{zlib.crc32(code_stamp()):08x}.pickle")


def load(folder: str | os.PathLike[str]) -> Lark | None:
    """The parser snapshotted in ``folder``, ``None`` if there is none to trust."""
    try:
        path = path_in(folder)
        with open(path, "rb") as file:
            data = io.BytesIO(file.read())
        if pickle.load(data) != code_stamp():
            return None  # another parser's code under the same name
        reader = _Reader(data)
        parser = reader.load()
        if type(parser) is not Lark:
            return None
        parser._prepare_callbacks()  # the closures, from the rules read back
        reader.callbacks.update(parser._callbacks)  # the dict the parse table's parser holds
        parser._callbacks = reader.callbacks
    except Exception:  # missing, damaged or another lark's: build it as lark does
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept when the folder is trimmed
    return parser


def keep(parser: Lark, folder: str | os.PathLike[str]) -> None:
    """Write ``parser`` (as lark built it, before any parse) to ``folder`` whole:
    a temporary name, then a rename; a failure writes nothing."""
    if None in _ACTIONS.values():
        return  # not the lark this module knows: its own cache serves
    buffer = io.BytesIO()
    try:
        pickle.dump(code_stamp(), buffer)
        _Writer(buffer, parser).dump(parser)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return  # a lark whose parser holds something else: its own cache serves
    target = path_in(folder)
    temporary = f"{target}.{os.getpid()}"
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        with open(temporary, "wb") as file:
            file.write(buffer.getvalue())
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
