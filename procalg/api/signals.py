"""Signals a run may never consume, for ``procalg check`` (the checker's side of buffering).

The engine buffers signals (docs/engine.md section 4), so a signal sent
while a run waits for it and then overtaken by a timer, an activity or an
internal move is never consumed if the process does not listen for it again
(:mod:`procalg.checks.signals`). This reports such races as warnings for
every process an assertion of the model checks.

Example:
    >>> from procalg.api.model import loads
    >>> model = loads('''signal go
    ... timer t = 1s
    ... P = go -> SKIP [] t -> SKIP
    ... assert P :[deadlock free]''')
    >>> signal_warnings(model)
    ['signal go: sent while P waits for it (after <>), it is never consumed if <t> happens first']
"""

from __future__ import annotations

from procalg.api.model import Model
from procalg.checks.signals import channel_of, stranded_signals
from procalg.errors import ProcalgError
from procalg.syntax import ast


def signal_warnings(model: Model, *, max_states: int | None = None,
                    reduce: bool = True) -> list[str]:
    """One line per signal channel of each checked process that a race can strand.

    Processes too big for ``max_states`` or that fail to load are skipped
    (their assertions report that). With ``reduce`` (as ``check`` explores) the
    LTS read is the product of components reduced modulo strong bisimulation,
    from the network the assertions' checks compiled: strongly bisimilar to the
    whole one, so it strands the same signals after traces as short (which are
    stable, offer a signal, reach one again: all kept by strong bisimulation),
    without compiling and exploring the process a second time (a third of
    ``check models/account.proc``'s search).
    """
    signals = set(model.spec.signals)
    if not signals:
        return []
    names = dict.fromkeys(a.property.process.id for a in model.assertions
                          if isinstance(getattr(a.property, "process", None), ast.Name))
    from procalg.api.export import process_lts  # a model with signals only: not check's start-up

    out: list[str] = []
    for name in names:
        try:
            lts = process_lts(model, name, max_states=max_states, reduce=reduce)
        except ProcalgError:
            continue
        found = stranded_signals(lts, lambda lab: channel_of(lab) in signals)
        out += [f.text(name) for f in found]
    return out
