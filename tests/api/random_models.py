"""Random ``.proc`` models for the engines' differential tests (issue 9).

A model declares plain events and two data channels, a leaf ``L(n)`` that
recurs on itself, a parameterised ``P(n)`` that may use any operator and call
``L`` anywhere, and top processes ``T`` and ``S`` over both. Recursion is
kept finite by where calls may stand: a definition calls itself only in
*tail* positions after an event (a prefix's continuation, a choice's or
conditional's branch, the right of ``;``, ``[>``, ``/\\`` and ``[| A |>``, and the
right of ``/+ {b} +\\`` and ``[+ {b} +]`` over a left that never offers ``b``),
and only the leaf ``L`` (which never calls ``P``) stands in the others (an
operand of a parallel, hiding or renaming, the left of ``;`` and ``/\\``),
so no term grows without bound. Data is ``{0..3}`` with arithmetic modulo 4:
every parameter stays in range, and inputs (also restricted ones) bind
names later expressions use. Texts are drawn by ``@composite`` functions so
that they shrink to short models.

Example:
    >>> Context(("n",), tail=("P",), inner=("L",)).calls  # P only after an event
    ('L',)
    >>> Context(("n",), tail=("P",), inner=("L",), guarded=True).calls
    ('P', 'L')
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import strategies as st

HEADER = "channel a, b, c\nchannel d, e : {0..3}\n"
"""Every model's declarations (the generated processes use only these)."""

SETS = ["{a}", "{b}", "{a, b}", "{a, b, c}", "{| d |}", "{a, d.0, d.1}", "{| d, e |}"]
RENAMINGS = ["[[ a <- b ]]", "[[ b <- a, a <- b ]]", "[[ d <- e ]]", "[[ c <- a, c <- b ]]",
             "[[ a <- b, a <- c ]]", "[[ d <- d, d <- e ]]"]  # the last two: one event to many
CONSTANTS = ["STOP", "SKIP", "a -> SKIP", "b -> STOP"]
UNSHARED = ["STOP", "(a -> SKIP)", "(c -> STOP [] a -> SKIP)"]
"""Processes that never offer ``b``: the left of a synchronising choice or interrupt on ``{b}``."""


@dataclass(frozen=True)
class Context:
    """Where a process is drawn: the names in scope, the definitions it may
    call in tail position (once ``guarded`` by an event: recursion before an
    event is refused, by FDR too) and those it may call anywhere."""

    scope: tuple[str, ...] = ()
    tail: tuple[str, ...] = ()
    inner: tuple[str, ...] = ()
    guarded: bool = False

    @property
    def calls(self) -> tuple[str, ...]:
        return (self.tail if self.guarded else ()) + self.inner

    def operand(self) -> Context:
        """An operand that must not recur (parallel, hiding, renaming ...)."""
        return replace(self, tail=())


@st.composite
def expression(draw: st.DrawFn, scope: tuple[str, ...]) -> str:
    """A value in ``{0..3}`` from the names in scope."""
    names = scope or ("0",)
    x, y = draw(st.sampled_from(names)), draw(st.sampled_from(names))
    return draw(st.sampled_from(["0", "1", "3", x, f"(({x} + 1) % 4)", f"(({x} + {y}) % 4)"]))


@st.composite
def process(draw: st.DrawFn, depth: int, at: Context) -> str:
    """A process text (fully parenthesised) drawn in context ``at``."""
    if depth == 0 or draw(st.integers(0, 12)) == 0:
        if at.calls and draw(st.booleans()):  # recursion makes a model more than a few states
            return f"{draw(st.sampled_from(at.calls))}({draw(expression(at.scope))})"
        return draw(st.sampled_from(CONSTANTS))
    here, under = (depth - 1, at), (depth - 1, at.operand())
    after = (depth - 1, replace(at, guarded=True))
    kind = draw(st.integers(0, 12))
    if kind == 0:
        return f"{draw(st.sampled_from(['a', 'b', 'c']))} -> {draw(process(*after))}"
    if kind == 1:
        return f"d!{draw(expression(at.scope))} -> {draw(process(*after))}"
    if kind == 2:
        name = f"x{len(at.scope)}"
        channel = draw(st.sampled_from(["d", "e"]))
        restriction = draw(st.sampled_from(["", ":{0, 1}", ":{2}"]))
        body = draw(process(depth - 1, replace(at, scope=(*at.scope, name), guarded=True)))
        return f"{channel}?{name}{restriction} -> {body}"
    if kind == 3:
        names = at.scope or ("0",)
        test = f"{draw(st.sampled_from(names))} {draw(st.sampled_from(['==', '<', '!=']))} " \
               f"{draw(st.sampled_from(['0', '1', '2']))}"
        if draw(st.booleans()):
            return f"({test} & {draw(process(*here))})"
        return f"(if {test} then {draw(process(*here))} else {draw(process(*here))})"
    if kind == 4:
        op = draw(st.sampled_from(["[]", "|~|", "[>"]))
        return f"({draw(process(*here))} {op} {draw(process(*here))})"
    if kind == 5:
        op = draw(st.sampled_from([";", "/\\"]))
        return f"({draw(process(*under))} {op} {draw(process(*here))})"
    if kind == 6:
        return f"({draw(process(*under))} [| {draw(st.sampled_from(SETS))} |> " \
               f"{draw(process(*here))})"
    if kind == 7:
        return f"({draw(process(*under))} \\ {draw(st.sampled_from(SETS))})"
    if kind == 8:
        return f"(({draw(process(*under))}) {draw(st.sampled_from(RENAMINGS))})"
    if kind in (9, 10):
        sync = draw(st.sampled_from(["{}", *SETS]))
        return f"({draw(process(*under))} [| {sync} |] {draw(process(*under))})"
    if kind == 12:  # a side that never offers b: b on the other side never fires, and
        # a recursion behind it stays finite (the nesting guard must not flag it)
        closed = draw(st.sampled_from(UNSHARED))
        op = draw(st.sampled_from(["/+ {b} +\\", "[+ {b} +]"]))
        return f"({closed} {op} {draw(process(*here))})"
    return f"({draw(process(*under))} ||| {draw(process(*under))})"


@st.composite
def top(draw: st.DrawFn, depth: int) -> str:
    """A top process: one of the issue's shapes (hiding over parallel, ``;``
    after a parallel, interrupt over one, ``P``'s recursion under hiding, data
    passed through ``;`` and a synchronised channel) or any operator tree, over
    ``P`` and ``L`` calls."""
    at = Context(inner=("P", "L"))
    p, q = draw(process(depth, at)), draw(process(depth, at))
    sync, hidden = draw(st.sampled_from(SETS)), draw(st.sampled_from(SETS))
    return draw(st.sampled_from([
        p,
        f"(({p} [| {sync} |] {q}) \\ {hidden})",
        f"(({p} [| {sync} |] {q}) \\ {{| a, b, c, d |}})",  # divergences, mostly
        f"(({p} ||| {q}) ; {draw(process(depth, at))})",
        f"(({p} [| {sync} |] {q}) /\\ {draw(process(depth, at))})",
        # parameterised recursion under hiding, beside a partner
        f"((P({draw(expression(()))}) \\ {hidden}) [| {sync} |] {q})",
        # data-heavy sequences: values passed through `;` and a synchronised channel
        f"((d?x -> e!((x + 1) % 4) -> SKIP ; {p}) [| {{| d |}} |] "
        f"(d!1 -> SKIP ; d!3 -> SKIP ; {q}))",
    ]))


@st.composite
def definition(draw: st.DrawFn, name: str, inner: tuple[str, ...], depth: int) -> str:
    """A body of ``name(n)`` that recurs after an event more often than not
    (else few models would be more than a handful of states)."""
    at = Context(("n",), (name,), inner)
    other = draw(process(depth, at))
    if draw(st.booleans()):
        return other
    event = draw(st.sampled_from(["a", "b", "c", "d!n", "d!((n + 1) % 4)", "e?y"]))
    inside = replace(at, scope=("n", "y") if event == "e?y" else ("n",), guarded=True)
    if draw(st.booleans()):
        loop = f"{event} -> {name}({draw(expression(inside.scope))})"
    else:
        loop = f"{event} -> {draw(process(depth - 1, inside))}"
    return draw(st.sampled_from([loop, f"(({loop}) [] {other})", f"(({loop}) |~| {other})"]))


@st.composite
def models(draw: st.DrawFn, depth: int = 2) -> str:
    """A model text: ``L(n)``, ``P(n)``, and top processes ``T`` and ``S``."""
    leaf = draw(definition("L", (), depth))
    body = draw(definition("P", ("L",), depth))
    main, spec = draw(top(depth)), draw(top(1))
    return f"{HEADER}L(n) = {leaf}\nP(n) = {body}\nT = {main}\nS = {spec}\n"
