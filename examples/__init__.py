"""Activity modules for the saga models of ``models/`` (CLI tests, docs/engine.md)."""
