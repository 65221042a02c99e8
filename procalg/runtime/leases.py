"""Leases: which worker may drive a run, judged by the database's clock.

A worker holds a lease on every run it drives. The store takes and renews
leases by compare-and-set in one statement on the database's clock
(:meth:`~procalg.runtime.ports.EventLog.claim`), so two workers never both
believe they hold a run, whatever their own clocks say. A :class:`Leases`
keeps an engine's leases alive with a heartbeat thread that renews each one
every third of its length, so a lease outlives an activity that runs longer
than it, or a timer the run sleeps on; a lease that could not be renewed
(another worker took it after this process stalled) is marked lost, and the
engine stops driving that run.

A dead owner on this host is recognised at once by its owner id,
``host:pid:start:nonce``: the process ``pid`` no longer exists, or exists
with another start time (``/proc/<pid>/stat`` field 22, so a reused pid is
not mistaken for the owner). Its lease is then taken by compare-and-set on
the exact ``(owner, lease_until)`` seen, which a live worker's claim in
between would have changed. An owner on another host is waited out until
its lease expires.

Example:
    >>> me = owner_id()
    >>> owner_dead(me), owner_dead("elsewhere:1:0:abc")
    (False, False)
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import uuid
from pathlib import Path

from procalg.errors import StoreError
from procalg.runtime.ports import UNFINISHED, EventLog


def process_start(pid: int) -> str | None:
    """The start time of process ``pid`` (clock ticks since boot), None if there is none.

    Without ``/proc`` (not Linux) a live process answers ``""``: alive, start unknown.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return _signal_alive(pid)
    # the command name (field 2) may hold spaces and parentheses: split after the last ")"
    fields = stat[stat.rindex(")") + 2:].split()
    if fields[0] in ("Z", "X"):  # field 3: a zombie has exited, only its parent has not looked
        return None
    return fields[19]  # field 22 of the whole line


def _signal_alive(pid: int) -> str | None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return ""
    return ""


def owner_id() -> str:
    """A new owner id for a worker in this process: ``host:pid:start:nonce``."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{process_start(pid) or ''}:{uuid.uuid4().hex[:8]}"


def owner_dead(owner: str) -> bool:
    """True if ``owner`` names a process of this host that has exited.

    Ids without a start time (``host:pid:nonce``, older workers) are judged by the pid alone.
    """
    parts = owner.split(":")
    if len(parts) < 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    start = process_start(int(parts[1]))
    if start is None:
        return True
    recorded = parts[2] if len(parts) >= 4 else ""
    return bool(recorded and start and recorded != start)


class Leases:
    """The leases one engine holds, renewed by a heartbeat thread while any is held.

    Args:
        log: the store.
        owner: this engine's owner id.
        seconds: how long a lease lasts without renewal.
    """

    def __init__(self, log: EventLog, owner: str, seconds: float) -> None:
        self.log, self.owner, self.seconds = log, owner, seconds
        self._held: set[str] = set()
        self._lost: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._beating: threading.Thread | None = None

    def take(self, run_id: str) -> bool:
        """Claim the run's lease (from a dead owner of this host too); True if now ours."""
        taken = self.log.claim(run_id, self.owner, self.seconds)
        if not taken:
            record = self.log.get_run(run_id)
            if record.status in UNFINISHED and record.owner and owner_dead(record.owner):
                taken = self.log.claim(run_id, self.owner, self.seconds,
                                       dead=(record.owner, record.lease_until))
        if taken:
            self.hold(run_id)
        return taken

    def hold(self, run_id: str) -> None:
        """Start renewing a lease this engine was given (it created the run)."""
        with self._lock:
            self._held.add(run_id)
            self._lost.discard(run_id)
            if self._beating is None or not self._beating.is_alive():
                self._beating = threading.Thread(target=self._beat, daemon=True,
                                                 name="lease-heartbeat")
                self._beating.start()

    def dropped(self, run_id: str) -> None:
        """Forget a lease the store already dropped (the run's last commit released it)."""
        with self._lock:
            self._held.discard(run_id)

    def release(self, run_id: str) -> None:
        """Drop the run's lease, if this engine holds it."""
        with self._lock:
            held = run_id in self._held
            self._held.discard(run_id)
        if held:
            self.log.release(run_id, self.owner)

    def release_all(self) -> None:
        """Drop every lease this engine holds (on every exit path of a command)."""
        with self._lock:
            held, self._held = sorted(self._held), set()
        for run_id in held:  # the heartbeat stops by itself when nothing is held
            with contextlib.suppress(StoreError):  # if not, the lease expires on its own
                self.log.release(run_id, self.owner)

    def lost(self, run_id: str) -> bool:
        """True if another worker took this run's lease from us."""
        return run_id in self._lost

    def holds(self, run_id: str) -> bool:
        """True if this engine holds the run's lease (as far as it knows)."""
        with self._lock:
            return run_id in self._held

    def held(self) -> list[str]:
        """The runs whose leases this engine holds."""
        with self._lock:
            return sorted(self._held)

    def _beat(self) -> None:
        # Renew at a third of the lease: two renewals may fail (a slow commit,
        # a busy database) before another worker could take the run.
        while not self._wake.wait(self.seconds / 3):
            with self._lock:
                held = sorted(self._held)
                if not held:
                    self._beating = None
                    return
            for run_id in held:
                try:
                    ours = self.log.renew(run_id, self.owner, self.seconds)
                except Exception:
                    continue
                if not ours:
                    with self._lock:
                        if run_id in self._held:
                            self._held.discard(run_id)
                            self._lost.add(run_id)
