"""Evaluation of process expressions to terms (the process half of the evaluator).

Input prefixes become one lazy term each (``c?x:S -> P(x)`` means
``[] v : S' @ c.v -> P(v)``, expanded when it fires: inputs.py), guards ``b & P`` become ``P`` or
``STOP``, and replicated operators become nested binary terms in the order
of their (sorted) index set. Empty replications follow CSPM: ``[]`` gives
``STOP``, ``|||``, ``[| A |]``, ``||`` and ``;`` give ``SKIP``, and ``|~|``
over nothing is an error.
"""

from __future__ import annotations

from functools import reduce
from typing import TYPE_CHECKING, Any

from procalg.errors import ModelError
from procalg.semantics import saga_body, workflow
from procalg.semantics.channels import ChannelRef
from procalg.semantics.inputs import complete, has_input, input_term, process
from procalg.semantics.kinds import names_in
from procalg.semantics.values import expect_bool, expect_set
from procalg.syntax import ast
from procalg.terms import (
    OMEGA,
    SKIP,
    STOP,
    AlphaParallel,
    Dotted,
    Event,
    ExceptionOp,
    ExternalChoice,
    Hide,
    InternalChoice,
    Interrupt,
    Parallel,
    Process,
    Rename,
    Seq,
    Timeout,
    show,
    sort_key,
)
from procalg.terms.renaming import Renaming

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env, Evaluator

_BINARY = {
    ";": Seq, "[>": Timeout, "/\\": Interrupt, "[]": ExternalChoice, "|~|": InternalChoice,
}


def event_set(ev: Evaluator, expr: ast.Node, env: Env) -> frozenset[Event]:
    """Evaluate ``expr`` to a set of events (channels without fields count as events)."""
    value = expect_set(ev.eval(expr, env), expr.span, "expected a set of events")
    for item in value:
        if isinstance(item, Process):
            raise ModelError("a set of processes where a set of events is needed", expr.span,
                             hint="synchronisation, hiding and alphabets take events: "
                                  "{a, b} or {| c |}")
        if type(item) is not Event:
            raise ModelError(f"{show(item)} is not an event", expr.span,
                             hint="use {| c |} for all events of a channel with fields")
    return value


def evaluate(ev: Evaluator, expr: ast.Node, env: Env) -> Any:
    """Evaluate a process expression (called by the evaluator for process nodes)."""
    match expr:
        case ast.StopLit():
            return STOP
        case ast.SkipLit():
            return SKIP
        case ast.PrefixExpr():
            return _prefix(ev, expr, env)
        case ast.NondetPrefix():  # c$x -> P
            from procalg.semantics.nondeterministic import nondeterministic_prefix

            return nondeterministic_prefix(ev, expr, env)
        case ast.Guard(cond, body):
            test = expect_bool(ev.eval(cond, env), cond.span, "a guard must be a boolean")
            return process(ev, body, env) if test else STOP
        case ast.ProcBinary("|||", left, right):
            return Parallel(process(ev, left, env), process(ev, right, env))
        case ast.ProcBinary(op, left, right) if op in _BINARY:
            return _BINARY[op](process(ev, left, env), process(ev, right, env))
        case ast.GenParallel(left, sync, right):
            return Parallel(process(ev, left, env), process(ev, right, env),
                            event_set(ev, sync, env))
        case ast.AlphaParallelExpr(left, left_alpha, right_alpha, right):
            return AlphaParallel(process(ev, left, env), process(ev, right, env),
                                 event_set(ev, left_alpha, env), event_set(ev, right_alpha, env))
        case ast.HideExpr(body, hidden):
            return Hide(process(ev, body, env), event_set(ev, hidden, env))
        case ast.LinkParallelExpr(left, links, right, qualifiers):
            return _linked(ev, process(ev, left, env),
                           _rename_pairs(ev, links, qualifiers, env, True), process(ev, right, env))
        case ast.ExceptionExpr(left, sync, right):
            return ExceptionOp(process(ev, left, env), process(ev, right, env),
                               event_set(ev, sync, env))
        case ast.RenameExpr(body, pairs, qualifiers):
            return Rename(process(ev, body, env), _rename_pairs(ev, pairs, qualifiers, env))
        case ast.Replicated():
            return _replicated(ev, expr, env)
        case ast.ThrowLit() | ast.Saga() | ast.Undo():
            return saga_body.evaluate(ev, expr, env)  # docs/sagas.md
    raise ModelError(f"cannot evaluate {type(expr).__name__} here", expr.span)


def _prefix(ev: Evaluator, expr: ast.PrefixExpr, env: Env) -> Process:
    """``c!x -> P`` is one prefix; a prefix with an input is one lazy term (inputs.py)."""
    if has_input(expr):
        return input_term(ev, expr, env)
    value = ev.eval(expr.head, env)
    for item in expr.fields:
        value = ev.types.dot(value, ev.eval(item.value, env), item.span)
    event = complete(value, expr.head.span or expr.span)
    return workflow.prefix(ev, event, process(ev, expr.then, env))  # fallible activities


def _fold(op: Any, items: list[Process], empty: Process) -> Process:
    """Nest ``items`` to the right with binary ``op``; ``empty`` if there are none."""
    if not items:
        return empty
    return reduce(lambda acc, p: op(p, acc), reversed(items[:-1]), items[-1])


def renaming(ev: Evaluator, expr: ast.RenameExpr, env: Env) -> Any:
    """The relation of renaming ``expr`` in ``env`` (the compiled machines' renamings).

    Example:
        >>> from procalg.api.model import loads
        >>> model = loads("channel a, b\\nP = (a -> P) [[a <- b]]")
        >>> ev = model.spec.evaluator
        >>> str(renaming(ev, ev.functions["P"].clauses[0].body, {}))
        'a <- b'
    """
    return _rename_pairs(ev, expr.pairs, expr.qualifiers, env)


def _balanced(op: Any, items: list[Process], empty: Process) -> Process:
    """Nest ``items`` as a balanced tree of the associative ``op``; ``empty`` if none.

    The term rules fire each operator on its operands' moves, so a chain of n
    choices copies each move up to n times: ``CHAOS(Events)`` over 5,000 events
    cost 12 M copies a state. A balanced tree copies each move log n times and
    has the same moves, in the same order (``[]`` is associative up to strong
    bisimulation: Roscoe, *Understanding Concurrent Systems*, law ``[]-assoc``).

    Example:
        >>> from procalg.terms import STOP, SKIP, ExternalChoice
        >>> _balanced(ExternalChoice, [STOP, SKIP, STOP], SKIP) == ExternalChoice(
        ...     STOP, ExternalChoice(SKIP, STOP))
        True
    """
    if not items:
        return empty
    if len(items) <= 2:
        return _fold(op, items, empty)
    half = len(items) // 2
    return op(_balanced(op, items[:half], empty), _balanced(op, items[half:], empty))


def _rename_pairs(ev: Evaluator, pairs: tuple, qualifiers: tuple, env: Env,
                  listed: bool = False) -> Any:
    """The relation of a renaming, one object per distinct renaming (memoised:
    a generated model renames the same wide channels in every copy of a process,
    and an identical relation keeps the renamed terms' comparisons cheap).

    ``listed``: the frozenset of event pairs (a link parallel names each linked pair).

    A renaming site evaluated again with the same values of the local names it
    mentions gives the same relation (evaluation is pure), so it is looked up
    before any pair is evaluated: a leaf is evaluated once for its term and once
    per compiled machine, and each evaluation of ``[[a.x <- b.q.x | q <- adj(p),
    x <- S]]`` costs hundreds of dotted-event evaluations.
    """
    site = _site_key(ev, pairs, qualifiers, env, listed)
    found = ev.renamings.get(site) if site is not None else None
    if found is None:
        found = _evaluated_pairs(ev, pairs, qualifiers, env, listed)
        if site is not None:
            ev.renamings[site] = found
    return found


def _site_key(ev: Evaluator, pairs: tuple, qualifiers: tuple, env: Env,
              listed: bool) -> tuple | None:
    """The memo key of a renaming site in ``env``: the site and the values of the
    local names it mentions; ``None`` if one of them cannot be hashed."""
    names_key = ("names", id(pairs), id(qualifiers))
    known = ev.renamings.get(names_key)
    if known is None:  # the nodes are kept with their names, so their ids stay theirs
        mentioned = tuple(sorted(names_in((pairs, qualifiers))))
        known = ev.renamings[names_key] = (pairs, qualifiers, mentioned)
    local = tuple((n, type(env[n]), env[n]) for n in known[2] if n in env)  # 1 == True
    key = ("site", id(pairs), id(qualifiers), listed, local)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _evaluated_pairs(ev: Evaluator, pairs: tuple, qualifiers: tuple, env: Env,
                     listed: bool) -> Any:
    """:func:`_rename_pairs` without the site memo: one relation per distinct pair list."""
    named = tuple((ev.eval(old_expr, scope), ev.eval(new_expr, scope), old_expr, new_expr)
                  for scope in ev.bindings(qualifiers, env) for old_expr, new_expr in pairs)
    key = (listed, tuple((old, new) for old, new, _, _ in named))
    found = ev.renamings.get(key)
    if found is None:
        found = ev.renamings[key] = _relation(ev, named, listed)
    return found


def _relation(ev: Evaluator, named: tuple, listed: bool) -> Any:
    """Each ``(old, new)`` of a renaming: a channel renamed to a channel with the
    same remaining field types is a rule (terms/renaming.py), never listed; any
    other channel renames each of its events."""
    out, rules = set(), set()
    for old, new, old_expr, new_expr in named:
        span = old_expr.span
        if type(old) is Event and type(new) is Event:
            out.add((old, new))
            continue
        if type(old) is not ChannelRef or type(new) not in (ChannelRef, Event):
            for value, expr in ((old, old_expr), (new, new_expr)):
                if type(value) is Dotted and type(value.head) is Event:
                    complete(value, expr.span)  # says the event has too many fields
            raise ModelError(f"cannot rename {_show(old)} to {_show(new)}", span,
                             hint="rename an event to an event, or a channel to a channel")
        if not listed and _same_tail(ev, old, new):  # c.x <- d.x, equal simple types: a rule
            rules.add((Event(old.channel, old.fields), Event(new.channel, new.fields)))
            continue
        for event in ev.types.completions(old):
            target: Any = new
            for field in event.fields[len(old.fields):]:
                target = ev.types.dot(target, field, new_expr.span)
            out.add((event, complete(target, new_expr.span)))
    if listed:
        _each_once(out, named)
    return frozenset(out) if listed else Renaming.of(out, rules)


def _each_once(links: set, named: tuple) -> None:
    """A linked parallel names each event at most once on each side, as libcspm
    checks: ``[c.true <-> d.true, c.true <-> d.false]`` is an error, not a choice."""
    for side in (0, 1):
        seen: set = set()
        for pair in sorted(links, key=sort_key):
            if pair[side] in seen:
                at = next((n[2 + side] for n in named if n[side] == pair[side]), named[0][2])
                raise ModelError(
                    f"the event {pair[side]} is linked more than once on the "
                    f"{('left', 'right')[side]} of a linked parallel", at.span,
                    hint="each event may appear at most once in the links")
            seen.add(pair[side])


def _same_tail(ev: Evaluator, old: ChannelRef, new: Any) -> bool:
    """Whether ``new`` takes exactly the fields ``old`` lacks, with the same types,
    none of whose values is compound (``0.1``, which a dot would split).

    Then each event ``old.v`` renames to ``new.v`` with its remaining fields as
    they are: a rule, with no field-by-field dots (with their type checks, the
    cost of renaming a channel of hundreds of thousands of events).
    """
    if type(new) is not ChannelRef:
        return False
    channels, types = ev.types.channels, ev.types
    if any(types.is_incomplete(f) or types.is_compound(f) for f in (*old.fields, *new.fields)):
        return False
    rest_old = channels[old.channel][len(old.fields):]
    rest_new = channels[new.channel][len(new.fields):]
    return len(rest_old) == len(rest_new) and all(
        (a is b or a == b) and not _has_compound(types, a)
        for a, b in zip(rest_old, rest_new, strict=True))


def _has_compound(types: Any, values: Any) -> bool:
    """Whether a field type holds a compound value (an infinite type never does)."""
    if not isinstance(values, frozenset | set):
        return False
    return any(types.is_compound(v) for v in values if type(v) is Dotted)


LINK_CHANNEL = "⟷"
"""Channel of the fresh events a linked parallel synchronises on (not a CSPM name)."""


def _linked(ev: Evaluator, left: Process, links: frozenset[tuple[Event, Event]],
            right: Process) -> Process:
    """``P [a <-> b] Q`` as CSP defines it (Roscoe, UCS, 2010, §5.2): rename
    each linked pair to one fresh event, synchronise on those, hide them.

    ``(P[[a <- x]] [| {x} |] Q[[b <- x]]) \\ {x}`` for a fresh ``x``; a
    nested link parallel hides its own fresh events, so reusing them is safe.
    """
    mine, theirs, sync = link_renamings(ev, links)
    return Hide(Parallel(Rename(left, mine), Rename(right, theirs), sync), sync)


def link_pairs(ev: Evaluator, links: tuple, qualifiers: tuple, env: Env
               ) -> frozenset[tuple[Event, Event]]:
    """The linked pairs of ``[a <-> b, .. | qualifiers]`` in ``env`` (one object per
    distinct list, as a renaming's relation is)."""
    return _rename_pairs(ev, links, qualifiers, env, True)


def link_renamings(ev: Evaluator, links: frozenset[tuple[Event, Event]]
                   ) -> tuple[frozenset, frozenset, frozenset[Event]]:
    """A linked parallel's renamings of each side to the fresh events, and those events.

    Example:
        >>> from procalg.api.model import loads
        >>> ev = loads("channel a, b").spec.evaluator
        >>> mine, theirs, sync = link_renamings(ev, frozenset({(Event("a"), Event("b"))}))
        >>> sorted(map(str, sync)), ev.link_events
        (['⟷.0'], 1)
    """
    fresh = {pair: Event(LINK_CHANNEL, (i,))
             for i, pair in enumerate(sorted(links, key=sort_key))}
    ev.link_events = max(ev.link_events, len(fresh))  # part of a leaf's alphabet
    mine = frozenset((a, x) for (a, _), x in fresh.items())
    theirs = frozenset((b, x) for (_, b), x in fresh.items())
    return mine, theirs, frozenset(fresh.values())


def _show(value: Any) -> str:
    return str(value) if isinstance(value, Event | ChannelRef | Process) else show(value)


def _replicated(ev: Evaluator, expr: ast.Replicated, env: Env) -> Process:
    scopes = list(ev.bindings(expr.generators, env))
    if expr.op == "||":
        parts = [(process(ev, expr.body, s), event_set(ev, expr.alpha, s)) for s in scopes]
        return _alphabetised(parts)
    bodies = [process(ev, expr.body, s) for s in scopes]
    if expr.op == "[<->]":  # P1 [links] (P2 [links] ...), links seen from each left one
        if not bodies:
            raise ModelError("replicated linked parallel over an empty sequence", expr.span,
                             hint="it is defined for one process or more (as in FDR)")
        term = bodies[-1]
        for body, scope in zip(reversed(bodies[:-1]), reversed(scopes[:-1]), strict=True):
            term = _linked(ev, body,
                           _rename_pairs(ev, expr.links, expr.link_qualifiers, scope, True), term)
        return term
    match expr.op:
        case "[]":
            return _balanced(ExternalChoice, bodies, STOP)
        case "|~|":
            if not bodies:
                raise ModelError("replicated |~| over an empty set", expr.span,
                                 hint="internal choice needs at least one process")
            return _fold(InternalChoice, bodies, STOP)
        case "|||":
            return _fold(Parallel, bodies, SKIP)
        case "[||]" | "[| |]":
            sync = event_set(ev, expr.sync, env)
            return _fold(lambda p, q: Parallel(p, q, sync), bodies, SKIP)
        case ";":
            return _fold(Seq, bodies, SKIP)
    raise ModelError(f"unknown replicated operator {expr.op}", expr.span)


def _alphabetised(parts: list[tuple[Process, frozenset[Event]]]) -> Process:
    """``|| x : S @ [A(x)] P(x)``: ``P1 [A1 || A2 ∪ ... ∪ An] (P2 [A2 || ...] ...)``.

    A single component is still confined to its alphabet: ``P [A || {}] Ω``.
    Ω (terminated, no moves) offers nothing, so P's events outside A are
    blocked; and by distributed termination P's ✓ becomes τ to Ω ‖ Ω, which
    then terminates, as the last component of any replicated ``||`` does.
    (``SKIP`` instead of Ω would add a τ at the start; ``STOP`` would block ✓.)
    """
    if not parts:
        return SKIP
    if len(parts) == 1:
        body, alpha = parts[0]
        return AlphaParallel(body, OMEGA, alpha, frozenset())
    term, alpha = parts[-1]
    for body, own in reversed(parts[:-1]):
        term = AlphaParallel(body, term, own, alpha)
        alpha = own | alpha
    return term
