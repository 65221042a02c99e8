"""Expanding many states of a lazy component at once, from arrays.

A :class:`~procalg.lts.lazy.LazyComponent` over a system with
``successors_arrays(states)`` -- a nested network (:mod:`procalg.lts.nested`),
whose states are integer codes and whose moves come out of one product step
as numpy arrays -- expands a whole frontier here: the targets are numbered
in one pass and the moves written as one sorted block, instead of one
Python list of moves per state (about 10× less work per state).

Example:
    >>> from procalg.lts import LTS
    >>> from procalg.lts.lazy import LazyComponent
    >>> from procalg.lts.nested import NestedNetwork
    >>> from procalg.lts.network import close, component
    >>> p = LTS.build(2, 0, ["a"], [(0, "a", 1), (1, "a", 0)])
    >>> lazy = LazyComponent(NestedNetwork(close(component(p)), None), ["a"])
    >>> lazy.expand(np.array([0])), lazy.num_states, lazy.entries(False)[1].tolist()
    (1, 2, [1])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from procalg.lts.lts import TICK

if TYPE_CHECKING:
    from procalg.lts.lazy import LazyComponent


def label_codes(lazy: LazyComponent, names: tuple[str, ...]) -> np.ndarray:
    """The component's code of each of the system's label ``names`` (-1: outside
    its alphabet, an error if ever performed)."""
    return np.array([lazy.code.get(n, -1) for n in names], dtype=np.int64)


def expand_arrays(lazy: LazyComponent, todo: list[int], codes: np.ndarray) -> None:
    """Expand local states ``todo`` (never expanded, none of them Ω) from one
    call of the system's ``successors_arrays``; ``codes`` maps its label
    indices to the component's (:func:`label_codes`).

    Raises:
        AlphabetError: a move's label is outside the declared alphabet.
        LimitExceeded: more than the component's ``max_states`` states.
    """
    from procalg.lts.lazy import AlphabetError, _Omega

    src, dst, lab = lazy.system.successors_arrays([lazy.states[loc] for loc in todo])
    label = codes[lab]
    if (label < 0).any():
        name = lazy.system.labels[int(lab[np.argmax(label < 0)])]
        raise AlphabetError(f"lazy component {lazy.name or '?'} performs {name!r}, outside "
                            "its declared alphabet")
    ids = _numbered(lazy, dst)
    tick = lazy.code.get(TICK)
    if tick is not None and (label == tick).any():
        if lazy._omega is None:
            lazy._omega = lazy._number(_Omega())
        ids[label == tick] = lazy._omega
    width, first = len(lazy.labels), lazy._records
    key = (first + src) * width + label
    order = np.lexsort((ids, key))
    key, ids, src = key[order], ids[order], src[order]
    fresh = np.ones(len(key), dtype=bool)  # a move twice (two rules, one label): once
    fresh[1:] = (key[1:] != key[:-1]) | (ids[1:] != ids[:-1])
    key, ids, src = key[fresh], ids[fresh], src[fresh]
    locs = np.asarray(todo, dtype=np.int64)
    lazy._slot.data[locs] = first + np.arange(len(todo))
    lazy._records += len(todo)
    lazy.expanded += len(todo)
    lazy.transitions += len(key)
    sources = locs[src]
    lazy._key.extend(key)
    lazy._src.extend(sources)
    lazy._dst.extend(ids)
    used = key % width
    lazy.used.update(np.unique(used).tolist())
    for view in lazy._views.values():
        view.append_arrays(key, sources, used, ids)


def _numbered(lazy: LazyComponent, targets: np.ndarray) -> np.ndarray:
    """The local ids of ``targets`` (codes), numbering the new ones in order of
    first appearance; one dictionary look-up per distinct target.

    Raises:
        LimitExceeded: more than the component's ``max_states`` states.
    """
    from procalg.errors import LimitExceeded

    distinct, first, back = np.unique(targets, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # new states numbered as they come
    found = np.empty(len(distinct), dtype=np.int64)
    ids, states = lazy.ids, lazy.states
    new = []
    for i, code in zip(order.tolist(), distinct[order].tolist(), strict=True):
        n = ids.get(code)
        if n is None:
            n = ids[code] = len(states)
            states.append(code)
            new.append(n)
        found[i] = n
    lazy._slot.extend([-1] * len(new))
    if lazy.max_states is not None and len(states) > lazy.max_states:
        raise LimitExceeded(f"lazy component {lazy.name or '?'} has more than "
                            f"{lazy.max_states} states", states=len(states),
                            hint="raise the limit, or make data types smaller")
    return found[back.ravel()]
