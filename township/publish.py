"""The analysts' copy of the warehouse: everything but the restricted tables, replaced atomically.

DuckDB lets one process write a file and no other process open it meanwhile, not even read-only;
and a process reading it blocks the next ingest. So analysts never open the office's warehouse:
after each successful ingest the pipeline publishes `township_analyst.duckdb` beside it (same
schemas, tables, views and macros, less `restricted`), written to a temporary file and renamed
over the previous copy in one step. An analyst's open connection keeps reading the copy it
opened; the next one opens the new copy; an ingest never waits for an analyst.

The warehouse file holds no restricted table (they are in a file of their own, warehouse.py):
after its ingest, the copy is the file itself, checkpointed and copied byte for byte (a
prefecture month: 0.03 s, against 0.8 s rebuilding it table by table). A lake, or a
warehouse opened read-only, is rebuilt table by table.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from pathlib import Path

import duckdb

from township.warehouse import (
    DDL_FILES,
    LAKE,
    RESTRICTED,
    SCHEMAS,
    connect,
    has_table,
    sql,
    table_database,
)

log = logging.getLogger(__name__)

ANALYST_SCHEMAS = tuple(s for s in SCHEMAS if s != RESTRICTED)
SNAPSHOT_ALIAS = "analyst_snapshot"


class SnapshotBusy(Exception):
    """The analysts' copy could not be replaced (on Windows: an analyst has it open)."""


def analyst_snapshot_path(warehouse: Path) -> Path:
    """data/warehouse/township.duckdb -> data/warehouse/township_analyst.duckdb"""
    warehouse = Path(warehouse)
    return warehouse.with_name(f"{warehouse.stem}_analyst{warehouse.suffix or '.duckdb'}")


def publish_analyst_snapshot(
    warehouse: Path | duckdb.DuckDBPyConnection,
    snapshot: Path | None = None,
    wait_seconds: float = 60.0,
    exclusive: bool = False,
) -> Path:
    """Write the analysts' copy of `warehouse` (a path, or an open connection to it) to `snapshot`.

    Given a path, the warehouse is opened read-only (waiting up to `wait_seconds` for an ingest
    to finish); given a connection (e.g. the ingest's own, after its commit), that one is used.
    The copy has the schemas raw, staging and marts created from the same DDL files as the
    warehouse (tables, comments, views, macros), the rows of every table in them, and no
    restricted schema. It is written read-only (mode 0444) and replaces `snapshot` atomically.
    Returns the snapshot's path; raises SnapshotBusy when the old copy cannot be replaced.
    `exclusive` (several ingests into one lake): copies are built and renamed one at a time,
    under a lock file beside the copy, so the copy left last was built last.
    """
    if snapshot is None:
        if not isinstance(warehouse, str | os.PathLike):
            raise ValueError("snapshot path required when the warehouse is given as a connection")
        snapshot = analyst_snapshot_path(Path(warehouse))
    target = Path(snapshot)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(target) if exclusive else contextlib.nullcontext():
        _publish(warehouse, target, wait_seconds)
    log.info("published analyst snapshot %s", target)
    return target


@contextlib.contextmanager
def _exclusive(target: Path):
    """An advisory lock on a file beside the copy (POSIX; elsewhere no lock is taken)."""
    try:
        import fcntl
    except ImportError:  # Windows: one ingest at a time there anyway
        yield
        return
    with open(target.with_name(f".{target.name}.lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _publish(
    warehouse: Path | duckdb.DuckDBPyConnection, target: Path, wait_seconds: float
) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    _remove(tmp)
    try:
        if isinstance(warehouse, duckdb.DuckDBPyConnection) and _holds_no_restricted(warehouse):
            _copy_file(warehouse, tmp)
        elif isinstance(warehouse, duckdb.DuckDBPyConnection):
            copy_without_restricted(warehouse, tmp)
        else:
            con = connect(Path(warehouse), read_only=True, wait_seconds=wait_seconds)
            try:
                copy_without_restricted(con, tmp)
            finally:
                con.close()
        os.chmod(tmp, 0o444)
        _remove(Path(f"{target}.wal"))  # a stale log must never be replayed onto the new copy
        try:
            os.replace(tmp, target)
        except PermissionError as exc:
            raise SnapshotBusy(
                f"analyst copy {target} is open elsewhere and could not be replaced; "
                "it will be replaced after the next ingest"
            ) from exc
    finally:
        _remove(tmp)


def _holds_no_restricted(con: duckdb.DuckDBPyConnection) -> bool:
    """A warehouse file open to write, with no restricted schema of its own (an earlier
    version's file has one until its next ingest splits it off): its bytes may be copied."""
    if table_database(con) == LAKE:
        return False
    read_only, restricted_inside = con.execute(
        "select d.readonly, exists (select 1 from duckdb_schemas() as s "
        "where s.database_name = d.database_name and s.schema_name = ?) "
        "from duckdb_databases() as d where d.database_name = current_database()",
        [RESTRICTED],
    ).fetchone()
    return not read_only and not restricted_inside


def _copy_file(con: duckdb.DuckDBPyConnection, tmp: Path) -> None:
    """The warehouse file, every committed change written into it first (no log beside it)."""
    database, path = con.execute(
        "select database_name, path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    con.execute(f'checkpoint "{database}"')
    shutil.copyfile(path, tmp)


def copy_without_restricted(source: duckdb.DuckDBPyConnection, tmp: Path) -> None:
    """Create the warehouse's schemas but restricted in `tmp` (its DDL files: tables, comments,
    views, macros) and copy the source's rows into its tables: a file in which no restricted
    value was ever written."""
    home, search_path = source.execute(
        "select current_database(), current_setting('search_path')"
    ).fetchone()
    source_db = table_database(source)  # the file itself, or the lake
    source.execute(f"attach '{_quoted(tmp)}' as {SNAPSHOT_ALIAS} (read_write)")
    try:
        source.execute(f"use {SNAPSHOT_ALIAS}")
        source.execute("begin transaction")
        try:
            for schema in ANALYST_SCHEMAS:
                source.execute(f"create schema if not exists {schema}")
            for name in DDL_FILES:
                if not name.startswith(f"{RESTRICTED}/"):
                    source.execute(sql(name))
            for schema, table in _tables(source, SNAPSHOT_ALIAS):
                if has_table(source, f"{schema}.{table}", source_db):
                    source.execute(
                        f'insert into {SNAPSHOT_ALIAS}."{schema}"."{table}" by name '
                        f'select * from "{source_db}"."{schema}"."{table}"'
                    )
            source.execute("commit")
        except BaseException:
            source.execute("rollback")
            raise
        finally:
            source.execute(f'use "{home}"')
            if search_path:  # a lake's connection resolves its macros through the search path
                source.execute(f"set search_path = '{_quoted(search_path)}'")
        source.execute(f"checkpoint {SNAPSHOT_ALIAS}")
    finally:
        source.execute(f"detach {SNAPSHOT_ALIAS}")


def _tables(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() "
        "where database_name = ? and schema_name <> ? order by all",
        [database, RESTRICTED],
    ).fetchall()


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _remove(path: Path) -> None:
    for attempt in range(3):
        try:
            path.unlink(missing_ok=True)
            return
        except PermissionError:
            if attempt == 2:
                raise
            with contextlib.suppress(OSError):
                os.chmod(path, 0o644)
            time.sleep(0.1)
