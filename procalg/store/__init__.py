"""procalg.store."""
