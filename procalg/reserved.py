"""The label names procalg itself gives meaning to, shared by every layer.

A model cannot declare channels with these names when it uses workflow
constructs (see :mod:`procalg.semantics.workflow`); the checks, the product
engine, the runtime and the formats read them from here, so each name is
spelled once. Importing this module costs nothing (no numpy, no terms).

Example:
    >>> TAU, TICK, THROW, COMPENSATE, COMPENSATED, FAIL
    ('τ', '✓', 'throw', 'compensate', 'compensated', 'fail')
    >>> sorted(SAGA)
    ['compensate', 'compensated', 'fail', 'stranded', 'throw', 'unreverted']
"""

TAU = "τ"
"""The internal action; always label 0 of an LTS."""
TICK = "✓"
"""Successful termination; always label 1 of an LTS."""
THROW = "throw"
"""Abnormal termination: a state entered by it has ended (failed), like after ✓."""
COMPENSATE = "compensate"
"""A saga caught a throw: its rollback starts."""
COMPENSATED = "compensated"
"""A saga's rollback finished; it terminates (✓) next."""
FAIL = "fail"
"""The channel of activity failure: ``fail.c.v`` is the failure of ``c.v``."""
STRANDED = "stranded"
"""A completed step without an undo met by a rollback (``stranded.step``)."""
UNREVERTED = "unreverted"
"""A compensation that threw (``unreverted.step``)."""
SAGA = frozenset({THROW, FAIL, COMPENSATE, COMPENSATED, STRANDED, UNREVERTED})
"""The channel names the saga semantics owns."""
CANCEL = "cancel"
"""The environment's request to cancel a run, where the model offers it (docs/sagas.md)."""
