"""The file ledger: what an ingest did with every path under the raw folder, and why.

Each path gets exactly one outcome per ingest: loaded (a new submission: accepted, with
warnings, or with errors), refused (a new submission the village is told was not accepted),
unchanged (ingested before, or the same content as a file ingested before), or ignored (not
read, with the reason). The row ledger, where every row read went, is the view
`marts.row_ledger`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from township.model import STATUS_ZH

LOADED, REFUSED, UNCHANGED, IGNORED = "loaded", "refused", "unchanged", "ignored"
OUTCOMES = (LOADED, REFUSED, UNCHANGED, IGNORED)
OUTCOME_ZH = {LOADED: "新入库", REFUSED: "拒收", UNCHANGED: "未变化", IGNORED: "未读取"}

SAME_FILE = "same_file"
SAME_CONTENT = "same_content"
UNCHANGED_ZH = {
    SAME_FILE: "此前已入库，文件未变化",
    SAME_CONTENT: "与已入库的文件内容完全相同（同村同月），不重复入库",
}


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """One path's outcome in one ingest (a row of raw.file_outcomes)."""

    file_path: str  # relative to the raw folder
    report_month: str | None
    outcome: str
    reason_code: str
    reason_zh: str
    submission_id: str | None = None
    village_code: str | None = None
    size_bytes: int | None = None
    received_at: datetime | None = None

    def as_unchanged(self) -> FileOutcome:
        """This file read again: byte for byte a submission already ingested."""
        return FileOutcome(
            self.file_path,
            self.report_month,
            UNCHANGED,
            SAME_CONTENT,
            UNCHANGED_ZH[SAME_CONTENT],
            self.submission_id,
            self.village_code,
            self.size_bytes,
            self.received_at,
        )

    def with_status(self, status: str) -> FileOutcome:
        """A loaded file's reason: its final status (checks made after loading may change it)."""
        return FileOutcome(
            self.file_path,
            self.report_month,
            self.outcome,
            status,
            STATUS_ZH.get(status, status),
            self.submission_id,
            self.village_code,
            self.size_bytes,
            self.received_at,
        )


def counts(outcomes: list[FileOutcome]) -> dict[str, int]:
    """Paths per outcome, every outcome present (0 when none)."""
    found = dict.fromkeys(OUTCOMES, 0)
    for o in outcomes:
        found[o.outcome] += 1
    return found


def not_read(outcomes: list[FileOutcome]) -> list[FileOutcome]:
    """The refused, then the ignored paths, each by path: what the office is shown one by one."""
    shown = [o for o in outcomes if o.outcome in (REFUSED, IGNORED)]
    return sorted(shown, key=lambda o: (o.outcome != REFUSED, o.file_path))


def ledger_lines(outcomes: list[FileOutcome]) -> list[str]:
    """The ledger for a person: the counts, then each refused or ignored path with its reason."""
    found = counts(outcomes)
    lines = ["文件：" + "，".join(f"{OUTCOME_ZH[k]} {n}" for k, n in found.items())]
    for o in not_read(outcomes):
        lines.append(f"  {OUTCOME_ZH[o.outcome]}  {printable(o.file_path)}：{o.reason_zh}")
    return lines


def printable(text: str) -> str:
    """A path or name on one line: control characters (a newline in a file name) shown escaped."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def ledger_markdown(outcomes: list[FileOutcome]) -> list[str]:
    """The ledger as markdown lines: the counts, then a table of the refused and ignored paths."""
    found = counts(outcomes)
    lines = ["### 文件台账", "", "，".join(f"{OUTCOME_ZH[k]} {n} 个" for k, n in found.items())]
    shown = not_read(outcomes)
    if shown:
        lines += ["", "| 去向 | 文件 | 原因 |", "|---|---|---|"]
        lines += [
            f"| {OUTCOME_ZH[o.outcome]} | {_cell(o.file_path)} | {_cell(o.reason_zh)} |"
            for o in shown
        ]
    return lines


def _cell(text: str) -> str:
    return printable(text).replace("|", "\\|")
