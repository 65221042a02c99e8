"""procalg.api."""
