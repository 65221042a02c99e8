"""procalg.runtime."""
