"""procalg.cli."""
