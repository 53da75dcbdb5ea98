"""Ingest: discover new files, read, validate, load into the warehouse in one transaction; then
the indicators, built from the committed load (Warehouse.finish_load)."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from township import ledger, workers
from township.calendar import local_time
from township.config import Settings
from township.discovery import Discovery, Ignored, discover
from township.facts import CellIndex, LoadBatch, findings_frames
from township.forms import load_catalogue
from township.ledger import FileOutcome
from township.model import Finding
from township.prepare import CHUNK_FILES, chunks, ignored_outcome
from township.privacy import load_or_create_key
from township.read.files import NotARegularFile, file_identity, relative_path
from township.rules.catalog import OLDER_THAN_LOADED, finding
from township.store import Warehouse, indicators, load, publish
from township.villages import VillageRegistry

log = logging.getLogger(__name__)


class PublishFailed(OSError):
    """The load committed, but the analysts' copy could not be written (a full disk, say): the
    next ingest writes it, even when it finds nothing new."""


class IngestResult:
    """What an ingest did: a dict per new file, the outcome of every path, indicator rows.

    A plain class on purpose, not a dataclass: Prefect looks for futures inside whatever a flow
    or a task returns, descending into dataclasses, lists and dicts; a prefecture month's 10,000
    submission dicts took it 1.1 s at the end of every run. An object of a plain class is a leaf."""

    __slots__ = ("files_found", "submissions", "outcomes", "indicator_rows")

    def __init__(
        self,
        files_found: int = 0,
        submissions: list[dict] | None = None,
        outcomes: list[FileOutcome] | None = None,
        indicator_rows: int = 0,
    ):
        self.files_found = files_found
        self.submissions = submissions if submissions is not None else []
        self.outcomes = outcomes if outcomes is not None else []
        self.indicator_rows = indicator_rows

    def _fields(self) -> tuple:
        return (self.files_found, self.submissions, self.outcomes, self.indicator_rows)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IngestResult) and self._fields() == other._fields()

    def __repr__(self) -> str:
        return (
            f"IngestResult(files_found={self.files_found}, outcomes={self.outcome_counts}, "
            f"submissions=<{len(self.submissions)}>, indicator_rows={self.indicator_rows})"
        )

    @property
    def files_skipped(self) -> int:
        """Files found and not loaded again: unchanged, or copies of files loaded before."""
        return self.outcome_counts[ledger.UNCHANGED]

    @property
    def outcome_counts(self) -> dict[str, int]:
        return ledger.counts(self.outcomes)

    @property
    def by_status(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for s in self.submissions:
            counts[s["status"]] = counts.get(s["status"], 0) + 1
        return counts


def new_files(
    found: list[tuple[Path, str]], warehouse: Warehouse, raw_dir: Path, zone: ZoneInfo
) -> tuple[list[tuple[Path, str]], list[FileOutcome]]:
    """(files to read, outcomes of the others). Path, size and mtime unchanged means unchanged:
    no need to read or hash (but for a path with an ID masked in it, see _known). A file gone
    since it was listed is ignored, with that reason."""
    known = load.known_files(warehouse)
    pending, others = [], []
    for path, month in found:
        rel = relative_path(path, raw_dir)
        try:
            stat = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            others.append(ignored_outcome(Ignored(path, "vanished"), raw_dir, month))
            continue
        received = local_time(stat.st_mtime, zone)
        submission = _known(known.get((rel, stat.st_size, received), []), rel, path)
        if submission is None:
            pending.append((path, month))
        else:
            submission_id, village_code, _ = submission
            others.append(
                FileOutcome(
                    rel,
                    month,
                    ledger.UNCHANGED,
                    ledger.SAME_FILE,
                    ledger.UNCHANGED_ZH[ledger.SAME_FILE],
                    submission_id,
                    village_code,
                    stat.st_size,
                    received,
                )
            )
    return pending, others


def _known(
    versions: list[tuple[str, str | None, str]], rel: str, path: Path
) -> tuple[str, str | None, str] | None:
    """The version loaded before that a file is, unread; by its content where an ID masked in
    its path may stand for another file's (two names differing in the ID's digits alone)."""
    if "*" not in rel or not versions:
        return versions[0] if versions else None
    try:
        sha = file_identity(path)[0]
    except (OSError, NotARegularFile):
        return None
    return next((v for v in versions if v[2] == sha), None)


# The stages an ingest reports to `progress(stage, done, total)`, in the office's words.
READING, LOADING, INDICATORS = "读取与校验", "入库", "计算指标"
Progress = Callable[[str, int, int], None]
TICK_SECONDS = 0.25


def ingest(
    settings: Settings, month: str | None = None, progress: Progress | None = None
) -> IngestResult:
    """Every new file (of one month, or all) into the warehouse: all of it, or nothing; and
    the outcome of every path under the raw folder (raw.file_outcomes). `progress(stage, done,
    total)` is told each stage (READING file by file, LOADING, INDICATORS)."""
    # What the process holds already (its modules; in a flow run, Prefect and its server) lives
    # as long as it does: frozen, the collector stops walking it at every full collection
    # (0.1–0.25 s each in a flow process) while the ingest allocates its thousands of rows.
    gc.freeze()
    started = datetime.now()
    registry = VillageRegistry.load(settings.villages)
    key = load_or_create_key(settings.key_file, settings.person_key_bytes)
    found = discover(settings.raw_dir, month)
    result = IngestResult(files_found=len(found.files))
    villages = villages_frame(registry)
    run = IngestRun(uuid.uuid4().hex, started, month, found, settings.raw_dir)
    with Warehouse.open(settings, wait_seconds=settings.lock_wait_seconds) as wh:
        pending, known_outcomes = new_files(found.files, wh, settings.raw_dir, settings.zone)
        run.outcomes += known_outcomes
        if not pending and load.villages_unchanged(wh, villages):
            return _nothing_new(wh, run, result)
        wh.begin_load(villages, sorted({m for _, m in pending}))
        try:
            load_files(wh, run, result, pending, registry, settings, key, progress)
            if not result.submissions and load.villages_unchanged(wh, villages):
                # nothing but copies of files already loaded, under new names or dates
                wh.rollback()
                return _nothing_new(wh, run, result)
            load.record_ingest(wh, *run.tables())
            if progress:
                progress(INDICATORS, 0, 1)
            result.indicator_rows = load.finish_load(wh, len(result.submissions), run.ingest_id)
            if progress:
                progress(INDICATORS, 1, 1)
        except BaseException:
            wh.rollback()
            raise
        result.outcomes = run.outcomes
        _publish_for_analysts(wh)
    return result


class IngestRun:
    """One ingest's ledger as it is made: an outcome for every path it looked at."""

    def __init__(self, ingest_id: str, started: datetime, month, found: Discovery, raw_dir: Path):
        self.ingest_id, self.started, self.month = ingest_id, started, month
        self.outcomes: list[FileOutcome] = [ignored_outcome(i, raw_dir) for i in found.ignored]

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The rows of raw.ingests and raw.file_outcomes."""
        counts = ledger.counts(self.outcomes)
        run = pd.DataFrame(
            [
                {
                    "ingest_id": self.ingest_id,
                    "started_at": self.started,
                    "finished_at": datetime.now(),
                    "report_month": self.month,
                    "n_paths": len(self.outcomes),
                    **{f"n_{k}": v for k, v in counts.items()},
                    "host": socket.gethostname(),
                    "pid": os.getpid(),
                }
            ]
        )
        rows = pd.DataFrame(
            {f: [getattr(o, f) for o in self.outcomes] for f in FileOutcome.__slots__}
        )
        rows.insert(0, "ingest_id", self.ingest_id)
        return run, rows


def load_files(
    wh, run: IngestRun, result: IngestResult, pending, registry, settings, key, progress=None
):
    """Read, validate and insert the pending files, chunk by chunk, in the open transaction;
    then the checks that need every file in (which village a birth counts for, outliers).
    `township check` (township/check.py) runs it too, on a copy it then throws away."""
    done, cells, known = 0, CellIndex(), load.known_submissions(wh)
    todo = chunks([(path, month, None) for path, month in pending], CHUNK_FILES)
    counted = workers.FilesRead() if progress else None
    with wh.one_thread(), _ticking(progress, counted, len(pending)) as batches_read:
        for n, batch in workers.prepared_batches(
            todo, len(pending), registry, settings, key, counted
        ):
            batch = _new_only(batch, known)
            load.insert_batch(wh, batch.tables)
            cells.merge(batch.cells)
            run.outcomes += batch.outcomes
            done += len(batch.cells.submission_ids)
            batches_read.append(n)
    if progress:
        progress(LOADING, 0, 1)
    if not done:
        return
    _add_derived_findings(wh, cells, settings)
    result.submissions = load.submission_statuses(wh, cells.submission_ids)
    statuses = {s["submission_id"]: s["status"] for s in result.submissions}
    run.outcomes = [
        o.with_status(statuses[o.submission_id]) if o.outcome == ledger.LOADED else o
        for o in run.outcomes
    ]


@contextlib.contextmanager
def _ticking(progress: Progress | None, counted, total: int):
    """While the files are read: progress(READING, files read, total) four times a second,
    from the workers' shared count (a chunk's thousand files one by one), and never less than
    the chunks already loaded (a Dask runner's workers count nothing here)."""
    batches: list[int] = []
    if progress is None:
        yield batches
        return
    stop = threading.Event()

    def tell() -> None:
        progress(READING, min(total, max(counted.value, sum(batches))), total)

    def tick() -> None:
        while not stop.wait(TICK_SECONDS):
            tell()

    ticker = threading.Thread(target=tick, name="ingest-progress", daemon=True)
    tell()
    ticker.start()
    try:
        yield batches
    finally:
        stop.set()
        ticker.join()
        tell()


def _new_only(batch: LoadBatch, known: tuple[set[str], set[tuple[str, str]]]) -> LoadBatch:
    """The batch less the submissions loaded before or earlier in this run (its worker kept
    one of each within the batch): a byte-identical copy, under another name or date, of a
    file already received by the village for the month changes nothing; nor does a copy
    whose name names no village, of a file received from one. The workers hash the files,
    from the bytes they read: the files are read once, and not all before the first chunk
    starts."""
    ids, contents = known
    seen = set()
    if not batch.tables["raw.submissions"].num_rows:  # every file of the chunk gone or a link
        return batch
    rows = batch.tables["raw.submissions"].select(
        ["submission_id", "report_month", "file_sha256", "reason_code"]
    )
    for sid, month, sha, reason in zip(*(c.to_pylist() for c in rows.columns), strict=True):
        copy = reason == "unknown_village" and (month, sha) in contents
        if sid in ids or copy:
            seen.add(sid)
        ids.add(sid)
        if reason is None:
            contents.add((month, sha))
    if not seen:
        return batch
    outcomes = [
        o.as_unchanged() if o.submission_id in seen and o.outcome != ledger.UNCHANGED else o
        for o in batch.outcomes
    ]
    kept = batch.without(seen)
    kept.outcomes = outcomes
    return kept


def _nothing_new(wh: Warehouse, run: IngestRun, result: IngestResult) -> IngestResult:
    """Nothing to load: the ledger is recorded, and the marts stay as they are, unless an
    earlier run stopped between committing its load and materializing the indicators, or
    could not write the analysts' copy after it."""
    load.record_ingest_alone(wh, *run.tables())
    result.outcomes = run.outcomes
    if indicators.stale(wh):
        result.indicator_rows = indicators.refresh(wh)
        _publish_for_analysts(wh)
    elif publish.copy_stale(wh):
        _publish_for_analysts(wh)
    return result


def _publish_for_analysts(wh: Warehouse) -> None:
    """The analysts' read-only copy, refreshed after every ingest that changed something.
    The data is committed already: a copy that cannot be written only delays the analysts,
    and the next ingest writes it (Warehouse.analyst_copy_stale). Ingests into a lake may run
    at once: their copies are built one at a time, so the last one built holds every load
    committed before it."""
    try:
        publish.publish(wh)
    except Exception as exc:
        raise PublishFailed(
            f"the load is committed, but the analysts' copy could not be written "
            f"({type(exc).__name__}: {exc}); the next ingest writes it"
        ) from exc


def _add_derived_findings(wh: Warehouse, cells: CellIndex, settings: Settings) -> None:
    """Rules that need the warehouse: a birth counted for another village; stock outliers; a
    form not used, a later version of it loaded before; a population that does not add up
    with last month's; no late-birth warning again on a birth the village sent before, and no
    "record.empty" on a form it sent filled in another file."""
    load.withdraw_resent_late_findings(wh, cells.submission_ids)
    load.withdraw_empty_forms_held_elsewhere(wh, cells.submission_ids)
    extra: dict[str, list[Finding]] = {}
    for row in load.cross_village_losers(wh, cells.submission_ids).itertuples(index=False):
        extra.setdefault(row.submission_id, []).append(
            finding(
                "births.reported_by_other_village",
                other=row.counted_for,
                variant="inflow" if row.residence == "流入" else None,
                field="mother_id",
                sheet=row.sheet,
                row=int(row.excel_row),
                cell=cells.birth_id_cells.get((row.submission_id, int(row.excel_row))),
            )
        )
    for row in load.stock_outliers(wh, cells.submission_ids).itertuples(index=False):
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
    for row in load.older_than_loaded(wh, cells.submission_ids).itertuples(index=False):
        extra.setdefault(row.submission_id, []).append(
            finding(
                OLDER_THAN_LOADED,
                field_zh=load_catalogue().forms[row.form].name_zh,
                value=f"{row.received_at:%Y-%m-%d %H:%M:%S}",
                other=f"{row.later_file_name}（修改时间 {row.later_received_at:%Y-%m-%d %H:%M:%S}）",
                sheet=row.sheet,
            )
        )
    imbalances = load.population_imbalances(wh, cells.submission_ids, settings.population_tolerance)
    for row in imbalances.itertuples(index=False):
        sheet, first_row, record_cells = cells.records[(row.submission_id, "population")]
        extra.setdefault(row.submission_id, []).append(
            finding(
                "population.balance",
                field_zh=_field_zh("population", "population"),
                value=int(row.population),
                other=_balance_words(row),
                field="population",
                sheet=sheet,
                row=first_row,
                cell=record_cells.get("population"),
            )
        )
    if extra:
        load.add_findings(wh, *findings_frames(extra, load.next_finding_numbers(wh, list(extra))))


def _balance_words(row) -> str:
    """Both sides of the population's equation, in numbers."""
    change = int(row.population - row.previous_population)
    explained = int(row.births - row.deaths + row.moved_in - row.moved_out)
    return (
        f"比上月（{int(row.previous_population)}）{'增加' if change >= 0 else '减少'} {abs(change)} 人，"
        f"而本月出生 {int(row.births)} − 死亡 {int(row.deaths)} + 迁入 {int(row.moved_in)} "
        f"− 迁出 {int(row.moved_out)} = {explained:+d} 人，相差 {int(row.off_by):+d} 人"
    )


def _field_zh(form: str, field_name: str) -> str:
    return load_catalogue().forms[form].field(field_name).name_zh


def villages_frame(registry: VillageRegistry) -> pd.DataFrame:
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
