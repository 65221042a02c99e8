"""The abstract syntax of ``.proc`` models: frozen dataclasses with spans.

Values and processes share one expression language, as in CSPM: ``if``,
``let``, names and applications work on both, and the evaluator infers which
kind a definition has. Every node carries a :class:`~procalg.source.Span`
(keyword-only, excluded from equality) so errors found later point at the
text.

Example:
    >>> from procalg.source import Span
    >>> e = Binary("+", Int(1), Name("N"), span=Span(1, 5))
    >>> e == Binary("+", Int(1), Name("N"))
    True
"""

from __future__ import annotations

from dataclasses import dataclass

from procalg.syntax.assertions import (  # noqa: F401 (re-exported: callers write ast.X)
    CompensationComplete,
    DeadlockFree,
    Deterministic,
    DivergenceFree,
    Equivalent,
    HasTrace,
    Invariant,
    Ltl,
    Property,
    Reachable,
    Refines,
    Terminates,
)
from procalg.syntax.expressions import (  # noqa: F401 (re-exported: callers write ast.X)
    Apply,
    Binary,
    Bool,
    BothPattern,
    Char,
    Dot,
    EventSet,
    Generator,
    If,
    Int,
    Let,
    MapLit,
    Name,
    Pattern,
    PBoth,
    PDot,
    PLit,
    PSeq,
    PSeqEnd,
    PSet,
    PTuple,
    PVar,
    PWild,
    Qualifier,
    SeqComp,
    SeqFrom,
    SeqLit,
    SeqRange,
    SetComp,
    SetFrom,
    SetLit,
    SetRange,
    TupleLit,
    Unary,
)
from procalg.syntax.node import SPAN, Expr, Node  # noqa: F401
from procalg.syntax.prefixes import (  # noqa: F401 (re-exported: callers write ast.X)
    InField,
    NondetField,
    NondetPrefix,
    OutField,
    PrefixExpr,
)

# Processes -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StopLit(Node):
    """``STOP``."""


@dataclass(frozen=True, slots=True)
class SkipLit(Node):
    """``SKIP``."""


@dataclass(frozen=True, slots=True)
class ThrowLit(Node):
    """``THROW``: abnormal termination, the failure of a saga step."""


@dataclass(frozen=True, slots=True)
class Undo(Node):
    """``step undo compensation``: when ``step`` terminates, ``compensation`` is
    installed (binds tighter than ``;``)."""

    step: Expr
    compensation: Expr


@dataclass(frozen=True, slots=True)
class Saga(Node):
    """``saga P``: runs installed compensations when a step throws."""

    body: Expr


@dataclass(frozen=True, slots=True)
class Guard(Node):
    """``cond & process``."""

    cond: Expr
    process: Expr


@dataclass(frozen=True, slots=True)
class ProcBinary(Node):
    """``;``, ``[>``, ``/\\``, ``[]``, ``|~|``, ``|||``."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class GenParallel(Node):
    """``P [| A |] Q``."""

    left: Expr
    sync: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class AlphaParallelExpr(Node):
    """``P [A || B] Q``."""

    left: Expr
    left_alpha: Expr
    right_alpha: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class LinkParallelExpr(Node):
    """``P [a <-> b, c <-> d] Q``: P's ``a`` synchronises with Q's ``b`` (hidden)."""

    left: Expr
    links: tuple[tuple[Expr, Expr], ...]
    right: Expr
    qualifiers: tuple[Qualifier, ...] = ()  # `[a.i <-> b.i | i <- S]`


@dataclass(frozen=True, slots=True)
class ExceptionExpr(Node):
    """``P [| A |> Q``: P until it performs an event of A, then Q."""

    left: Expr
    sync: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class SyncChoiceExpr(Node):
    """``P [+ A +] Q`` (``interrupt`` false) or ``P /+ A +\\ Q`` (true): FDR's
    synchronising external choice and interrupt (``terms/synchronising.py``)."""

    left: Expr
    sync: Expr
    right: Expr
    interrupt: bool = False


@dataclass(frozen=True, slots=True)
class HideExpr(Node):
    """``P \\ A``."""

    process: Expr
    hidden: Expr


@dataclass(frozen=True, slots=True)
class RenameExpr(Node):
    """``P [[ a <- b, c.x <- d.x | x <- S ]]``; qualifiers apply to every pair."""

    process: Expr
    pairs: tuple[tuple[Expr, Expr], ...]
    qualifiers: tuple[Qualifier, ...] = ()


@dataclass(frozen=True, slots=True)
class Replicated(Node):
    """A replicated operator over generators ``x : S``.

    ``op`` is one of ``"[]"``, ``"|~|"``, ``"|||"``, ``"[||]"`` (with ``sync``),
    ``"||"`` (with ``alpha``, the per-component alphabet), ``";"`` (over a
    sequence), ``"[<->]"`` (linked parallel over a sequence, with ``links``
    and their ``link_qualifiers``).
    """

    op: str
    generators: tuple[Qualifier, ...]
    body: Expr
    sync: Expr | None = None
    alpha: Expr | None = None
    links: tuple[tuple[Expr, Expr], ...] = ()
    link_qualifiers: tuple[Qualifier, ...] = ()


# --------------------------------------------------------------------------
# Declarations


@dataclass(frozen=True, slots=True)
class Definition(Node):
    """``X = e`` (``params`` is None) or ``F(p1, p2) = e``; several clauses of one
    function are several Definitions with the same name, tried in order."""

    name: str
    params: tuple[Pattern, ...] | None
    body: Expr


@dataclass(frozen=True, slots=True)
class ChannelDecl(Node):
    """``channel a, b : T1.T2``; ``fields`` are set expressions, one per dot."""

    names: tuple[str, ...]
    fields: tuple[Expr, ...] = ()


@dataclass(frozen=True, slots=True)
class Constructor(Node):
    """One alternative of a datatype: ``red``, or ``A.{0..1}.Bool``."""

    name: str
    fields: tuple[Expr, ...] = ()


@dataclass(frozen=True, slots=True)
class DatatypeDecl(Node):
    """``datatype T = A | B.{0..1}``."""

    name: str
    constructors: tuple[Constructor, ...]


@dataclass(frozen=True, slots=True)
class NametypeDecl(Node):
    """``nametype T = {0..3}``."""

    name: str
    value: Expr


@dataclass(frozen=True, slots=True)
class ActivityDecl(Node):
    """``activity c, d : T attempts 3 backoff 2s timeout 30s never fails``.

    Declares channels like :class:`ChannelDecl`; the options apply to every
    name. Durations are in milliseconds; ``None`` means "not given".
    """

    names: tuple[str, ...]
    fields: tuple[Expr, ...] = ()
    attempts: int | None = None
    backoff_ms: int | None = None
    timeout_ms: int | None = None
    never_fails: bool = False


@dataclass(frozen=True, slots=True)
class SignalDecl(Node):
    """``signal c, d : T``: channels whose events the outside world offers."""

    names: tuple[str, ...]
    fields: tuple[Expr, ...] = ()


@dataclass(frozen=True, slots=True)
class TimerDecl(Node):
    """``timer t = 30s``: the event ``t``, fired ``duration_ms`` after it is offered."""

    name: str
    duration_ms: int


@dataclass(frozen=True, slots=True)
class IncludeDecl(Node):
    """``include "file.csp"``: the file's declarations, spliced in by the parser."""

    path: str


@dataclass(frozen=True, slots=True)
class TransparentDecl(Node):
    """CSPM's ``transparent normal, sbisim`` / ``external chase``: recorded, not
    interpreted (``kind`` is ``"transparent"`` or ``"external"``)."""

    kind: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PrintDecl(Node):
    """``print e``: read, shown nowhere; kept only until syntax/placement.py has
    checked where it stands (FDR refuses it in a module or a timed section)."""


@dataclass(frozen=True, slots=True)
class TypeAnnotation(Node):
    """``f, g :: T``: read, not checked against the values; kept only until
    syntax/placement.py has matched it with its definitions."""

    names: tuple[str, ...]
    type_text: str


@dataclass(frozen=True, slots=True)
class TimedStart(Node):
    """``Timed(et) {`` (``timing`` None: every event takes one tock); syntax/timed.py."""

    timing: Expr | None = None


@dataclass(frozen=True, slots=True)
class TimedEnd(Node):
    """The ``}`` that ends a timed section."""


@dataclass(frozen=True, slots=True)
class ModuleStart(Node):
    """``module M`` or ``module M(x, y)``: opens a module (syntax/modules.py)."""

    name: str
    params: tuple[Expr, ...] | None = None


@dataclass(frozen=True, slots=True)
class ModuleExports(Node):
    """``exports``: the module's declarations after it are seen from outside."""


@dataclass(frozen=True, slots=True)
class ModuleEnd(Node):
    """``endmodule``."""


@dataclass(frozen=True, slots=True)
class InstanceDecl(Node):
    """``instance N = M(args)``: the module ``M`` with its parameters bound, as ``N``."""

    name: str
    module: Expr


@dataclass(frozen=True, slots=True)
class Assertion(Node):
    """``assert [not] property``; ``text`` is the assertion as written (after
    ``assert``, normalised whitespace), used in reports; ``tau_priority`` the
    set of FDR's ``:[tau priority]: A`` option, if given."""

    property: Property
    negated: bool = False
    text: str = ""
    tau_priority: Expr | None = None


Declaration = (
    Definition | ChannelDecl | DatatypeDecl | NametypeDecl | Assertion
    | ActivityDecl | SignalDecl | TimerDecl | TransparentDecl
)


@dataclass(frozen=True, slots=True)
class Module(Node):
    """A parsed ``.proc`` file: its declarations in order."""

    declarations: tuple[Declaration, ...]
