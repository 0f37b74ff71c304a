"""A throwaway PostgreSQL 15 server on 127.0.0.1 for the test suite (`make test-postgres`).

initdb refuses to run as root, so as root the server runs as the `postgres` user (runuser).
The data directory lives in a temporary folder, fsync is off, and the server is stopped after.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's binaries are not installed here."""


def _bin_dir() -> Path:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise PostgresUnavailable("initdb introuvable : installez le paquet Debian « postgresql »")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ThrowawayPostgres:
    """A running server and the URL of its `fse` database."""

    url: str
    data_dir: Path
    bin_dir: Path
    run_as: list[str]

    def stop(self) -> None:
        subprocess.run([*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir / "data"),
                        "-m", "immediate", "stop"], capture_output=True, check=False)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def start() -> ThrowawayPostgres:
    """Create a cluster in a temporary folder, start it on a free loopback port, create `fse`."""
    bin_dir = _bin_dir()
    base = Path(tempfile.mkdtemp(prefix="fse-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, user="postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()

    def run(*args: str) -> None:
        result = subprocess.run([*run_as, *args], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} a échoué : {result.stderr or result.stdout}")

    run(str(bin_dir / "initdb"), "-D", str(base / "data"), "-U", "app", "--auth=trust", "-E", "UTF8",
        "--locale=C.UTF-8", "-N")
    run(str(bin_dir / "pg_ctl"), "-D", str(base / "data"), "-l", str(base / "log"), "-w", "-o",
        f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off -c synchronous_commit=off "
        f"-c full_page_writes=off -c max_connections=60", "start")
    run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "app", "fse")
    return ThrowawayPostgres(f"postgresql+psycopg://app@127.0.0.1:{port}/fse", base, bin_dir, run_as)
