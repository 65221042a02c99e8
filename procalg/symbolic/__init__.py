"""procalg.symbolic."""
