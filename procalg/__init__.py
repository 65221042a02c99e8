"""procalg: model workflows as CSP processes, prove them correct, then run them."""

__version__ = "0.1.0"
