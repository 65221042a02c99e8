"""Whole leaves numbered as the product reaches them.

A leaf explored whole has a digit wide enough for all its states in every
product code. A network of many such leaves that the product reaches in a
few states each (an xUML model's 72 signal queues of 813 states, each in its
empty state until a signal is sent) then carries hundreds of bits per code
that never vary: 15 words a key where 5 would do, and every move copies,
sorts and compares all of them.

:func:`numbered` gives such a leaf (more than :data:`NUMBER_LIMIT` states;
:func:`numbered_leaves` on a built network whose codes would be wide, for the
leaves that could have been lazy: the control operators' construction sees
them whole)
the lazy components' numbering instead: a
:class:`~procalg.lts.lazy.LazyComponent` over its explored LTS, so its local
states get numbers (and its digit bits) only as the product reaches them, and
the moves a partner must offer are made only where a partner offers them
(:func:`~procalg.lts.lazy_deferral.deferrable`). Expanding a state reads the
LTS's arrays, no term or machine is run again. :func:`reduced` keeps
:func:`~procalg.lts.network.reduce_components`' strong-bisimulation reduction
for it (the whole LTS is reduced, then numbered again).

Example:
    >>> lts = LTS.build(300, 0, ["a"], [(i, "a", i + 1) for i in range(299)])
    >>> comp = numbered(lts, "counter")
    >>> comp.num_states, comp.whole.num_states  # only the initial state so far
    (1, 300)
    >>> numbered(LTS.build(2, 0, ["a"], [(0, "a", 1)])).num_states  # small: whole
    2
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Container, Mapping
from dataclasses import replace

from procalg.lts.codes import MAX_BITS, headroom
from procalg.lts.exploration import ExplicitSystem
from procalg.lts.held import is_held
from procalg.lts.lazy import LazyComponent
from procalg.lts.lts import LTS
from procalg.lts.network import Network

NUMBER_LIMIT = 256
"""Whole leaves with more states than this are numbered as the product reaches them."""


SPARE_BITS = 64
"""Fewest digit bits the leaves past :data:`NUMBER_LIMIT` must hold beyond one
bit each (what numbering could save at best, each reached in one or two
states) for :func:`numbered_leaves` to number them: a lazy group fires at
about half an eager table's pace, which a key word saved (or two) pays back
only where whole words can go. Roscoe's mobile telephone exchange (libcspm's
test suite) has three ring nodes of 341 states (9 bits each, 24 to spare);
numbered, each reached 174 to 196 and the codes still took two words: its
deadlock check (375,452 states) took 8.2 s of CPU and 597 MB, whole 3.6 s and
372 MB. The xUML shape this serves (72 queues of 813 states, reached in one
each) has 648 to spare: 15 key words became 5."""


class WholeSystem(ExplicitSystem):
    """An explored :class:`LTS` as a transition system that can leave out
    moves until a partner asks for them (the lazy components' deferral).

    Example:
        >>> lts = LTS.build(3, 0, ["a", "b"], [(0, "a", 1), (0, "b", 2)])
        >>> WholeSystem(lts).successors_where(0, {"a", "b"}, {"b"})
        [('b', 2)]
    """

    def successors_where(self, state: int, waiting: Container[str],
                         asked: Collection[str]) -> list[tuple[str, int]]:
        """The moves of ``state`` but those labelled in ``waiting`` and not ``asked``."""
        return [(n, d) for n, d in self.successors(state) if n not in waiting or n in asked]


def numbered(lts: LTS, name: str = "") -> LTS | LazyComponent:
    """``lts`` as a component numbered as reached, if it has more than
    :data:`NUMBER_LIMIT` states (else ``lts`` itself; also when it holds a
    model error's move, which the whole LTS's component reports).

    The component's :attr:`~procalg.lts.lazy.LazyComponent.whole` is ``lts``.
    """
    if lts.num_states <= NUMBER_LIMIT or any(is_held(n) for n in lts.labels):
        return lts
    comp = LazyComponent(WholeSystem(lts), lts.labels, name=name)
    comp.whole = lts
    return comp


def reduced(comp: LazyComponent, reduce: Callable[[LTS], LTS]) -> LazyComponent | LTS:
    """A component numbered as reached whose whole LTS is ``reduce(whole)``
    (``comp`` itself if it is lazy only; the reduced LTS itself if it has
    :data:`NUMBER_LIMIT` states or fewer)."""
    if comp.whole is None:
        return comp
    return numbered(reduce(comp.whole), comp.name)


def numbered_leaves(net: Network, leaves: Mapping[int, tuple[LTS, str]],
                    max_bits: int = MAX_BITS, spare_bits: int = SPARE_BITS) -> Network:
    """``net`` with each component that is one of ``leaves`` (by identity: ``id``
    to the LTS and its name) :func:`numbered` as reached, when the whole
    components' digits would take more than ``max_bits`` bits (past them codes
    are wide; below, int64 codes cost the same whatever their digits, and a
    leaf's eager tables fire faster than a lazy one's: the ABP's medium of
    1,885 states, 253 reached, took 13 % more CPU numbered), and the leaves
    past :data:`NUMBER_LIMIT` could give up ``spare_bits`` between them.

    Example:
        >>> from procalg.lts.network import component
        >>> lts = LTS.build(300, 0, ["a"], [(i, "a", i + 1) for i in range(299)])
        >>> numbered_leaves(component(lts), {id(lts): (lts, "counter")}).components[0] is lts
        True
        >>> leaf = {id(lts): (lts, "counter")}
        >>> numbered_leaves(component(lts), leaf, max_bits=8).components[0] is lts  # 8 spare
        True
        >>> net = numbered_leaves(component(lts), leaf, max_bits=8, spare_bits=8)
        >>> type(net.components[0]).__name__, net.components[0].name
        ('LazyComponent', 'counter')
    """
    found = {c: leaves[id(comp)] for c, comp in enumerate(net.components) if id(comp) in leaves}
    spare = sum(_width(lts.num_states) - 1 for lts, _ in found.values()
                if lts.num_states > NUMBER_LIMIT)
    if spare < spare_bits:
        return net
    bits = sum(_width(c.num_states if isinstance(c, LTS) else headroom(c.num_states))
               for c in net.components)
    if bits <= max_bits:
        return net
    comps = tuple(numbered(*found[c]) if c in found else comp
                  for c, comp in enumerate(net.components))
    return replace(net, components=comps)


def _width(states: int) -> int:
    return max(1, (states - 1).bit_length())
