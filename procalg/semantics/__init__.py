"""procalg.semantics."""
