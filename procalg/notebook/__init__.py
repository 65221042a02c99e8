"""procalg.notebook."""
