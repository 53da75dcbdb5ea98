"""`township check`: a dry run of the ingest (as DHIS2's import dry run), for a file before it
is sent, or the moment it is uploaded (township/web).

The warehouse's two files are copied into a temporary folder and the ingest's own steps
(township/ingest.py: new_files, begin_load, load_files) run on the copy: the findings are the
real ingest's by construction, duplicates with other villages' rows, the village's history
for outliers and the forms the file would supersede included. The village report is written
from the copy by the same writer as the monthly run's, then the copy is removed: the warehouse itself is only read, never written.
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from township import ledger
from township.calendar import deadline, local_time, parse_month
from township.config import Settings
from township.discovery import Discovery
from township.ingest import IngestResult, IngestRun, load_files, new_files, villages_frame
from township.model import STATUS_ZH, Finding
from township.privacy import load_or_create_key
from township.read.files import read_file, relative_path
from township.read.values import months_meant
from township.reports.outbox import report_inputs
from township.reports.village import ReportInput, report_path, write_village_report
from township.rules.validate import warm_up
from township.store import Warehouse, restricted_path
from township.store.connection import connect
from township.villages import VillageRegistry

MONTH_FOLDER = re.compile(r"^\d{4}-\d{2}$")
NO_MONTH = "1900-01"
SCRATCH_SPARE = (
    256 * 1024 * 1024
)  # what /dev/shm keeps free beside a copy  # a month no 封面 gives: the file is read only for its 封面's 报告期


class MonthUnknown(ValueError):
    """No month given, none in the file's folder name, and no 报告期 on its 封面."""


class CheckUnavailable(ValueError):
    """The dry run needs the DuckDB file warehouse (a DuckLake is not copied)."""


@dataclass
class Superseded:
    """An earlier file of the village whose form the checked file would replace."""

    file_name: str
    sheet: str
    rows: int


@dataclass
class CheckResult:
    """What the ingest would make of one file: its outcome (loaded, refused, unchanged), its
    status and findings, whether it is on time, what it would supersede, its report."""

    path: Path
    month: str
    outcome: str  # ledger.LOADED | REFUSED | UNCHANGED | IGNORED
    reason_zh: str
    received_at: datetime | None
    status: str | None = None  # accepted | accepted_with_warnings | has_errors | rejected
    village_code: str | None = None
    village_name: str | None = None
    findings: list[Finding] = field(default_factory=list)
    ledger: dict[str, dict[str, int]] = field(default_factory=dict)
    supersedes: list[Superseded] = field(default_factory=list)
    report: Path | None = None

    @property
    def deadline(self) -> date:
        return deadline(self.month)

    @property
    def on_time(self) -> bool | None:
        return None if self.received_at is None else self.received_at.date() <= self.deadline

    @property
    def status_zh(self) -> str:
        if self.status is None:
            return ledger.OUTCOME_ZH.get(self.outcome, self.outcome)
        return STATUS_ZH.get(self.status, self.status)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    @property
    def failed(self) -> bool:
        """Errors in the file, or the file refused or not read: the village must send again."""
        return self.status in ("has_errors", "rejected") or self.outcome == ledger.IGNORED


def file_month(path: Path, settings: Settings, registry: VillageRegistry | None = None) -> str:
    """The report month of a file given alone: its folder's name (data/raw/2026-03/…), else
    the 报告期 on its 封面. MonthUnknown when neither gives one."""
    folder = Path(path).parent.name
    if MONTH_FOLDER.match(folder):
        return parse_month(folder)
    registry = registry or VillageRegistry.load(settings.villages)
    read = read_file(Path(path), NO_MONTH, registry, **settings.reader_limits, zone=settings.zone)
    cover = read.cover.get("report_month")
    if cover and len(months_meant(cover)) == 1:  # not 2025.1, which may be January or October
        try:
            return parse_month(str(cover))
        except ValueError:
            pass
    raise MonthUnknown(
        f"{path}: no report month: give --month YYYY-MM, put the file in a YYYY-MM folder, or "
        "fill in 报告期 on its 封面"
    )


def check_files(
    paths: list[Path],
    settings: Settings,
    month: str | None = None,
    out_dir: Path | None = None,
    *,
    received_at: datetime | None = None,
) -> list[CheckResult]:
    """What the ingest would make of each file, in order, reports written into `out_dir`
    (default: the outbox's `check/` folder); nothing loaded. `received_at` stands for the
    files' modification time as their receipt time (an upload's moment)."""
    if settings.uses_lake:
        raise CheckUnavailable("township check reads the DuckDB file warehouse, not a DuckLake")
    registry = VillageRegistry.load(settings.villages)
    months = [month or file_month(p, settings, registry) for p in paths]
    _warm_once()
    out_dir = Path(out_dir or settings.outbox / "check")
    try:
        with tempfile.TemporaryDirectory(prefix="township-check-", dir=_scratch(settings)) as tmp:
            copy = _copy_settings(settings, Path(tmp))
            placed = _place(paths, months, settings, copy.raw_dir, received_at)
            return _dry_run(placed, copy, registry, settings, out_dir)
    finally:
        # The reader workers' start freezes this process's objects (workers.prepared_batches),
        # right for an ingest that ends with its process; a web server checks upload after
        # upload, and what each check leaves in cycles must stay collectable.
        gc.unfreeze()


_WARM: list[bool] = []


def _warm_once() -> None:
    """What every reader worker would otherwise do first, done once in this process: the
    workers forked from it start with it (a web server checks one upload after another)."""
    if not _WARM:
        warm_up()
        _WARM.append(True)


def _scratch(settings: Settings) -> str | None:
    """Where the copy goes: memory (/dev/shm) when there is room, so that the copy's commit
    waits for no disk and its names and ID numbers are never written to one; else the
    system's temporary folder."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        return None
    files = [Path(settings.warehouse), restricted_path(settings.warehouse)]
    size = sum(p.stat().st_size for p in files if p.exists())
    return str(shm) if shutil.disk_usage(shm).free > 2 * size + SCRATCH_SPARE else None


def _copy_settings(settings: Settings, tmp: Path) -> Settings:
    """The warehouse's files copied under `tmp` (while a read-only connection holds off any
    ingest, so the copy is of committed data), and settings pointing at them."""
    warehouse = tmp / "warehouse" / settings.warehouse.name
    warehouse.parent.mkdir()
    source = Path(settings.warehouse)
    if source.exists():
        with connect(source, read_only=True, wait_seconds=settings.lock_wait_seconds):
            for src in (source, restricted_path(source)):
                for part in (src, src.with_name(src.name + ".wal")):
                    if part.exists():
                        shutil.copyfile(
                            part,
                            warehouse.with_name(part.name.replace(source.stem, warehouse.stem, 1)),
                        )
    return settings.with_paths(raw_dir=tmp / "raw", warehouse=warehouse)


def _place(
    paths: list[Path], months: list[str], settings: Settings, raw_dir: Path, received_at
) -> list[tuple[Path, Path, str]]:
    """(original, copy, month): each file copied into the temporary raw folder, with its own
    modification time (its receipt time) or `received_at`. A file already under the raw
    folder keeps its place there (the ingest knows it by it); any other goes into a folder of
    its own, never in the place of a file the warehouse has received."""
    placed = []
    for path, month in zip(paths, months, strict=True):
        inside = _under_raw(Path(path), settings.raw_dir)
        if inside is not None and inside.parts[0] == month:
            target = raw_dir / inside
        else:
            target = raw_dir / month / f"check-{uuid.uuid4().hex[:8]}" / Path(path).name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target, follow_symlinks=False)
        mtime = received_at.timestamp() if received_at else os.stat(path).st_mtime
        os.utime(target, (mtime, mtime))
        placed.append((Path(path), target, month))
    return placed


def _under_raw(path: Path, raw_dir: Path) -> Path | None:
    try:
        return path.resolve().relative_to(Path(raw_dir).resolve())
    except ValueError:
        return None


def _dry_run(placed, copy: Settings, registry, settings: Settings, out_dir: Path):
    key = load_or_create_key(settings.key_file, settings.person_key_bytes)
    found = [(target, month) for _, target, month in placed]
    months = sorted({m for _, _, m in placed})
    with Warehouse.open(copy) as wh:
        wh.throw_away_on_close()
        pending, others = new_files(found, wh, copy.raw_dir, copy.zone)
        before = {m: Before.of(wh, m, copy.raw_dir) for m in months}
        wh.begin_load(villages_frame(registry), months)
        try:
            run = IngestRun(uuid.uuid4().hex, datetime.now(), None, Discovery([], []), copy.raw_dir)
            load_files(wh, run, IngestResult(len(found)), pending, registry, copy, key)
        except BaseException:
            wh.rollback()
            raise
        # committed to the copy alone: the findings' wording is in the restricted file, which
        # the load writes in a transaction of its own, seen by the reports once committed
        wh.commit_load()
        outcomes = {o.file_path: o for o in [*others, *run.outcomes]}
        inputs = {m: report_inputs(wh, m, copy.raw_dir) for m in months}
    written: set[Path] = set()  # two files of a village received in one second: two reports
    return [
        _result(orig, target, outcomes, inputs[month], before[month], copy, out_dir, written)
        for orig, target, month in placed
    ]


@dataclass
class Before:
    """The month in the warehouse before the load: where each submission was received, and
    how many rows of each file's form were superseded already."""

    received: dict[str, tuple[str, datetime]]  # submission id -> (path, received at)
    # (file, received at) -> its row ledger, as the report has it (report_inputs), so that it
    # compares with the one after the load whatever the report names its forms by
    ledgers: dict[tuple[Path, datetime], dict[str, dict[str, int]]]

    @classmethod
    def of(cls, wh: Warehouse, month: str, raw_dir: Path) -> Before:
        submissions = wh.frame("month_submissions", month)
        received = {
            r.submission_id: (r.file_path, r.received_at.to_pydatetime())
            for r in submissions.itertuples(index=False)
        }
        ledgers = {
            (i.file_path, i.received_at): i.ledger for i in report_inputs(wh, month, raw_dir)
        }
        return cls(received, ledgers)


def _result(
    orig, target, outcomes, inputs, before: Before, copy, out_dir, written: set[Path]
) -> CheckResult:
    rel = relative_path(target, copy.raw_dir)  # as the outcomes store it (an ID masked)
    month = target.relative_to(copy.raw_dir).parts[0]
    outcome = outcomes.get(rel)
    if outcome is None:  # not read at all (a link, say): what the ingest would say of it
        return CheckResult(orig, month, ledger.IGNORED, "未读取", None)
    result = CheckResult(
        orig,
        month,
        outcome.outcome,
        outcome.reason_zh,
        outcome.received_at or local_time(target.stat().st_mtime, copy.zone),
        village_code=outcome.village_code,
    )
    # a file the warehouse has already: the submission it is (a copy of) was received before
    path, when = before.received.get(outcome.submission_id, (rel, result.received_at))
    inp = next(
        (
            i
            for i in inputs
            if (relative_path(i.file_path, copy.raw_dir), i.received_at) == (path, when)
        ),
        None,
    )
    if inp is None:
        return result
    result.supersedes = _superseded(inp, inputs, before)
    inp.file_path, inp.file_name = target, orig.name
    result.status, result.village_name = inp.status, inp.village_name
    if inp.rejection is not None:  # the village's own words for it, as its report gives them
        result.reason_zh = inp.rejection.message_zh
    result.village_code = inp.village_code
    result.findings, result.ledger = list(inp.findings), dict(inp.ledger)
    inp.dry_run = True
    inp.same_second_as_another = report_path(out_dir, inp) in written
    result.report = write_village_report(out_dir, inp)
    written.add(result.report)
    return result


def _superseded(mine: ReportInput, inputs, before: Before) -> list[Superseded]:
    """The village's other files' forms whose rows the checked file supersedes: superseded
    after its load and not before, of the forms it sent (files checked together each name
    only their own)."""
    out = []
    for other in inputs:
        if other is mine or other.village_code != mine.village_code:
            continue
        was = before.ledgers.get((other.file_path, other.received_at), {})
        for sheet, parts in other.ledger.items():
            if sheet not in mine.ledger:
                continue
            newly = parts.get("superseded", 0) - was.get(sheet, {}).get("superseded", 0)
            if newly > 0:
                out.append(Superseded(other.file_name, sheet, newly))
    return out
