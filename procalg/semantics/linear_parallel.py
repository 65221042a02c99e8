"""Parallel operators inside a compiled definition (``P = a -> (Q ||| R) ; P``).

A parallel written inside a sequential definition is a state of the
:class:`~procalg.semantics.linear.Machine`, as FDR compiles a finite one into
its low-level machine: a tag with the numbers of its event sets and the pair
of its operands' states, fired by CSP's parallel rules (Roscoe, *Understanding
Concurrent Systems*, 2010, §2.3, §5.2 and §9.1), exactly as
:mod:`procalg.semantics.sos` fires the terms (``_parallel``), moves in the
same order:

* ``P [| A |] Q`` and ``P ||| Q`` (A = {}): an event in A needs both sides,
  any other event and τ interleave; ``("sync", A, p, q)``;
* ``P [A || B] Q``: each side confined to its alphabet, synchronising on
  A ∩ B; ``("alpha", A, B, p, q)``;
* a side's ✓ is a τ to Ω in its place (distributed termination), and Ω with
  Ω offers ✓; outside a saga a ``throw`` of either side ends everything;
* ``P [a <-> b] Q`` is its definition, ``(P[[a <- x]] [| {x} |] Q[[b <- x]]) \\ {x}``
  with fresh link events x (:func:`procalg.semantics.processes.link_renamings`):
  the renaming and hiding states of :mod:`procalg.semantics.linear_operators`
  around a ``"sync"`` state;
* the replicated forms (``||| x : S @ P``, ``[| A |] x : S @ P``,
  ``|| x : S @ [A(x)] P``, ``[<->] x : s @ P``) are the evaluator's nested
  binary terms over the finite index set, one operand state per value (over
  none: SKIP); so is FDR's ``[+ A +] x : S @ P``, nested ``[+ A +]`` (over
  none: STOP), its set in the outer scope as the evaluator reads it.

A process that recurses through a parallel without bound (``P = (e -> P)
||| (f -> P)``) has infinitely many states, here as in the terms: its
exploration stops at the state limit, as the term rules' does.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.lts import explore
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel a, b, c\\nP = c -> ((a -> SKIP ||| b -> SKIP) ; P)")
    >>> machine = Machine(model.spec.evaluator, model.process("P"))
    >>> lts = explore(machine)
    >>> lts.num_states, sorted(set(lts.labels))
    (10, ['a', 'b', 'c', 'τ', '✓'])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from procalg.lts import TAU, TICK
from procalg.semantics.inputs import pattern_names
from procalg.semantics.linear_host import Moves
from procalg.semantics.linear_let import event_set_closure
from procalg.semantics.linear_operators import OperatorMoves
from procalg.semantics.processes import link_pairs, link_renamings
from procalg.syntax import ast
from procalg.terms.renaming import PairRenaming
from procalg.terms.saga import THROW_EVENT

if TYPE_CHECKING:
    from procalg.semantics.evaluate import Env
    from procalg.semantics.locations import Compiler, Location

SYNC, ALPHA, LINK = 0, 1, 2
"""How a parallel location's operands meet: on a set (``|||`` and ``[| A |]``), on
their alphabets' intersection (``[A || B]``), through links (``[a <-> b]``)."""


def _no_events(env: Env) -> frozenset[Any]:
    """``|||``'s synchronisation set."""
    return frozenset()


RUN_EVENTS = 128
"""Events a channel may have for a run's compiled machine to step a parallel
(``locations.Compiler`` with ``partial``): the machine makes all the targets of a
state's inputs at once, where the term path (``runtime.nested_inputs``) makes only the
taken label's; a run of ``(s?x -> … [] t?y -> …) ||| c?z -> …`` over ``{0..999}`` stays
on the terms (3,000 targets a state), ``Account(0) [| {| deposit |} |] Clerk(0)`` over
``{1..5}`` steps here (a new state costs its few moves, no term rules)."""


def narrow_channels(ev: Any) -> bool:
    """Whether every channel of the model has at most :data:`RUN_EVENTS` events (one
    over a type that cannot be counted, ``Int``, has not). O(channels × fields).

    Example:
        >>> from procalg.api.model import loads
        >>> narrow_channels(loads("channel c : {0..9}.{0..9}").spec.evaluator)
        True
        >>> narrow_channels(loads("channel c : {0..999}").spec.evaluator)
        False
    """
    from procalg.semantics.infinite import Infinite

    for columns in ev.types.channels.values():
        count = 1
        for column in columns:
            if isinstance(column, Infinite):
                return False
            count *= len(column)
            if count > RUN_EVENTS:
                return False
    return True


def compile_parallel(compiler: Compiler, expr: ast.Node, scope: frozenset[str]) -> Location:
    """The location of a parallel ``expr`` (binary: ``(how, P, Q, sets ...)``;
    replicated: ``(how, generators, body, set)``; a replicated ``[+ A +]``:
    ``(generators, body, A)``).

    Example:
        >>> from procalg.api.model import loads
        >>> from procalg.semantics.locations import AT_PARALLEL, Compiler
        >>> compiler = Compiler(loads("channel a\\nP = a -> P [| {a} |] P").spec.evaluator)
        >>> ((_, body),) = compiler.definition("P")
        >>> body.kind == AT_PARALLEL, body.parts[0] == SYNC
        (True, True)
        >>> from procalg.semantics.locations import AT_REPLICATED_SYNC_CHOICE
        >>> text = "channel a, tock\\nP(n) = [+ {tock} +] i : {0..n} @ (a -> P(i))"
        >>> ((_, body),) = Compiler(loads(text).spec.evaluator).definition("P")
        >>> body.kind == AT_REPLICATED_SYNC_CHOICE
        True
    """
    from procalg.semantics.locations import (
        AT_PARALLEL,
        AT_REPLICATED_PARALLEL,
        AT_REPLICATED_SYNC_CHOICE,
        Location,
        Unsupported,
    )

    node = compiler.node
    match expr:
        case ast.ProcBinary("|||", left, right):
            return Location(AT_PARALLEL, (SYNC, node(left, scope), node(right, scope),
                                          _no_events))
        case ast.GenParallel(left, sync, right):
            return Location(AT_PARALLEL, (SYNC, node(left, scope), node(right, scope),
                                          event_set_closure(compiler, sync, scope)))
        case ast.AlphaParallelExpr(left, left_alpha, right_alpha, right):
            return Location(AT_PARALLEL, (ALPHA, node(left, scope), node(right, scope),
                                          event_set_closure(compiler, left_alpha, scope),
                                          event_set_closure(compiler, right_alpha, scope)))
        case ast.LinkParallelExpr(left, links, right, qualifiers):
            return Location(AT_PARALLEL, (LINK, node(left, scope), node(right, scope),
                                          _links(compiler, links, qualifiers)))
    assert isinstance(expr, ast.Replicated)
    names = pattern_names(expr.generators)
    if compiler.locals and not names.isdisjoint(compiler.locals):
        raise Unsupported("a generator variable named as a local process")
    inner = scope | names
    body = node(expr.body, inner)
    if expr.op == "[+]":  # one set for every operand, in the outer scope
        return Location(AT_REPLICATED_SYNC_CHOICE, (
            expr.generators, body, event_set_closure(compiler, expr.sync, scope)))  # type: ignore[arg-type]
    if expr.op == "|||":
        how, sets = SYNC, _no_events
    elif expr.op == "[||]":  # one set for every operand, in the outer scope
        how, sets = SYNC, event_set_closure(compiler, expr.sync, scope)  # type: ignore[arg-type]
    elif expr.op == "||":  # an alphabet per operand, in its scope
        how, sets = ALPHA, event_set_closure(compiler, expr.alpha, inner)  # type: ignore[arg-type]
    else:  # [<->]: each operand's links with the next, in its scope
        how, sets = LINK, _links(compiler, expr.links, expr.link_qualifiers)
    return Location(AT_REPLICATED_PARALLEL, (how, expr.generators, body, sets))


def _links(compiler: Compiler, links: tuple, qualifiers: tuple) -> Callable[[Env], Any]:
    """A linked parallel's renamings and fresh events in an environment: one triple per
    distinct list of pairs in the model, kept with its renamings (a renaming state is
    keyed by its relation's identity: two sites linking alike must share it)."""
    ev = compiler.ev

    def value(env: Env) -> tuple[PairRenaming, PairRenaming, frozenset]:
        key = ("linked", link_pairs(ev, links, qualifiers, env))
        found = ev.renamings.get(key)
        if found is None:
            mine, theirs, sync = link_renamings(ev, key[1])
            found = ev.renamings[key] = (PairRenaming(mine), PairRenaming(theirs), sync)
        return found

    return value


class ParallelMoves(OperatorMoves):
    """The parallel half of :class:`~procalg.semantics.linear.Machine` (tagged states)."""

    _commons: dict[tuple[int, int], int]  # two alphabets' numbers -> their intersection's

    def _init_operators(self) -> None:
        super()._init_operators()
        self._commons = {}

    def parallel_state(self, node: Location, env: Any) -> int:
        """The state of a parallel ``node`` in ``env`` (its operands numbered)."""
        from procalg.semantics.locations import (
            AT_PARALLEL,
            AT_REPLICATED_SYNC_CHOICE,
            AT_SYNC_CHOICE,
        )

        parts = node.parts
        how = parts[0]
        if node.kind == AT_REPLICATED_SYNC_CHOICE:
            return self._sync_choices(parts, env)
        if node.kind == AT_SYNC_CHOICE:  # how: whether it is the interrupt
            return self._tagged("sync interrupt" if how else "sync choice",
                                self._set_number(parts[3](env)),
                                self._state(parts[1], env), self._state(parts[2], env))
        if node.kind == AT_PARALLEL:
            left, right = self._state(parts[1], env), self._state(parts[2], env)
            if how == SYNC:
                return self._tagged("sync", self._set_number(parts[3](env)), left, right)
            if how == ALPHA:
                return self._tagged("alpha", self._set_number(parts[3](env)),
                                    self._set_number(parts[4](env)), left, right)
            return self._linked(parts[3](env), left, right)
        scopes = list(self.ev.bindings(parts[1], env))
        if not scopes:
            return self._end("SKIP")
        states = [self._state(parts[2], scope) for scope in scopes]
        found = states[-1]
        if how == SYNC:  # P1 [| A |] (P2 [| A |] (.. Pn)), as the evaluator folds it
            number = self._set_number(parts[3](env))
            for state in reversed(states[:-1]):
                found = self._tagged("sync", number, state, found)
        elif how == ALPHA:  # P1 [A1 || A2 ∪ .. ∪ An] (P2 [A2 || ..] ..); one: P [A || {}] Ω
            alphas = [parts[3](scope) for scope in scopes]
            if len(states) == 1:
                return self._tagged("alpha", self._set_number(alphas[0]),
                                    self._set_number(frozenset()), found, self._end("Ω"))
            alpha = alphas[-1]
            for state, own in zip(reversed(states[:-1]), reversed(alphas[:-1]), strict=True):
                found = self._tagged("alpha", self._set_number(own), self._set_number(alpha),
                                     state, found)
                alpha = own | alpha
        else:  # P1 [links(1)] (P2 [links(2)] (.. Pn))
            for state, scope in zip(reversed(states[:-1]), reversed(scopes[:-1]), strict=True):
                found = self._linked(parts[3](scope), state, found)
        return found

    def _sync_choices(self, parts: tuple, env: Any) -> int:
        """``[+ A +] x : S @ P`` as the evaluator folds it: ``P1 [+ A +] (P2 [+ A +]
        (.. Pn))``, one operand state per value of S in order, ``Pn`` alone for one,
        STOP over none."""
        states = [self._state(parts[1], scope) for scope in self.ev.bindings(parts[0], env)]
        if not states:
            return self._end("STOP")
        number, found = self._set_number(parts[2](env)), states[-1]
        for state in reversed(states[:-1]):
            found = self._tagged("sync choice", number, state, found)
        return found

    def _linked(self, link: tuple[Any, Any, frozenset], left: int, right: int) -> int:
        """``(P[[mine]] [| sync |] Q[[theirs]]) \\ sync``: the link parallel's definition."""
        mine, theirs, sync = link
        number = self._set_number(sync)
        inner = self._tagged("sync", number, self.renamed(mine, left), self.renamed(theirs, right))
        return self.hidden(number, inner)

    def _fire_sync(self, number: int, left: int, right: int) -> Moves:
        return self._parallel(("sync", number), left, right, number, None, None)

    def _fire_alpha(self, left_alpha: int, right_alpha: int, left: int, right: int) -> Moves:
        pair = (left_alpha, right_alpha)
        both = self._commons.get(pair)
        if both is None:
            both = self._commons[pair] = self._set_number(self._sets[left_alpha]
                                                    & self._sets[right_alpha])
        return self._parallel(("alpha", *pair), left, right, both, left_alpha, right_alpha)

    def _parallel(self, tag: tuple, left: int, right: int, both: int,
                  left_alpha: int | None, right_alpha: int | None) -> Moves:
        """CSP's parallel rules over the operands' moves (``sos._parallel``, same order):
        ``both`` is the number of the set the sides synchronise on, the alphabets
        ``None`` for ``[| A |]`` (each side may do any event)."""
        omega, tagged, member = self._end("Ω"), self._tagged, self._member
        if left == omega and right == omega:
            return [(TICK, omega)]
        free = left_alpha is None
        right_moves = self.successors(right)
        waiting: dict[Any, list[int]] = {}
        for lab, q in right_moves:
            if not (type(lab) is str and lab in (TAU, TICK)) and member(both, lab):
                waiting.setdefault(lab, []).append(q)
        out: Moves = []
        for lab, p in self.successors(left):
            named = type(lab) is str
            if named and lab == TICK:
                out.append((TAU, tagged(*tag, omega, right)))
            elif named and lab == TAU:
                out.append((lab, tagged(*tag, p, right)))
            elif member(both, lab):
                out += [(lab, tagged(*tag, p, q)) for q in waiting.get(lab, ())]
            elif free or member(left_alpha, lab):  # type: ignore[arg-type]
                out.append((lab, tagged(*tag, p, right)))
        for lab, q in right_moves:
            named = type(lab) is str
            if named and lab == TICK:
                out.append((TAU, tagged(*tag, left, omega)))
            elif (named and lab == TAU) or (not member(both, lab) and (
                    free or member(right_alpha, lab))):  # type: ignore[arg-type]
                out.append((lab, tagged(*tag, left, q)))
        throw = self._name(THROW_EVENT)  # outside a saga a throw ends everything
        if any(lab == throw for lab, _ in out):
            thrown = self._end("THROWN")
            out = [(lab, thrown if lab == throw else target) for lab, target in out]
        return out


    def _fire_sync_choice(self, number: int, left: int, right: int) -> Moves:
        return self._synchronising("sync choice", number, left, right)

    def _fire_sync_interrupt(self, number: int, left: int, right: int) -> Moves:
        return self._synchronising("sync interrupt", number, left, right)

    def _synchronising(self, tag: str, number: int, left: int, right: int) -> Moves:
        """FDR's ``P [+ A +] Q`` and ``P /+ A +\\ Q`` (FDR manual, "Synchronising External
        Choice" and "Synchronising Interrupt"), as ``sos.synchronising`` fires the terms,
        moves in the same order: τ of either side keeps the operator; an event of A
        needs both sides and keeps it; the left's other event resolves the choice (the
        interrupt: keeps it), the left's ✓ ends it; the right's event outside A or ✓
        resolves both. Outside a saga a ``throw`` ends everything."""
        omega, tagged, member = self._end("Ω"), self._tagged, self._member
        keeps = tag == "sync interrupt"
        right_moves = self.successors(right)
        out: Moves = []
        for lab, p in self.successors(left):
            named = type(lab) is str
            if named and lab == TAU:
                out.append((TAU, tagged(tag, number, p, right)))
            elif named and lab == TICK:
                out.append((TICK, omega))
            elif member(number, lab):
                out += [(lab, tagged(tag, number, p, q)) for lab2, q in right_moves if lab2 == lab]
            else:
                out.append((lab, tagged(tag, number, p, right) if keeps else p))
        for lab, q in right_moves:
            named = type(lab) is str
            if named and lab == TAU:
                out.append((TAU, tagged(tag, number, left, q)))
            elif named and lab == TICK:
                out.append((TICK, omega))
            elif not member(number, lab):
                out.append((lab, q))
        throw = self._name(THROW_EVENT)
        if any(lab == throw for lab, _ in out):
            thrown = self._end("THROWN")
            out = [(lab, thrown if lab == throw else target) for lab, target in out]
        return out


PARALLEL_RULES = {"sync": ParallelMoves._fire_sync, "alpha": ParallelMoves._fire_alpha,
                  "sync choice": ParallelMoves._fire_sync_choice,
                  "sync interrupt": ParallelMoves._fire_sync_interrupt}
"""Each parallel state's tag -> the rule that fires it."""
