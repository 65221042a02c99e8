"""FDR's options after an assertion: ``assert P [T= Q :[tau priority]: {tock}``.

The options follow the whole assertion (libcspm's grammar: ``Assertion
ModelOption*``), so they are built here, on top of the
:class:`~procalg.syntax.build.Builder` that builds the assertion itself.
``:[tau priority over]: A`` is the older spelling of the same option.
``:[partial order reduce]`` (FDR's partial-order reduction, optionally with a
mode in brackets) is accepted and changes no verdict: procalg's searches are
exact, and FDR's reduction preserves the verdict too.

Example:
    >>> from procalg.syntax import parse
    >>> a = parse("assert P [T= Q :[tau priority]: {tock}").declarations[0]
    >>> a.text, type(a.tau_priority).__name__
    ('P [T= Q :[tau priority]: {tock}', 'SetLit')
    >>> parse("assert P :[deadlock free] :[partial order reduce]").declarations[0].text
    'P :[deadlock free] :[partial order reduce]'
"""

from __future__ import annotations

import dataclasses

from lark import v_args

from procalg.errors import ParseError
from procalg.syntax import ast
from procalg.syntax.build import Builder
from procalg.syntax.value_rules import span_of


@v_args(meta=True)
class AssertionBuilder(Builder):
    """The builder with the assertion options (the children after the property)."""

    def assertion(self, meta, children):
        return self._with_options(super().assertion(meta, children), children[1:])

    def negated_assertion(self, meta, children):
        return self._with_options(super().negated_assertion(meta, children), children[2:])

    def tau_priority(self, meta, children):
        return children[1], self._option_text(meta), span_of(meta)

    def partial_order(self, meta, children):
        # FDR's partial-order reduction is a search strategy that keeps every
        # verdict: accepted, shown with the assertion, and nothing else changes
        return None, self._option_text(meta), span_of(meta)

    def _option_text(self, meta) -> str:
        return " ".join(self.text[meta.start_pos:meta.end_pos].split())

    @staticmethod
    def _with_options(node: ast.Assertion, options: list[tuple[ast.Node | None, str, object]]
                      ) -> ast.Assertion:
        for over, text, span in options:
            if over is not None and node.tau_priority is not None:
                # libcspm's grammar takes one tau priority option per assertion
                raise ParseError("a second ':[tau priority]:' option on one assertion",
                                 span, hint="give the events of both in one set")
            node = dataclasses.replace(node, text=f"{node.text} {text}")
            if over is not None:
                node = dataclasses.replace(node, tau_priority=over)
        return node
