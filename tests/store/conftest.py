"""Fixtures for the stores: a REAL PostgreSQL server in a temporary directory.

The server is Debian's ``postgresql`` package (``apt-get install
postgresql``; CI installs it). ``initdb`` and ``pg_ctl`` are found under
``/usr/lib/postgresql/*/bin/`` or on ``PATH``. PostgreSQL refuses to run as
root, so when the tests run as root the server runs as the ``postgres``
system user through ``runuser`` (the data directory is handed to that user).
Nothing is skipped: without the binaries the PostgreSQL tests fail and say
what to install.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        pytest.fail(
            f"PostgreSQL's {name} was not found: install the server "
            "(apt-get install -y postgresql) to run the PostgreSQL store tests",
            pytrace=False,
        )
    return found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[dict]:
    """Start a throw-away PostgreSQL server: its ``url``, ``data`` directory, ``stop``,
    ``start`` and ``restart``.

    ``stop()`` stops it the hard way (``-m immediate``, like a crash); ``restart()`` stops it
    so and starts it again.
    """
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    base = Path(tempfile.mkdtemp(prefix="procalg-pg-"))
    data = base / "data"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    run = lambda cmd: subprocess.run(  # noqa: E731
        _as_server_user(cmd), check=True, capture_output=True, text=True
    )
    run([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
    for attempt in range(3):  # another process (an xdist worker's server) may take the
        port = _free_port()   # port between our probe and the server's bind: try another
        opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
        try:
            run([pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "start"])
            break
        except subprocess.CalledProcessError:
            if attempt == 2:
                raise

    def stop() -> None:
        run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"])

    def start() -> None:
        run([pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "start"])

    def restart() -> None:
        stop()
        start()

    try:
        yield {"url": f"postgresql://postgres@127.0.0.1:{port}/postgres", "data": str(data),
               "stop": stop, "start": start, "restart": restart}
    finally:
        run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"])
        # the cluster keeps every test's database (~300 files each): removing its
        # tens of thousands of files took 74 s at the end of a full run; nothing
        # waits for that, so it runs on after the session, detached
        os.posix_spawnp("rm", ["rm", "-rf", str(base)], os.environ, setsid=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_server: dict) -> str:
    """A URL to the session server's ``postgres`` database."""
    return postgres_server["url"]


@pytest.fixture
def fresh_postgres(postgres_url: str) -> Iterator[str]:
    """A URL to a new, empty database on the session's server."""
    import psycopg

    name = "t" + os.urandom(6).hex()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    yield postgres_url.rsplit("/", 1)[0] + "/" + name


def assert_kept(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> None:
    """Every row of ``before`` (table to sorted rows, read before a store's upgrade) is in
    ``after``, unchanged: nothing a user stored is lost (columns added by later schemas
    come last, so each row of ``after`` is compared as wide as ``before``'s)."""
    for table, rows in before.items():
        width = len(rows[0]) if rows else 0
        assert [r[:width] for r in after[table]] == rows, table


@pytest.fixture(params=["sqlite", "postgres", "memory"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """Every EventLog implementation, fresh and empty."""
    from procalg.runtime.memory import MemoryLog
    from procalg.store import store_from_url

    if request.param == "memory":  # the port's reference behaviour keeps the same contract
        yield MemoryLog()
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'runs.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres")
    store = store_from_url(url)
    yield store
    store.close()
