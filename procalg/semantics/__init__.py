"""procalg.semantics: models to process terms, and the operational rules over terms.

* :func:`load` turns a parsed module into a :class:`Spec` (channels,
  datatypes, definitions, assertions; ``spec.process(...)``,
  ``spec.system(term)`` for :func:`procalg.lts.explore`).
* :func:`transitions` (module :mod:`procalg.semantics.sos`) is the reference
  firing relation of CSP; :class:`Rules` is the same with caches.
"""

from procalg.semantics.sos import Label, Rules, UnguardedRecursion, transitions
from procalg.semantics.spec import ProcessSystem, Spec, load

__all__ = ["Label", "ProcessSystem", "Rules", "Spec", "UnguardedRecursion", "load", "transitions"]
