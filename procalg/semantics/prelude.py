"""FDR's built-in processes, and the names a model's declarations fix.

A model may use ``RUN``, ``CHAOS``, ``DIV`` and ``loop`` without defining
them (FDR manual, "Built-in processes"): :func:`prelude` gives the
definitions of those it uses and does not define itself, written in CSPM.

Example:
    >>> from procalg.syntax import parse
    >>> [d.name for d in prelude(parse("channel a\\nP = RUN({a}) ; DIV"))]
    ['DIV', 'RUN']
"""

from __future__ import annotations

from procalg.semantics.kinds import names_in
from procalg.syntax import ast

# FDR's built-in processes, written in CSPM (FDR manual, "Built-in processes"); their
# parameters start with '_' so a model's names (a constructor A, a channel x) never
# capture them: `CHAOS(A)` with a datatype constructor A matched only A
_PRELUDE = {
    "RUN": "RUN(_A) = [] _x : _A @ _x -> RUN(_A)",
    "CHAOS": "CHAOS(_A) = STOP |~| ([] _x : _A @ _x -> CHAOS(_A))",
    # one state with a τ self-loop (SKIP's ✓ becomes τ back to DIV): only diverges
    "DIV": "DIV = SKIP ; DIV",
    "loop": "loop(_P) = _P ; loop(_P)",
    # timed sections (syntax/timed.py): tock-CSP's idling STOP and SKIP, delays, and
    # maximal progress (τ and ✓ before tock)
    "TSTOP": "TSTOP = tock -> TSTOP",
    "TSKIP": "TSKIP = SKIP [] tock -> TSKIP",
    "WAIT": "WAIT(_n) = if _n > 0 then tock -> WAIT(_n - 1) else SKIP",
    "Timed::TSTOP": "Timed::TSTOP = tock -> Timed::TSTOP",
    "Timed::TSKIP": "Timed::TSKIP = SKIP [] tock -> Timed::TSKIP",
    "Timed::WAIT": "Timed::WAIT(_n) = if _n > 0 then tock -> Timed::WAIT(_n - 1) else SKIP",
    # a terminated side of a timed parallel: lets time pass until all sides end
    "Timed::IDLE": "Timed::IDLE = tock -> Timed::IDLE [] Timed::DONE -> SKIP",
    "timed_priority": "timed_priority(_P) = prioritise(_P, <{}, {tock}>)",
    # FDR's BUFFER(n, pairs) (semantics/builtins_fdr.py checks the call): a FIFO of outputs
    "BUFFER::B": "BUFFER::B(_n, _ps, _s) = (length(_s) < _n & [] (_i, _o) : _ps @ _i -> "
                 "BUFFER::B(_n, _ps, _s ^ <_o>)) [] (not null(_s) & head(_s) -> "
                 "BUFFER::B(_n, _ps, tail(_s)))",
}
_NEEDS = {"BUFFER": "BUFFER::B"}
"""Built-ins evaluated in Python whose states are a definition here."""


def prelude(module: ast.Module) -> list[ast.Node]:
    """Definitions of the built-in processes the model uses and does not define.

    Example:
        >>> from procalg.syntax import parse
        >>> [d.name for d in prelude(parse("channel a\\nP = RUN({a})"))]
        ['RUN']
    """
    defined = {d.name for d in module.declarations
               if isinstance(d, ast.Definition | ast.DatatypeDecl | ast.NametypeDecl)}
    defined |= constant_names(module)  # `channel loop` keeps its name
    used = names_in(module.declarations)
    used = (used | {_NEEDS[n] for n in used & set(_NEEDS)}) & set(_PRELUDE) - defined
    if not used:
        return []
    from procalg.syntax.parse_cache import parse  # lark only when a built-in is parsed

    return [d for name in sorted(used)
            for d in parse(_PRELUDE[name], "<prelude>").declarations]


def constant_names(module: ast.Module) -> set[str]:
    """Channel and constructor names: in a pattern definition they match, not bind."""
    names: set[str] = set()
    for decl in module.declarations:
        if type(decl) is ast.ChannelDecl:
            names.update(decl.names)
        elif type(decl) is ast.DatatypeDecl:
            names.update(con.name for con in decl.constructors)
    return names


def is_pattern_pick(decl: ast.Definition) -> bool:
    """Whether ``decl`` is one name of a pattern definition (see
    ``syntax.build.pattern_definitions``): it applies a lambda to the hidden value,
    whose name starts with ``(`` (after its module's ``M::`` inside a module).

    Example:
        >>> from procalg.syntax.parser import parse
        >>> [is_pattern_pick(d) for d in parse("(x, y) = (1, 2)\\nz = 3\\n").declarations]
        [False, False, False]
        >>> m = parse("module M\\nexports\\n channel d : {0}\\n (d.x, y) = (d.0, 2)\\nendmodule")
        >>> [d.name for d in m.declarations if type(d) is ast.Definition and is_pattern_pick(d)]
        ['M::d', 'M::x', 'M::y']
    """
    body = decl.body
    return (decl.params is None and type(body) is ast.Apply and len(body.args) == 1
            and type(body.args[0]) is ast.Name
            and body.args[0].id.rpartition("::")[2].startswith("("))
