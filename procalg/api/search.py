"""Choosing the exploration engine for deadlock, divergence, reachability,
``has trace`` and ``compensation complete``.

Each property is defined once, in its module of ``procalg.checks``
(``deadlock.py``, ``divergence.py``, ``reachability.py``, ``traces.py``,
``compensation.py``), for two engines
that give the same :class:`~procalg.checks.result.CheckResult`; this module
only chooses between them and says why in the stats:

* the *product engine* (``check_*_product``): the process is split into its
  parallel network (``procalg.semantics.network``), each leaf explored once
  and reduced modulo strong bisimulation, and the product searched
  breadth-first in bulk on packed integer states (``procalg.lts.product``);
* the *reference engine* (``check_*``): the term-level firing rules explored
  state by state.

``engine="auto"`` uses the product engine whenever the process has a
parallel network in its operator structure (any operators above it become
control components), and says why not otherwise; both stop at the
first counterexample, and both give a shortest one (partial-order reduction,
off by default, gives up that guarantee and says so). Strong bisimulation
preserves deadlocks, τ-cycles, reachable events and the length of every
path, so reduced components change state counts but never verdicts or
counterexample lengths.

Example:
    >>> from procalg.api.model import loads
    >>> model = loads("channel a, b\\nP = a -> STOP ||| b -> STOP")
    >>> result = deadlock(model, "P", SearchOptions())
    >>> result.passed, len(result.counterexample.trace), result.stats.extra["engine"]
    (False, 2, 'product')
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from procalg.api.model import Model
from procalg.api.vocabulary import CheckEngine
from procalg.checks.deadlock import check_deadlock, check_deadlock_product
from procalg.checks.result import CheckResult, RefinementModel, Stats
from procalg.errors import LimitExceeded, ProcalgError
from procalg.lts import LTS
from procalg.lts.held import HeldOrder, held_error, is_held
from procalg.lts.lazy import AlphabetError
from procalg.lts.network import Network
from procalg.lts.product import Limits, Progress, explore_product, searcher
from procalg.reserved import CANCEL
from procalg.semantics.deep import run_deep
from procalg.semantics.growth_reached import NestingMet
from procalg.semantics.leaves import learn
from procalg.semantics.network import NotApplicable
from procalg.terms.saga import THROW_EVENT

if TYPE_CHECKING:
    from procalg.lts.census import Census

LEAF_LIMIT = 50_000
"""Largest leaf the product engine explores before falling back (an
unbounded leaf, kept finite only by its partners, is the usual cause)."""


@dataclass(frozen=True)
class SearchOptions:
    """How to explore: engine, limits, reductions, progress reporting.

    Attributes:
        engine: a :class:`CheckEngine` (a name is parsed where it is read: ``CheckEngine.parse``).
        max_states: every engine stops beyond this many states (``None``: no limit).
        reference_max_states: a tighter limit for the term-level engine alone
            (``None``: none). It keeps whole terms per state, while the product
            engine stores a state in 8 to 10 bytes: the CLI's default limit
            is this one, so the product engine runs free.
        max_memory: product engine: stop beyond this many bytes of search arrays.
        reduce: reduce components modulo strong bisimulation before composing.
        por: partial-order reduction for deadlock (counterexamples may not be shortest).
        progress: called per BFS level by the product engine.
        bmc_depth: symbolic engine: the deepest bounded model check.
        seconds: symbolic engine: time limit per assertion.
    """

    engine: CheckEngine = CheckEngine.AUTO
    max_states: int | None = None
    reference_max_states: int | None = None
    max_memory: int | None = None
    reduce: bool = True
    por: bool = False
    progress: Callable[[Progress], None] | None = None
    bmc_depth: int = 30
    seconds: float = 60.0

    def __post_init__(self) -> None:
        assert isinstance(self.engine, CheckEngine), \
            f"a CheckEngine, not {self.engine!r} (CheckEngine.parse)"

    @property
    def reference_limit(self) -> int | None:
        """The term-level engine's limit: the tighter of the two (``None``: none).

        Example:
            >>> SearchOptions(max_states=10, reference_max_states=5).reference_limit
            5
        """
        limits = [n for n in (self.max_states, self.reference_max_states) if n is not None]
        return min(limits, default=None)

    @property
    def limits(self) -> Limits:
        """The product engine's limits (``reference_max_states`` is not one of them).

        Example:
            >>> SearchOptions(max_states=10, reference_max_states=5).limits.max_states
            10
        """
        return Limits(self.max_states, self.max_memory, self.progress)


def deadlock(model: Model, process: Any, options: SearchOptions) -> CheckResult:
    """``:[deadlock free]`` on the chosen engine."""
    return _run(model, process, options,
                lambda net: check_deadlock_product(net, options.limits, por=options.por),
                lambda system: check_deadlock(system, max_states=options.reference_limit))


def divergence(model: Model, process: Any, options: SearchOptions) -> CheckResult:
    """``:[divergence free]`` on the chosen engine."""
    from procalg.checks.divergence import check_divergence, check_divergence_product

    return _run(model, process, options,
                lambda net: check_divergence_product(net, options.limits),
                lambda system: check_divergence(system, max_states=options.reference_limit))


def cannot_diverge(model: Model, process: Any, options: SearchOptions) -> bool:
    """True when no component of the process's network has a τ-cycle among its
    own moves, so no product state can diverge (:func:`tau_acyclic`): FDR's [FD]
    deadlock freedom then needs no divergence search after the deadlock one."""
    from procalg.lts.refine_product import tau_acyclic  # with the refinement product's modules

    network = _network(model, process, options)
    return isinstance(network, Network) and tau_acyclic(network)


def reachable(model: Model, process: Any, event: str, options: SearchOptions) -> CheckResult:
    """``:[reachable e]`` on the chosen engine (a witness on success)."""
    from procalg.checks.reachability import check_reachable, check_reachable_product

    return _run(model, process, options,
                lambda net: check_reachable_product(net, event, options.limits),
                lambda system: check_reachable(system, event,
                                               max_states=options.reference_limit))


def has_trace(model: Model, process: Any, trace: tuple[str, ...], kind: RefinementModel,
              options: SearchOptions) -> CheckResult:
    """``:[has trace [kind]]:`` on the chosen engine: the product walked along
    the trace only, or the term-level pair search."""
    from procalg.checks.traces import check_has_trace, check_has_trace_product

    return _run(model, process, options,
                lambda net: check_has_trace_product(net, trace, model=kind,
                                                    limits=options.limits),
                lambda system: check_has_trace(system, trace, model=kind,
                                               max_states=options.reference_limit))


def compensation(model: Model, process: Any, options: SearchOptions) -> CheckResult:
    """``:[compensation complete]`` on the chosen engine: a search for the first
    ``stranded.*``/``unreverted.*`` event."""
    from procalg.checks.compensation import check_compensation, check_compensation_product

    return _run(model, process, options,
                lambda net: check_compensation_product(net, options.limits),
                lambda system: check_compensation(system,
                                                  max_states=options.reference_limit))


def refinement(model: Model, spec: LTS, process: Any, kind: RefinementModel,
               options: SearchOptions) -> CheckResult | None:
    """``spec ⊑ process`` as one bulk product search (the normalised spec as
    one more component of the process's network), or ``None`` where the
    product engine does not apply (the caller then runs the reference check)."""
    from procalg.checks.refinement import check_refinement_product  # not on check's start-up

    def bulk(network: Network) -> CheckResult | NotApplicable:
        # [FD= judges each pair by its state's τ-closure, which the term rules expand
        # as they come to it; the product finds divergences its own way (the whole
        # product, or none where its τ-moves are acyclic): a model error met on one
        # way and not the other is theirs to place
        if kind is RefinementModel.FAILURES_DIVERGENCES and _held_met(network, options):
            return NotApplicable(_MET)
        return check_refinement_product(spec, network, kind, options.limits)

    found = _on_network(model, process, options, bulk)
    return None if isinstance(found, NotApplicable) else found


def determinism(model: Model, process: Any, divergence: bool,
                options: SearchOptions) -> CheckResult | NotApplicable:
    """``:[deterministic]`` with the normal form built in bulk on the process's
    network, or why that does not apply (no network, codes wider than 62
    bits, a lazy leaf leaving its events: the caller builds the normal form
    state by state)."""
    # imported here: the normal-form machinery is a tenth of every `check`'s start-up
    from procalg.checks.determinism import check_determinism_product
    from procalg.lts.normal_product import Unavailable
    from procalg.lts.normal_product import why_not as bulk_why_not

    def bulk(network: Network) -> CheckResult | NotApplicable:
        why = bulk_why_not(network) or _held_met(network, options)
        if why is not None:
            return NotApplicable(why)
        try:
            return check_determinism_product(network, max_states=options.max_states,
                                             divergence=divergence)
        except Unavailable as err:
            return NotApplicable(str(err))

    return _on_network(model, process, options, bulk)


def implementation(model: Model, process: Any, options: SearchOptions) -> Any:
    """The implementation side of a refinement check: its whole LTS built by the
    product engine where it applies (as FDR compiles the implementation first),
    else the term-level system explored lazily by the check: also where the product
    meets a model error a leaf holds (:mod:`procalg.lts.held`), as the term rules
    say whether they meet it too (a leaf explored whole holds an error of an input
    value they never ask for, ``c?x -> d!(x + 1)`` beside ``c!1``) and, for a
    check that walks its own way, whether it answers first."""
    def whole(network: Network) -> LTS | NotApplicable:
        # a lazy or compiled leaf evaluates the model's values as it is expanded:
        # on the thread whose stack fits deep value recursion, as `check` runs it
        try:
            return run_deep(lambda: explore_product(network, options.limits))
        except ProcalgError as err:
            if not _holds(network, err):
                raise
            return NotApplicable(_MET)

    found = _on_network(model, process, options, whole)
    return model.system(process) if isinstance(found, NotApplicable) else found


def counted(model: Model, process: Any, options: SearchOptions) -> Census | None:
    """The product of ``process`` counted by the engine ``implementation``
    builds with (:func:`~procalg.lts.census.take_census`: states, distinct
    transitions, how runs end), or ``None`` where only the whole LTS answers:
    the term-level rules, or a product with ``cancel`` (a cancelled run is
    told by its whole path)."""
    from procalg.checks.compensation import WATCHED  # here: not on a check's start-up
    from procalg.lts.census import take_census

    def census(network: Network) -> Census | None:
        if CANCEL in network.labels:
            return None
        return run_deep(lambda: take_census(network, WATCHED, options.limits))

    found = _on_network(model, process, options, census)
    return None if isinstance(found, NotApplicable) else found


def _run(model: Model, process: Any, options: SearchOptions,
         product: Callable[[Network], CheckResult],
         reference: Callable[[Any], CheckResult]) -> CheckResult:
    """One property, defined in ``procalg.checks`` for both engines: the
    product engine's check where a network applies, else the reference's."""
    started = time.perf_counter()
    result = _on_network(model, process, options, product)
    if isinstance(result, NotApplicable):
        return _on_reference(model, process, reference, result.reason)
    # the time a person waits: compiling the network (leaves included) and searching
    return replace(result, stats=replace(result.stats, seconds=time.perf_counter() - started))


def _on_network(model: Model, process: Any, options: SearchOptions,
                use: Callable[[Network], Any]) -> Any:
    """``use`` of the process's network, or why the product engine does not run it.

    A lazy leaf that performs a saga's label its network did not declare
    (``stranded.s``, ``unreverted.s``, ``throw``: recorded as a saga's steps are
    made, so rare) has the network compiled again with it declared
    (``leaves.learn``), once per label, as a model error it met and held
    (:mod:`procalg.lts.held`); any other label, the reference engine, as a model
    error met in the level of the goal's witness in a network (:class:`HeldOrder`)
    and a leaf's first unfolding of a recursion that may nest without bound
    (:class:`~procalg.semantics.growth_reached.NestingMet`).
    """
    tried: set[str] = set()
    while True:
        network = _network(model, process, options)
        if isinstance(network, NotApplicable):
            return network
        try:
            return use(network)
        except HeldOrder as err:  # a model error in the goal's level: the terms' order
            return NotApplicable(str(err))
        except NestingMet as met:  # a leaf unfolded a recursion that may nest: theirs too
            return NotApplicable(met.reason)
        except LimitExceeded:
            raise
        except ProcalgError as err:  # a model error held in a leaf: placed as the terms' is
            raise model.locate(err) from None
        except AlphabetError as err:
            if err.label in tried or not learn(model.spec, err.label):
                return NotApplicable(_left(err))
            tried.add(err.label)
            model.forget_network(process)


def _holds(network: Network, err: ProcalgError) -> bool:
    """Whether ``err`` is a model error a leaf of ``network`` holds."""
    return any(is_held(label) and held_error(label) is err for label in network.labels)


def _held_met(network: Network, options: SearchOptions) -> str | None:
    """Why a search that walks its own way (the determinism normal form) leaves
    ``network`` to the term rules: its product meets a model error a leaf holds,
    and only they say whether their walk meets it before its answer. A search
    of the whole product, where a leaf holds one (:mod:`procalg.lts.held`)."""
    if not any(is_held(label) for label in network.labels):
        return None
    try:
        run_deep(lambda: searcher(network, options.limits).run())
    except HeldOrder:
        pass
    except ProcalgError as err:
        if not _holds(network, err):
            raise
    else:
        return None
    return _MET


_MET = "the process meets a model error a leaf holds: the term rules say where"


def _left(err: AlphabetError) -> str:
    return f"a lazily explored component left its declared events ({err})"


def _on_reference(model: Model, process: Any, reference: Callable[[Any], CheckResult],
                  why: str) -> CheckResult:
    """The term-level check, its stats saying why the product engine did not run."""
    result = reference(model.system(process))
    extra = {**result.stats.extra, "engine": "reference", "why": why}
    return CheckResult(result.verdict, result.counterexample,
                       Stats(result.stats.states, result.stats.transitions,
                             result.stats.seconds, extra), result.message)


def why_not(model: Model, process: Any, options: SearchOptions) -> str:
    """Why the product engine does not run ``process`` (for ``--stats``)."""
    network = _network(model, process, options)
    if isinstance(network, NotApplicable):
        return network.reason
    if any(is_held(label) for label in network.labels):  # the reference ran: it met one
        return _MET
    return "the product engine does not apply to this check here"


def _network(model: Model, process: Any, options: SearchOptions) -> Network | NotApplicable:
    """The process's network (compiled once per model), or why the reference engine runs."""
    if options.engine is CheckEngine.REFERENCE:
        return NotApplicable("--engine reference")
    leaves = options.reference_limit  # leaves are explored by the term-level rules
    if model.throws:  # declared up front: a lazy leaf may meet its THROW only at the end
        learn(model.spec, str(THROW_EVENT))  # of a whole search, which would then run again
    tried: set[str] = set()
    while True:
        try:
            network = model.network(process, reduce=options.reduce,
                                    leaf_limit=min(LEAF_LIMIT, leaves or LEAF_LIMIT),
                                    lazy_limit=leaves)
            break
        except AlphabetError as err:  # met while a lazy leaf's first states were expanded
            if err.label in tried or not learn(model.spec, err.label):
                network = NotApplicable(_left(err))
                break
            tried.add(err.label)
    if isinstance(network, NotApplicable) and options.engine is CheckEngine.PRODUCT:
        raise LimitExceeded(f"the product engine cannot run this process: {network.reason}",
                            hint="use --engine auto or reference")
    return network
