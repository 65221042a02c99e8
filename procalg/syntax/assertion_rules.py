"""FDR's options after an assertion: ``assert P [T= Q :[tau priority]: {tock}``.

The options follow the whole assertion (libcspm's grammar: ``Assertion
ModelOption*``), so they are built here, on top of the
:class:`~procalg.syntax.build.Builder` that builds the assertion itself.
``:[tau priority over]: A`` is the older spelling of the same option.

Example:
    >>> from procalg.syntax import parse
    >>> a = parse("assert P [T= Q :[tau priority]: {tock}").declarations[0]
    >>> a.text, type(a.tau_priority).__name__
    ('P [T= Q :[tau priority]: {tock}', 'SetLit')
"""

from __future__ import annotations

import dataclasses

from lark import v_args

from procalg.syntax import ast
from procalg.syntax.build import Builder


@v_args(meta=True)
class AssertionBuilder(Builder):
    """The builder with the assertion options (the last child of an assertion)."""

    def assertion(self, meta, children):
        return self._with_option(super().assertion(meta, children), children[-1])

    def negated_assertion(self, meta, children):
        return self._with_option(super().negated_assertion(meta, children), children[-1])

    def tau_priority(self, meta, children):
        return children[1], " ".join(self.text[meta.start_pos:meta.end_pos].split())

    @staticmethod
    def _with_option(node: ast.Assertion, option: tuple[ast.Node, str] | None) -> ast.Assertion:
        if option is None:
            return node
        over, text = option
        return dataclasses.replace(node, tau_priority=over, text=f"{node.text} {text}")
