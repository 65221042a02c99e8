"""The symbolic engine: CSP models with unbounded data, checked with z3.

The only package that imports z3 (an import-linter contract says so). The
path of a check, top to bottom (``docs/symbolic.md`` for users):

- :mod:`~procalg.symbolic.fragment`: data expressions and event sets as z3 terms;
- :mod:`~procalg.symbolic.linear`: sequential equations as linear processes
  (locations, slots, summands);
- :mod:`~procalg.symbolic.compose`: parallel, interleaving and hiding as moves;
- :mod:`~procalg.symbolic.system`: the transition relation and a property's goal;
- :mod:`~procalg.symbolic.solve`: BMC, k-induction and Spacer;
- :mod:`~procalg.symbolic.replay`: counterexamples walked on the reference rules;
- :mod:`~procalg.symbolic.engine`: one entry point per property;
- :mod:`~procalg.symbolic.lint`: guard analysis for ``procalg lint``;
- :mod:`~procalg.symbolic.show`: formulas printed in ``.proc`` syntax.
"""
