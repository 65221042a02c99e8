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

from dataclasses import dataclass, field

from procalg.source import Span

_SPAN = field(default=None, kw_only=True, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every syntax node."""

    span: Span | None = _SPAN


# --------------------------------------------------------------------------
# Patterns (left-hand sides of definitions, ?x inputs, generators)


@dataclass(frozen=True, slots=True)
class PVar(Node):
    """Binds a name: ``x``."""

    name: str


@dataclass(frozen=True, slots=True)
class PWild(Node):
    """Matches anything, binds nothing: ``_``."""


@dataclass(frozen=True, slots=True)
class PLit(Node):
    """Matches one literal value (``0``, ``true``, a constructor name)."""

    value: Expr


@dataclass(frozen=True, slots=True)
class PTuple(Node):
    """Matches a tuple: ``(x, y)``."""

    items: tuple[Pattern, ...]


@dataclass(frozen=True, slots=True)
class PDot(Node):
    """Matches a dotted value: ``x.y``, ``A.n``."""

    items: tuple[Pattern, ...]


@dataclass(frozen=True, slots=True)
class PSeq(Node):
    """Matches a sequence: ``<>``, ``<x>``, ``<x, y>``; with ``rest``: ``<x>^s``."""

    items: tuple[Pattern, ...]
    rest: Pattern | None = None


@dataclass(frozen=True, slots=True)
class PSet(Node):
    """Matches a set, as FDR allows: ``{}`` (empty) or ``{x}`` (one element)."""

    items: tuple[Pattern, ...]


@dataclass(frozen=True, slots=True)
class PSeqEnd(Node):
    """Matches a sequence by its end: ``s^<x>`` (``rest`` takes the front)."""

    rest: Pattern
    items: tuple[Pattern, ...]


@dataclass(frozen=True, slots=True)
class PBoth(Node):
    """``p1 @@ p2``: the value matches both patterns (FDR's double pattern)."""

    left: Pattern
    right: Pattern


@dataclass(frozen=True, slots=True)
class BothPattern(Node):
    """``p1 @@ p2`` as parsed, before it is read as a pattern (only valid there)."""

    left: Expr
    right: Expr


Pattern = PVar | PWild | PLit | PTuple | PDot | PSeq | PSet | PSeqEnd | PBoth


# --------------------------------------------------------------------------
# Expressions (values and processes)


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A reference to a definition, parameter, channel, constructor or builtin."""

    id: str


@dataclass(frozen=True, slots=True)
class Int(Node):
    value: int


@dataclass(frozen=True, slots=True)
class Bool(Node):
    value: bool


@dataclass(frozen=True, slots=True)
class Unary(Node):
    """``-e``, ``not e``, ``#s``."""

    op: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """Arithmetic ``+ - * / %``, comparison ``== != < <= > >=``, ``and``, ``or``,
    sequence concatenation ``^``."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Dot(Node):
    """A dotted value or event ``c.1.x`` (two or more parts)."""

    parts: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Apply(Node):
    """``f(a, b)``: a definition with parameters, or a builtin (``union`` ...)."""

    func: Expr
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class If(Node):
    cond: Expr
    then: Expr
    orelse: Expr


@dataclass(frozen=True, slots=True)
class Let(Node):
    """``let defs within body``: local (possibly recursive) definitions."""

    definitions: tuple[Definition, ...]
    body: Expr


@dataclass(frozen=True, slots=True)
class Generator(Node):
    """``pattern <- set`` in a comprehension, or ``x : S`` in a replicated operator."""

    pattern: Pattern
    source: Expr


Qualifier = Generator | Node  # a Generator, or any Expr used as a boolean condition


@dataclass(frozen=True, slots=True)
class SetLit(Node):
    """``{a, b}``."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class SetRange(Node):
    """``{lo..hi}`` (inclusive); ``hi`` is never open here: sets are finite."""

    low: Expr
    high: Expr


@dataclass(frozen=True, slots=True)
class SetComp(Node):
    """``{ e | x <- S, cond }``; ``{ e1, e2 | ... }`` has ``more = (e2,)``."""

    item: Expr
    qualifiers: tuple[Qualifier, ...]
    more: tuple[Expr, ...] = ()


@dataclass(frozen=True, slots=True)
class SeqLit(Node):
    """``<a, b>``."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class SeqRange(Node):
    """``<lo..hi>``."""

    low: Expr
    high: Expr


@dataclass(frozen=True, slots=True)
class SeqComp(Node):
    """``< e | x <- s, cond >``; ``< e1, e2 | ... >`` (``more = (e2,)``) gives both
    items for each binding, in order."""

    item: Expr
    qualifiers: tuple[Qualifier, ...]
    more: tuple[Expr, ...] = ()


@dataclass(frozen=True, slots=True)
class TupleLit(Node):
    """``(a, b)`` (two or more items)."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class EventSet(Node):
    """``{| c, d.1 |}``: every event that extends one of the items;
    ``{| c.x | x <- S |}`` with qualifiers, for every binding they make."""

    items: tuple[Expr, ...]
    qualifiers: tuple[Qualifier, ...] = ()


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
class OutField(Node):
    """``!e`` or ``.e`` in a prefix: a value the process gives."""

    value: Expr


@dataclass(frozen=True, slots=True)
class InField(Node):
    """``?p`` or ``?p:S`` in a prefix: a value the process takes."""

    pattern: Pattern
    restrict: Expr | None = None


@dataclass(frozen=True, slots=True)
class PrefixExpr(Node):
    """``head fields -> then``; ``head`` evaluates to a channel, event or dotted prefix."""

    head: Expr
    fields: tuple[OutField | InField, ...]
    then: Expr


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


Expr = Node  # any expression node above


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


# Assertions -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadlockFree(Node):
    process: Expr
    model: str | None = None  # the optional [F] / [FD] annotation


@dataclass(frozen=True, slots=True)
class DivergenceFree(Node):
    process: Expr
    model: str | None = None


@dataclass(frozen=True, slots=True)
class Deterministic(Node):
    process: Expr
    model: str | None = None


@dataclass(frozen=True, slots=True)
class HasTrace(Node):
    process: Expr
    trace: Expr  # a sequence expression of events
    model: str | None = None


@dataclass(frozen=True, slots=True)
class Reachable(Node):
    process: Expr
    event: Expr


@dataclass(frozen=True, slots=True)
class Refines(Node):
    """``Spec [T= Impl``, ``[F=``, ``[FD=`` (``model`` is ``"T"``, ``"F"``, ``"FD"``)."""

    spec: Expr
    impl: Expr
    model: str


@dataclass(frozen=True, slots=True)
class Equivalent(Node):
    """``P = Q :[strong]`` / ``:[weak]`` / ``:[branching]``."""

    left: Expr
    right: Expr
    kind: str


@dataclass(frozen=True, slots=True)
class CompensationComplete(Node):
    process: Expr


@dataclass(frozen=True, slots=True)
class Invariant(Node):
    """``P :[invariant]: expr``: a data invariant over the components' parameters
    (checked by the symbolic engine, ``docs/symbolic.md``)."""

    process: Expr
    expr: Expr


Property = (
    DeadlockFree | DivergenceFree | Deterministic | HasTrace | Reachable | Refines
    | Equivalent | CompensationComplete | Invariant
)


# -- liveness: `:[terminates]` and `:[ltl]: FORMULA` (``fairness`` is "", "weak" or "strong")

@dataclass(frozen=True, slots=True)
class Terminates(Node):
    """``P :[terminates]``: every maximal run ends with ✓ or ``throw``."""

    process: Expr
    fairness: str = ""


@dataclass(frozen=True, slots=True)
class Ltl(Node):
    """``P :[ltl]: FORMULA``; the formula is text (``procalg.checks.ltl`` reads
    it), ``formula_span`` where it starts."""

    process: Expr
    formula: str
    fairness: str = ""
    formula_span: Span | None = field(default=None, compare=False)


Property = Property | Terminates | Ltl


@dataclass(frozen=True, slots=True)
class Assertion(Node):
    """``assert [not] property``; ``text`` is the assertion as written (after
    ``assert``, normalised whitespace), used in reports."""

    property: Property
    negated: bool = False
    text: str = ""


Declaration = (
    Definition | ChannelDecl | DatatypeDecl | NametypeDecl | Assertion
    | ActivityDecl | SignalDecl | TimerDecl | TransparentDecl
)


@dataclass(frozen=True, slots=True)
class Module(Node):
    """A parsed ``.proc`` file: its declarations in order."""

    declarations: tuple[Declaration, ...]
