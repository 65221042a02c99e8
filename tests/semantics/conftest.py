"""Shared fixtures for the semantics tests: a term's LTS by the reference rules."""

from __future__ import annotations

from collections.abc import Callable

from procalg.lts import LTS, explore
from procalg.semantics.system import TermSystem
from procalg.terms import Call, Process


def term_lts(term: Process, bodies: dict[Call, Process] | None = None,
             state_name: Callable[[Process], str] | None = None) -> LTS:
    """The LTS of ``term`` under the term-level firing rules (the oracle).

    Args:
        term: the initial process.
        bodies: the bodies of the calls ``term`` makes, if any.
        state_name: names states (e.g. ``str``) for tests that compare by name.
    """
    unfold = bodies.__getitem__ if bodies is not None else None
    return explore(TermSystem(term, unfold), state_name=state_name)
