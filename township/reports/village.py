"""The validation report sent back to one village about the files it sent for one month.

A 汇总 sheet (the overall status; each file with its outcome and its receipt against the
deadline; where each form's rows went; one line per problem, a rule firing on many rows of a
sheet being one line, each linked to its cell) followed by a copy of each submitted sheet with
the offending cells filled and commented and the messages printed in a column beside the data,
plus a plain-text summary beside it. Every sheet is set up to print: A4 landscape, one page
wide, its header rows repeated on every page.

Everything copied from the submission is written with `write_string` (numbers excepted), so a
submitted `=HYPERLINK(...)` or `+cmd` stays inert text in the report.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from township.calendar import deadline, month_zh
from township.forms import load_catalogue
from township.model import ERROR, SEVERITY_ZH, WARNING, Finding, Rejection
from township.read.grid import load_grids
from township.rules.catalog import OLDER_THAN_LOADED, rule_name_zh

log = logging.getLogger(__name__)

STATUS_ZH = {
    "accepted": "通过",
    "accepted_with_warnings": "有警告",
    "has_errors": "有错误",
    "rejected": "已拒收",
}
STATUS_ADVICE = {
    "accepted": "数据已全部入库，谢谢。",
    "accepted_with_warnings": "数据已入库。请核实标为“警告”的内容，如确有错误，改正后重新报送整个文件。",
    "has_errors": "标为“错误”的行暂未入库，请改正后重新报送整个文件；标为“警告”的请核实。",
    "rejected": "文件未被接收，请按下面的拒收原因处理后重新报送。",
}
# A dry run (`township check`, the web intake) loads nothing: its advice says what sending the
# file would do
CHECK_ADVICE = {
    "accepted": "预检通过：报送后数据可全部入库（本次预检未入库）。",
    "accepted_with_warnings": "预检有警告（本次预检未入库）：请核实标为“警告”的内容，"
    "如确有错误，改正后再报送。",
    "has_errors": "预检发现错误（本次预检未入库）：标为“错误”的行报送后不会入库，"
    "请改正后再报送；标为“警告”的请核实。",
    "rejected": "按现在的样子报送，文件将被拒收（本次预检未入库）：请按下面的拒收原因处理。",
}
STATUS_FILL = {
    "accepted": "#C6EFCE",
    "accepted_with_warnings": "#FFEB9C",
    "has_errors": "#FFC7CE",
    "rejected": "#FFC7CE",
}
SEVERITY_FILL = {ERROR: "#FFC7CE", WARNING: "#FFEB9C"}

SUMMARY_SHEET = "汇总"
# The 汇总's columns: where (a link to the cell), what, how to fix; the rule id, for the office
# only, narrow at the right.
FINDING_COLUMNS = [
    ("位置", 18),  # a link to the (first) cell
    ("行", 14),  # every row the line is about
    ("字段", 12),
    ("填报值", 20),
    ("严重程度", 8),
    ("问题", 14),
    ("问题说明", 42),
    ("修改方法", 38),
    ("规则编号", 12),
]
RULE_ID_COLUMN = len(FINDING_COLUMNS) - 1
NOTES_HEADER = "校验意见"  # the column beside a copied sheet's data that prints the messages
NOTES_WIDTH = 50
MAX_LISTED_ROWS = 2  # a line for many rows quotes this many rows' own messages
MAX_VALUES_CHARS = 60
MAX_TEXT_FINDINGS = 20
WIDTH_SAMPLE_ROWS = 200  # column widths of the copies are judged from the first rows only
COMMENT_WIDTH_PX = 360

_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|]')
# Control characters (Unicode Cc), lone surrogates (a file name's undecodable bytes), line and
# paragraph separators: none may reach a report's lines, which they would break or forge.
_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]+")
# Control characters a copied cell may not keep: all but tab and line breaks, which a cell can
# legitimately hold and Excel shows.
_CELL_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_NAME_BYTES = 255  # one path component, in UTF-8, on the file systems the outbox lives on
NAME_SUFFIX = ".xlsx"  # the longer of the two suffixes a report's files carry (.xlsx, .txt)


@dataclass
class ReportInput:
    village_code: str | None
    village_name: str | None
    report_month: str  # "2026-03"
    file_name: str  # the submitted file's name
    file_path: Path  # the submitted file, re-read for the sheet copies
    received_at: datetime
    status: str  # accepted | accepted_with_warnings | has_errors | rejected
    rejection: Rejection | None
    findings: list[Finding]
    counts: dict[str, int]  # records read per form (or sheet), e.g. {"出生登记": 12}
    # per form (or sheet), where its rows went (marts.row_ledger), e.g.
    # {"出生登记": {"counted": 11, …}}
    ledger: dict[str, dict[str, int]] = field(default_factory=dict)
    township_name: str | None = None  # for the title line, e.g. "复合镇"
    # Set when another file of the same village was received in the same second: the report
    # name then carries the file's own name too, so neither report overwrites the other.
    same_second_as_another: bool = False
    dry_run: bool = False  # a check before sending: nothing was loaded


# ---------------------------------------------------------------- naming


STATUS_RANK = ["accepted", "accepted_with_warnings", "has_errors"]


@dataclass
class VillageReport:
    """Every file one village sent for one report month, in one report (a file whose village
    is not known has a report of its own). Named, titled and addressed like its latest file."""

    files: list[ReportInput]

    def __post_init__(self) -> None:
        self.files = sorted(self.files, key=lambda f: (f.received_at, f.file_name))

    @property
    def latest(self) -> ReportInput:
        return self.files[-1]

    def __getattr__(self, name: str):
        # village_code, village_name, report_month, township_name, file_name, received_at,
        # same_second_as_another …: those of the latest file, as the report's name uses them
        if name == "files":
            raise AttributeError(name)
        return getattr(self.latest, name)

    @property
    def status(self) -> str:
        """已拒收 only when every file was refused; otherwise the worst of the files that still
        count (a refused file, or one a file saved later replaced, is told on its own line)."""
        current = [f.status for f in self.current]
        if not current:
            return "rejected"
        return max(current, key=lambda s: STATUS_RANK.index(s) if s in STATUS_RANK else 0)

    @property
    def rejection(self) -> Rejection | None:
        return self.latest.rejection if self.status == "rejected" else None

    @property
    def taken(self) -> list[ReportInput]:
        return [f for f in self.files if f.status != "rejected"]

    @property
    def current(self) -> list[ReportInput]:
        """The files taken in that no file saved later has wholly replaced: what counts now."""
        return [f for f in self.taken if not replaced(f)]

    @property
    def findings(self) -> list[Finding]:
        return [f for inp in self.files for f in self.listed(inp)]

    def listed(self, inp: ReportInput) -> list[Finding]:
        """A file's problems the report lists: all, of a file that counts; of a file taken in
        but wholly replaced, only why it is not used (saved earlier than a version received
        before it: without that line the village would not know)."""
        if inp in self.current:
            return inp.findings
        return [f for f in inp.findings if _why_unused(f)] if inp in self.taken else []


def _why_unused(f: Finding) -> bool:
    return f.rule_id == OLDER_THAN_LOADED


def replaced(inp: ReportInput) -> bool:
    """Every row of every form of the file replaced by a file of the village saved later (the row
    ledger's superseded): its problems were put right, or no longer matter."""
    parts = [p for p in inp.ledger.values() if sum(p.values())]
    return bool(parts) and all(p.get("superseded", 0) == sum(p.values()) for p in parts)


def group_reports(inputs: list[ReportInput]) -> list[VillageReport]:
    """One report per village and month; a file of no known village alone."""
    groups: dict[tuple, list[ReportInput]] = {}
    for n, inp in enumerate(inputs):
        key = (inp.report_month, inp.village_code) if inp.village_code else (n,)
        groups.setdefault(key, []).append(inp)
    return [VillageReport(files) for files in groups.values()]


def as_report(report: ReportInput | VillageReport) -> VillageReport:
    return report if isinstance(report, VillageReport) else VillageReport([report])


def report_path(outbox: Path, inp: ReportInput | VillageReport) -> Path:
    """outbox/<month>/<code>_<name>_<YYYYMMDD-HHMMSS>.xlsx, or <file stem>_... when unresolved:
    for a village's report, the latest file's receipt."""
    stamp = inp.received_at.strftime("%Y%m%d-%H%M%S")
    if inp.village_code:
        stem = "_".join(p for p in (inp.village_code, inp.village_name) if p)
    else:
        stem = Path(inp.file_name).stem
    # the file's extension kept apart (某村3月.xlsx and 某村3月.csv), not as a second suffix
    tail = _safe_file_part(inp.file_name.replace(".", "_")) if inp.same_second_as_another else ""
    return (
        Path(outbox)
        / inp.report_month
        / f"{_fitted_name(_safe_file_part(stem), stamp, tail)}{NAME_SUFFIX}"
    )


def _fitted_name(head: str, stamp: str, tail: str) -> str:
    """head_stamp[_tail], cut to fit one path component with its suffix. When cut, the file or
    village part gives way (on a character boundary), the stamp stays whole, and a short hash
    of the uncut name keeps two long names that share a beginning apart."""
    name = "_".join(p for p in (head, stamp, tail) if p)
    room = MAX_NAME_BYTES - len(NAME_SUFFIX)
    if _utf8_len(name) <= room:
        return name
    mark = "~" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    budget = room - _utf8_len(f"_{stamp}{mark}") - (1 if tail else 0)  # head and tail share it
    if tail:  # the village keeps what the file name does not need, and at least half
        head = _cut(head, max(budget // 2, budget - _utf8_len(tail)))
        tail = _cut(tail, budget - _utf8_len(head))
    else:
        head = _cut(head, budget)
    return "_".join(p for p in (head, stamp, tail) if p) + mark


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(text: str, max_bytes: int) -> str:
    """The longest beginning of `text` within `max_bytes` of UTF-8, whole characters only."""
    return text.encode("utf-8")[: max(0, max_bytes)].decode("utf-8", errors="ignore")


def _safe_file_part(text: str) -> str:
    # The stem comes from whatever the village named its file: keep it a single path component.
    cleaned = _BAD_FILE_CHARS.sub("_", one_line(text)).strip(" .")
    return cleaned or "未命名文件"


def one_line(text: object) -> str:
    """`text` on one line, free of control characters: what a file name, a sheet name or a cell
    brings into a report's lines (a line break there would forge a line of our own)."""
    return _BREAKING.sub(" ", "" if text is None else str(text))


# ---------------------------------------------------------------- entry points


def write_village_report(outbox: Path, report: ReportInput | VillageReport) -> Path:
    """Write the .xlsx report and the .txt summary beside it; return the .xlsx path. Given one
    file (a ReportInput), the report covers that file alone."""
    report = as_report(report)
    path = report_path(outbox, report)
    path.parent.mkdir(parents=True, exist_ok=True)
    current = report.current
    grids = [_submitted_grids(f) if f in current else {} for f in report.files]
    _write_workbook(path, report, grids)
    path.with_suffix(".txt").write_text(plain_text_summary(report) + "\n", encoding="utf-8")
    return path


def plain_text_summary(report: ReportInput | VillageReport) -> str:
    """A few Chinese lines an officer can paste into a chat message."""
    report = as_report(report)
    lines = [
        f"【{report.township_name or ''}计生月报校验】{_village_label(report)} "
        f"{month_zh(report.report_month)}：{_status_zh(report.status)}",
    ]
    for inp in report.files:
        lines.append(f"文件：{inp.file_name}（{file_outcome(inp, report)}）")
        if inp.rejection is not None:
            lines.append(f"拒收原因：{inp.rejection.message_zh}")
    lines += [f"  {line}" for line in form_lines(report)]
    if report.taken:
        errors, warnings = _severity_counts(report.findings)
        lines.append(f"错误 {errors} 处，警告 {warnings} 处")
        grouped = finding_lines(report)
        named = [inp.file_name for inp in report.files] if len(report.files) > 1 else None
        lines += [_text_line(line, named) for line in grouped[:MAX_TEXT_FINDINGS]]
        if len(grouped) > MAX_TEXT_FINDINGS:
            lines.append(f"……另有 {len(grouped) - MAX_TEXT_FINDINGS} 条问题未列出")
    lines.append("完整报告见附件。")
    # Each line is made one line only now, whatever a file, sheet or cell put into it.
    return "\n".join(one_line(line) for line in lines)


def _text_line(line: FindingLine, file_names: list[str] | None = None) -> str:
    """One finding's line; `file_names`, when the report covers several files: its file named
    first (the text has no sheet copies to tell them apart)."""
    file_name = file_names[line.file_no] if file_names else None
    place = " ".join(p for p in (file_name, line.place, _field_zh(line.field)) if p)
    severity = _severity_zh(line.severity)
    head = f"（{severity}）{place}：" if place else f"（{severity}）"
    message = line.message.rstrip("。；;. ")
    return f"{head}{message}；{line.fix}" if line.fix else f"{head}{message}"


# ---------------------------------------------------------------- plain words


def _status_zh(status: str) -> str:
    return STATUS_ZH.get(status, status)


def _severity_zh(severity: str) -> str:
    return SEVERITY_ZH.get(severity, severity)


def _village_label(inp: ReportInput | VillageReport) -> str:
    return inp.village_name or inp.village_code or "未识别的村"


def _received(inp: ReportInput) -> str:
    return inp.received_at.strftime("%Y-%m-%d %H:%M:%S")


def is_late(inp: ReportInput) -> bool:
    """Received after the deadline of its month (township.calendar.deadline, the 5th of the
    next month, the day included): what the township's on-time rate counts."""
    return inp.received_at.date() > deadline(inp.report_month)


def file_outcome(inp: ReportInput, report: VillageReport | None = None) -> str:
    """接收时间 … against the deadline, and the file's status, in one phrase. The month's first
    file taken in decides whether the month is late; a later one is only said to be after it."""
    due = deadline(inp.report_month)
    received = f"接收时间 {_received(inp)}，报送截止 {due.isoformat()}"
    if inp.status == "rejected":
        return f"{received}；已拒收，不算已报送，请改正后尽快重新报送"
    decides = report is None or report.taken[0] is inp
    if is_late(inp):
        days = (inp.received_at.date() - due).days
        when = f"{received}，晚 {days} 天" + ("，计为迟报" if decides else "")
    else:
        when = f"{received}，按时"
    outcome = _status_zh(inp.status)
    if report is not None and replaced(inp) and any(map(_why_unused, inp.findings)):
        outcome += "，修改时间早于此前已收到的版本，没有采用（原因见问题清单）"
    elif report is not None and replaced(inp):
        outcome += "，已全部被修改时间较晚的版本替换，其中的问题不再列出"
    return f"{when}；{outcome}"


def timeliness(report: VillageReport) -> str:
    """Whether the village-month counts as on time: its first file taken in decides."""
    due = deadline(report.report_month).isoformat()
    taken = report.taken
    if not taken:
        return f"截止 {due}；尚未收到可接收的文件，本月暂按未报送计"
    first = taken[0]
    if is_late(first):
        return f"截止 {due}；首个有效文件 {_received(first)} 收到，本月计为迟报"
    return f"截止 {due}；首个有效文件 {_received(first)} 收到，按时"


def _place(f: Finding) -> str:
    if f.sheet and f.cell:
        return f.where
    if f.sheet and f.row:
        return f"{f.sheet} 第{f.row}行"
    return f.where


def _field_zh(name: str | None) -> str:
    """A canonical field name shown in Chinese; anything else shown as given."""
    if not name:
        return ""
    for form in load_catalogue().forms.values():
        for f in form.fields:
            if f.name == name:
                return f.name_zh
    return name


LEDGER_PARTS = {
    "counted": "计入统计",
    "outside_period": "计入往年（跨年度迟报）",
    "repeated": "此前已报送（不重复计）",
    "duplicates": "重复记录（只计一次）",
    "superseded": "已被修改时间较晚的版本替换",
    "quarantined": "有错误暂未计入",
    "in_refused_file": "文件未被接收",
}


def ledger_text(parts: dict[str, int]) -> str:
    """Where a sheet's rows went, in words: every row read is in exactly one of the parts."""
    read = sum(parts.values())
    shown = "，".join(f"{LEDGER_PARTS[k]} {n} 行" for k, n in parts.items() if n)
    return f"读取 {read} 行" + (f"：{shown}" if shown else "")


def form_ledgers(report: VillageReport) -> dict[str, dict[str, int] | int]:
    """Per form, over every file of the report: where its rows went (summed), or the records
    read when the ledger does not know the form."""
    forms: dict[str, dict[str, int] | int] = {}
    for inp in report.files:
        for name, count in inp.counts.items():
            if name in inp.ledger:
                parts = forms.setdefault(name, dict.fromkeys(LEDGER_PARTS, 0))
                for part, n in inp.ledger[name].items():
                    parts[part] = parts.get(part, 0) + n
            elif not isinstance(forms.get(name), dict):
                forms[name] = int(forms.get(name, 0)) + count
    order = [f.name_zh for f in load_catalogue().forms.values()]  # the template's order
    return dict(sorted(forms.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99))


def form_lines(report: VillageReport) -> list[str]:
    return [
        f"{one_line(name)}：{ledger_text(v)}" if isinstance(v, dict) else f"{one_line(name)} {v} 条"
        for name, v in form_ledgers(report).items()
    ]


def _severity_counts(findings: list[Finding]) -> tuple[int, int]:
    errors = sum(1 for f in findings if f.severity == ERROR)
    return errors, sum(1 for f in findings if f.severity == WARNING)


def _ordered(findings: list[Finding]) -> list[Finding]:
    # Errors first (they block loading); otherwise keep the order the checks produced.
    return sorted(findings, key=lambda f: f.severity != ERROR)


# ---------------------------------------------------------------- one line per rule and sheet


@dataclass
class FindingLine:
    """One rule on one sheet of one file: a cell, or many rows listed in one line."""

    file_no: int
    findings: list[Finding]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def severity(self) -> str:
        return self.first.severity

    @property
    def field(self) -> str | None:
        return self.first.field

    @property
    def rows(self) -> list[int]:
        return sorted({f.row for f in self.findings if f.row})

    @property
    def place(self) -> str:
        if len({(f.row, f.cell) for f in self.findings}) == 1 or not self.rows:
            return _place(self.first)
        return f"{self.first.sheet} 第 {'、'.join(map(str, self.rows))} 行"

    @property
    def rows_text(self) -> str:
        return f"第 {'、'.join(map(str, self.rows))} 行" if self.rows else ""

    @property
    def values(self) -> str:
        seen = list(dict.fromkeys(f.value for f in self.findings if f.value not in (None, "")))
        text = "、".join(map(str, seen))
        return text if len(text) <= MAX_VALUES_CHARS else text[: MAX_VALUES_CHARS - 1] + "…"

    @property
    def message(self) -> str:
        messages = list(dict.fromkeys(f.message_zh for f in self.findings))
        if len(messages) == 1:
            return messages[0]
        listed = self.findings[:MAX_LISTED_ROWS]
        quoted = [f"第{f.row}行：{f.message_zh.rstrip('。')}" for f in listed]
        rest = len(self.findings) - len(listed)
        tail = f"；其余 {rest} 行同类（见填报值）。" if rest > 0 else "。"
        return "；".join(quoted) + tail

    @property
    def fix(self) -> str:
        return "；".join(dict.fromkeys(f.fix_zh for f in self.findings if f.fix_zh))


def finding_lines(report: VillageReport) -> list[FindingLine]:
    """Errors first; a rule firing on many rows of one sheet is one line; a finding at a cell of
    no row, or of no sheet, a line of its own."""
    lines: dict[tuple, FindingLine] = {}
    for file_no, inp in enumerate(report.files):
        for n, f in enumerate(report.listed(inp)):
            together = f.sheet and f.row
            key = (file_no, f.sheet, f.rule_id, f.field, f.severity) if together else (file_no, n)
            lines.setdefault(key, FindingLine(file_no, [])).findings.append(f)
    for line in lines.values():
        line.findings.sort(key=lambda f: f.row or 0)
    return sorted(lines.values(), key=lambda line: line.severity != ERROR)


# ---------------------------------------------------------------- workbook


def _submitted_grids(inp: ReportInput) -> dict[str, list[list[object]]]:
    """The submitted sheets to copy; none for a rejected or unreadable file."""
    if inp.status == "rejected":
        return {}
    try:
        return load_grids(inp.file_path)
    except Exception:  # the report must still go out, with its 汇总 sheet alone
        log.warning("cannot re-read %s for the report copies", inp.file_path, exc_info=True)
        return {}


def _write_workbook(path: Path, report: VillageReport, grids: list[dict]) -> None:
    # in_memory gives fixed zip timestamps; with a fixed 'created' the bytes are reproducible.
    workbook = xlsxwriter.Workbook(
        str(path), {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    workbook.set_properties({"title": "计生月报校验报告", "created": report.received_at})
    formats = _formats(workbook)
    names = _copy_names([(n, sheet) for n, g in enumerate(grids) for sheet in g])
    summary = workbook.add_worksheet(SUMMARY_SHEET)
    _write_summary(summary, report, formats, names)
    for (file_no, original), copy_name in names.items():
        sheet = workbook.add_worksheet(copy_name)
        marks = _marks_by_sheet(report.files[file_no].findings).get(original, {})
        _write_copy(sheet, grids[file_no][original], marks, formats)
    workbook.close()


def _formats(workbook: xlsxwriter.Workbook) -> dict:
    wrap = {"text_wrap": True, "valign": "top"}
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "label": workbook.add_format({"bold": True, "valign": "top"}),
        "wrap": workbook.add_format(wrap),
        "header": workbook.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7", **wrap}),
        "cell": workbook.add_format({"border": 1, **wrap}),
        "small": workbook.add_format(
            {"border": 1, "font_size": 8, "font_color": "#808080", **wrap}
        ),
        "link": workbook.add_format({"border": 1, "font_color": "blue", "underline": 1, **wrap}),
        "note": workbook.add_format({"font_color": "#9C0006", **wrap}),
    }
    for status, color in STATUS_FILL.items():
        formats[f"status:{status}"] = workbook.add_format({"bold": True, "bg_color": color})
    for severity, color in SEVERITY_FILL.items():
        formats[f"mark:{severity}"] = workbook.add_format({"bg_color": color})
        formats[f"cell:{severity}"] = workbook.add_format({"border": 1, "bg_color": color, **wrap})
    return formats


def _print_setup(sheet: Worksheet, title_rows: tuple[int, int] | None) -> None:
    """A4 landscape, one page wide (as many tall as needed), the header rows on every page."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer("&C第 &P 页，共 &N 页")
    if title_rows is not None:
        sheet.repeat_rows(*title_rows)


# ---------------------------------------------------------------- 汇总


def _write_summary(sheet: Worksheet, report: VillageReport, formats: dict, names: dict) -> None:
    for col, (_, width) in enumerate(FINDING_COLUMNS):
        sheet.set_column(col, col, width)
    row = _write_heading(sheet, report, formats)
    row = _write_files(sheet, row, report, formats) + 1
    row = _write_forms(sheet, row, report, formats) + 1
    header = _write_findings(sheet, row, report, formats, names)
    _print_setup(sheet, (header, header) if header is not None else None)


def _write_heading(sheet: Worksheet, report: VillageReport, formats: dict) -> int:
    """Title and who/what/when lines; returns the next free row."""
    title = one_line(f"{report.township_name or ''}计生月报校验报告")
    sheet.write_string(0, 0, title, formats["title"])
    village = _village_label(report)
    if report.village_code and report.village_name:
        village = f"{report.village_name}（村代码 {report.village_code}）"
    elif not report.village_code:
        village = "未识别（请在封面填写村代码和村名，或在文件名中写明村名）"
    lines = [
        ("村", village),
        ("报告月份", month_zh(report.report_month)),
        ("是否按时", timeliness(report)),
    ]
    row = 1
    for label, value in lines:
        row = _write_label_line(sheet, row, label, value, formats)
    status_format = formats.get(f"status:{report.status}", formats["label"])
    sheet.write_string(row, 0, "校验结果", formats["label"])
    sheet.write_string(row, 1, _status_zh(report.status), status_format)
    advice = (CHECK_ADVICE if report.dry_run else STATUS_ADVICE).get(report.status, "")
    refused = len(report.files) - len(report.taken)
    if refused and report.taken:
        advice += f"另有 {refused} 个文件被拒收，见下面的“报送文件”。"
    row = _write_label_line(sheet, row + 1, "说明", advice, formats)
    return row + 1


def _write_files(sheet: Worksheet, row: int, report: VillageReport, formats: dict) -> int:
    """Each file: its name, receipt against the deadline, outcome, the reason it was refused."""
    for n, inp in enumerate(report.files):
        label = "报送文件" if n == 0 else ""
        text = f"{inp.file_name}（{file_outcome(inp, report)}）"
        late = inp.status == "rejected" or (is_late(inp) and report.taken[0] is inp)
        row = _write_label_line(sheet, row, label, text, formats, formats["note"] if late else None)
        if inp.rejection is not None:
            row = _write_label_line(sheet, row, "拒收原因", inp.rejection.message_zh, formats)
    return row


def _write_label_line(
    sheet: Worksheet, row: int, label: str, text: str, formats: dict, text_format=None
) -> int:
    """`label | text`, the text spread over the remaining columns; returns the next row."""
    text = one_line(text)  # these lines name the file and the village: one line each
    if label:
        sheet.write_string(row, 0, label, formats["label"])
    last = len(FINDING_COLUMNS) - 1
    cell_format = text_format or formats["wrap"]
    sheet.merge_range(row, 1, row, last, "", cell_format)
    sheet.write_string(row, 1, text, cell_format)
    # Excel does not grow merged rows to fit wrapped text, so size them here.
    room = sum(width for _, width in FINDING_COLUMNS[1:])
    lines = max(1, math.ceil(_display_width(text) / room))
    if lines > 1:
        sheet.set_row(row, 15 * lines + 3)
    return row + 1


def _write_forms(sheet: Worksheet, row: int, report: VillageReport, formats: dict) -> int:
    """Per form, over all the files: rows read, and where they went."""
    if not report.taken:
        return row
    forms = form_ledgers(report)
    if not forms:
        return _write_label_line(sheet, row, "读取记录", "无", formats)
    sheet.write_string(row, 0, "报表", formats["header"])
    sheet.write_string(row, 1, "读取行数", formats["header"])
    sheet.merge_range(row, 2, row, len(FINDING_COLUMNS) - 1, "去向", formats["header"])
    for name, value in forms.items():
        row += 1
        read = sum(value.values()) if isinstance(value, dict) else value
        went = ledger_text(value).partition("：")[2] if isinstance(value, dict) else ""
        sheet.write_string(row, 0, one_line(name), formats["cell"])
        sheet.write_number(row, 1, read, formats["cell"])
        sheet.merge_range(row, 2, row, len(FINDING_COLUMNS) - 1, "", formats["cell"])
        sheet.write_string(row, 2, went, formats["cell"])
    return row + 1


def _write_findings(
    sheet: Worksheet, row: int, report: VillageReport, formats: dict, names: dict
) -> int | None:
    """The counts and the problem lines; returns the table's header row (None when none)."""
    if not report.taken:
        # A refused file was not checked row by row: no counts that would read as "all well".
        _write_label_line(sheet, row, "问题清单", "文件未被接收，未逐行校验。", formats)
        return None
    errors, warnings = _severity_counts(report.findings)
    for label, count, severity in (("错误", errors, ERROR), ("警告", warnings, WARNING)):
        sheet.write_string(row, 0, label, formats["label"])
        cell_format = formats[f"mark:{severity}"] if count else None
        sheet.write_string(row, 1, f"{count} 处", cell_format)
        row += 1
    sheet.write_string(row, 0, "问题清单", formats["label"])
    row += 1
    lines = finding_lines(report)
    if not lines:
        sheet.write_string(row, 0, "未发现问题。")
        return None
    header = row
    for col, (name, _) in enumerate(FINDING_COLUMNS):
        sheet.write_string(row, col, name, formats["header"])
    for line in lines:
        row += 1
        _write_finding_row(sheet, row, line, formats, names)
    sheet.autofilter(header, 0, row, len(FINDING_COLUMNS) - 1)
    return header


def _write_finding_row(
    sheet: Worksheet, row: int, line: FindingLine, formats: dict, names: dict
) -> None:
    f = line.first
    values = [
        line.rows_text,
        _field_zh(line.field),
        line.values,
        _severity_zh(line.severity),
        rule_name_zh(f.rule_id),
        line.message,
        line.fix,
    ]
    target = _link_target(line, names)
    place = one_line(_place(f))  # short: a link does not wrap in every spreadsheet program
    copy = names.get((line.file_no, f.sheet))
    if copy and copy != f.sheet and place.startswith(f.sheet):
        place = copy + place[len(f.sheet) :]  # the second file's 出生登记 is 出生登记(2) here
    if target:
        sheet.write_url(row, 0, f"internal:{target}", formats["link"], place)
    else:
        sheet.write_string(row, 0, place, formats["cell"])
    for col, value in enumerate(values, start=1):
        # The severity cell carries the colour; submitted text (value, sheet) is never a formula.
        is_severity = col == 4 and line.severity in SEVERITY_FILL
        cell_format = formats[f"cell:{line.severity}"] if is_severity else formats["cell"]
        sheet.write_string(row, col, one_line(value), cell_format)
    sheet.write_string(row, RULE_ID_COLUMN, f.rule_id, formats["small"])
    sheet.set_row(row, _row_height([place, *values]))


def _row_height(values: list[str]) -> float:
    """Excel does not size rows of wrapped text on opening a file it did not lay out."""
    lines = 1
    for (_, width), value in zip(FINDING_COLUMNS, values, strict=False):
        lines = max(lines, math.ceil(_display_width(str(value)) / (width - 1)))
    return 15 * lines + 3


def _link_target(line: FindingLine, names: dict) -> str | None:
    """'copy sheet'!C5: the first cell of the line, in the report's copy of its sheet."""
    f = line.first
    copy = names.get((line.file_no, f.sheet))
    position = _cell_position(f)
    if copy is None or position is None:
        return None
    quoted = copy.replace("'", "''")
    return f"'{quoted}'!{_cell_ref(*position)}"


def _cell_ref(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return f"{letters}{row + 1}"


# ---------------------------------------------------------------- sheet copies


def _copy_names(keys: list[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """(file number, submitted sheet name) -> a legal, unique sheet name in the report (never
    汇总): two files of a village may both hold a 出生登记."""
    used = {SUMMARY_SHEET.casefold()}
    result = {}
    for key in keys:
        name = key[1]
        base = _BAD_SHEET_CHARS.sub("_", one_line(name)).strip("'")[:31] or "Sheet"
        candidate, n = base, 2
        while candidate.casefold() in used:
            suffix = f"({n})"
            candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
        used.add(candidate.casefold())
        result[key] = candidate
    return result


def _cell_position(f: Finding) -> tuple[int, int] | None:
    """Zero-based (row, col) a finding is marked at: its cell, else column A of its row."""
    match = _CELL_REF.match(f.cell or "")
    if match:
        row, col = int(match[2]) - 1, _column_index(match[1])
        if row < 1_048_576 and col < 16_384:
            return row, col
    if f.row and 0 < f.row <= 1_048_576:
        return f.row - 1, 0
    return None


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - ord("A") + 1
    return index - 1


def _marks_by_sheet(findings: list[Finding]) -> dict[str, dict[tuple[int, int], list[Finding]]]:
    marks: dict[str, dict[tuple[int, int], list[Finding]]] = {}
    for f in findings:
        position = _cell_position(f)
        if f.sheet and position is not None:
            marks.setdefault(f.sheet, {}).setdefault(position, []).append(f)
    return marks


def _write_copy(sheet: Worksheet, grid: list[list[object]], marks: dict, formats: dict) -> None:
    for r, values in enumerate(grid):
        for c, value in enumerate(values):
            _write_value(sheet, r, c, value, None)
    for (r, c), findings in marks.items():
        severity = ERROR if any(f.severity == ERROR for f in findings) else WARNING
        value = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
        # Rewriting the cell replaces it, now with the fill.
        _write_value(sheet, r, c, value, formats[f"mark:{severity}"])
        text = _comment_text(findings)
        sheet.write_comment(r, c, text, _comment_options(text))
    _set_copy_widths(sheet, grid)
    header = _header_row(grid)
    _write_notes(sheet, grid, marks, header, formats)
    sheet.hide_gridlines(0)  # shown and printed: the copy is a table
    _print_setup(sheet, (0, header) if header is not None else None)


def _header_row(grid: list[list[object]]) -> int | None:
    """The first row filled in two cells or more: the header under the title lines."""
    for r, values in enumerate(grid[:WIDTH_SAMPLE_ROWS]):
        if sum(1 for v in values if v is not None and v != "") >= 2:
            return r
    return None


def _write_notes(
    sheet: Worksheet, grid: list[list[object]], marks: dict, header: int | None, formats: dict
) -> None:
    """The messages of each row in a column right of the data: comments do not print."""
    if not marks:
        return
    col = max((len(values) for values in grid), default=0)
    col = max([col, *(c + 1 for _, c in marks)])
    by_row: dict[int, list[Finding]] = {}
    for (r, _), findings in sorted(marks.items()):
        by_row.setdefault(r, []).extend(findings)
    sheet.set_column(col, col, NOTES_WIDTH)
    sheet.write_string(header or 0, col, NOTES_HEADER, formats["header"])
    for r, findings in by_row.items():
        text = "\n".join(_note_line(f) for f in _ordered(findings))
        if r == (header or 0):
            text = f"{NOTES_HEADER}：{text}"
        sheet.write_string(r, col, text, formats["note"])
        lines = sum(max(1, math.ceil(_display_width(t) / NOTES_WIDTH)) for t in text.split("\n"))
        sheet.set_row(r, 14 * lines + 2)


def _note_line(f: Finding) -> str:
    where = f"{f.cell}：" if f.cell else ""
    fix = f" {one_line(f.fix_zh)}" if f.fix_zh else ""
    return f"【{_severity_zh(f.severity)}】{where}{one_line(f.message_zh)}{fix}"


def _write_value(sheet: Worksheet, r: int, c: int, value: object, cell_format) -> None:
    """A submitted value, as a number if it is one and as inert text otherwise."""
    if value is None or value == "":
        if cell_format is not None:
            sheet.write_blank(r, c, None, cell_format)
    elif isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        sheet.write_number(r, c, value, cell_format)
    else:
        # A cell may hold line breaks; never a NUL or another control character.
        sheet.write_string(r, c, _CELL_CONTROLS.sub("", _as_text(value)), cell_format)


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _comment_text(findings: list[Finding]) -> str:
    parts = []
    for f in _ordered(findings):
        part = f"【{_severity_zh(f.severity)}】{one_line(f.message_zh)}"
        if f.fix_zh:
            part += f"\n修改方法：{one_line(f.fix_zh)}"
        parts.append(part)
    return "\n".join(parts)


def _comment_options(text: str) -> dict:
    chars_per_line = COMMENT_WIDTH_PX // 7
    lines = sum(max(1, math.ceil(_display_width(t) / chars_per_line)) for t in text.split("\n"))
    return {
        "author": "计生办",
        "width": COMMENT_WIDTH_PX,
        "height": min(600, 16 * lines + 12),
    }


def _set_copy_widths(sheet: Worksheet, grid: list[list[object]]) -> None:
    widths: dict[int, int] = {}
    for values in grid[:WIDTH_SAMPLE_ROWS]:
        filled = [(c, v) for c, v in enumerate(values) if v is not None and v != ""]
        if len(filled) < 2:
            continue  # a title or footer line overflows into empty cells; don't widen for it
        for c, value in filled:
            widths[c] = max(widths.get(c, 0), _display_width(_as_text(value)))
    for c, width in widths.items():
        sheet.set_column(c, c, min(40, max(8, width + 2)))


def _display_width(text: str) -> int:
    """Excel width units: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))
