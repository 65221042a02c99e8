"""FDR's nondeterministic input ``c$x -> P(x)`` (FDR manual, "Prefixing").

The process chooses the values of its ``$`` fields and the environment those
of its ``?`` fields: ``c$x?y -> P(x, y)`` is the internal choice, over every
value ``v`` the ``$`` field may take, of ``c!v?y -> P(v, y)``. The values
are the inputs' own (types, restrictions ``$x:S``, patterns), so the offers
of the prefix read as an input (:func:`~procalg.semantics.inputs.prefix_offers`)
are grouped by the fields the ``$`` fields took: each group is one branch of
the internal choice, an external choice of its events. The term is built
eagerly, so it suits the small types ``$`` is written over; the compiled
engines do not know it and leave such processes to the term rules.

Example:
    >>> from procalg.api import loads
    >>> lts = loads("channel c : {0, 1}").lts("c$x -> STOP")  # τ to c.0 -> STOP or c.1 -> STOP
    >>> lts.num_states, [str(label) for label in lts.labels]
    (4, ['τ', '✓', 'c.0', 'c.1'])
"""

from __future__ import annotations

from functools import reduce
from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError
from procalg.semantics.channels import ChannelRef
from procalg.semantics.inputs import prefix_offers, process
from procalg.syntax import ast
from procalg.terms import ExternalChoice, InternalChoice, Prefix, Process

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator


def nondeterministic_prefix(ev: Evaluator, expr: ast.NondetPrefix, env: Env) -> Process:
    """The internal choice that ``c$x?y -> P`` stands for (see the module docstring).

    Raises:
        ModelError: no value fits the ``$`` fields (an internal choice of nothing).
    """
    prefix = expr.prefix
    head = ev.eval(prefix.head, env)
    given = len(head.fields) if type(head) is ChannelRef else 0
    chosen_all = expr.count == len(prefix.fields)  # the last $ field takes the rest
    groups: dict[Any, list[Process]] = {}
    for event, scope in prefix_offers(ev, prefix, env):
        key = event.fields[given:] if chosen_all else event.fields[given:given + expr.count]
        groups.setdefault(key, []).append(Prefix(event, process(ev, prefix.then, scope)))
    if not groups:
        raise ModelError("no value fits the nondeterministic input '$'", expr.span,
                         hint="the process must be able to choose some value of the field")
    branches = [reduce(lambda acc, p: ExternalChoice(p, acc), reversed(g[:-1]), g[-1])
                for g in groups.values()]
    return reduce(lambda acc, p: InternalChoice(p, acc), reversed(branches[:-1]), branches[-1])
