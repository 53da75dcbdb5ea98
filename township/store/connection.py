"""Connections: to the DuckDB file (waiting while another process holds it), and to a
DuckLake (extensions loaded from their PyPI wheels; nothing is downloaded at run time)."""

from __future__ import annotations

import importlib.util
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

from township.config import DEFAULT_DUCKDB_MEMORY, DEFAULT_LOCK_WAIT_SECONDS
from township.store.errors import (
    WarehouseBusy,
    WarehouseMissing,
    WarehouseUnavailable,
    check_whole,
    damaged,
    is_lock_error,
)

T = TypeVar("T")
LAKE = "lake"  # the lake's name in a connection
LOCAL = "memory"  # the connection's in-memory database: macros and views
LOCAL_SCHEMAS = ("staging", "marts")
LAKE_META = "lake_meta"  # the lake's own bookkeeping: not part of the analysts' copy
LAKE_SCHEMAS = ("raw", "restricted", "marts", LAKE_META)
LAKE_SEARCH_PATH = ",".join(
    [f"{LOCAL}.{s}" for s in LOCAL_SCHEMAS] + [f"{LAKE}.{s}" for s in LAKE_SCHEMAS]
)
# DuckDB extensions from their PyPI wheels (nothing is downloaded at run time):
# extension -> the package holding extensions/v<duckdb version>/<extension>.duckdb_extension
EXTENSION_PACKAGES = {
    "ducklake": "duckdb_extension_ducklake",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
    "httpfs": "duckdb_extension_httpfs",
    "azure": "duckdb_extension_azure",
}
REMOTE_STORAGE = {"s3": "httpfs", "r2": "httpfs", "gs": "httpfs", "gcs": "httpfs"}
REMOTE_STORAGE |= {"http": "httpfs", "https": "httpfs", "az": "azure", "abfss": "azure"}
CONFLICT_RETRIES = 10


def _configure(con: duckdb.DuckDBPyConnection, memory_limit: str) -> None:
    # no progress bar: long statements would otherwise draw one on the terminal
    con.execute("set enable_progress_bar = false")
    # Bounded, so a province-sized run spills to disk instead of exhausting memory.
    con.execute("set memory_limit = ?", [memory_limit])


def connect(
    path: Path,
    read_only: bool = False,
    wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS,
    memory_limit: str = DEFAULT_DUCKDB_MEMORY,
) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting while another process holds its write lock; DuckDB's memory
    bounded by `memory_limit` (the setting TOWNSHIP_DUCKDB_MEMORY)."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = waiting_for_lock(
        path, wait_seconds, lambda: duckdb.connect(str(path), read_only=read_only)
    )
    try:
        _configure(con, memory_limit)
        # FSST's analysis is the slowest part of writing strings, and ours repeat (periods,
        # codes, names): dictionary compression writes them faster (bench/RESULTS.md).
        con.execute("set disabled_compression_methods = 'fsst'")
        check_whole(con, path)
    except BaseException:
        con.close()
        raise
    return con


def waiting_for_lock(
    path: Path,
    wait_seconds: float,
    attempt: Callable[[], T],
    warehouse: Path | None = None,
    started: float | None = None,
) -> T:
    """attempt() (opening or attaching the file at `path`), again while another process holds
    the file's lock, up to `wait_seconds` (TOWNSHIP_LOCK_WAIT_SECONDS); then WarehouseBusy,
    naming the warehouse. Every file of the warehouse is waited for the same way: a lock on
    the restricted file beside it is the same busy warehouse as one on the file itself, and
    its wait is the same wait, begun at `started` (a time.monotonic())."""
    deadline = (time.monotonic() if started is None else started) + wait_seconds
    delay = 0.2
    while True:
        try:
            return attempt()
        except duckdb.IOException as exc:
            if (broken := damaged(path, exc, warehouse)) is not None:
                raise broken from exc
            if not is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"warehouse {warehouse or path} is held by another process "
                    f"(waited {wait_seconds:g} s); try again when the other ingest has finished"
                ) from exc
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 2.0)


def lake_uri(catalog: str) -> str:
    """`postgres:dbname=…` or `ducklake:postgres:dbname=…` -> the DuckLake ATTACH string."""
    catalog = catalog.strip()
    return catalog if catalog.startswith("ducklake:") else f"ducklake:{catalog}"


def extension_file(name: str) -> Path:
    package = EXTENSION_PACKAGES[name]
    spec = importlib.util.find_spec(package)
    wanted = f"{package.replace('_', '-')}=={duckdb.__version__}"
    if spec is None or not spec.submodule_search_locations:
        raise WarehouseUnavailable(f"DuckDB extension {name} is not installed: add {wanted}")
    path = Path(next(iter(spec.submodule_search_locations)))
    path = path / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.exists():
        raise WarehouseUnavailable(f"{path} missing: the wheel must match duckdb ({wanted})")
    return path


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute(f"load '{quoted(str(extension_file(name)))}'")


def storage_extension(data_path: str | None) -> str | None:
    scheme = data_path.split("://", 1)[0].lower() if data_path and "://" in data_path else None
    return REMOTE_STORAGE.get(scheme) if scheme else None


def quoted(text: str) -> str:
    return text.replace("'", "''")


_JITTER = random.Random()  # its own: the process's global random state is not ours to move


def pause(attempt: int) -> None:
    """Back off before retrying a commit another process beat us to: 0.1 s doubling, jittered."""
    time.sleep(min(0.1 * 2**attempt, 5.0) * (0.5 + _JITTER.random()))


def connect_lake(
    catalog: str,
    data_path: str | None = None,
    read_only: bool = False,
    memory_limit: str = DEFAULT_DUCKDB_MEMORY,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the DuckLake attached as `lake` (extensions from their wheels).

    Two processes creating the same new lake at once race in PostgreSQL: the later one fails
    on the catalog tables the other just made, and attaches again, to the lake now there."""
    for attempt in range(CONFLICT_RETRIES):
        try:
            return _attach_lake(catalog, data_path, read_only, memory_limit)
        except duckdb.Error as exc:
            text = str(exc)
            racing = "initialize DuckLake" in text and (
                "already exists" in text or "duplicate key" in text
            )
            if racing and attempt < CONFLICT_RETRIES - 1:
                pause(attempt)
                continue
            if "data_path is not set" in text:
                raise WarehouseMissing(
                    f"no DuckLake at {catalog} yet: set TOWNSHIP_LAKE_DATA to the folder "
                    "(or s3://…) for its data files, then ingest"
                ) from exc
            if "creating a new DuckLake is explicitly disabled" in text:
                raise WarehouseMissing(f"no DuckLake at {catalog} yet: ingest first") from exc
            raise WarehouseUnavailable(f"cannot open the DuckLake at {catalog}: {text}") from exc
    raise AssertionError("unreachable")


def _attach_lake(
    catalog: str, data_path: str | None, read_only: bool, memory_limit: str
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        config={"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
    )
    try:
        _configure(con, memory_limit)
        uri = lake_uri(catalog)
        load_extension(con, "ducklake")
        if uri.startswith("ducklake:postgres:"):
            load_extension(con, "postgres_scanner")
        if extension := storage_extension(data_path):
            load_extension(con, extension)
        options = [f"data_path '{quoted(data_path)}'"] if data_path else []
        options += ["read_only"] if read_only else []
        con.execute(
            f"attach '{quoted(uri)}' as {LAKE}" + (f" ({', '.join(options)})" if options else "")
        )
        if data_path is None:  # a lake made with its files in object storage: load that extension
            stored = con.execute(
                f"select value from {LAKE}.options() where option_name = 'data_path'"
            ).fetchone()
            if extension := storage_extension(stored[0] if stored else None):
                load_extension(con, extension)
    except BaseException:
        con.close()
        raise
    return con
