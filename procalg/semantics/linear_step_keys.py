"""Generated keys of calls keyed by their body: a counter's next state without the key loop.

A call whose one plain clause is guards before a prefix into a call (``Cnt(n) = n < N &
w!(n % 2000) -> Cnt(n + 1)``, body-keyed: :meth:`StateKeys._body_keyed`) is keyed at the
top by that prefix, ``('→', event, continuation's passive key)``
(:meth:`~procalg.semantics.state_unfold.Unfolding._guarded_body_key`). Made through the
machine's rules, such a target costs some ten Python calls and six closures a state (the
whole of a lazy counter's step beside a wide input). :class:`KeyWriter` writes, once per
called definition, a function of the call's arguments that makes the same key with its
guards, event and the continuation's arguments inline (ints inline, the
closures otherwise, as :class:`~procalg.semantics.linear_step_source.Writer` does), and
returns None wherever the rules must decide (a value that is no boolean, an error, a
definition watched for growth): the caller then asks the machine's own rules, which
give the key or raise the error as before. Pure expressions make asking twice safe.
Linear in the clause's size.

Example:
    >>> from procalg.api.model import loads
    >>> from procalg.semantics.linear import Machine
    >>> model = loads("channel c : {0..9}\\nN = 5\\nP(n) = n < N & c!(n % 3) -> P(n + 1)")
    >>> machine = Machine(model.spec.evaluator, model.process("P(0)"))
    >>> machine.successors(0), machine.keys[1]
    ([('c.0', 1)], ('→', Event(channel='c', fields=(1,)), ('call', 'P', (2,))))
    >>> any(line.startswith("def key_") for line in machine.steps.sources["P"])
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from procalg.errors import ProcalgError
from procalg.semantics.locations import AT_CALL, AT_PREFIX, AT_SKIP, AT_STOP, Location
from procalg.semantics.state_keys import SKIP_KEY, STOP_KEY
from procalg.syntax import ast

if TYPE_CHECKING:
    from procalg.semantics.linear_step_source import Writer


class KeyWriter:
    """The key functions of one generated source (see the module), one per callee."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.names: dict[str, str | None] = {}  # callee -> its function's name (None: none)
        self.pending: list[str] = []  # callees whose functions are still to write

    def call(self, then: Location) -> str | None:
        """The name of the function keying call ``then`` (a call node), or None."""
        name = then.parts[0]
        if name not in self.names:
            self.names[name] = None
            if self._chain(name) is not None:
                self.names[name] = f"key_{len(self.pending)}"
                self.pending.append(name)
        return self.names[name]

    def write_all(self) -> None:
        """Write the functions :meth:`call` named, at the source's top level."""
        for k, name in enumerate(self.pending):
            self._write(f"key_{k}", name)

    def _chain(self, name: str) -> tuple[tuple[str, ...], tuple[Location, ...]] | None:
        """``name``'s parameters and guards when its key is the guards' and a prefix's
        into a call, ``STOP`` or ``SKIP`` (whose passive key :meth:`_passive` writes)."""
        m = self.writer.machine
        if m.all_args or name in m.ev.growth or m._always_folded(name, False):
            return None
        chain = m._guard_chains.get(name, m)
        if chain is m:
            chain = m._guard_chain(name)
        exprs = self.writer.steps.exprs  # the syntax each inline node is written from
        if chain is None or not all(id(guard) in exprs for guard in chain[1]):
            return None
        body = chain[1][-1].parts[2]
        if not m._body_keyed(name) or body.kind != AT_PREFIX or id(body) not in exprs:
            return None
        then = body.parts[1]
        if then.kind in (AT_STOP, AT_SKIP):
            return chain
        if then.kind != AT_CALL or id(then) not in exprs:
            return None
        return chain  # a continuation's call: its name and arguments (_folded_call)

    def _write(self, function: str, name: str) -> None:
        """``def function(args)``: ``name(args)``'s key, or None (the rules decide)."""
        w, m = self.writer, self.writer.machine
        params, guards = self._chain(name)  # type: ignore[misc]
        saved, w.local = w.local, {p: f"v{i}" for i, p in enumerate(params)}
        unfold, growth = w.value(m, "MACHINE"), w.value(m.ev.growth, "GROWTH")
        w.line(f"def {function}(args):")
        w.depth += 1
        w.line(f"if len(args) != {len(params)} or {name!r} in {growth}: return None")
        if params:
            w.line("".join(f"{v}, " for v in w.local.values()) + "= args")
        self._scope()
        w.line("try:")
        w.depth += 1
        passed = w.temp()
        w.line(f"{passed} = False")
        self._guards(guards, f"{passed} = True")
        w.line(f"if not {passed}: {unfold}.unfoldings += 1; return {w.value(STOP_KEY, 'K')}")
        body = guards[-1].parts[2]
        e, _ = w.event(body)
        inner, unfoldings = self._passive(body.parts[1], name)
        w.depth -= 1
        w.line(f"except {w.value(ProcalgError, 'E')}: return None")
        w.line(f"{unfold}.unfoldings += {unfoldings}  # as _guarded_body_key counts")
        w.line(f"return ('→', {e}, {inner})")
        w.depth = 0
        w.local = saved

    def _scope(self) -> None:
        """``env``: the parameters by name, for the closures of what is not inline."""
        w = self.writer
        w.line("env = {" + ", ".join(f"{p!r}: {v}" for p, v in w.local.items()) + "}")

    def _guards(self, guards: tuple[Location, ...], passed: str) -> None:
        """The guards tested in order up to the first false one (a value that is no
        boolean: the rules raise it), ``passed`` run when all hold."""
        w = self.writer
        for guard in guards:
            cond = w.steps.exprs[id(guard)].cond  # type: ignore[attr-defined]
            t = w.expr(cond)
            w.line(f"if type({t}) is not bool: return None")
            w.line(f"if {t}:")
            w.depth += 1
        w.line(passed)
        w.depth -= len(guards)

    def _passive(self, then: Location, name: str) -> tuple[str, int]:
        """The continuation's passive key (``_folded_call``: the call with every
        argument, ``STOP`` or ``SKIP``) and the unfoldings it counts."""
        w = self.writer
        if then.kind in (AT_STOP, AT_SKIP):
            return w.value(STOP_KEY if then.kind == AT_STOP else SKIP_KEY, "K"), 1
        return w.call_key(then, passive=True)[0], 1  # type: ignore[index]


def args_of(writer: Writer, node: Location) -> list[ast.Node]:
    """The argument expressions of call ``node``."""
    call = writer.steps.exprs[id(node)]
    return list(call.args) if type(call) is ast.Apply else []
