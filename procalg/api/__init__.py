"""Composition for people and programs (layer 5): load a model, check it, run it.

Example:
    >>> from procalg.api import loads, check_model
    >>> model = loads("channel a\\nP = a -> P\\nassert P :[deadlock free]")
    >>> [r.result for r in check_model(model)]
    ['pass']
"""

from procalg.api.check import AssertionReport, check_assertion, check_model
from procalg.api.model import Model, load, loads

__all__ = ["AssertionReport", "Model", "check_assertion", "check_model", "load", "loads"]
