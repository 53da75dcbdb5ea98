"""The warehouse as a DuckDB file (the default): one writer at a time, the names and ID numbers
in a file of their own beside it (`township_restricted.duckdb`), attached as `restricted`."""

from __future__ import annotations

import contextlib
import shutil
import time
from pathlib import Path

import duckdb
import pandas as pd

from township.config import DEFAULT_DUCKDB_MEMORY, DEFAULT_LOCK_WAIT_SECONDS
from township.privacy import owner_only
from township.store.connection import connect, quoted, waiting_for_lock
from township.store.errors import check_whole
from township.store.manifest import RESTRICTED, definitions, fingerprint, restricted_tables
from township.store.paths import restricted_path
from township.store.warehouse import Warehouse

ANALYST_SCHEMAS = ("raw", "staging", "marts")
COPY_ALIAS = "analyst_copy"


class FileWarehouse(Warehouse):
    def __init__(
        self,
        path: Path,
        read_only: bool = False,
        wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS,
        memory_limit: str = DEFAULT_DUCKDB_MEMORY,
    ):
        path = Path(path)
        started = time.monotonic()
        con = connect(path, read_only, wait_seconds, memory_limit)
        try:
            # the two files are one warehouse, waited for once: the same wait, begun at `started`
            _attach_restricted(con, path, read_only, wait_seconds, started)
            # The restricted file's writes, in a transaction of their own: DuckDB writes one
            # attached database per transaction. A cursor shares this connection's databases.
            private = con.cursor()
            private.execute("set enable_progress_bar = false")
        except BaseException:
            con.close()
            raise
        super().__init__(path, con, private)
        self.read_only = read_only
        if not read_only:
            try:
                self._ensure_schema()
            except BaseException:
                self.close()
                raise

    @property
    def tables_database(self) -> str:
        return self.con.execute("select current_database()").fetchone()[0]

    def _ensure_schema(self) -> None:
        """Apply the definitions, once per version of them (raw.schema_versions)."""
        if self._schema_current():
            return
        restricted = [d for d in definitions() if d.layer == RESTRICTED]
        self.private.execute("begin transaction")
        for d in restricted:
            self.private.execute(d.text)
        with owner_only():  # the restricted file's log is created at its commits
            self.private.execute("commit")
        self.begin()
        for schema in ANALYST_SCHEMAS:
            self.con.execute(f"create schema if not exists {schema}")
        for d in definitions():
            if d.layer != RESTRICTED:
                self.con.execute(d.text)
        self.con.execute("delete from raw.schema_versions")
        self.con.execute(
            "insert into raw.schema_versions values (?, now()::timestamp)", [fingerprint()]
        )
        self.commit()

    def _schema_current(self) -> bool:
        try:
            row = self.con.execute("select max(fingerprint) from raw.schema_versions").fetchone()
        except duckdb.CatalogException:
            return False
        return row[0] == fingerprint()

    def begin_load(self, villages: pd.DataFrame, months: list[str]) -> None:
        """One transaction holds everything, the village list replaced first; the restricted
        file's side of the load in a transaction of its own, committed first (commit_load): a
        crash between the two commits leaves restricted rows of submissions the warehouse never
        received, removed here by the next load before anything else."""
        self.begin()
        try:
            self.con.execute("delete from raw.villages")
            self.insert("raw.villages", villages)
            self.private.execute("begin transaction")
            for table in restricted_tables():
                self.private.execute(
                    f"delete from {RESTRICTED}.{table} "
                    "where submission_id not in (select submission_id from raw.submissions)"
                )
        except BaseException:
            self.rollback()
            raise

    def commit_load(self) -> None:
        with owner_only():
            self.private.execute("commit")
        self.commit()

    def write_copy(self, tmp: Path) -> None:
        """The warehouse file itself, every committed change written into it first. Opened
        read-only, it cannot be checkpointed: the copy is then built table by table."""
        if self.read_only:
            copy_without_restricted(self.con, tmp, self.tables_database)
            return
        database, path = self.con.execute(
            "select database_name, path from duckdb_databases() "
            "where database_name = current_database()"
        ).fetchone()
        self.con.execute(f'checkpoint "{database}"')
        shutil.copyfile(path, tmp)


Warehouse.kinds["file"] = FileWarehouse


def _attach_restricted(
    con: duckdb.DuckDBPyConnection, path: Path, read_only: bool, wait_seconds: float, started: float
) -> None:
    """The names and ID numbers: the file beside the warehouse, as the catalog `restricted`,
    waited for like the warehouse while another process holds it. Not attached when there is
    none to read (an analysts' copy, say)."""
    private = restricted_path(path)
    if read_only and not private.exists():
        return
    mode = "read_only" if read_only else "read_write"

    def attach() -> None:
        with contextlib.nullcontext() if read_only else owner_only():
            con.execute(f"attach '{quoted(str(private))}' as {RESTRICTED} ({mode})")

    waiting_for_lock(private, wait_seconds, attach, warehouse=path, started=started)
    check_whole(con, private, RESTRICTED, path)
    if not read_only:
        private.chmod(0o600)  # whoever made it, only the office account may read it


def copy_without_restricted(source: duckdb.DuckDBPyConnection, tmp: Path, source_db: str) -> None:
    """Create the warehouse's definitions but restricted in `tmp` and copy the source's rows
    into its tables: a file in which no restricted value was ever written."""
    home, search_path = source.execute(
        "select current_database(), current_setting('search_path')"
    ).fetchone()
    source.execute(f"attach '{quoted(str(tmp))}' as {COPY_ALIAS} (read_write)")
    try:
        source.execute(f"use {COPY_ALIAS}")
        source.execute("begin transaction")
        try:
            for schema in ANALYST_SCHEMAS:
                source.execute(f"create schema if not exists {schema}")
            for d in definitions():
                if d.layer != RESTRICTED:
                    source.execute(d.text)
            for schema, table in _tables(source, COPY_ALIAS):
                source.execute(
                    f'insert into {COPY_ALIAS}."{schema}"."{table}" by name '
                    f'select * from "{source_db}"."{schema}"."{table}"'
                )
            source.execute("commit")
        except BaseException:
            source.execute("rollback")
            raise
        finally:
            source.execute(f'use "{home}"')
            if search_path:  # a lake's connection resolves its macros through the search path
                source.execute(f"set search_path = '{quoted(search_path)}'")
        source.execute(f"checkpoint {COPY_ALIAS}")
    finally:
        source.execute(f"detach {COPY_ALIAS}")


def _tables(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() "
        "where database_name = ? and schema_name <> ? order by all",
        [database, RESTRICTED],
    ).fetchall()
