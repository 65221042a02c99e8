"""Laws of process terms: structural equality, hashing, and printing that reads back.

Terms are compared and hashed for every transition the engines explore, and
printed in every counterexample, so these laws guard all of them: equal
structure means equal and same hash; printing a term and reading the text as
a ``.proc`` model gives the same term back (the printer parenthesises by the
grammar's precedences), up to the grouping of ``;`` chains, which the builder
groups to the right (``;`` is associative).
"""

from __future__ import annotations

from dataclasses import fields

from hypothesis import given, settings
from hypothesis import strategies as st

from procalg.api.model import loads
from procalg.terms import (
    SKIP,
    STOP,
    AlphaParallel,
    Event,
    ExternalChoice,
    Hide,
    InternalChoice,
    Interrupt,
    Parallel,
    Prefix,
    Process,
    Seq,
    Timeout,
)

EVENTS = [Event("a"), Event("b"), Event("c", (1,)), Event("c", (2,))]
event_sets = st.frozensets(st.sampled_from(EVENTS), max_size=3)
BINARY = [ExternalChoice, InternalChoice, Seq, Timeout, Interrupt]


def _extend(children: st.SearchStrategy[Process]) -> st.SearchStrategy[Process]:
    return st.one_of(
        st.builds(Prefix, st.sampled_from(EVENTS), children),
        st.builds(lambda op, p, q: op(p, q), st.sampled_from(BINARY), children, children),
        st.builds(Parallel, children, children, event_sets),
        st.builds(AlphaParallel, children, children, event_sets, event_sets),
        st.builds(Hide, children, event_sets.filter(bool)),
    )


terms = st.recursive(st.sampled_from([STOP, SKIP]), _extend, max_leaves=8)


def rebuilt(term: Process) -> Process:
    """``term`` with every node constructed afresh (no shared objects)."""
    values = [getattr(term, f.name) for f in fields(term) if f.init]
    return type(term)(*(rebuilt(v) if isinstance(v, Process) else v for v in values))


@settings(max_examples=150, deadline=None)
@given(terms)
def test_a_term_rebuilt_node_by_node_is_equal_and_hashes_alike(term: Process) -> None:
    copy = rebuilt(term)
    assert copy == term and hash(copy) == hash(term) and str(copy) == str(term)


@settings(max_examples=150, deadline=None)
@given(terms, terms)
def test_terms_that_print_differently_are_different_terms(p: Process, q: Process) -> None:
    if str(p) != str(q):
        assert p != q and {p, q} == {q, p} and len({p, q}) == 2


def right_grouped(term: Process) -> Process:
    """``term`` with every ``;`` chain grouped to the right, as the builder groups it."""
    if isinstance(term, Seq):
        parts, todo = [], [term]
        while todo:
            node = todo.pop()
            if isinstance(node, Seq):
                todo += [node.second, node.first]
            else:
                parts.append(right_grouped(node))
        chain = parts[-1]
        for part in reversed(parts[:-1]):
            chain = Seq(part, chain)
        return chain
    values = [getattr(term, f.name) for f in fields(term) if f.init]
    return type(term)(*(right_grouped(v) if isinstance(v, Process) else v for v in values))


def test_right_grouping_regroups_a_left_chain_and_keeps_other_nodes() -> None:
    left = Seq(Seq(STOP, Prefix(Event("a"), SKIP)), Hide(Seq(Seq(SKIP, SKIP), STOP), frozenset()))
    inner = Hide(Seq(SKIP, Seq(SKIP, STOP)), frozenset())
    assert right_grouped(left) == Seq(STOP, Seq(Prefix(Event("a"), SKIP), inner))


@settings(max_examples=100, deadline=None)
@given(terms)
def test_a_printed_term_reads_back_as_the_same_term(term: Process) -> None:
    model = loads(f"channel a, b\nchannel c : {{1, 2}}\nP = {term}\n")
    assert model.spec.unfold(model.process("P")) == right_grouped(term)


def test_a_hundred_thousand_deep_term_prints_on_a_plain_thread() -> None:
    import threading

    from procalg.terms import SKIP, Event, ExternalChoice, Prefix, show_process

    term = SKIP
    for i in reversed(range(100_000)):
        term = Prefix(Event("a", (i,)), term)
    term = ExternalChoice(term, Prefix(Event("b"), SKIP))
    out: list[str] = []
    thread = threading.Thread(target=lambda: out.extend([str(term), show_process(term, 12)]))
    thread.start()
    thread.join()
    text, cut = out
    assert text.startswith("a.0 -> a.1 -> ") and text.endswith("a.99999 -> SKIP [] b -> SKIP")
    assert text.count("->") == 100_001 and cut == "a.0 -> a.1 -..."
