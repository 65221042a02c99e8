"""Process transformations of CSPM: the compressions (``sbisim(P)`` & co.) and
priority (``prioritise``, ``prioritisepo``, ``chase``), as a mixin of
:class:`procalg.semantics.evaluate.Evaluator`.

Each explores its process to an explicit table (``compress.py``,
``priority.py``), memoised by its arguments: equal calls give equal terms, so
the states of the process that uses them stay equal.

Example:
    >>> from procalg.api import loads
    >>> model = loads("channel a\\nP = a -> a -> P\\nQ = sbisim(P)")
    >>> model.lts("Q").num_states
    1
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

from procalg.errors import LimitExceeded, ModelError, ProcalgError
from procalg.source import Span
from procalg.terms import Call, Process

MAX_NESTING = 10_000
"""Compressions in progress inside one another before a model is called unending.

A compression of a process is itself a process (``kinds.is_process``), computed
when first unfolded: ``L(n) = sbisim(a -> L(n+1))`` explores ``L(1)``, whose
unfolding compresses ``a -> L(2)``, and so on without end. Generated models nest
a compression per layer of their architecture (RoboChart: about ten), and FDR's
dining philosophers of powers of two a thousand ``normal`` calls; the stack's
end (a ``RecursionError``) may come first, and gives the same error."""

LOOK = 2_000
"""Subterms looked through for a part a lossless compression gave up on
(:meth:`Transformations._holds_over_budget`) before compressing anyway."""

_PRIORITY_CALLS = {1: "call it as {}(P)", 2: "call it as prioritise(P, <{{}}, {{tock}}>)",
                   3: "call it as trace_watchdog(P, A, bark)",
                   4: "call it as prioritisepo(P, A, {{(a, b)}}, M): a pre-empts b"}
_ARITY = {"prioritisepo": 4, "trace_watchdog": 3, "prioritise": 2, "prioritise_nocache": 2}


class Transformations:
    """The transformation methods of the evaluator (``self.unfold`` and the memo
    ``self.compressions`` come from :class:`~procalg.semantics.evaluate.Evaluator`)."""

    unfold: Any
    compressions: dict[tuple[Any, ...], Any]

    def compressed(self, name: str, term: Any, span: Span | None) -> Any:
        """``name(term)`` for a compression function, memoised (equal calls, equal states).

        A lossless compression that gave up on its budget (``compress.LOSSLESS``)
        leaves ``term`` marked: ``dbisim(sbisim(X))`` then explores ``X`` once, not
        twice (the outer one is ``X`` as well, at once).

        Raises:
            ModelError: more than :data:`MAX_NESTING` compressions run inside one
                another (a recursion through a compression that never ends).
        """
        key = (name, term)
        if key in self.compressions:
            found = self.compressions[key]
            if isinstance(found, _Failed):  # every assertion on the process meets it
                raise found.error
            return self._unless_given_up(found)
        from procalg.semantics import compress  # numpy and the LTS algorithms, on demand

        if name in compress.LOSSLESS and self._holds_over_budget(term):
            self._give_up(term)
            self.compressions[key] = term
            return self._unless_given_up(term)
        nesting: list[Any] = self.__dict__.setdefault("_compressing", [])
        names: list[str] = self.__dict__.setdefault("_compressing_names", [])
        if len(nesting) >= MAX_NESTING or self.__dict__.get("_unending"):
            # kept: an engine that falls back to another on an error must not retry
            self.__dict__.setdefault("_unending", _unending(nesting, span))
            raise self.__dict__["_unending"]
        busy: set[tuple[str, Any]] = self.__dict__.setdefault("_compressing_keys", set())
        if key in busy:  # met again inside its own exploration: the same again, without end
            raise _own_argument(name, term, span)
        nesting.append(term)
        names.append(name)
        busy.add(key)
        try:
            result = compress.compress(name, term, self.unfold, span, evaluator=self)
        except RecursionError:
            self.__dict__.setdefault("_unending", _unending(nesting, span))
            raise self.__dict__["_unending"] from None
        except LimitExceeded:  # a part given up on (_unless_given_up): for the caller
            raise
        except ProcalgError as err:  # a model error met exploring: kept, not met again
            self.compressions[key] = _Failed(err)
            raise
        finally:
            nesting.pop()
            names.pop()
            busy.discard(key)
        if result is term:  # over the budget: the argument stands for itself
            self._give_up(term)
        self.compressions[key] = result
        return self._unless_given_up(result)

    def _give_up(self, term: Any) -> None:
        """Marks ``term`` as a process a lossless compression gave up on."""
        self.__dict__.setdefault("_over_budget", set()).add(term)

    def _unless_given_up(self, result: Any) -> Any:
        """``result``; but a process a lossless compression gave up on, met while
        a lossless compression explores around it, makes that one give up too.

        Raises:
            LimitExceeded: ``result`` was given up on and the innermost
                compression in progress is lossless
                (:func:`procalg.semantics.compress.compress` catches it and
                returns its own argument, which gives up on the next one out
                the same way, up to a lossy one: ``diamond`` or ``normal``
                explore on). Their operands hold this part, so they are over
                the budget as well but in one case (:meth:`_holds_over_budget`);
                each level of the RoboChart nesting explored 20,000 states
                before giving up (issue 9).
        """
        names = self.__dict__.get("_compressing_names")
        if names and result in self.__dict__.get("_over_budget", ()):
            from procalg.semantics.compress import LOSSLESS

            if names[-1] in LOSSLESS:
                raise LimitExceeded("a part of the operand is over the compression budget")
        return result

    def _holds_over_budget(self, term: Any) -> bool:
        """Whether a process a lossless compression gave up on lies in ``term`` (calls
        unfolded, :data:`LOOK` subterms at most, breadth first).

        Such a ``term`` has more states than the budget too, nearly always: a
        part over the budget beside partners that keep it small is the one case
        (RoboChart's nodes beside their state machine's memory), and then the
        engines that explore the whole process meet the same states. Giving up
        at once saves exploring the budget again at every level of the nesting
        (``IteratedStateful``: ten levels, each 20,000 states by the term rules).
        """
        marked = self.__dict__.get("_over_budget")
        if not marked:
            return False
        queue, seen = [term], {term}
        for item in queue:
            if item in marked:
                return True
            if len(queue) > LOOK:
                return False
            if type(item) is Call:
                try:
                    inner = [self.unfold(item)]
                except LimitExceeded:  # a part given up on, met inside (_unless_given_up)
                    return True
                except (ProcalgError, RecursionError):
                    continue
            else:
                inner = _operands(item)
            for op in inner:
                if op not in seen:
                    seen.add(op)
                    queue.append(op)
        return False

    def prioritised(self, name: str, args: list[Any], span: Span | None) -> Any:
        """``prioritise(P, <A1, ..., An>)``, ``prioritisepo(P, A, R, M)``, ``chase(P)`` or
        ``trace_watchdog(P, A, bark)``, memoised like the compressions."""
        from procalg.semantics import priority, watchdog

        arity = _ARITY.get(name, 1)
        if len(args) != arity:
            raise ModelError(f"{name} takes {arity} argument{'s' * (arity > 1)}, got "
                             f"{len(args)}", span, hint=_PRIORITY_CALLS[arity].format(name))
        key = (name, *args)
        if key not in self.compressions:
            self.compressions[key] = (
                priority.prioritise_po(*args, self.unfold, span, self) if arity == 4
                else watchdog.trace_watchdog(*args, self.unfold, span) if arity == 3
                else priority.prioritise(args[0], args[1], self.unfold, span, self) if arity == 2
                else priority.chase(args[0], self.unfold, span, self))
        return self.compressions[key]


class _Failed:
    """A compression whose exploration raised ``error`` (memoised like a result:
    each assertion on a RoboChart machine explored to its first bad output)."""

    def __init__(self, error: ProcalgError) -> None:
        self.error = error


def _operands(term: Any) -> list[Any]:
    """The processes a term is built from (its fields that are processes, or tuples of them)."""
    if not is_dataclass(term):
        return []
    found = []
    for f in fields(term):
        value = getattr(term, f.name)
        if isinstance(value, Process):
            found.append(value)
        elif type(value) is tuple:
            found.extend(v for v in value if isinstance(v, Process))
    return found


def _unending(nesting: list[Any], span: Span | None) -> ModelError:
    """The error for compressions nested without end, naming the process that recurs."""
    names = [_first_call(term) for term in nesting[-3:]]
    name = next((n for n in reversed(names) if n), "?")
    return ModelError(f"recursion too deep in function {name}: compressions nested "
                      f"{len(nesting)} deep", span,
                      hint="does it reach its base case? each call compresses its own argument")


def _own_argument(name: str, term: Any, span: Span | None) -> ModelError:
    """The error for a compression met again while its own argument is explored
    (``P = normal(P)``): exploring it would start the same exploration again,
    without end (10,000 nested compressions and 13 CPU s before, then this error's
    :func:`_unending`)."""
    called = _first_call(term) or "its argument"
    return ModelError(f"{name}({called}) is part of its own argument: exploring {called} "
                      f"meets {name}({called}) again", span,
                      hint="a recursion through a compression has no end: compress a part "
                           "that does not call back, or compress outside the recursion")


def _first_call(term: Any) -> str | None:
    """The name of the first process call inside ``term`` (breadth first), if any."""
    queue = [term]
    for item in queue:
        if isinstance(item, Call):
            return item.name.split("#")[0]
        if is_dataclass(item):
            queue.extend(getattr(item, f.name) for f in fields(item) if f.name != "_hash")
        elif isinstance(item, tuple | frozenset):
            queue.extend(item)
        if len(queue) > 1000:
            break
    return None
