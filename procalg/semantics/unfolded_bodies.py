"""The call whose unfolding a term is: the term rules' unfoldings read backwards.

:class:`~procalg.semantics.sos.Rules` keeps ``unfolded`` (call → its normalised
body), only ever added to or cleared. A leaf (:mod:`procalg.semantics.leaves`)
or a subterm being translated (:mod:`procalg.semantics.term_locations`) that is
such a body runs as its call. The reverse map is read incrementally, new
entries from the end: rebuilding it per look-up once two calls shared a body
cost PHILS(1000) of 1,000 nested compressions 12 s, and skipping the known
entries from the start cost O(known) a look-up.

Example:
    >>> from procalg.terms import Call, Event, Prefix, Stop
    >>> unfolded = {Call("P"): Prefix(Event("a"), Stop())}
    >>> UnfoldedBodies(unfolded).call_of(Prefix(Event("a"), Stop()))
    Call(name='P', args=())
"""

from __future__ import annotations

from itertools import islice

from procalg.terms import Call, Process


class UnfoldedBodies:
    """The reverse of a rules' ``unfolded`` map (a body's last call wins)."""

    def __init__(self, unfolded: dict[Call, Process]) -> None:
        self.unfolded = unfolded
        self._calls: dict[Process, Call] = {}
        self._known = 0

    def call_of(self, term: Process) -> Call | None:
        """A call whose normalised unfolding is ``term``, if one was unfolded."""
        unfolded = self.unfolded
        if len(unfolded) < self._known:  # cleared (settle_counters): read it again
            self._calls, self._known = {}, 0
        if len(unfolded) > self._known:  # only added to: read the new unfoldings alone
            new = list(islice(reversed(unfolded.items()), len(unfolded) - self._known))
            for call, body in reversed(new):  # in insertion order: the last call wins
                self._calls[body] = call
            self._known = len(unfolded)
        return self._calls.get(term)
