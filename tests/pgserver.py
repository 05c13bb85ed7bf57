"""A real PostgreSQL server for tests: Debian's ``postgresql`` binaries, a cluster made with
``initdb`` in a temporary directory and run as the ``postgres`` user.

One server per test session (:func:`start`); each test gets its own database made from a
migrated template (:meth:`PgServer.fresh_database`), so tests never see each other's rows and
a migration test can still start from an empty database. Durability is off (``fsync``): the
tests check behaviour, and a crash of the test machine loses nothing worth keeping.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PgServer", "running_server", "unavailable_reason"]

_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
_USER = "postgres"


def _bin(name: str) -> str | None:
    for d in _BIN_DIRS:
        if (d / name).exists():
            return str(d / name)
    return shutil.which(name)


def unavailable_reason() -> str | None:
    """Why a PostgreSQL server cannot be started here (None: it can)."""
    if _bin("initdb") is None or _bin("pg_ctl") is None:
        return "PostgreSQL is not installed (Debian: postgresql)"
    try:
        pwd.getpwnam(_USER)
    except KeyError:
        return "no postgres user (Debian's postgresql package creates it)"
    if os.geteuid() != 0:
        return "needs root to run the server as the postgres user"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    """A running test server: ``url(db)`` names a database on it."""

    data: Path
    port: int
    host: str = "127.0.0.1"
    process: subprocess.Popen[bytes] | None = None
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def url(self, database: str = "postgres") -> str:
        """A connection URL for ``database`` as the ``postgres`` user."""
        return f"postgresql://{_USER}@{self.host}:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run ``sql`` with psql (autocommit); its output."""
        out = subprocess.run(
            [_bin("psql") or "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-d", self.url(database), "-c", sql],
            capture_output=True, text=True, timeout=60, check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr.strip()}")
        return out.stdout.strip()

    def fresh_database(self, template: str = "template0") -> str:
        """A new, empty (or copied from ``template``) database; its URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def stop(self) -> None:
        """Fast shutdown (clients are disconnected)."""
        if self.process is None:
            return
        subprocess.run(
            ["runuser", "-u", _USER, "--", _bin("pg_ctl") or "pg_ctl", "-D", str(self.data),
             "-m", "immediate", "-w", "-t", "30", "stop"],
            capture_output=True, timeout=60, check=False,
        )
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(30)
        if self.process.poll() is None:
            self.process.kill()
        self.process = None


def _as_postgres(argv: list[str], **kw: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["runuser", "-u", _USER, "--", *argv], check=True,  # type: ignore[call-overload]
                          capture_output=True, timeout=120, **kw)


@contextlib.contextmanager
def running_server(
    listen: str = "127.0.0.1", extra_conf: str = "", port: int | None = None
) -> Iterator[PgServer]:
    """initdb in a temporary directory, start, yield, stop and remove."""
    reason = unavailable_reason()
    if reason:
        raise RuntimeError(reason)
    base = Path(tempfile.mkdtemp(prefix="etapiste-pg-"))
    pg = pwd.getpwnam(_USER)
    os.chown(base, pg.pw_uid, pg.pw_gid)
    data = base / "data"
    server = PgServer(data, port or _free_port(), listen.split(",")[0].strip())
    try:
        _as_postgres([_bin("initdb") or "initdb", "-D", str(data), "-A", "trust", "-U", _USER,
                      "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        conf = (
            f"listen_addresses = '{listen}'\nport = {server.port}\n"
            f"unix_socket_directories = '{base}'\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            "max_connections = 200\nshared_buffers = 32MB\n"
            # What deploy/README.md asks of a cluster's database: a dead or cut-off node's
            # sessions (and its routing lease) go within seconds, not hours.
            "tcp_keepalives_idle = 1\ntcp_keepalives_interval = 1\ntcp_keepalives_count = 2\n"
            "tcp_user_timeout = 3000\nidle_in_transaction_session_timeout = 5000\n"
            "log_min_messages = warning\n" + extra_conf
        )
        with (data / "postgresql.conf").open("a") as f:
            f.write(conf)
        # Trust on loopback and the test namespaces' links only: the server is on this machine.
        (data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n"
            "host all all 10.0.0.0/8 trust\n"
        )
        log = (base / "server.log").open("wb")
        server.process = subprocess.Popen(
            ["runuser", "-u", _USER, "--", _bin("postgres") or "postgres", "-D", str(data)],
            stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            ready = subprocess.run(
                [_bin("pg_isready") or "pg_isready", "-h", server.host, "-p", str(server.port)],
                capture_output=True, check=False, timeout=10,
            )
            if ready.returncode == 0:
                break
            if server.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "PostgreSQL did not start: " + (base / "server.log").read_text()[-2000:]
                )
            time.sleep(0.1)
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
