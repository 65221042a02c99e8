"""Process terms and data values (layer 1: imports nothing of procalg but source/errors)."""

from procalg.terms.input import Input
from procalg.terms.process import (
    OMEGA,
    SKIP,
    STOP,
    AlphaParallel,
    Call,
    ExceptionOp,
    ExternalChoice,
    Hide,
    InternalChoice,
    Interrupt,
    Omega,
    Parallel,
    Prefix,
    Process,
    Rename,
    Seq,
    Skip,
    Stop,
    Timeout,
    show_process,
)
from procalg.terms.values import (
    Atom,
    Dotted,
    Event,
    Sequence,
    Value,
    show,
    sort_key,
    sorted_values,
)

__all__ = [
    "OMEGA", "SKIP", "STOP", "AlphaParallel", "Atom", "Call", "Dotted", "Event",
    "ExceptionOp", "ExternalChoice", "Hide", "Input", "InternalChoice", "Interrupt", "Omega",
    "Parallel",
    "Prefix", "Process", "Rename", "Seq", "Sequence", "Skip", "Stop", "Timeout",
    "Value", "show", "show_process", "sort_key", "sorted_values",
]
