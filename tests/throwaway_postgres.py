"""A throwaway PostgreSQL cluster on 127.0.0.1 for the DuckLake catalog (tests, benchmarks).

Uses the Debian `postgresql` package's binaries (/usr/lib/postgresql/<version>/bin; `.ci/run`
installs the package when they are missing). As root the server runs as the `postgres` user,
which PostgreSQL requires. Nothing outside the cluster's own temporary folder is touched.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Postgres:
    port: int
    folder: Path

    def catalog(self, database: str) -> str:
        """The TOWNSHIP_CATALOG string for a database of this cluster."""
        return f"postgres:dbname={database} host=127.0.0.1 port={self.port} user=postgres"

    def create_database(self, name: str) -> str:
        _run([_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name])
        return self.catalog(name)


def postgres_bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path: str) -> tuple:
    part = Path(path).parent.parent.name
    return tuple(int(x) for x in part.split(".") if x.isdigit())


def _bin(name: str) -> str:
    folder = postgres_bin_dir()
    if folder is None:
        raise FileNotFoundError("PostgreSQL is not installed (apt-get install -y postgresql)")
    return str(folder / name)


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _run(args: list[str]) -> None:
    proc = subprocess.run(_as_postgres(args), capture_output=True, text=True, timeout=120, cwd="/")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {proc.stdout}\n{proc.stderr}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[Postgres]:
    """initdb into a temporary folder, start on a free port of 127.0.0.1, stop and delete."""
    folder = Path(tempfile.mkdtemp(prefix="township-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    port = _free_port()
    started = False
    try:
        _run(
            [_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
            + ["--locale=C", "--no-sync"]
        )
        options = f"-h 127.0.0.1 -p {port} -k {folder} -F -c max_connections=200"
        _run(
            [_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w"]
            + ["start"]
        )
        started = True
        yield Postgres(port, folder)
    finally:
        if started:
            with contextlib.suppress(Exception):
                _run([_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)
