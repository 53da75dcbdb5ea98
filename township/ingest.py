"""Ingest: discover new files, read, validate, load into the warehouse in one transaction; then
the indicators, built from the committed load (Warehouse.finish_load)."""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import re
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

import pandas as pd

from township.config import Settings
from township.facts import CellIndex, LoadBatch, build_load_batch, findings_frames
from township.forms import load_catalogue
from township.model import FileRead, Finding, Rejection
from township.privacy import load_or_create_key
from township.publish import SnapshotBusy, analyst_snapshot_path, publish_analyst_snapshot
from township.read.files import (
    ACCEPTED_SUFFIXES,
    file_identity,
    read_file,
    received_time,
    relative_path,
)
from township.rules.catalog import finding
from township.rules.validate import validate_batch
from township.villages import VillageRegistry
from township.warehouse import Warehouse

log = logging.getLogger(__name__)
MONTH_DIR = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# Files read and validated together: bounds memory, amortises pandera's fixed cost per call.
CHUNK_FILES = 1000
# From two chunks on, a second process has a chunk to take over.
PARALLEL_FROM_FILES = 2 * CHUNK_FILES


class IngestResult:
    """What an ingest did: files found and skipped, a dict per new file, indicator rows.

    A plain class on purpose, not a dataclass: Prefect looks for futures inside whatever a flow
    or a task returns, descending into dataclasses, lists and dicts; a prefecture month's 10,000
    submission dicts took it 1.1 s at the end of every run. An object of a plain class is a leaf."""

    __slots__ = ("files_found", "files_skipped", "submissions", "indicator_rows")

    def __init__(
        self,
        files_found: int = 0,
        files_skipped: int = 0,
        submissions: list[dict] | None = None,
        indicator_rows: int = 0,
    ):
        self.files_found = files_found
        self.files_skipped = files_skipped
        self.submissions = submissions if submissions is not None else []
        self.indicator_rows = indicator_rows

    def _fields(self) -> tuple:
        return (self.files_found, self.files_skipped, self.submissions, self.indicator_rows)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IngestResult) and self._fields() == other._fields()

    def __repr__(self) -> str:
        return (
            f"IngestResult(files_found={self.files_found}, files_skipped={self.files_skipped}, "
            f"submissions=<{len(self.submissions)}>, indicator_rows={self.indicator_rows})"
        )

    @property
    def by_status(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for s in self.submissions:
            counts[s["status"]] = counts.get(s["status"], 0) + 1
        return counts


def discover(raw_dir: Path, month: str | None = None) -> list[tuple[Path, str]]:
    """(file, report month) for every accepted file under raw_dir/<YYYY-MM>/, oldest month first."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        return []
    months = sorted(d for d in raw_dir.iterdir() if d.is_dir() and MONTH_DIR.match(d.name))
    if month is not None:
        months = [d for d in months if d.name == month]
    return [(path, d.name) for d in months for path in _accepted_files(d)]


def _accepted_files(folder: Path) -> list[Path]:
    # scandir: the entry says whether it is a file without a stat call per file
    with os.scandir(folder) as entries:
        names = [
            e.name
            for e in entries
            if e.is_file()
            and os.path.splitext(e.name)[1].lower() in ACCEPTED_SUFFIXES
            and not e.name.startswith(("~$", "."))
        ]
    return [folder / name for name in sorted(names)]


def new_files(
    found: list[tuple[Path, str]], warehouse: Warehouse, raw_dir: Path
) -> list[tuple[Path, str]]:
    """Files not yet ingested. Path, size and mtime unchanged means unchanged: no need to hash."""
    known = warehouse.known_files()
    pending = []
    for path, month in found:
        stat = path.stat()
        if (relative_path(path, raw_dir), stat.st_size, received_time(stat.st_mtime)) not in known:
            pending.append((path, month))
    return pending


def read_one(
    path: Path, month: str, registry: VillageRegistry, settings: Settings, sha256: str | None = None
) -> FileRead:
    """Read a file; whatever goes wrong is recorded against that file alone."""
    try:
        return read_file(
            path, month, registry, settings.max_file_bytes, settings.max_sheet_rows, sha256=sha256
        )
    except Exception as exc:  # one broken file never stops the batch
        log.warning("could not read %s: %s", path, exc)
        sha, size, received = file_identity(path)
        unreadable = Rejection(
            "unreadable", "文件无法读取，请在 Excel/WPS 中打开确认后重新保存并报送。"
        )
        return FileRead(path, sha, size, received, month, rejection=unreadable)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def prepare(
    items: list[tuple[Path, str, str | None]],
    registry: VillageRegistry,
    settings: Settings,
    key: bytes,
) -> LoadBatch:
    """Read, validate and shape a chunk of (file, month, sha256 or None: hashed here, from the
    bytes read) items: one pandera call per form for the chunk. Runs in a worker process for
    large batches, so it touches no storage."""
    files = _first_of_each(
        [read_one(path, month, registry, settings, sha) for path, month, sha in items]
    )
    return build_load_batch(files, validate_batch(files), key, settings.raw_dir, datetime.now())


def _first_of_each(files: list[FileRead]) -> list[FileRead]:
    """One file per submission (report month and content): a byte-identical copy changes nothing."""
    seen: set[str] = set()
    kept = []
    for fr in files:
        if fr.submission_id not in seen:
            seen.add(fr.submission_id)
            kept.append(fr)
    return kept


def _worker_count(settings: Settings, n_files: int) -> int:
    if n_files < PARALLEL_FROM_FILES:
        return 1
    return max(1, min(settings.workers or os.cpu_count() or 1, n_files // CHUNK_FILES + 1))


def _pool_context():
    """Fork where there is fork: a forked worker starts with this process's modules loaded; a
    spawned one re-imports pandas, pandera and DuckDB first (~0.7 s of a core, per worker).
    The workers touch neither the warehouse connection nor Prefect; they read, validate, return."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context(
        "fork" if sys.platform == "linux" and "fork" in methods else "spawn"
    )


_WORKER: dict = {}


def _remember(registry: VillageRegistry, settings: Settings, key: bytes) -> None:
    """A worker's initializer: what every chunk needs, given once rather than with each chunk."""
    _WORKER.update(registry=registry, settings=settings, key=key)


def _prepare_in_worker(items: list[tuple[Path, str, str | None]]) -> LoadBatch:
    return prepare(items, _WORKER["registry"], _WORKER["settings"], _WORKER["key"])


def prepared_batches(
    chunks: Iterable[list[tuple[Path, str, str | None]]],
    n_files: int,
    registry: VillageRegistry,
    settings: Settings,
    key: bytes,
) -> Iterator[tuple[int, LoadBatch]]:
    """The chunks prepared, in order, with a bounded number in flight. `n_files`: at most how
    many files the chunks hold (how many workers are worth starting)."""
    if settings.runner == "dask":  # on a Dask cluster, through Prefect (township/runners.py)
        from township.runners import dask_batches

        yield from dask_batches([i for chunk in chunks for i in chunk], registry, settings, key)
        return
    workers = _worker_count(settings, n_files)
    if workers == 1:
        for chunk in chunks:
            yield len(chunk), prepare(chunk, registry, settings, key)
        return
    # Forked workers inherit every object of this process: frozen (again: what the ingest made
    # since it began), their collector never walks them, so the walks neither cost the workers
    # (~15% of their time) nor dirty the pages they share with this process. They stay frozen:
    # the frozen are only ever freed by reference counting, so only cycles among them outlive
    # their use, and the flow process ends with the run.
    gc.freeze()
    with ProcessPoolExecutor(
        workers, _pool_context(), initializer=_remember, initargs=(registry, settings, key)
    ) as pool:
        in_flight: deque = deque()
        for chunk in chunks:
            in_flight.append((len(chunk), pool.submit(_prepare_in_worker, chunk)))
            if len(in_flight) > 2 * workers:
                n, future = in_flight.popleft()
                yield n, future.result()
        while in_flight:
            n, future = in_flight.popleft()
            yield n, future.result()


def ingest(
    settings: Settings, month: str | None = None, progress: Callable[[int, int], None] | None = None
) -> IngestResult:
    """Every new file (of one month, or all) into the warehouse: all of it, or nothing."""
    # What the process holds already (its modules; in a flow run, Prefect and its server) lives
    # as long as it does: frozen, the collector stops walking it at every full collection
    # (0.1–0.25 s each in a flow process) while the ingest allocates its thousands of rows.
    gc.freeze()
    registry = VillageRegistry.load(settings.villages)
    key = load_or_create_key(settings.key_file)
    found = discover(settings.raw_dir, month)
    result = IngestResult(files_found=len(found))
    villages = _villages_frame(registry)
    with Warehouse.open(settings, wait_seconds=settings.lock_wait_seconds) as wh:
        pending = new_files(found, wh, settings.raw_dir)
        unchanged = wh.villages_unchanged(villages)
        if not pending and unchanged:
            return _nothing_new(wh, result)
        wh.begin_load(villages, sorted({m for _, m in pending}))
        try:
            done, read, cells, known = 0, 0, CellIndex(), wh.known_submissions()
            chunks = _chunks([(path, month, None) for path, month in pending], CHUNK_FILES)
            with wh.one_thread():
                for n, batch in prepared_batches(chunks, len(pending), registry, settings, key):
                    batch = _new_only(batch, known)
                    wh.insert_tables(batch.tables)
                    cells.merge(batch.cells)
                    done += len(batch.cells.submission_ids)
                    read += n
                    if progress:
                        progress(read, len(pending))
            result.files_skipped = len(found) - done
            if not done and unchanged:  # copies of files already loaded, under new names or dates
                wh.rollback()
                return _nothing_new(wh, result)
            # Once every file is in: which village a birth counts for can depend on any of them.
            _add_derived_findings(wh, cells)
            result.submissions = wh.submission_statuses(cells.submission_ids)
            result.indicator_rows = wh.finish_load(done)
        except BaseException:
            wh.rollback()
            raise
        _publish_for_analysts(wh)
    return result


def _new_only(batch: LoadBatch, known: set[str]) -> LoadBatch:
    """The batch less the submissions loaded before or earlier in this run (its worker kept
    one of each within the batch): a byte-identical copy, under another name or date, of a
    file already received for the month changes nothing. The workers hash the files, from the
    bytes they read: the files are read once, and not all before the first chunk starts."""
    seen = {s for s in batch.cells.submission_ids if s in known}
    known.update(batch.cells.submission_ids)
    return batch.without(seen) if seen else batch


def _nothing_new(wh: Warehouse, result: IngestResult) -> IngestResult:
    """The warehouse stays as it is, and so do its marts, unless an earlier run stopped between
    committing its load and materializing the indicators."""
    result.files_skipped = result.files_found
    if wh.indicators_stale():
        result.indicator_rows = wh.refresh_indicators()
        _publish_for_analysts(wh)
    return result


def _publish_for_analysts(wh: Warehouse) -> None:
    """The analysts' read-only copy, refreshed after every ingest that changed something.
    The data is committed already: a copy that cannot be replaced only delays the analysts.
    Ingests into a lake may run at once: their copies are built one at a time, so the last
    one built holds every load committed before it."""
    try:
        publish_analyst_snapshot(wh.con, analyst_snapshot_path(wh.path), exclusive=wh.is_lake)
    except SnapshotBusy as exc:
        log.warning("analysts' copy not refreshed: %s", exc)


def _add_derived_findings(wh: Warehouse, cells: CellIndex) -> None:
    """Rules that need the warehouse: a birth counted for another village; stock outliers."""
    extra: dict[str, list[Finding]] = {}
    for row in wh.cross_village_losers(cells.submission_ids).itertuples(index=False):
        extra.setdefault(row.submission_id, []).append(
            finding(
                "births.reported_by_other_village",
                other=row.counted_for,
                field="mother_id",
                sheet=row.sheet,
                row=int(row.excel_row),
                cell=cells.birth_id_cells.get((row.submission_id, int(row.excel_row))),
            )
        )
    for row in wh.stock_outliers(cells.submission_ids).itertuples(index=False):
        sheet, first_row, record_cells = cells.records[(row.submission_id, row.form)]
        extra.setdefault(row.submission_id, []).append(
            finding(
                "stock.outlier",
                field_zh=_field_zh(row.form, row.field),
                value=int(row.value),
                other=f"以往各月中位数 {row.median:.0f}",
                field=row.field,
                sheet=sheet,
                row=first_row,
                cell=record_cells.get(row.field),
            )
        )
    if extra:
        wh.add_findings(*findings_frames(extra, wh.next_finding_numbers(list(extra))))


def _field_zh(form: str, field_name: str) -> str:
    return load_catalogue().forms[form].field(field_name).name_zh


def _villages_frame(registry: VillageRegistry) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "village_code": v.code,
                "village_name": v.name,
                "township_code": v.township_code,
                "township_name": v.township_name,
                "aliases": "|".join(v.aliases),
                "email": v.email,
            }
            for v in registry.villages
        ]
    )
