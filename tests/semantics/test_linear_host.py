"""Every call the machine's mixins declare on their host is made by the machine itself."""

from __future__ import annotations

from procalg.semantics.linear import Machine
from procalg.semantics.linear_host import MachineHost
from procalg.semantics.linear_operators import OperatorMoves
from procalg.semantics.linear_saga import SagaMoves


def _declared(cls: type) -> set[str]:
    return {name for name, value in vars(cls).items() if callable(value)}


def test_the_machine_implements_every_call_its_host_declares() -> None:
    for name in _declared(MachineHost):
        assert getattr(Machine, name) is not getattr(MachineHost, name), name


def test_the_mixins_stubs_of_each_other_resolve_to_real_methods() -> None:
    # OperatorMoves declares SagaMoves's _tagged and saga_state;
    # SagaMoves declares the machine's _intern and _finished
    for name in ("_tagged", "saga_state"):
        assert getattr(Machine, name) is getattr(SagaMoves, name), name
    for name in ("_intern", "_finished"):
        assert getattr(Machine, name) is not getattr(SagaMoves, name), name
    assert issubclass(Machine, OperatorMoves) and issubclass(Machine, SagaMoves)
