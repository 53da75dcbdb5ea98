"""What can go wrong with the warehouse, in words the office can act on."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from township.store.paths import restricted_path


class WarehouseBusy(Exception):
    """Another process holds the warehouse for longer than we were willing to wait."""


class WarehouseUnavailable(OSError):
    """The lake's catalog cannot be reached (waiting may fix that)."""


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
    text = duckdb_words(exc)
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


def duckdb_words(exc: Exception) -> str:
    """DuckDB's message without the quoted paths in it: a path may hold any word (/srv/blocks)."""
    return re.sub(r'"[^"]*"', '""', str(exc)).lower()


def is_lock_error(exc: Exception) -> bool:
    text = duckdb_words(exc)
    return "could not set lock" in text or "conflicting lock" in text


def is_conflict(exc: Exception) -> bool:
    return "transaction conflict" in str(exc).lower()
