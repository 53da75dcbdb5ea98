"""Writing every village report of a report month into the outbox, from the warehouse."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import pandas as pd

from township.config import Settings
from township.forms import load_catalogue
from township.model import Finding, Rejection
from township.read.files import real_path
from township.reports.village import (
    LEDGER_PARTS,
    ReportInput,
    VillageReport,
    group_reports,
    one_line,
    report_path,
    write_village_report,
)
from township.store import Warehouse, queries

log = logging.getLogger(__name__)
ERROR_CHARS = 300  # of each failure in the one line that lists them (the log has them whole)


class ReportsNotWritten(Exception):
    """Some reports of a month could not be written; every other one was. `written` lists
    those, `failures` (the submitted file, the error) the others."""

    def __init__(self, month: str, written: list[Path], failures: list[tuple[str, str]]):
        self.written, self.failures = written, failures
        listed = "; ".join(f"{name}: {error}" for name, error in failures)
        super().__init__(
            f"{len(failures)} of {len(written) + len(failures)} report(s) for {month} could not "
            f"be written, for the file(s) {listed}; the other {len(written)} were written"
        )


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
    submissions, findings, counts = queries.month_submissions(wh, month)
    by_sub = {
        sid: [_finding(r) for r in g.itertuples()] for sid, g in findings.groupby("submission_id")
    }
    # per form, in Chinese: a CSV's sheet is its file name, which says nothing to the village
    forms = {f.name: f.name_zh for f in load_catalogue().forms.values()}
    per_form = {
        sid: dict(zip(g["form"].map(forms), g["n_records"].astype(int), strict=True))
        for sid, g in counts.groupby("submission_id")
    }
    ledgers = {
        sid: {
            forms[r.form]: {part: int(getattr(r, part)) for part in LEDGER_PARTS}
            for r in g.itertuples(index=False)
        }
        for sid, g in counts.groupby("submission_id")
    }
    inputs = [
        ReportInput(
            village_code=_none(s.village_code),
            village_name=_none(s.village_name),
            report_month=s.report_month,
            file_name=s.file_name,
            file_path=real_path(Path(raw_dir), s.file_path, s.file_sha256),
            received_at=s.received_at.to_pydatetime(),
            status=s.status,
            rejection=Rejection(s.reason_code, s.reason_zh) if _none(s.reason_code) else None,
            findings=by_sub.get(s.submission_id, []),
            counts=per_form.get(s.submission_id, {}),
            ledger=ledgers.get(s.submission_id, {}),
            township_name=_none(s.township_name),
        )
        for s in submissions.itertuples()
    ]
    return inputs


def month_reports(wh: Warehouse, month: str, raw_dir: Path) -> list[VillageReport]:
    """One report per village of the month, with every file it sent; an unresolved file alone."""
    return _separate_same_second(group_reports(report_inputs(wh, month, raw_dir)))


def _separate_same_second(inputs: list[VillageReport]) -> list[VillageReport]:
    """contract §10 names a report by village and receipt second; two files of one village received
    in the same second would share it, so both then also carry their file name. Judged by the
    name itself: two unresolved files whose names differ in their extension share it too."""
    for inp in inputs:
        inp.latest.same_second_as_another = False
    # casefolded: on the office's Windows share, 复合村_A.xlsx and 复合村_a.xlsx are one file
    keys = [report_path(Path(), inp).as_posix().casefold() for inp in inputs]
    shared = Counter(keys)
    for inp, key in zip(inputs, keys, strict=True):
        inp.latest.same_second_as_another = shared[key] > 1
    return inputs


def write_month_reports(settings: Settings, month: str) -> list[Path]:
    """One report per village for the month, covering every file it sent (rejected files
    included). A report that cannot be written does not keep the others from being written:
    ReportsNotWritten at the end names it."""
    with Warehouse.open(settings, read_only=True) as wh:
        inputs = month_reports(wh, month, settings.raw_dir)
    written: list[Path] = []
    failures: list[tuple[str, str]] = []
    for inp in inputs:
        try:
            written.append(write_village_report(settings.outbox, inp))
        except Exception as exc:  # one village's report; the next village's still goes out
            error = one_line(f"{type(exc).__name__}: {exc}")
            log.error("could not write the report on %s: %s", inp.latest.file_path, error)
            log.debug("the report on %s", inp.latest.file_path, exc_info=True)
            failures.append((one_line(inp.file_name), error[:ERROR_CHARS]))
    if failures:
        raise ReportsNotWritten(month, written, failures)
    return written
