"""The warehouse: a connection to its tables, its transactions, and the named queries.

Two storage targets behind one seam (subclasses of Warehouse; `Warehouse.open` picks):

- `FileWarehouse` (township/store/file.py), the default: a DuckDB file, one writer at a time.
  Names and ID numbers are in a second file beside it, attached as the catalog `restricted`:
  no byte of them is ever written to the warehouse file, so the analysts' copy is that file.
- `LakeWarehouse` (township/store/lake.py): a DuckLake, the catalog in PostgreSQL and the data
  as Parquet files, several ingests committing at once.

What differs between them is the seam's few methods: creating the definitions, opening and
committing a load, and writing the analysts' copy. Everything else (township/store/load.py,
indicators.py, queries.py) runs the same SQL on either.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd
import pyarrow as pa

from township.config import DEFAULT_DUCKDB_MEMORY, DEFAULT_LOCK_WAIT_SECONDS
from township.store.manifest import RESTRICTED, sql

T = TypeVar("T")


class Warehouse:
    """A connection (`con`) to the warehouse's tables, and one (`private`) for the restricted
    ones (the same connection where one transaction holds both)."""

    is_lake = False
    # the storages, by kind: each registers itself (township/store/file.py, lake.py), so that
    # this module needs neither, and both build on it
    kinds: dict[str, type[Warehouse]] = {}

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, private=None):
        self.path = Path(path)
        self.con = con
        self.private = private if private is not None else con

    @staticmethod
    def open(settings, read_only: bool = False, wait_seconds: float | None = None) -> Warehouse:
        """The warehouse the settings name: the DuckDB file, or the DuckLake when set. Held by
        another process, it is waited for `wait_seconds`, by default the settings' own
        (TOWNSHIP_LOCK_WAIT_SECONDS), then WarehouseBusy."""
        memory = settings.duckdb_memory
        if settings.catalog:
            lake = Warehouse.kinds["lake"]
            return lake(settings.warehouse, settings.catalog, settings.lake_data, read_only, memory)
        if wait_seconds is None:
            wait_seconds = settings.lock_wait_seconds
        return Warehouse.at(settings.warehouse, read_only, wait_seconds, memory)

    @staticmethod
    def at(
        path: Path,
        read_only: bool = False,
        wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS,
        memory_limit: str = DEFAULT_DUCKDB_MEMORY,
    ) -> Warehouse:
        """The DuckDB file at `path`."""
        return Warehouse.kinds["file"](path, read_only, wait_seconds, memory_limit)

    def close(self) -> None:
        if self.private is not self.con:
            self.private.close()
        self.con.close()

    def throw_away_on_close(self) -> None:
        """A copy made to be thrown away (township check): closed with no checkpoint."""
        self.con.execute("pragma disable_checkpoint_on_shutdown")

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transactions ----------------------------------------------------------------------
    def begin(self) -> None:
        self.con.execute("begin transaction")

    def commit(self) -> None:
        self.con.execute("commit")

    def rollback(self) -> None:
        """Quietly: the load may have failed at its commit, or after it (materializing)."""
        for con in {id(c): c for c in (self.con, self.private)}.values():
            with contextlib.suppress(duckdb.Error):  # no transaction open there, or ended
                con.execute("rollback")

    def transaction(self, work: Callable[[], T]) -> T:
        """`work` in a transaction of its own, committed (rolled back when it fails)."""
        self.begin()
        try:
            out = work()
            self.commit()
        except BaseException:
            self.rollback()
            raise
        return out

    @contextlib.contextmanager
    def one_thread(self):
        """DuckDB on one thread while the worker processes read the files: a chunk's appends
        are small, and a second thread only takes a core from them."""
        self.con.execute("set threads = 1")
        try:
            yield
        finally:
            # after a failed statement the transaction refuses even this: it is rolled back
            # next, and a failed load builds nothing with these threads
            with contextlib.suppress(duckdb.Error):
                self.con.execute("reset threads")

    # -- reading and writing rows ------------------------------------------------------------
    def frame(self, query: str, *params, **named) -> pd.DataFrame:
        """The rows of the named query (township/sql/queries/<query>.sql) as a DataFrame;
        its values bound by position (`?`) or by name (`$name`)."""
        return self._execute(query, params, named).df()

    def rows(self, query: str, *params, **named) -> list[tuple]:
        """The rows of the named query as tuples."""
        return self._execute(query, params, named).fetchall()

    def run(self, query: str, *params, **named) -> None:
        """Run the named statement (a change)."""
        self._execute(query, params, named)

    def run_private(self, query: str, *params) -> None:
        """Run the named statement (a change) on the restricted tables' connection."""
        self.private.execute(sql(f"queries/{query}.sql"), list(params))

    def _execute(self, query: str, params: tuple, named: dict):
        return self.con.execute(sql(f"queries/{query}.sql"), named or list(params))

    def insert(self, table: str, rows: pa.Table | pd.DataFrame) -> None:
        """Rows into `schema.table` by column name, through Arrow: DuckDB scans Arrow columns
        directly, object columns of a DataFrame one Python value at a time."""
        if rows is None or not len(rows):
            return
        if isinstance(rows, pd.DataFrame):
            rows = pa.Table.from_pandas(rows, preserve_index=False)
        con = self.private if table.startswith(f"{RESTRICTED}.") else self.con
        con.register("incoming", rows)
        try:
            con.execute(f"insert into {table} by name select * from incoming")
        finally:
            con.unregister("incoming")

    def has_table(self, name: str) -> bool:
        """Whether `schema.table` is a table of the warehouse."""
        schema, table = name.split(".")
        return bool(
            self.con.execute(
                "select count(*) from duckdb_tables() where database_name = ? "
                "and schema_name = ? and table_name = ?",
                [self.tables_database, schema, table],
            ).fetchone()[0]
        )

    # -- the seam: what each storage does its own way -----------------------------------------
    @property
    def tables_database(self) -> str:
        """The database holding the warehouse's tables on this connection."""
        raise NotImplementedError

    def begin_load(self, villages: pd.DataFrame, months: list[str]) -> None:
        """Open a load's transaction, with the village list as given (load.py)."""
        raise NotImplementedError

    def commit_load(self) -> None:
        """Commit a load opened by begin_load: all of it, or nothing."""
        raise NotImplementedError

    def write_copy(self, tmp: Path) -> None:
        """Write the analysts' copy (everything but restricted) to `tmp` (publish.py)."""
        raise NotImplementedError

    def exclusive_copies(self) -> bool:
        """Whether copies must be written one at a time (several ingests at once)."""
        return False

    def before_materialize(self) -> None:
        """Inside the indicators' transaction, before they are replaced."""
