"""The analysts' copy of the warehouse: everything but the restricted tables, replaced atomically.

DuckDB lets one process write a file and no other process open it meanwhile, not even read-only;
and a process reading it blocks the next ingest. So analysts never open the office's warehouse:
after each ingest that changed something the pipeline publishes `township_analyst.duckdb`
beside it (same schemas, tables, views and macros, less `restricted`), written to a temporary
file and renamed over the previous copy in one step. An analyst's open connection keeps reading
the copy it opened; the next one opens the new copy; an ingest never waits for an analyst.

The warehouse file holds no restricted table (they are in a file of their own): after its
ingest, the copy is the file itself, checkpointed and copied byte for byte. A lake, or a
warehouse opened read-only, is copied table by table (Warehouse.write_copy).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from datetime import datetime
from pathlib import Path

from township.config import DEFAULT_LOCK_WAIT_SECONDS
from township.store.paths import analyst_copy_path
from township.store.warehouse import Warehouse

log = logging.getLogger(__name__)


class SnapshotBusy(Exception):
    """The analysts' copy could not be replaced (on Windows: an analyst has it open)."""


def publish(
    warehouse: Warehouse | Path,
    target: Path | None = None,
    wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS,
) -> Path:
    """Write the analysts' copy of `warehouse` (open, e.g. the ingest's own after its commit;
    or a path, opened read-only, waiting up to `wait_seconds` for an ingest) to `target`
    (default: township_analyst.duckdb beside it), mode 0444, replacing the old copy in one
    step. Raises SnapshotBusy when the old copy cannot be replaced. Several ingests into one
    lake write their copies one at a time (a lock file beside the copy): the copy left last
    was written last."""
    if not isinstance(warehouse, Warehouse):
        with Warehouse.at(Path(warehouse), read_only=True, wait_seconds=wait_seconds) as wh:
            return publish(wh, target)
    target = Path(target or analyst_copy_path(warehouse.path))
    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(target) if warehouse.exclusive_copies() else contextlib.nullcontext():
        _replace(warehouse, target)
    log.info("published analyst snapshot %s", target)
    return target


def copy_stale(wh: Warehouse) -> bool:
    """Whether a load committed after the analysts' copy was last written (its write failed:
    a full disk, say), or there is no copy at all while there are loads."""
    last = wh.rows("analyst_copy_due")[0][0]
    if last is None:
        return False
    copy = analyst_copy_path(wh.path)
    return not copy.exists() or datetime.fromtimestamp(copy.stat().st_mtime) < last


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


def _replace(wh: Warehouse, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    _remove(tmp)
    try:
        wh.write_copy(tmp)
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
