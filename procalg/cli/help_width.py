"""The command line's argument parser, told the terminal's width rather than asking shutil.

Start-up: argparse's help formatter, made for every ``add_argument`` (to check
its metavar), asks :func:`shutil.get_terminal_size` for the width; importing
shutil (with bz2 and lzma) is ~3 ms of a check whose model is read back
(``syntax/parse_cache.py``), for a help text it never prints.
:func:`terminal_columns` answers as shutil does (``tests/cli/test_main.py``).

Example:
    >>> parser = CommandParser(prog="procalg")
    >>> parser.formatter_class.__name__
    'WidthFormatter'
"""

from __future__ import annotations

import argparse
import os
import sys


def terminal_columns() -> int:
    """The terminal's width as :func:`shutil.get_terminal_size` answers it (``COLUMNS``,
    else standard output's terminal, else 80), without importing :mod:`shutil`.

    Example:
        >>> terminal_columns() > 0
        True
    """
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class WidthFormatter(argparse.HelpFormatter):
    """argparse's help formatter, told the width: argparse asks :mod:`shutil` for it,
    and shutil's import (with bz2's and lzma's) is ~3 ms of a check whose model is
    read back (``syntax/parse_cache.py``), for a help text it never prints."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         terminal_columns() - 2 if width is None else width)


class CommandParser(argparse.ArgumentParser):
    """An argument parser whose help is formatted by :class:`WidthFormatter` (its
    subcommands' parsers are of its class)."""

    def __init__(self, *args: object, formatter_class: type = WidthFormatter,
                 **kwargs: object) -> None:
        super().__init__(*args, formatter_class=formatter_class,  # type: ignore[misc, arg-type]
                         **kwargs)
