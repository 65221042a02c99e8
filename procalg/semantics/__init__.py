"""procalg.semantics: models to process terms, and the operational rules over terms.

* :func:`load` turns a parsed module into a :class:`Spec` (channels,
  datatypes, definitions, assertions; ``spec.process(...)``,
  ``spec.system(term)`` for :func:`procalg.lts.explore`).
* :func:`transitions` (module :mod:`procalg.semantics.sos`) is the reference
  firing relation of CSP; :class:`Rules` is the same with caches.

Names load on first use (PEP 562): the run-time engine needs only the firing
rules (:mod:`procalg.semantics.sos`), not the model loader and its parser.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from procalg.semantics.sos import Label, Rules, transitions
    from procalg.semantics.spec import ProcessSystem, Spec, load
    from procalg.semantics.unfold import UnguardedRecursion

__all__ = ["Label", "ProcessSystem", "Rules", "Spec", "UnguardedRecursion", "load", "transitions"]


def __getattr__(name: str) -> Any:
    """Load the names of ``__all__`` from their modules on first use."""
    if name in ("Label", "Rules", "transitions"):
        from procalg.semantics import sos as module
    elif name == "UnguardedRecursion":
        from procalg.semantics import unfold as module
    elif name in ("ProcessSystem", "Spec", "load"):
        from procalg.semantics import spec as module
    else:
        raise AttributeError(f"module 'procalg.semantics' has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value  # later look-ups skip this function
    return value
