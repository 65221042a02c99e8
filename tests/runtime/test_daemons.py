"""Daemon threads for timed attempts: reused when idle, never making an attempt wait."""

from __future__ import annotations

import threading

from procalg.runtime.daemons import Daemons


def test_an_idle_daemon_thread_runs_the_next_job_instead_of_a_new_thread() -> None:
    daemons = Daemons()
    names: list[int] = []
    for _ in range(5):
        done = threading.Event()
        daemons.submit(lambda done=done: (names.append(threading.get_ident()), done.set()))
        assert done.wait(5)
        while daemons._idle == 0:  # the thread counts itself idle just after the job
            threading.Event().wait(0.001)
    assert len(set(names)) == 1


def test_a_job_that_hangs_does_not_hold_up_the_next_one() -> None:
    daemons = Daemons()
    release, second = threading.Event(), threading.Event()
    daemons.submit(lambda: release.wait(10))  # hangs until released
    daemons.submit(second.set)
    assert second.wait(5)  # ran on another thread meanwhile
    release.set()


def test_a_job_that_raises_leaves_its_thread_serving_later_jobs() -> None:
    daemons = Daemons()

    def boom() -> None:
        raise ValueError("the job's own error")

    daemons.submit(boom)
    done = threading.Event()
    daemons.submit(done.set)
    assert done.wait(5)
