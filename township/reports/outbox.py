"""Writing every village report of a report month into the outbox, from the warehouse."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from township.config import Settings
from township.model import Finding, Rejection
from township.reports.village import ReportInput, write_village_report
from township.warehouse import Warehouse


def _none(value: object) -> object:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def _finding(row) -> Finding:
    return Finding(
        rule_id=row.rule_id,
        severity=row.severity,
        message_zh=row.message_zh,
        fix_zh=row.fix_zh,
        sheet=_none(row.sheet),
        row=None if _none(row.excel_row) is None else int(row.excel_row),
        cell=_none(row.cell),
        field=_none(row.field),
        value=_none(row.value),
    )


def report_inputs(wh: Warehouse, month: str, raw_dir: Path) -> list[ReportInput]:
    submissions, findings, counts = wh.month_submissions(month)
    by_sub = {
        sid: [_finding(r) for r in g.itertuples()] for sid, g in findings.groupby("submission_id")
    }
    per_sheet = {
        sid: dict(zip(g["sheet"], g["n_records"].astype(int), strict=True))
        for sid, g in counts.groupby("submission_id")
    }
    inputs = [
        ReportInput(
            village_code=_none(s.village_code),
            village_name=_none(s.village_name),
            report_month=s.report_month,
            file_name=s.file_name,
            file_path=Path(raw_dir) / s.file_path,
            received_at=s.received_at.to_pydatetime(),
            status=s.status,
            rejection=Rejection(s.reason_code, s.reason_zh) if _none(s.reason_code) else None,
            findings=by_sub.get(s.submission_id, []),
            counts=per_sheet.get(s.submission_id, {}),
            township_name=_none(s.township_name),
        )
        for s in submissions.itertuples()
    ]
    return _separate_same_second(inputs)


def _separate_same_second(inputs: list[ReportInput]) -> list[ReportInput]:
    """SPEC §10 names a report by village and receipt second; two files of one village received
    in the same second would share it, so both then also carry their file name."""
    seen: dict[tuple, int] = {}
    for inp in inputs:
        key = (
            inp.village_code or inp.file_name,
            inp.report_month,
            inp.received_at.replace(microsecond=0),
        )
        seen[key] = seen.get(key, 0) + 1
    for inp in inputs:
        key = (
            inp.village_code or inp.file_name,
            inp.report_month,
            inp.received_at.replace(microsecond=0),
        )
        inp.same_second_as_another = seen[key] > 1
    return inputs


def write_month_reports(settings: Settings, month: str) -> list[Path]:
    """One report per file received for the month (rejected files included)."""
    with Warehouse.open(settings, read_only=True) as wh:
        inputs = report_inputs(wh, month, settings.raw_dir)
    return [write_village_report(settings.outbox, inp) for inp in inputs]
