"""Activity modules for the saga models of ``models/`` (used by the CLI tests and docs/engine.md)."""
