"""The one module that touches storage: the DuckDB file, its schemas, loads and queries.

Two storage targets, one interface (class Warehouse):

- the default, a DuckDB file (`TOWNSHIP_WAREHOUSE`): one writer at a time, a file lock. Names
  and ID numbers are in a second file beside it (`township_restricted.duckdb`), attached as
  the catalog `restricted`: no byte of them is ever written to the warehouse file itself, so
  the analysts' copy is that file, copied (publish.py);
- a DuckLake (`TOWNSHIP_CATALOG`, README "Scaling out"): the catalog in PostgreSQL, the data
  as Parquet files in a folder or object storage (`TOWNSHIP_LAKE_DATA`), several ingests
  committing at once. The lake holds the tables (raw, restricted, marts); the staging and marts
  macros and views live in each connection's in-memory database, created from the same SQL
  files and resolved against the lake's tables through the search path.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import os
import random
import re
import socket
import time
import uuid
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import yaml

from township.privacy import owner_only

SQL_DIR = Path(__file__).with_name("sql")
INDICATOR_CATALOG = Path(__file__).parent / "indicators" / "catalog.yaml"
RESTRICTED = "restricted"
SCHEMAS = ("raw", "staging", "marts", RESTRICTED)  # in a file, restricted is a file of its own
# Creation order: macros before the macros that call them.
DDL_FILES = [
    "raw/villages.sql",
    "raw/submissions.sql",
    "raw/submission_forms.sql",
    "raw/births.sql",
    "raw/beneficiaries.sql",
    "raw/contraception.sql",
    "raw/migrants.sql",
    "raw/services.sql",
    "raw/findings.sql",
    "raw/loads.sql",
    "raw/ingests.sql",
    "raw/file_outcomes.sql",
    "raw/schema_versions.sql",
    "restricted/submissions.sql",
    "restricted/births.sql",
    "restricted/beneficiaries.sql",
    "restricted/findings.sql",
    "staging/periods_of.sql",
    "staging/round_half_up.sql",
    "staging/current_forms.sql",
    "staging/births.sql",
    "staging/beneficiaries.sql",
    "staging/contraception.sql",
    "staging/migrants.sql",
    "staging/services.sql",
    "staging/period_type.sql",
    "staging/indicator_orgs.sql",
    "marts/indicator_catalog.sql",
    "marts/indicator_orgs.sql",
    "marts/indicator_facts.sql",
    "marts/indicator_builds.sql",
    "marts/village_measures.sql",
    "marts/indicator_facts_at.sql",
    "marts/indicator_values.sql",
    "marts/indicator_lineage.sql",
    "marts/births.sql",
    "marts/birth_rows.sql",
    "marts/beneficiaries.sql",
    "marts/contraception.sql",
    "marts/migrants.sql",
    "marts/services.sql",
    "marts/form_versions.sql",
    "marts/submissions.sql",
    "marts/row_ledger.sql",
    "marts/file_outcomes.sql",
    "marts/findings.sql",
    "marts/quarantined_rows.sql",
    "marts/villages.sql",
]
LOAD_ORDER = [
    "raw.submissions",
    "restricted.submissions",
    "raw.submission_forms",
    "raw.births",
    "restricted.births",
    "raw.beneficiaries",
    "restricted.beneficiaries",
    "raw.contraception",
    "raw.migrants",
    "raw.services",
    "raw.findings",
    "restricted.findings",
]


class WarehouseBusy(Exception):
    """Another process holds the warehouse for longer than we were willing to wait."""


class WarehouseUnavailable(OSError):
    """The lake's catalog cannot be reached (waiting may fix that)."""


class WarehouseOutdated(Exception):
    """Written by an earlier version and opened read-only: what needs the new schema waits for
    the next ingest, which upgrades it."""


class WarehouseMissing(FileNotFoundError):
    """There is no lake there yet (or no tables in it): ingest first. Waiting will not help."""


class WarehouseDamaged(Exception):
    """The file is not a readable DuckDB warehouse (truncated, overwritten, a directory): no
    wait or retry fixes it, a backup or a rebuild from data/raw does."""


# What DuckDB says when a file cannot be read as a database at all (duckdb 1.5), and what it
# means for the office.
DAMAGE_SIGNS = {
    "replaying wal": "its write-ahead log (.wal) is damaged",
    "is a directory": "it is a directory, not a file",
    "could not read enough bytes": "it is truncated",
    "not a valid duckdb database file": "it is not a DuckDB file",
    "corrupt database file": "its contents are corrupt",
    "checksum": "its contents are corrupt",
}


HEADER_BYTES = 3 * 4096  # a DuckDB file's header and its two database headers, before the blocks


def damaged(path: Path, exc: Exception, warehouse: Path | None = None) -> WarehouseDamaged | None:
    """The WarehouseDamaged for `exc`, met opening `path` (the warehouse itself, else the file
    beside `warehouse`), or None when the error says nothing of the kind."""
    text = _duckdb_words(exc)
    reason = next((why for sign, why in DAMAGE_SIGNS.items() if sign in text), None)
    return None if reason is None else _damage(Path(path), reason, warehouse)


def check_whole(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    database: str | None = None,
    warehouse: Path | None = None,
) -> None:
    """WarehouseDamaged when the file is cut short (a copy interrupted, a full disk): DuckDB
    opens it, and fails only at the first query reaching a missing block. DuckDB writes whole
    blocks after its headers, so a file ending inside a block, or holding fewer blocks than
    are in use, has lost its end. (Free blocks may lie past the end: total_blocks won't do.)"""
    path = Path(path)
    if not path.is_file() or Path(f"{path}.wal").exists():
        return  # what the log holds may not be in the file yet
    block_size, used = con.execute(
        "select block_size, used_blocks from pragma_database_size() "
        "where database_name = coalesce(?, current_database())",
        [database],
    ).fetchone()
    size = path.stat().st_size
    if (size - HEADER_BYTES) % block_size or size < HEADER_BYTES + used * block_size:
        raise _damage(path, "it is truncated", warehouse)


def _damage(path: Path, reason: str, warehouse: Path | None) -> WarehouseDamaged:
    warehouse = Path(warehouse or path)
    return WarehouseDamaged(
        f"warehouse file {path} is damaged or not a DuckDB warehouse ({reason}): restore "
        f"{warehouse.name} and {restricted_path(warehouse).name} together from the backup, or "
        "move both aside and run `township ingest`, which rebuilds everything from data/raw"
    )


def sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


@functools.cache
def ddl_fingerprint() -> str:
    """What the warehouse's definitions are: the SHA-256 of the DDL files, in creation order."""
    digest = hashlib.sha256()
    for name in DDL_FILES:
        digest.update(name.encode() + b"\0" + sql(name).encode() + b"\0")
    return digest.hexdigest()


def _duckdb_words(exc: Exception) -> str:
    """DuckDB's message without the quoted paths in it: a path may hold any word (/srv/blocks)."""
    return re.sub(r'"[^"]*"', '""', str(exc)).lower()


def _is_lock_error(exc: Exception) -> bool:
    text = _duckdb_words(exc)
    return "could not set lock" in text or "conflicting lock" in text


def connect(
    path: Path, read_only: bool = False, wait_seconds: float = 60.0
) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting while another process holds its write lock."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.2
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            # no progress bar: long statements would otherwise draw one on the terminal
            con.execute("set enable_progress_bar = false")
            # Bounded, so a province-sized run spills to disk instead of exhausting memory; a
            # prefecture month (2 million indicator values) spills a little: ~3 s, 0.8 GB less memory.
            con.execute("set memory_limit = ?", [os.environ.get("TOWNSHIP_DUCKDB_MEMORY", "600MB")])
            # FSST's analysis is the slowest part of writing strings, and ours repeat (periods,
            # codes, names): dictionary compression takes them 20% faster (2M indicator rows:
            # 0.93 s -> 0.75 s, the analysts' copy as much again).
            con.execute("set disabled_compression_methods = 'fsst'")
        except duckdb.IOException as exc:
            if (broken := damaged(path, exc)) is not None:
                raise broken from exc
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                if _is_lock_error(exc):
                    raise WarehouseBusy(
                        f"warehouse {path} is held by another process (waited {wait_seconds:.0f} s); "
                        "try again when the other ingest has finished"
                    ) from exc
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
            continue
        try:
            check_whole(con, path)
        except BaseException:
            con.close()
            raise
        return con


# -- the DuckLake target ------------------------------------------------------------------
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
# Before marts.indicator_facts, the indicators were materialized in this table; it is a view now.
LEGACY_INDICATOR_TABLE = "marts.indicator_values"
CREATES_TABLE = re.compile(r"create table if not exists (\w+\.\w+)", re.IGNORECASE)


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


def _load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute(f"load '{_quoted(str(extension_file(name)))}'")


def _storage_extension(data_path: str | None) -> str | None:
    scheme = data_path.split("://", 1)[0].lower() if data_path and "://" in data_path else None
    return REMOTE_STORAGE.get(scheme) if scheme else None


def _quoted(text: str) -> str:
    return text.replace("'", "''")


def _is_conflict(exc: Exception) -> bool:
    return "transaction conflict" in str(exc).lower()


def _pause(attempt: int) -> None:
    """Back off before retrying a commit another process beat us to: 0.1 s doubling, jittered."""
    time.sleep(min(0.1 * 2**attempt, 5.0) * (0.5 + random.random()))


def connect_lake(
    catalog: str, data_path: str | None = None, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the DuckLake attached as `lake` (extensions from their wheels).

    Two processes creating the same new lake at once race in PostgreSQL: the later one fails
    on the catalog tables the other just made, and attaches again, to the lake now there."""
    for attempt in range(CONFLICT_RETRIES):
        try:
            return _attach_lake(catalog, data_path, read_only)
        except duckdb.Error as exc:
            text = str(exc)
            racing = "initialize DuckLake" in text and (
                "already exists" in text or "duplicate key" in text
            )
            if racing and attempt < CONFLICT_RETRIES - 1:
                _pause(attempt)
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


def _attach_lake(catalog: str, data_path: str | None, read_only: bool) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        config={"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
    )
    try:
        con.execute("set enable_progress_bar = false")
        con.execute("set memory_limit = ?", [os.environ.get("TOWNSHIP_DUCKDB_MEMORY", "600MB")])
        uri = lake_uri(catalog)
        _load_extension(con, "ducklake")
        if uri.startswith("ducklake:postgres:"):
            _load_extension(con, "postgres_scanner")
        if extension := _storage_extension(data_path):
            _load_extension(con, extension)
        options = [f"data_path '{_quoted(data_path)}'"] if data_path else []
        options += ["read_only"] if read_only else []
        con.execute(
            f"attach '{_quoted(uri)}' as {LAKE}" + (f" ({', '.join(options)})" if options else "")
        )
        if data_path is None:  # a lake made with its files in object storage: load that extension
            stored = con.execute(
                f"select value from {LAKE}.options() where option_name = 'data_path'"
            ).fetchone()
            if extension := _storage_extension(stored[0] if stored else None):
                _load_extension(con, extension)
    except BaseException:
        con.close()
        raise
    return con


def _lake_ddl(text: str) -> str:
    """A table's DDL for DuckLake, which has no PRIMARY KEY or UNIQUE: keys become NOT NULL
    (uniqueness is the ingest's: a file already loaded for a month is never loaded again)."""
    text = re.sub(r",\s*primary key\s*\([^)]*\)", "", text, flags=re.IGNORECASE)
    return re.sub(r"\s+primary key\b", " not null", text, flags=re.IGNORECASE)


def table_files() -> dict[str, str]:
    """DDL file -> the table it creates (the files that create macros and views are not here)."""
    found = {name: CREATES_TABLE.search(sql(name)) for name in DDL_FILES}
    return {name: m.group(1) for name, m in found.items() if m}


def table_database(con: duckdb.DuckDBPyConnection) -> str:
    """The database holding the warehouse's tables on this connection: the lake, or the file."""
    lake = con.execute(
        "select count(*) from duckdb_databases() where database_name = ? and type = 'ducklake'",
        [LAKE],
    ).fetchone()[0]
    return LAKE if lake else con.execute("select current_database()").fetchone()[0]


def restricted_path(warehouse: Path) -> Path:
    """data/warehouse/township.duckdb -> data/warehouse/township_restricted.duckdb"""
    warehouse = Path(warehouse)
    return warehouse.with_name(f"{warehouse.stem}_restricted{warehouse.suffix or '.duckdb'}")


def _restricted_ddl() -> list[str]:
    return [name for name in DDL_FILES if name.startswith(f"{RESTRICTED}/")]


def _restricted_tables() -> list[str]:
    """births, beneficiaries, findings: the tables the restricted DDL files create."""
    return [table_files()[name].split(".")[1] for name in _restricted_ddl()]


def has_table(con: duckdb.DuckDBPyConnection, name: str, database: str | None = None) -> bool:
    """Whether `schema.table` is a table of `database` (default: the connection's own)."""
    schema, table = name.split(".")
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where database_name = "
            "coalesce(?, current_database()) and schema_name = ? and table_name = ?",
            [database, schema, table],
        ).fetchone()[0]
    )


def warehouse_exists(settings) -> bool:
    """Whether there is a warehouse to read: the file exists (a lake is asked when opened)."""
    return bool(settings.catalog) or Path(settings.warehouse).exists()


class Warehouse:
    def __init__(
        self,
        path: Path,
        read_only: bool = False,
        wait_seconds: float = 60.0,
        catalog: str | None = None,
        lake_data: str | None = None,
    ):
        """The DuckDB file at `path`; or, given `catalog`, the DuckLake it names (`path` then
        only places the analysts' copy). A lake is never locked: `wait_seconds` is the file's."""
        self.path = Path(path)
        self.catalog = catalog
        if catalog:
            self.con = connect_lake(catalog, lake_data, read_only=read_only)
            self.private = self.con  # the lake holds the restricted tables too: one transaction
            try:
                self._ensure_lake_tables(read_only)
                self._ensure_local_objects()
            except BaseException:
                self.con.close()
                raise
            return
        self.con = connect(self.path, read_only=read_only, wait_seconds=wait_seconds)
        try:
            if not read_only and self._has_schema(RESTRICTED):
                self._split_restricted(wait_seconds)
            self._attach_restricted(read_only)
            # The restricted file's writes, in a transaction of their own: DuckDB writes one
            # attached database per transaction. A cursor shares this connection's databases.
            self.private = self.con.cursor()
            self.private.execute("set enable_progress_bar = false")
            if not read_only:
                self.ensure_schema()
        except BaseException:
            self.con.close()
            raise

    def _has_schema(self, schema: str) -> bool:
        return bool(
            self.con.execute(
                "select count(*) from duckdb_schemas() "
                "where database_name = current_database() and schema_name = ?",
                [schema],
            ).fetchone()[0]
        )

    def _attach_restricted(self, read_only: bool) -> None:
        """The names and ID numbers: the file beside the warehouse, as the catalog `restricted`.
        Not attached when there is none to read (an analysts' copy), nor when the warehouse
        file holds them itself (written by an earlier version, opened read-only)."""
        path = restricted_path(self.path)
        if self._has_schema(RESTRICTED) or (read_only and not path.exists()):
            return
        mode = "read_only" if read_only else "read_write"
        try:
            with contextlib.nullcontext() if read_only else owner_only():
                self.con.execute(f"attach '{_quoted(str(path))}' as {RESTRICTED} ({mode})")
        except duckdb.IOException as exc:
            if (broken := damaged(path, exc, self.path)) is not None:
                raise broken from exc
            raise
        check_whole(self.con, path, RESTRICTED, self.path)
        if not read_only:
            path.chmod(0o600)  # a file made by an earlier version was readable by everyone

    def _split_restricted(self, wait_seconds: float) -> None:
        """An earlier version's warehouse kept names and ID numbers in a schema of its own file:
        they move to the restricted file, and the warehouse file is rebuilt without them (a
        dropped table's bytes would stay in the file, and the analysts' copy is the file).
        Each new file is written aside and renamed into place, the restricted one first: a
        crash leaves the old warehouse whole, and the next open splits it again."""
        from township.publish import copy_without_restricted

        self.con.execute("checkpoint")  # the log into the file: the rebuilt file replaces both
        figures_in_a_table = self._is_table(LEGACY_INDICATOR_TABLE)
        target = restricted_path(self.path)
        aside = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        aside.unlink(missing_ok=True)
        home = self.con.execute("select current_database()").fetchone()[0]
        with owner_only():
            self.con.execute(f"attach '{_quoted(str(aside))}' as restricted_split")
        try:
            self.con.execute("use restricted_split")
            for name in _restricted_ddl():
                self.con.execute(sql(name).replace(f"{RESTRICTED}.", "main."))
            for table in _restricted_tables():
                if not has_table(self.con, f"{RESTRICTED}.{table}", home):
                    continue
                self.con.execute(
                    f"insert into restricted_split.main.{table} by name "
                    f'select * from "{home}".{RESTRICTED}.{table}'
                )
        finally:
            self.con.execute(f'use "{home}"')
            self.con.execute("detach restricted_split")
        os.replace(aside, target)
        rebuilt = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        rebuilt.unlink(missing_ok=True)
        copy_without_restricted(self.con, rebuilt)
        self.con.close()
        Path(f"{self.path}.wal").unlink(missing_ok=True)
        os.replace(rebuilt, self.path)
        self.con = connect(self.path, wait_seconds=wait_seconds)
        if figures_in_a_table:  # not copied: the rebuilt file has the view, and nothing built
            self._forget_indicator_builds()

    @classmethod
    def open(
        cls, settings, read_only: bool = False, wait_seconds: float | None = None
    ) -> Warehouse:
        """The warehouse the settings name: the DuckDB file, or the DuckLake when set. Held by
        another process, it is waited for `wait_seconds`, by default the settings' own
        (TOWNSHIP_LOCK_WAIT_SECONDS), then WarehouseBusy."""
        if wait_seconds is None:
            wait_seconds = getattr(settings, "lock_wait_seconds", 60.0)
        return cls(
            settings.warehouse,
            read_only=read_only,
            wait_seconds=wait_seconds,
            catalog=settings.catalog,
            lake_data=settings.lake_data,
        )

    @property
    def is_lake(self) -> bool:
        return bool(self.catalog)

    def close(self) -> None:
        if self.private is not self.con:
            self.private.close()
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- schema -------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        if self.is_lake:
            self._ensure_lake_tables(read_only=False)
            self._ensure_local_objects()
            return
        if self._schema_current():
            return  # every open to write would otherwise spend 0.12 s re-creating the same
        self.private.execute("begin transaction")
        for name in _restricted_ddl():
            self.private.execute(sql(name))
        with owner_only():  # the restricted file's log is created at its commits
            self.private.execute("commit")
        self.con.execute("begin transaction")
        for schema in SCHEMAS:
            if schema != RESTRICTED:
                self.con.execute(f"create schema if not exists {schema}")
        legacy = self._is_table(LEGACY_INDICATOR_TABLE)
        if legacy:
            self.con.execute(f"drop table {LEGACY_INDICATOR_TABLE}")
        for name in DDL_FILES:
            if name not in _restricted_ddl():
                self.con.execute(sql(name))
        if legacy:
            self._forget_indicator_builds()
        self.con.execute("delete from raw.schema_versions")
        self.con.execute(
            "insert into raw.schema_versions values (?, now()::timestamp)", [ddl_fingerprint()]
        )
        self.con.execute("commit")

    def _schema_current(self) -> bool:
        """Whether the DDL files applied last are the ones of this version."""
        try:
            row = self.con.execute("select max(fingerprint) from raw.schema_versions").fetchone()
        except duckdb.CatalogException:
            return False
        return row[0] == ddl_fingerprint()

    def _is_table(self, name: str, database: str | None = None) -> bool:
        return has_table(self.con, name, database)

    def _forget_indicator_builds(self) -> None:
        """An earlier version's warehouse: its figures were in the table that is now the view
        over marts.indicator_facts, still empty. With no build recorded the indicators count as
        stale: readers compute them from the rows, and the next ingest materializes them."""
        self.con.execute("delete from marts.indicator_builds")

    def _ensure_lake_tables(self, read_only: bool) -> None:
        """The lake's tables with their comments, created once, by whichever process comes
        first (two at once conflict: the later one finds them made and goes on). Existing tables
        are left alone: a COMMENT is an ALTER, which would conflict with a concurrent load."""
        for attempt in range(CONFLICT_RETRIES):
            existing = {
                f"{schema}.{table}"
                for schema, table in self.con.execute(
                    "select schema_name, table_name from duckdb_tables() where database_name = ?",
                    [LAKE],
                ).fetchall()
            }
            missing = [n for n, table in table_files().items() if table not in existing]
            meta_missing = f"{LAKE_META}.refreshes" not in existing
            if not missing and not meta_missing and LEGACY_INDICATOR_TABLE not in existing:
                return
            if read_only:
                raise WarehouseMissing(f"the DuckLake at {self.catalog} is empty: ingest first")
            legacy = LEGACY_INDICATOR_TABLE in existing
            self.con.execute(f"use {LAKE}")
            try:
                self.con.execute("begin transaction")
                for schema in LAKE_SCHEMAS:
                    self.con.execute(f"create schema if not exists {schema}")
                if legacy:
                    self.con.execute(f"drop table {LEGACY_INDICATOR_TABLE}")
                for name in missing:
                    self.con.execute(_lake_ddl(sql(name)))
                if legacy:
                    self._forget_indicator_builds()
                if meta_missing:
                    self.con.execute(
                        f"create table {LAKE_META}.refreshes (kind varchar not null, "
                        "refreshed_at timestamp not null, host varchar, pid integer)"
                    )
                    # seeded: replacing a row is a delete, and two concurrent deletes from one
                    # table conflict (deleting nothing from an empty table would not)
                    for kind in ("villages", "indicators"):
                        self._log_refresh(kind, replace=False)
                self.con.execute("commit")
            except duckdb.Error as exc:
                self._rollback_quietly()
                # Another process creating the same tables at the same moment shows up either
                # as a commit conflict or as "already exists": either way, look again.
                raced = _is_conflict(exc) or "already exists" in str(exc)
                if not raced or attempt == CONFLICT_RETRIES - 1:
                    raise
                _pause(attempt)
            finally:
                self.con.execute(f"use {LOCAL}")

    def _ensure_local_objects(self) -> None:
        """The staging and marts macros and views, in this connection's memory, over the lake."""
        self.con.execute(f"use {LOCAL}")
        for schema in LOCAL_SCHEMAS:
            self.con.execute(f"create schema if not exists {schema}")
        self.con.execute(f"set search_path = '{LAKE_SEARCH_PATH}'")
        tables = table_files()
        for name in DDL_FILES:
            if name not in tables:
                self.con.execute(sql(name))

    def _log_refresh(self, kind: str, replace: bool = True) -> None:
        """Record a replacement of `kind` (villages, indicators) in the lake. Its delete makes
        two concurrent replacements conflict, so the later one retries on the newer data."""
        if replace:
            self.con.execute(f"delete from {LAKE}.{LAKE_META}.refreshes where kind = ?", [kind])
        self.con.execute(
            f"insert into {LAKE}.{LAKE_META}.refreshes values (?, now()::timestamp, ?, ?)",
            [kind, socket.gethostname(), os.getpid()],
        )

    def _rollback_quietly(self) -> None:
        with contextlib.suppress(duckdb.Error):  # a failed commit has rolled back already
            self.con.execute("rollback")

    # -- what is known --------------------------------------------------------------------
    def known_files(self) -> dict[tuple[str, int, datetime], tuple[str, str | None]]:
        """(relative path, size, received_at) -> (submission id, village code): to skip
        unchanged files without reading them."""
        rows = self.con.execute(
            "select file_path, size_bytes, received_at, submission_id, village_code "
            "from raw.submissions"
        ).fetchall()
        return {(p, s, r): (sid, v) for p, s, r, sid, v in rows}

    def known_submissions(self) -> tuple[set[str], set[tuple[str, str]]]:
        """The submission ids received, and the (report month, sha256) of those received
        from a village (not refused)."""
        rows = self.con.execute(
            "select submission_id, report_month, file_sha256, status from raw.submissions"
        ).fetchall()
        ids = {sid for sid, _, _, _ in rows}
        return ids, {(month, sha) for _, month, sha, status in rows if status != "rejected"}

    # -- loading --------------------------------------------------------------------------
    def begin(self) -> None:
        self.con.execute("begin transaction")

    def commit(self) -> None:
        self.con.execute("commit")

    def rollback(self) -> None:
        # quietly: the load may have failed at its commit, or after it (materializing)
        self._rollback_quietly()
        if self.private is not self.con:
            with contextlib.suppress(duckdb.Error):  # no transaction open there, or ended
                self.private.execute("rollback")

    def begin_load(self, villages: pd.DataFrame, months: list[str]) -> None:
        """Open an ingest's transaction, with the village list as given.

        The file: one transaction holds everything, the villages replaced first. The lake: the
        villages are replaced first in their own transaction (only when changed: a replacement
        conflicts with another), then the load's transaction opens and claims its report months,
        so that two ingests of one month cannot both commit (DuckLake has no unique keys)."""
        if self.is_lake:
            self._retry_on_conflict(lambda: self._replace_lake_villages(villages))
        self.begin()
        try:
            if self.is_lake:
                for month in sorted(set(months)):
                    self._claim_month(month)
            else:
                self.replace_villages(villages)
                self._begin_private()
        except BaseException:
            self.rollback()
            raise

    @contextlib.contextmanager
    def one_thread(self):
        """DuckDB on one thread while the worker processes read the files: a chunk's appends
        are small, and a second thread only takes a core from them (a prefecture month: the
        appends 0.7 s -> 0.4 s, the workers 8% less CPU, the ingest 0.5 s shorter)."""
        self.con.execute("set threads = 1")
        try:
            yield
        finally:
            # after a failed statement the transaction refuses even this: it is rolled back
            # next, and a failed load builds nothing with these threads
            with contextlib.suppress(duckdb.Error):
                self.con.execute("reset threads")

    def _begin_private(self) -> None:
        """The restricted file's side of a load. It commits first (finish_load): a crash
        between the two commits leaves restricted rows of submissions the warehouse never
        received, removed here by the next load before anything else."""
        self.private.execute("begin transaction")
        for table in _restricted_tables():
            self.private.execute(
                f"delete from {RESTRICTED}.{table} "
                "where submission_id not in (select submission_id from raw.submissions)"
            )

    def record_ingest(self, run: pd.DataFrame, outcomes: pd.DataFrame) -> None:
        """An ingest's ledger (raw.ingests, raw.file_outcomes), in the open transaction."""
        self._insert("raw.ingests", run)
        if len(outcomes):
            self._insert("raw.file_outcomes", outcomes)

    def record_ingest_alone(self, run: pd.DataFrame, outcomes: pd.DataFrame) -> None:
        """The ledger of an ingest that loaded nothing, in a transaction of its own."""
        self._retry_on_conflict(lambda: self.record_ingest(run, outcomes))

    def analyst_copy_stale(self) -> bool:
        """Whether a load committed after the analysts' copy was last written (its write failed:
        a full disk, say), or there is no copy at all while there are loads."""
        from township.publish import analyst_snapshot_path

        copy = analyst_snapshot_path(self.path)
        last = self.con.execute("select max(loaded_at) from raw.loads").fetchone()[0]
        if last is None:
            return False
        if not copy.exists():
            return True
        return datetime.fromtimestamp(copy.stat().st_mtime) < last

    def finish_load(self, n_files: int, load_id: str | None = None) -> int:
        """Commit the load, then materialize the indicators in a transaction of their own;
        returns the number of indicator rows.

        The load is all or nothing; the indicators are derived from it. Built from committed
        rows they take half the time (a prefecture month: 2.3 s against 4.8 s built in the load's
        own transaction). Between the two commits, and after a crash there, the indicators are
        stale: raw.loads says so, readers then compute them from the rows (indicator_values),
        and the next ingest materializes them. In a lake, appends from concurrent ingests do
        not conflict; the indicators' transaction is retried when another process materialized
        meanwhile: the last to commit read every load committed before it."""
        self._record_load(n_files, load_id)
        try:
            if self.private is not self.con:
                with owner_only():
                    self.private.execute("commit")
            self.commit()
        except duckdb.Error as exc:
            if self.is_lake and _is_conflict(exc):
                raise WarehouseBusy(
                    "another ingest of the same report month committed first; "
                    "run again to load what it did not"
                ) from exc
            raise
        return self.refresh_indicators()

    def _record_load(self, n_files: int, load_id: str | None) -> None:
        self.con.execute(
            "insert into raw.loads values (?, now()::timestamp, ?, ?, ?)",
            [load_id or uuid.uuid4().hex, n_files, socket.gethostname(), os.getpid()],
        )

    def indicators_stale(self) -> bool:
        """Whether a load committed after the indicators were last materialized, or rows were
        loaded and no materialization is recorded (an earlier version's warehouse, upgraded)."""
        try:
            return self.con.execute(
                "select coalesce("
                "(select max(loads_covered) from marts.indicator_builds) "
                "< (select count(*) from raw.loads), "
                "exists (select 1 from raw.submissions))"
            ).fetchone()[0]
        except duckdb.CatalogException:
            # a warehouse from before raw.loads, opened read-only: it loaded and materialized
            # in one transaction, so its indicators are those of its rows
            return False

    def refresh_indicators(self) -> int:
        """Materialize the indicators in a transaction of their own; in a lake, retried when
        another process materialized meanwhile. Returns the number of rows."""

        def materialize() -> int:
            if self.is_lake:
                self._log_refresh("indicators")
            return self.materialize_indicators()

        return self._retry_on_conflict(materialize)

    def _retry_on_conflict(self, work):
        for attempt in range(CONFLICT_RETRIES):
            self.begin()
            try:
                out = work()
                self.commit()
                return out
            except duckdb.Error as exc:
                self._rollback_quietly()
                if not _is_conflict(exc) or attempt == CONFLICT_RETRIES - 1:
                    raise
                _pause(attempt)
        raise AssertionError("unreachable")

    def _replace_lake_villages(self, villages: pd.DataFrame) -> None:
        if self.villages_unchanged(villages):
            return
        self._log_refresh("villages")
        self.replace_villages(villages)

    def _claim_month(self, month: str) -> None:
        """A table per report month, dropped and created by each load of that month: two
        concurrent loads of one month conflict at commit; loads of different months do not."""
        table = f'{LAKE}.{LAKE_META}."ingest_{month}"'
        self.con.execute(f"drop table if exists {table}")
        self.con.execute(
            f"create table {table} as select now()::timestamp as loaded_at, ? as host, ? as pid",
            [socket.gethostname(), os.getpid()],
        )

    def villages_unchanged(self, villages: pd.DataFrame) -> bool:
        stored = self.con.execute(
            "select village_code, village_name, township_code, township_name, aliases, email "
            "from raw.villages order by village_code"
        ).fetchall()
        given = villages[
            ["village_code", "village_name", "township_code", "township_name", "aliases", "email"]
        ].sort_values("village_code")
        if len(stored) != len(given):
            return False
        # blanks as None, column by column (a prefecture's 10,000 villages, cell by cell: 0.2 s)
        columns = [
            [None if pd.isna(v) else v for v in values]
            for values in (given[c].tolist() for c in given.columns)
        ]
        return stored == list(zip(*columns, strict=True))

    def replace_villages(self, villages: pd.DataFrame) -> None:
        self.con.execute("delete from raw.villages")
        self._insert("raw.villages", villages)

    def insert_tables(self, tables: dict[str, pa.Table | pd.DataFrame]) -> None:
        for name in LOAD_ORDER:
            rows = tables.get(name)
            if rows is not None and len(rows):
                self._insert(name, rows)

    def _insert(self, table: str, rows: pa.Table | pd.DataFrame) -> None:
        # Through Arrow: DuckDB scans Arrow columns directly, object columns of a DataFrame one
        # Python value at a time (measured: 5x faster for a chunk of 500 village files); the
        # ingest's batches arrive as Arrow already (facts.build_load_batch).
        if isinstance(rows, pd.DataFrame):
            rows = pa.Table.from_pandas(rows, preserve_index=False)
        con = self.private if table.startswith(f"{RESTRICTED}.") else self.con
        con.register("incoming", rows)
        try:
            con.execute(f"insert into {table} by name select * from incoming")
        finally:
            con.unregister("incoming")

    def cross_village_losers(self, submission_ids: list[str]) -> pd.DataFrame:
        return self.con.execute(sql("queries/cross_village_losers.sql"), [submission_ids]).df()

    def stock_outliers(self, submission_ids: list[str]) -> pd.DataFrame:
        """Stock figures of these submissions far from their village's other months."""
        return self.con.execute(
            sql("queries/stock_outliers.sql"), [submission_ids, submission_ids]
        ).df()

    def add_findings(self, public: pd.DataFrame, private: pd.DataFrame) -> None:
        """Findings found after loading (cross-village, outliers), counted into their submissions."""
        if not len(public):
            return
        self._insert("raw.findings", public)
        self._insert("restricted.findings", private)
        counts = public.groupby("submission_id")["severity"].value_counts().unstack(fill_value=0)
        for submission_id, row in counts.iterrows():
            self.con.execute(
                """
                update raw.submissions
                set n_warnings = n_warnings + ?,
                    n_errors = n_errors + ?,
                    status = case
                        when ? > 0 then 'has_errors'
                        when status = 'accepted' and ? > 0 then 'accepted_with_warnings'
                        else status end
                where submission_id = ?
                """,
                [
                    int(row.get("warning", 0)),
                    int(row.get("error", 0)),
                    int(row.get("error", 0)),
                    int(row.get("warning", 0)),
                    submission_id,
                ],
            )

    def submission_statuses(self, submission_ids: list[str]) -> list[dict]:
        frame = self.con.execute(
            "select submission_id, file_name, report_month, village_code, status from raw.submissions "
            "where submission_id in (select unnest(?::varchar[])) order by report_month, file_name",
            [submission_ids],
        ).df()
        return frame.astype(object).where(frame.notna(), None).to_dict("records")

    def next_finding_numbers(self, submission_ids: list[str]) -> dict[str, int]:
        rows = self.con.execute(
            "select submission_id, max(finding_no) from raw.findings "
            "where submission_id in (select unnest(?::varchar[])) group by all",
            [submission_ids],
        ).fetchall()
        return {sid: int(n) for sid, n in rows}

    # -- marts ----------------------------------------------------------------------------
    def load_indicator_catalog(self) -> None:
        catalog = yaml.safe_load(INDICATOR_CATALOG.read_text(encoding="utf-8"))["indicators"]
        self.con.execute("delete from marts.indicator_catalog")
        self.con.executemany(
            "insert into marts.indicator_catalog values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    i["code"],
                    i["name_zh"],
                    i["kind"],
                    i["numerator"],
                    i.get("denominator"),
                    int(i.get("factor", 1)),
                    int(i.get("decimals", 0)),
                    i.get("unit"),
                    i.get("normal_low"),
                    i.get("normal_high"),
                ]
                for i in catalog
            ],
        )

    def materialize_indicators(self) -> int:
        self.load_indicator_catalog()
        # the units and the facts keyed by them, in one transaction: their keys agree
        self.con.execute("delete from marts.indicator_orgs")
        self.con.execute(
            "insert into marts.indicator_orgs by name "
            "select org_key, org_level, org_code, org_name from staging.indicator_orgs"
        )
        self.con.execute("delete from marts.indicator_facts")
        self.con.execute(
            "insert into marts.indicator_facts by name select * from marts.indicator_facts_at(?)",
            [None],
        )
        self.con.execute("delete from marts.indicator_builds")
        self.con.execute(
            "insert into marts.indicator_builds select count(*), now()::timestamp from raw.loads"
        )
        return self.con.execute("select count(*) from marts.indicator_facts").fetchone()[0]

    def indicator_values(
        self, period: str | None = None, as_of: datetime | None = None, township: str | None = None
    ) -> pd.DataFrame:
        """Indicator values for a period: the materialized table, or recomputed as of a past
        moment; for one township and its villages when a township code is given. Recomputed
        too while the materialized table is stale (see finish_load): figures are never old."""
        if as_of is None and not self.indicators_stale():
            query = "select * from marts.indicator_values where true"
            params: list = []
        else:
            self._require_current_schema()
            query = f"select * from ({sql('queries/indicator_values_at.sql')}) where true"
            params = [as_of]
        if period is not None:
            query += " and period = ?"
            params.append(period)
        if township is not None:
            # 统计用区划代码 are hierarchical: a village's 12 digits begin with its township's 9.
            query += " and (org_code = ? or (org_level = 'village' and starts_with(org_code, ?)))"
            params += [township, township]
        return self.con.execute(
            query + " order by org_level desc, org_code, indicator, period", params
        ).df()

    def _require_current_schema(self) -> None:
        if not self._is_table("marts.indicator_facts", table_database(self.con)):
            raise WarehouseOutdated(
                f"warehouse {self.path} was written by an earlier version of township: "
                "run `township ingest` once to upgrade it, then ask again"
            )

    def township_codes(self) -> list[str]:
        rows = self.con.execute("select distinct township_code from raw.villages order by 1")
        return [r[0] for r in rows.fetchall()]

    def indicator_catalog(self) -> pd.DataFrame:
        return self.con.execute("select * from marts.indicator_catalog").df()

    def villages(self) -> pd.DataFrame:
        return self.con.execute("select * from raw.villages order by village_code").df()

    # -- reports back to villages (reads restricted) -----------------------------------------
    def month_submissions(self, month: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Submissions, their findings with wording, and records per sheet, for a report month."""
        return tuple(
            self.con.execute(sql(f"queries/{name}.sql"), [month]).df()
            for name in ("month_submissions", "month_findings", "month_form_counts")
        )

    def file_ledger(self, first_month: str, last_month: str) -> pd.DataFrame:
        """Each path's latest outcome, for report months first_month … last_month, and the
        paths outside any report-month folder."""
        try:
            return self.con.execute(
                sql("queries/period_file_ledger.sql"), [first_month, last_month]
            ).df()
        except duckdb.CatalogException:  # written before the file ledger: none kept
            return pd.DataFrame(columns=["file_path", "report_month", "outcome", "reason_zh"])

    def latest_report_month(self, as_of: datetime | None = None) -> str | None:
        """The latest report month with an accepted file among the files received by as_of."""
        row = self.con.execute(
            "select max(report_month) from raw.submissions where status <> 'rejected' "
            "and received_at <= coalesce(?::timestamp, 'infinity'::timestamp)",
            [as_of],
        ).fetchone()
        return row[0] if row else None

    def lineage(
        self, period: str, org_code: str, indicator: str, as_of: datetime | None = None
    ) -> pd.DataFrame:
        """The source rows (file, sheet, Excel row) behind one indicator value."""
        return self.con.execute(
            "select * from marts.indicator_lineage(?, ?, ?, as_of := ?)",
            [period, org_code, indicator, as_of],
        ).df()
