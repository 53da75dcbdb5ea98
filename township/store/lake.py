"""The warehouse as a DuckLake (README "Scaling out"): the catalog in PostgreSQL, the data as
Parquet files in a folder or object storage, several ingests committing at once.

The lake holds the tables (raw, restricted, marts); the staging and marts macros and views live
in each connection's in-memory database, created from the same definitions and resolved against
the lake's tables through the search path. DuckLake has no unique keys: two loads of one report
month are kept apart by a table per month that each load drops and creates (they conflict at
commit); replacements of the village list or of the indicators log a row that conflicts the same
way, and the later one retries on the newer data."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd

from township.config import DEFAULT_DUCKDB_MEMORY
from township.store.connection import (
    CONFLICT_RETRIES,
    LAKE,
    LAKE_META,
    LAKE_SCHEMAS,
    LAKE_SEARCH_PATH,
    LOCAL,
    LOCAL_SCHEMAS,
    connect_lake,
    pause,
)
from township.store.errors import WarehouseBusy, WarehouseMissing, is_conflict
from township.store.file import copy_without_restricted
from township.store.manifest import definitions, lake_ddl
from township.store.warehouse import Warehouse

T = TypeVar("T")
REFRESHES = f"{LAKE}.{LAKE_META}.refreshes"


class LakeWarehouse(Warehouse):
    is_lake = True

    def __init__(
        self,
        path: Path,
        catalog: str,
        lake_data: str | None,
        read_only: bool = False,
        memory_limit: str = DEFAULT_DUCKDB_MEMORY,
    ):
        """`path` only places the analysts' copy; the lake is never locked."""
        con = connect_lake(catalog, lake_data, read_only, memory_limit)
        super().__init__(path, con)  # one transaction holds the restricted tables too
        self.catalog = catalog
        try:
            self._ensure_tables(read_only)
            self._ensure_local_objects()
        except BaseException:
            con.close()
            raise

    @property
    def tables_database(self) -> str:
        return LAKE

    def transaction(self, work: Callable[[], T]) -> T:
        """Retried when another process committed meanwhile (0.1 s doubling, jittered)."""
        for attempt in range(CONFLICT_RETRIES):
            self.begin()
            try:
                out = work()
                self.commit()
                return out
            except duckdb.Error as exc:
                self.rollback()
                if not is_conflict(exc) or attempt == CONFLICT_RETRIES - 1:
                    raise
                pause(attempt)
        raise AssertionError("unreachable")

    def _ensure_tables(self, read_only: bool) -> None:
        """The lake's tables with their comments, created once, by whichever process comes
        first (two at once conflict: the later one finds them made and goes on). Existing tables
        are left alone: a COMMENT is an ALTER, which would conflict with a concurrent load."""
        for attempt in range(CONFLICT_RETRIES):
            existing = self._existing_tables()
            missing = [d for d in definitions() if d.tables and not d.tables <= existing]
            meta_missing = REFRESHES.split(".", 1)[1] not in existing
            if not missing and not meta_missing:
                return
            if read_only:
                raise WarehouseMissing(f"the DuckLake at {self.catalog} is empty: ingest first")
            self.con.execute(f"use {LAKE}")
            try:
                self.begin()
                for schema in LAKE_SCHEMAS:
                    self.con.execute(f"create schema if not exists {schema}")
                for d in missing:
                    self.con.execute(lake_ddl(d.text))
                if meta_missing:
                    self._create_refresh_log()
                self.commit()
            except duckdb.Error as exc:
                self.rollback()
                # Another process creating the same tables at the same moment shows up either
                # as a commit conflict or as "already exists": either way, look again.
                raced = is_conflict(exc) or "already exists" in str(exc)
                if not raced or attempt == CONFLICT_RETRIES - 1:
                    raise
                pause(attempt)
            finally:
                self.con.execute(f"use {LOCAL}")

    def _existing_tables(self) -> set[str]:
        rows = self.con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = ?", [LAKE]
        ).fetchall()
        return {f"{schema}.{table}" for schema, table in rows}

    def _create_refresh_log(self) -> None:
        self.con.execute(
            f"create table {LAKE_META}.refreshes (kind varchar not null, "
            "refreshed_at timestamp not null, host varchar, pid integer)"
        )
        # seeded: replacing a row is a delete, and two concurrent deletes from one table
        # conflict (deleting nothing from an empty table would not)
        for kind in ("villages", "indicators"):
            self._log(kind, replace=False)

    def _ensure_local_objects(self) -> None:
        """The staging and marts macros and views, in this connection's memory, over the lake."""
        self.con.execute(f"use {LOCAL}")
        for schema in LOCAL_SCHEMAS:
            self.con.execute(f"create schema if not exists {schema}")
        self.con.execute(f"set search_path = '{LAKE_SEARCH_PATH}'")
        for d in definitions():
            if not d.tables:
                self.con.execute(d.text)

    def _log(self, kind: str, replace: bool = True) -> None:
        """Record a replacement of `kind` (villages, indicators). Its delete makes two
        concurrent replacements conflict, so the later one retries on the newer data."""
        if replace:
            self.con.execute(f"delete from {REFRESHES} where kind = ?", [kind])
        self.con.execute(
            f"insert into {REFRESHES} values (?, now()::timestamp, ?, ?)",
            [kind, socket.gethostname(), os.getpid()],
        )

    def before_materialize(self) -> None:
        self._log("indicators")

    def begin_load(self, villages: pd.DataFrame, months: list[str]) -> None:
        """The villages replaced first in their own transaction (only when changed: a
        replacement conflicts with another), then the load's transaction opens and claims its
        report months, so that two ingests of one month cannot both commit."""
        from township.store.load import villages_unchanged

        def replace_villages() -> None:
            if villages_unchanged(self, villages):
                return
            self._log("villages")
            self.con.execute("delete from raw.villages")
            self.insert("raw.villages", villages)

        self.transaction(replace_villages)
        self.begin()
        try:
            for month in sorted(set(months)):
                self._claim(month)
        except BaseException:
            self.rollback()
            raise

    def _claim(self, month: str) -> None:
        """A table per report month, dropped and created by each load of that month."""
        table = f'{LAKE}.{LAKE_META}."ingest_{month}"'
        self.con.execute(f"drop table if exists {table}")
        self.con.execute(
            f"create table {table} as select now()::timestamp as loaded_at, ? as host, ? as pid",
            [socket.gethostname(), os.getpid()],
        )

    def commit_load(self) -> None:
        try:
            self.commit()
        except duckdb.Error as exc:
            if is_conflict(exc):
                raise WarehouseBusy(
                    "another ingest of the same report month committed first; "
                    "run again to load what it did not"
                ) from exc
            raise

    def write_copy(self, tmp: Path) -> None:
        copy_without_restricted(self.con, tmp, LAKE)

    def exclusive_copies(self) -> bool:
        return True


Warehouse.kinds["lake"] = LakeWarehouse
