"""The office's board: villages × report months, each cell the village's latest file (from
the analysts' copy of the warehouse, and the web uploads not yet ingested), or missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from township.calendar import deadline, month_start, previous_month
from township.config import Settings
from township.model import STATUS_ZH
from township.reports.village import LEDGER_PARTS
from township.store import Warehouse, analyst_copy_path
from township.villages import VillageRegistry
from township.web import store

MONTHS_SHOWN = 6


@dataclass
class Cell:
    received_at: datetime
    on_time: bool
    status: str
    upload_id: str | None = None  # a web upload: its page, with the report
    submission_id: str | None = None  # in the warehouse: its row ledger

    @property
    def status_zh(self) -> str:
        return STATUS_ZH.get(self.status, self.status)


@dataclass
class Board:
    months: list[str]
    rows: list[tuple[str, str, list[Cell | None]]]  # (village code, name, a cell per month)


def months_ending(last: str, n: int = MONTHS_SHOWN) -> list[str]:
    out, day = [], month_start(last)
    for _ in range(n):
        out.append(f"{day:%Y-%m}")
        day = (day - timedelta(days=1)).replace(day=1)
    return out[::-1]


def build(settings: Settings, last: str | None = None) -> Board:
    uploads = store.uploads(settings.web_db)
    if last is None:
        known = [u.report_month for u in uploads] + _warehouse_months(settings)
        last = max(known) if known else previous_month(zone=settings.zone)
    months = months_ending(last)
    cells: dict[tuple[str, str], Cell] = {}
    paths: dict[tuple[str, str], str] = {}
    for row in _warehouse_cells(settings, months[0], months[-1]).itertuples(index=False):
        received = row.received_at.to_pydatetime()
        key = (row.village_code, row.report_month)
        cells[key] = Cell(
            received, _on_time(received, row.report_month), row.status, None, row.submission_id
        )
        paths[key] = row.file_path
    for u in reversed(uploads):  # oldest first: the latest of each village and month stays
        key = (u.village_code, u.report_month)
        if u.report_month not in months:
            continue
        if paths.get(key) == u.stored_path:  # the upload, ingested since: both links
            cells[key].upload_id = u.upload_id
        elif key not in cells or cells[key].received_at <= u.uploaded_at:
            cells[key] = Cell(u.uploaded_at, bool(u.on_time), u.status or "rejected", u.upload_id)
    registry = VillageRegistry.load(settings.villages)
    rows = [(v.code, v.name, [cells.get((v.code, m)) for m in months]) for v in registry.villages]
    return Board(months, rows)


def _on_time(received: datetime, month: str) -> bool:
    return received.date() <= deadline(month)


def _analyst_copy(settings: Settings):
    path = analyst_copy_path(settings.warehouse)
    return Warehouse.at(path, read_only=True, wait_seconds=5) if path.exists() else None


def _warehouse_months(settings: Settings) -> list[str]:
    wh = _analyst_copy(settings)
    if wh is None:
        return []
    with wh:
        return [m for (m,) in wh.rows("last_month_sent") if m]


def _warehouse_cells(settings: Settings, first: str, last: str) -> pd.DataFrame:
    wh = _analyst_copy(settings)
    if wh is None:
        return pd.DataFrame(
            columns=["village_code", "report_month", "file_path", "received_at", "status"]
        )
    with wh:
        return wh.frame("board_submissions", first=first, last=last)


def submission_ledger(settings: Settings, submission_id: str) -> tuple[dict, list[dict]] | None:
    """A file in the warehouse and where each of its forms' rows went; None when unknown."""
    wh = _analyst_copy(settings)
    if wh is None:
        return None
    with wh:
        frame = wh.frame("submission_ledger", submission_id)
    if frame.empty:
        return None
    head = frame.iloc[0]
    about = {
        "village_code": head["village_code"],
        "report_month": head["report_month"],
        "file_name": head["file_name"],
        "received_at": head["received_at"].to_pydatetime(),
        "status_zh": STATUS_ZH.get(head["status"], head["status"]),
    }
    forms = [
        {"sheet": r["sheet"], "read": int(r["rows_read"]), **{k: int(r[k]) for k in LEDGER_PARTS}}
        for _, r in frame.iterrows()
        if isinstance(r["sheet"], str)
    ]
    return about, forms


def today(settings: Settings) -> date:
    return datetime.now(settings.zone).date()
