"""The plain data that passes between stages: what was read, and what was found wrong."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ERROR = "error"
WARNING = "warning"
SEVERITY_ZH = {ERROR: "错误", WARNING: "警告"}


def submission_id(report_month: str, sha256: str) -> str:
    return hashlib.sha256(f"{report_month}/{sha256}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a submission, pointing at a cell where there is one."""

    rule_id: str
    severity: str  # ERROR | WARNING
    message_zh: str
    fix_zh: str
    sheet: str | None = None
    row: int | None = None  # Excel row number, 1-based
    cell: str | None = None  # A1 reference within the sheet, e.g. "E7"
    field: str | None = None
    value: str | None = None

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""


@dataclass(frozen=True)
class Rejection:
    code: str  # English code for the log, e.g. "password_protected"
    message_zh: str  # what the village officer reads


@dataclass
class SheetRead:
    """One form found in a file: its records, each with the Excel row and cells it came from."""

    form: str
    sheet: str
    header_row: int | None
    layout: str  # table | list
    records: list[dict] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    cells: list[dict[str, str]] = field(default_factory=list)


@dataclass
class FileRead:
    path: Path
    sha256: str
    size: int
    received_at: datetime
    report_month: str
    village_code: str | None = None
    village_name: str | None = None
    rejection: Rejection | None = None
    sheets: dict[str, SheetRead] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    cover: dict = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def submission_id(self) -> str:
        """One per (report month, file content): the same bytes sent again for the same month
        are the same submission; an unchanged stock file sent for the next month is not."""
        return submission_id(self.report_month, self.sha256)
