"""Ingest: discover new files, read, validate, load into the warehouse in one transaction."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from township.config import Settings
from township.facts import build_load_batch, findings_tables
from township.model import FileRead, Finding, Rejection
from township.privacy import load_or_create_key
from township.read.files import ACCEPTED_SUFFIXES, file_identity, read_file, received_time
from township.rules.catalog import finding
from township.rules.outliers import outliers
from township.rules.validate import validate_batch
from township.villages import VillageRegistry
from township.warehouse import Warehouse

log = logging.getLogger(__name__)
MONTH_DIR = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CHUNK_FILES = (
    2000  # files read and validated together: bounds memory, amortises pandera's fixed cost
)
STOCK_FIELDS = {"contraception": ["married_women"], "migrants": ["out_migrants", "in_migrants"]}


@dataclass
class IngestResult:
    files_found: int = 0
    files_skipped: int = 0
    submissions: list[dict] = field(default_factory=list)
    indicator_rows: int = 0

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
    return [
        (p, d.name)
        for d in months
        for p in sorted(d.iterdir())
        if p.is_file()
        and p.suffix.lower() in ACCEPTED_SUFFIXES
        and not p.name.startswith(("~$", "."))
    ]


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def new_files(
    found: list[tuple[Path, str]], warehouse: Warehouse, raw_dir: Path
) -> list[tuple[Path, str]]:
    """Files not yet ingested. Path, size and mtime unchanged means unchanged: no need to hash."""
    known = warehouse.known_files()
    pending = []
    for path, month in found:
        stat = path.stat()
        if (_relative(path, raw_dir), stat.st_size, received_time(stat.st_mtime)) not in known:
            pending.append((path, month))
    return pending


def read_one(path: Path, month: str, registry: VillageRegistry, settings: Settings) -> FileRead:
    """Read a file; whatever goes wrong is recorded against that file alone."""
    try:
        return read_file(path, month, registry, settings.max_file_bytes, settings.max_sheet_rows)
    except Exception as exc:  # one broken file never stops the batch
        log.warning("could not read %s: %s", path, exc)
        sha, size, received = file_identity(path)
        return FileRead(
            path,
            sha,
            size,
            received,
            month,
            rejection=Rejection(
                "unreadable", "文件无法读取，请在 Excel/WPS 中打开确认后重新保存并报送。"
            ),
        )


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ingest(
    settings: Settings,
    month: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    read_many: Callable[[list[tuple[Path, str]], VillageRegistry, Settings], list[FileRead]]
    | None = None,
) -> IngestResult:
    """Every new file (of one month, or all) into the warehouse: all of it, or nothing."""
    registry = VillageRegistry.load(settings.villages)
    key = load_or_create_key(settings.key_file)
    found = discover(settings.raw_dir, month)
    result = IngestResult(files_found=len(found))
    read_many = read_many or (lambda items, reg, s: [read_one(p, m, reg, s) for p, m in items])
    with Warehouse(settings.warehouse, wait_seconds=settings.lock_wait_seconds) as wh:
        pending = new_files(found, wh, settings.raw_dir)
        result.files_skipped = len(found) - len(pending)
        wh.begin()
        try:
            wh.replace_villages(_villages_frame(registry))
            known = wh.known_submissions()
            done = 0
            for chunk in _chunks(pending, CHUNK_FILES):
                files = _unique_new(read_many(chunk, registry, settings), known)
                _load_chunk(wh, files, key, settings, result)
                done += len(chunk)
                if progress:
                    progress(done, len(pending))
            result.indicator_rows = wh.materialize_indicators()
            wh.commit()
        except BaseException:
            wh.rollback()
            raise
    return result


def _unique_new(files: list[FileRead], known: set[str]) -> list[FileRead]:
    """Byte-identical copies (already ingested, or twice in this batch) change nothing."""
    out = []
    for fr in files:
        if fr.submission_id not in known:
            known.add(fr.submission_id)
            out.append(fr)
    return out


def _load_chunk(
    wh: Warehouse, files: list[FileRead], key: bytes, settings: Settings, result: IngestResult
) -> None:
    if not files:
        return
    validated = validate_batch(files)
    batch = build_load_batch(files, validated, key, settings.raw_dir, datetime.now())
    wh.insert_tables(batch.tables)
    _add_derived_findings(wh, files)
    submitted = batch.tables["raw.submissions"]
    summary = submitted[["submission_id", "file_name", "report_month", "village_code", "status"]]
    summary = summary.astype(object)
    result.submissions.extend(summary.where(summary.notna(), None).to_dict("records"))


def _add_derived_findings(wh: Warehouse, files: list[FileRead]) -> None:
    """Rules that need the warehouse: a birth counted for another village; stock outliers."""
    by_sha = {fr.submission_id: (i, fr) for i, fr in enumerate(files)}
    extra: dict[int, list[Finding]] = {}
    for row in wh.cross_village_losers(list(by_sha)).itertuples(index=False):
        i, fr = by_sha[row.submission_id]
        extra.setdefault(i, []).append(
            finding(
                "births.reported_by_other_village",
                other=row.counted_for,
                field="mother_id",
                sheet=row.sheet,
                row=int(row.excel_row),
                cell=_cell(fr, "births", int(row.excel_row), "mother_id"),
            )
        )
    for row in outliers(wh.stock_history(), _new_stock_values(files)).itertuples(index=False):
        i, fr = by_sha[row.submission_id]
        sheet = fr.sheets[row.form]
        extra.setdefault(i, []).append(
            finding(
                "stock.outlier",
                field_zh=_field_zh(row.form, row.field),
                value=int(row.value),
                other=f"以往各月中位数 {row.median:.0f}",
                field=row.field,
                sheet=sheet.sheet,
                row=sheet.rows[0],
                cell=sheet.cells[0].get(row.field),
            )
        )
    if not extra:
        return
    public, private = findings_tables(files, extra)
    offsets = wh.next_finding_numbers(list(by_sha))
    for frame in (public, private):
        frame["finding_no"] += frame["submission_id"].map(offsets).fillna(0).astype(int)
    wh.add_findings(public, private)
    for i, found in extra.items():
        files[i].findings.extend(found)


def _field_zh(form: str, field_name: str) -> str:
    from township.forms import load_catalogue

    return load_catalogue().forms[form].field(field_name).name_zh


def _cell(fr: FileRead, form: str, excel_row: int, field_name: str) -> str | None:
    sheet = fr.sheets[form]
    for row, cells in zip(sheet.rows, sheet.cells, strict=True):
        if row == excel_row:
            return cells.get(field_name)
    return None


def _new_stock_values(files: list[FileRead]) -> pd.DataFrame:
    rows = []
    for fr in files:
        for form, fields in STOCK_FIELDS.items():
            sheet = fr.sheets.get(form)
            if fr.rejection or sheet is None or not sheet.records:
                continue
            for name in fields:
                value = sheet.records[0].get(name)
                if isinstance(value, int):
                    rows.append(
                        {
                            "submission_id": fr.submission_id,
                            "village_code": fr.village_code,
                            "report_month": fr.report_month,
                            "form": form,
                            "field": name,
                            "value": value,
                        }
                    )
    return pd.DataFrame(
        rows, columns=["submission_id", "village_code", "report_month", "form", "field", "value"]
    )


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
