"""Replaying a symbolic counterexample on the reference rules (``semantics/sos.py``).

The symbolic engine reads the model's syntax with its own translation; the
term-level rules are the meaning. Before a trace found by z3 is reported,
it is walked on the term-level system: each visible event must be possible
after some τ steps, and a deadlock must end in a stuck state that has not
terminated. An input over ``Int`` offers, during the replay, exactly the
integers the trace carries (:data:`procalg.semantics.channels.REPLAY_VALUES`),
so the walk is finite. A trace that does not replay is a bug in the
symbolic engine, reported as such — never as a verdict.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.syntax import parse_expr
    >>> spec = loads("channel c : Int\\nP = c?x -> (x > 5 & P)").spec
    >>> replay(spec, parse_expr("P"), ("c.9", "c.7"))
    >>> try:
    ...     replay(spec, parse_expr("P"), ("c.3", "c.7"))
    ... except ReplayError as err:
    ...     print(err.message.split(":")[1])
     c.7 (step 2) is not possible after c.3
"""

from __future__ import annotations

import contextlib
from typing import Any

from procalg.errors import ProcalgError
from procalg.semantics.channels import REPLAY_VALUES
from procalg.syntax import ast
from procalg.terms import OMEGA

CLOSURE_LIMIT = 100_000
"""States a τ-closure may visit during a replay (a τ-loop must not hang it)."""


class ReplayError(ProcalgError):
    """A symbolic counterexample the reference rules cannot follow (an engine bug)."""


def replay(spec: Any, process: ast.Node, trace: tuple[str, ...], *,
           deadlock: bool = False) -> None:
    """Walk ``trace`` (τ and ✓ included or not) on the reference rules.

    Raises:
        ReplayError: an event is not possible there, or the end is not a deadlock.
    """
    from procalg.semantics.spec import load

    fresh = load(spec.module, spec.source)  # memo tables filled with the replay's integers
    REPLAY_VALUES.append(frozenset(_integers(trace)))
    try:
        system = fresh.system(fresh.process(process))
        states = {system.initial_state()}
        for number, label in enumerate(trace):
            if label == "τ":
                continue
            states = {dst for src in _closure(system, states)
                      for lab, dst in system.successors(src) if _name(lab) == label}
            if not states:
                raise ReplayError(
                    f"the symbolic counterexample does not replay on the reference rules: "
                    f"{label} (step {number + 1}) is not possible after "
                    f"{', '.join(t for t in trace[:number] if t != 'τ') or 'the start'}",
                    hint="this is a bug in the symbolic engine; --engine reference may answer")
        if deadlock and not any(not system.successors(s) and s != OMEGA
                                for s in _closure(system, states)):
            raise ReplayError("the symbolic deadlock does not replay: the reference rules "
                              "can move on after this trace",
                              hint="this is a bug in the symbolic engine")
    finally:
        REPLAY_VALUES.pop()


def _closure(system: Any, states: set) -> set:
    seen, todo = set(states), list(states)
    while todo:
        for label, dst in system.successors(todo.pop()):
            if _name(label) == "τ" and dst not in seen:
                seen.add(dst)
                todo.append(dst)
                if len(seen) > CLOSURE_LIMIT:
                    raise ReplayError("the replay's τ-closure grew beyond "
                                      f"{CLOSURE_LIMIT:,} states")
    return seen


def _name(label: Any) -> str:
    return str(label)


def _integers(trace: tuple[str, ...]) -> set[int]:
    """Every integer a trace's events carry (the fields of ``c.3.-4``)."""
    found = set()
    for label in trace:
        for part in label.split(".")[1:]:
            with contextlib.suppress(ValueError):
                found.add(int(part))
    return found


__all__ = ["ReplayError", "replay"]
