"""The leaves of a compiled network: compiled machines, the term rules, lazy or whole.

:func:`procalg.semantics.network.compile_network` walks a term's operator
tree; every subterm it does not compile as an operator is a *leaf*, which
:class:`Leaves` turns into a component LTS once per distinct term. A leaf
runs as a state machine (:mod:`procalg.semantics.linear`): a call in the
compiled fragment from its definitions, any other term from its operators
(:mod:`procalg.semantics.term_locations`); one outside the fragment (a
parallel inside) by the reference firing rules (:mod:`procalg.semantics.sos`);
a big leaf directly under parallel, hiding and renaming is lazy
(:mod:`procalg.lts.lazy`, FDR's lazily compiled leaves: Gibson-Robinson et
al., "FDR3", TACAS 2014).

Example:
    >>> from procalg.terms import Call, Event, Prefix
    >>> from procalg.semantics.sos import Rules
    >>> a = Event("a")
    >>> rules = Rules({Call("P"): Prefix(a, Call("P"))}.__getitem__)
    >>> Leaves(rules, None).lts(rules.normalise(Call("P"))).num_states
    1
"""

from __future__ import annotations

from typing import Any

import numpy as np

from procalg.lts import LTS, TICK, TICK_INDEX, explore
from procalg.lts.held import Holding, is_held
from procalg.lts.lazy import LazyComponent
from procalg.lts.leaf_choice import leaf
from procalg.lts.network import Network
from procalg.lts.numbered import numbered_leaves
from procalg.lts.partition import bfs_renumber
from procalg.semantics.growth import UnboundedGrowth
from procalg.semantics.infinite import Infinite
from procalg.semantics.leaf_channels import ChannelReach
from procalg.semantics.linear import Machine, compile_leaf
from procalg.semantics.narrowing import Narrowed, Narrowing
from procalg.semantics.partners import Demand
from procalg.semantics.processes import LINK_CHANNEL
from procalg.semantics.sos import Rules
from procalg.semantics.unfolded_bodies import UnfoldedBodies
from procalg.terms import Call, Event, Process, Rename
from procalg.terms.brief_names import brief_name, opening
from procalg.terms.compressed import Compressed
from procalg.terms.saga import STRANDED, THROW_EVENT, UNREVERTED


class Leaves:
    """Explores leaf terms once each: compiled machines where they apply, else
    the term rules (with shared firing-rule caches).

    A leaf becomes a :class:`~procalg.semantics.linear.Machine` (control
    locations × data, states interned to ints, each call's body evaluated
    only when its state is expanded): a call of a definition in the compiled
    fragment, or any term its operators translate (a prefix chain,
    ``prioritise(P) ; Q``); a leaf outside the fragment keeps the reference
    rules, and ``notes`` says which and why.

    A leaf directly under parallel, hiding and renaming may be *lazy*: past
    :data:`~procalg.lts.leaf_choice.EAGER_LIMIT` states it becomes a
    :class:`~procalg.lts.lazy.LazyComponent` that the product search expands
    only where it goes (an unbounded queue kept small by its partners); a
    smaller one is explored whole (then reduced modulo strong bisimulation
    with the network). A leaf under a control operator may be lazy too (the
    network compiler makes it return to its initial state where a recursion
    restarts it: :func:`~procalg.semantics.network_loops.returning_leaf`), and
    under a priority at the top (its moves carry the rules' rank tags), and under a
    priority scope (a priority below another operator); one in any other nested
    network is explored whole.
    """

    def __init__(self, rules: Rules, max_states: int | None,
                 alphabet: LeafAlphabet | None = None,
                 lazy_limit: int | None = None, evaluator: Any = None,
                 machines: bool = True) -> None:
        self.rules = rules
        self.machines = machines  # else every leaf by ``rules`` (they watch the unfoldings)
        self.max_states = max_states
        self.alphabet = alphabet
        self.lazy_limit = lazy_limit
        self.evaluator = evaluator
        self.done: dict[tuple[Process, bool], LTS | LazyComponent] = {}
        self.systems: dict[Process, Any] = {}
        self.why: dict[Process, str] = {}  # leaves left to the term rules, and why
        self.narrowed: set[Process] = set()  # leaves run narrowed by the term rules
        self.numberable: dict[int, tuple[LTS, str]] = {}  # lazy-able leaves explored whole
        self._bodies: UnfoldedBodies | None = None  # the rules' unfoldings, read backwards

    def lts(self, term: Process, lazy: bool = False,
            narrowing: Narrowing | None = None, demand: Demand = ()) -> LTS | LazyComponent:
        """The component for leaf ``term``: lazy only where asked and the channels it
        may reach are finite (else explored whole: its labels are the values offered).
        With ``narrowing``, a leaf whose wide input its partners bound: run by the
        term rules without the moves no partner can join (:class:`Narrowed`), which
        a lazy leaf does not declare either. A priority scope's leaf is no exception:
        whole up to :data:`~procalg.lts.leaf_choice.EAGER_LIMIT` states, lazy past it
        (explored whole up to ``max_states`` first, a 20,000-state counter under
        ``prioritisepo`` took 2.2 s, its walk among eager partners a level of one
        state at a time in numpy; lazy, ``lts/leaf_partners`` walks it in 0.2 s)."""
        listable = lazy and self.alphabet is not None and self.alphabet.listable(term)
        key = (term, listable, narrowing, demand)
        if key not in self.done and type(term) is Compressed and term.table.graph is not None:
            self.done[key] = compressed_leaf(term.table.graph, term.state)
        if key not in self.done:
            if narrowing is None:
                system = self.system(term)
            else:  # its machine, if any, runs the leaf where no partner narrows it
                system = Narrowed(self.rules, term, narrowing, demand)
                self.narrowed.add(term)
            # a model error waits in its state for the search (a priority leaf's too:
            # the terms' prioritise table holds it in its row, semantics/priority.py)
            system = Holding(system, (UnboundedGrowth,), self.evaluator)
            if listable:  # its alphabet read once the whole walk stopped: its sagas' labels
                made = self.done[key] = leaf(system, _Later(self.alphabet, term, narrowing),
                                             max_states=self.lazy_limit, name=leaf_name(term))
                if isinstance(made, LTS):  # may be numbered as reached, once the network is built
                    self.numberable[id(made)] = (made, leaf_name(term))
            else:
                self.done[key] = explore(system, max_states=self.max_states)
        return self.done[key]

    def numbered(self, net: Network) -> Network:
        """``net`` with its leaves explored whole where they could have been lazy
        numbered as the product reaches them (:mod:`procalg.lts.numbered`)."""
        return numbered_leaves(net, self.numberable)

    def system(self, term: Process) -> Any:
        """The leaf's transition system: its compiled machine, or the term rules."""
        found = self.systems.get(term)
        if found is None:
            made = self._machine(term)
            if isinstance(made, str):
                self.why[term] = made
                made = _TermLeaf(self.rules, term)
            found = self.systems[term] = made
        return found

    def _machine(self, term: Process) -> Machine | str:
        if self.evaluator is None:
            return "no model to compile from"
        if not self.machines:
            return "the process may reach a recursion that nests without bound"
        renamings, inner = [], term
        while type(inner) is Rename and self.call(inner) is None:  # a renamed call
            renamings.append(inner.relation)
            inner = inner.process
        call = self.call(inner)
        if call is None:  # any other term: its operators translated (term_locations)
            return compile_leaf(self.evaluator, term, rules=self.rules)
        return compile_leaf(self.evaluator, call, tuple(reversed(renamings)), self.rules)

    def call(self, term: Process) -> Call | None:
        """A call whose normalised unfolding is ``term`` (leaves are normalised)."""
        if type(term) is Call:
            return term
        if self._bodies is None or self._bodies.unfolded is not self.rules.unfolded:
            self._bodies = UnfoldedBodies(self.rules.unfolded)
        return self._bodies.call_of(term)

    def notes(self) -> list[str]:
        """Which leaves run as compiled machines, and why the others do not."""
        total = len(self.systems.keys() | self.narrowed)
        if not total:
            return []
        machines = len(self.systems) - len(self.why)
        out = [f"leaves compiled to state machines: {machines} of {total}"]
        for term, system in self.systems.items():  # linear_vector: frontiers as columns
            if isinstance(system, Machine):
                vector = system.vector()
                count = 0 if vector is None else vector.vectorised
                out.append(f"leaf {opening(term, 40)}: {count} of "
                           f"{len(system.compiler.bodies)} definitions expanded as columns")
        out += [f"leaf {opening(t, 40)} by the term rules: {why}"
                for t, why in self.why.items()]
        out += [f"leaf {opening(t, 40)} by the term rules: a wide input, asked "
                "only for its partners' events" for t in self.narrowed]
        return out


class _TermLeaf:
    """A leaf term explored by the reference firing rules."""

    def __init__(self, rules: Rules, term: Process) -> None:
        self.rules, self.term = rules, term

    def initial_state(self) -> Process:
        return self.term

    def successors(self, state: Process) -> Any:
        return self.rules.transitions(state)


def compressed_leaf(graph: LTS, state: int) -> LTS:
    """A compressed process's LTS started in ``state``, as the term rules explore it:
    reachable states only, and ✓ into one dead state (Ω) of its own.

    Example:
        >>> graph = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "✓", 1)])
        >>> list(compressed_leaf(graph, 0).triples())
        [(0, 'a', 1), (1, '✓', 2)]
    """
    omega = graph.num_states
    dst = np.where(graph.label == TICK_INDEX, omega, graph.dst)
    return bfs_renumber(LTS.from_arrays(omega + 1, state, graph.labels, graph.src,
                                        graph.label, dst, hidden=graph.hidden))


class _Later:
    """An alphabet listed when iterated: after :func:`~procalg.lts.leaf_choice.leaf`'s
    whole walk, so the saga labels that walk met are declared."""

    def __init__(self, alphabet: LeafAlphabet, term: Process,
                 narrowing: Narrowing | None = None) -> None:
        self.alphabet, self.term, self.narrowing = alphabet, term, narrowing

    def __iter__(self) -> Any:
        names, narrowing = self.alphabet.declared(self.term) or (), self.narrowing
        return iter(names if narrowing is None else [a for a in names if a not in narrowing])


def model_alphabet(spec_or_unfold: Any) -> LeafAlphabet | None:
    """Every event a leaf of this model can do (✓ included), computed on first use,
    with the saga labels met so far (``stranded.s``, ``unreverted.s``, ``throw``:
    ``Evaluator.saga_labels``, recorded where a saga's steps are made and by :func:`learn`).

    ``None`` (leaves always whole) without a loaded model's channels. A channel
    whose field type is infinite (``channel out : Int``) cannot be listed, and a
    lazy leaf must declare its labels before it is explored: the function gives
    ``None`` for a leaf term that may reach such a channel
    (:class:`~procalg.semantics.leaf_channels.ChannelReach`; then the leaf is
    explored whole, its labels exactly the values its process offers, as in the
    term rules), and for no term at all; any other leaf declares the events of the
    finite channels (:meth:`LeafAlphabet.declared`: only those it may reach).

    Example:
        >>> from procalg.api.model import loads
        >>> spec = loads("channel a\\nchannel log : Int\\nP = a -> P\\nL = log!1 -> L").spec
        >>> alphabet = model_alphabet(spec)
        >>> sorted(alphabet(spec.process("P"))), alphabet(spec.process("L")), alphabet()
        (['a', '✓'], None, None)
    """
    if not hasattr(type(spec_or_unfold), "events"):  # the class: the property lists events
        return None
    return LeafAlphabet(spec_or_unfold)


class LeafAlphabet:
    """The events a leaf of one loaded model may declare (:func:`model_alphabet`).

    Calling it asks whether a leaf can be lazy (the model's finite events, or
    ``None``); :meth:`declared` is what a lazy leaf declares: the events of the
    channels it may reach only. A leaf's rules are made per declared label, so a
    leaf that never uses a 2,000-event channel made 2,000 rules for nothing (the
    falls rows at N=3,000: a third of the check's CPU). Declaring fewer is exact:
    a synchronised event a side does not declare has no joint rule
    (:func:`procalg.lts.network.parallel`), as the side never offers it; and one it
    does perform undeclared is an ``AlphabetError``, never a silent move.

    Args:
        spec: the loaded model (its channels, evaluator and input sites).
    """

    def __init__(self, spec: Any) -> None:
        self.spec = spec
        self.learned = getattr(getattr(spec, "evaluator", None), "saga_labels", set())
        self._infinite: frozenset[str] | None = None
        self._reach: ChannelReach | None = None
        self._listed: dict[frozenset[str] | None, frozenset[str]] = {}

    def __call__(self, term: Process | None = None) -> frozenset[str] | None:
        """The model's events a leaf ``term`` may declare (``None``: it reaches an
        infinite channel, or no term is given in a model with one)."""
        return self._events(None) if self.listable(term) else None

    def listable(self, term: Process | None) -> bool:
        """Whether leaf ``term`` may be lazy: it reaches no infinite channel (only a
        leaf that never reaches one declares its events; no term: none does)."""
        infinite = self.infinite()
        if not infinite:
            return True
        reached = None if term is None else self.reached(term)
        return reached is not None and not reached & infinite

    def declared(self, term: Process) -> frozenset[str] | None:
        """The events lazy leaf ``term`` declares: those of the finite channels it may
        reach (all of them where the reach is not known), ✓, the links, the sagas'."""
        if not self.listable(term):
            return None
        reached = self.reached(term)
        return self._events(None if reached is None else reached - self.infinite())

    def infinite(self) -> frozenset[str]:
        """The model's channels with a field of infinite type."""
        if self._infinite is None:
            channels = getattr(self.spec, "channels", {})
            self._infinite = frozenset(n for n, fields in channels.items()
                                       if any(isinstance(t, Infinite) for t in fields))
        return self._infinite

    def reached(self, term: Process) -> frozenset[str] | None:
        """The channels ``term`` may reach (:class:`ChannelReach`), or ``None``."""
        if not hasattr(self.spec, "channel_decls"):  # no loaded model's text: not known
            return None
        if self._reach is None:
            self._reach = ChannelReach(self.spec)
        return self._reach.of(term)

    def _events(self, channels: frozenset[str] | None) -> frozenset[str]:
        found = self._listed.get(channels)
        if found is None:
            found = self._listed[channels] = _listed(self.spec, self.infinite(), channels)
        return found | self.learned if self.learned else found


def _listed(spec: Any, infinite: frozenset[str],
            channels: frozenset[str] | None = None) -> frozenset[str]:
    """The events of the model's channels (or of ``channels``) but ``infinite``, with
    ✓ and the link events."""
    # a leaf holding a linked parallel (a recursive one, as FDR's sieve) performs
    # its fresh link events: those of the widest linked parallel met so far
    links = getattr(getattr(spec, "evaluator", None), "link_events", 0)
    names = getattr(spec, "event_names", None)  # printed in bulk
    finite = sorted(channels) if channels is not None else \
        None if not infinite else [n for n in spec.channels if n not in infinite]
    return ((names(finite) if names is not None else
             frozenset(str(e) for e in spec.events)) | {TICK}
            | {str(Event(LINK_CHANNEL, (i,))) for i in range(links)})


def learn(spec: Any, label: str) -> bool:
    """Record ``label``, performed by a lazy leaf outside its declared alphabet, if it
    is a saga's (``throw``, ``stranded.s``, ``unreverted.s``: events no model names);
    whether a network compiled again declares it.

    Example:
        >>> from procalg.api.model import loads
        >>> spec = loads("channel a\\nP = a -> P").spec
        >>> learn(spec, "stranded.a"), "stranded.a" in model_alphabet(spec)(), learn(spec, "b")
        (True, True, False)
    """
    labels = getattr(getattr(spec, "evaluator", None), "saga_labels", None)
    saga = label == str(THROW_EVENT) or label.startswith((f"{STRANDED}.", f"{UNREVERTED}."))
    if labels is None or not (saga or is_held(label)):  # or a model error it met
        return False
    labels.add(label)
    return True


def leaf_name(term: Process) -> str:
    """A leaf's name: ``term`` as written (40 characters) while its event sets are small.

    Example:
        >>> from procalg.terms import STOP, Hide
        >>> leaf_name(Hide(STOP, frozenset(Event("c", (i,)) for i in range(100))))
        'Hide(…)'
    """
    return brief_name(term, width=40)
