"""The validation report sent back to one village about one submitted file.

A 汇总 sheet (status, counts, one line per finding) followed by a copy of each submitted sheet
with the offending cells filled and commented, plus a plain-text summary beside it.

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

from township.calendar import month_zh
from township.forms import load_catalogue
from township.model import ERROR, SEVERITY_ZH, WARNING, Finding, Rejection
from township.read.grid import load_grids

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
STATUS_FILL = {
    "accepted": "#C6EFCE",
    "accepted_with_warnings": "#FFEB9C",
    "has_errors": "#FFC7CE",
    "rejected": "#FFC7CE",
}
SEVERITY_FILL = {ERROR: "#FFC7CE", WARNING: "#FFEB9C"}

SUMMARY_SHEET = "汇总"
FINDING_COLUMNS = [
    ("工作表", 14),
    ("单元格", 16),
    ("字段", 16),
    ("填报值", 22),
    ("规则编号", 14),
    ("严重程度", 10),
    ("问题说明", 50),
    ("修改方法", 50),
]
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
    counts: dict[str, int]  # records loaded per sheet, e.g. {"出生登记": 12}
    # per sheet, where its rows went (marts.row_ledger), e.g. {"出生登记": {"counted": 11, …}}
    ledger: dict[str, dict[str, int]] = field(default_factory=dict)
    township_name: str | None = None  # for the title line, e.g. "复合镇"
    # Set when another file of the same village was received in the same second: the report
    # name then carries the file's own name too, so neither report overwrites the other.
    same_second_as_another: bool = False


# ---------------------------------------------------------------- naming


def report_path(outbox: Path, inp: ReportInput) -> Path:
    """outbox/<month>/<code>_<name>_<YYYYMMDD-HHMMSS>.xlsx, or <file stem>_... when unresolved."""
    stamp = inp.received_at.strftime("%Y%m%d-%H%M%S")
    if inp.village_code:
        stem = "_".join(p for p in (inp.village_code, inp.village_name) if p)
    else:
        stem = Path(inp.file_name).stem
    tail = _safe_file_part(inp.file_name) if inp.same_second_as_another else ""
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


def write_village_report(outbox: Path, inp: ReportInput) -> Path:
    """Write the .xlsx report and the .txt summary beside it; return the .xlsx path."""
    path = report_path(outbox, inp)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_workbook(path, inp, _submitted_grids(inp))
    path.with_suffix(".txt").write_text(plain_text_summary(inp) + "\n", encoding="utf-8")
    return path


def plain_text_summary(inp: ReportInput) -> str:
    """A few Chinese lines an officer can paste into a chat message."""
    lines = [
        f"【{inp.township_name or ''}计生月报校验】{_village_label(inp)} "
        f"{month_zh(inp.report_month)}：{_status_zh(inp.status)}",
        f"文件：{inp.file_name}（接收时间 {_received(inp)}）",
    ]
    if inp.rejection is not None:
        lines.append(f"拒收原因：{inp.rejection.message_zh}")
    if inp.counts:
        lines.append("读取记录：" + "，".join(f"{k} {v} 条" for k, v in inp.counts.items()))
    lines += [f"  {one_line(sheet)}：{ledger_text(parts)}" for sheet, parts in inp.ledger.items()]
    errors, warnings = _severity_counts(inp.findings)
    lines.append(f"错误 {errors} 处，警告 {warnings} 处")
    ordered = _ordered(inp.findings)
    lines += [_finding_line(f) for f in ordered[:MAX_TEXT_FINDINGS]]
    if len(ordered) > MAX_TEXT_FINDINGS:
        lines.append(f"……另有 {len(ordered) - MAX_TEXT_FINDINGS} 处问题未列出")
    lines.append("完整报告见附件。")
    # Each line is made one line only now, whatever a file, sheet or cell put into it.
    return "\n".join(one_line(line) for line in lines)


def _finding_line(f: Finding) -> str:
    place = " ".join(p for p in (_place(f), _field_zh(f.field)) if p)
    message = f.message_zh.rstrip("。；;. ")
    head = (
        f"（{_severity_zh(f.severity)}）{place}：" if place else f"（{_severity_zh(f.severity)}）"
    )
    return f"{head}{message}；{f.fix_zh}" if f.fix_zh else f"{head}{message}"


# ---------------------------------------------------------------- plain words


def _status_zh(status: str) -> str:
    return STATUS_ZH.get(status, status)


def _severity_zh(severity: str) -> str:
    return SEVERITY_ZH.get(severity, severity)


def _village_label(inp: ReportInput) -> str:
    return inp.village_name or inp.village_code or "未识别的村"


def _received(inp: ReportInput) -> str:
    return inp.received_at.strftime("%Y-%m-%d %H:%M:%S")


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
    "superseded": "已被后来报送的文件替换",
    "quarantined": "有错误暂未计入",
    "in_refused_file": "文件未被接收",
}


def ledger_text(parts: dict[str, int]) -> str:
    """Where a sheet's rows went, in words: every row read is in exactly one of the parts."""
    read = sum(parts.values())
    shown = "，".join(f"{LEDGER_PARTS[k]} {n} 行" for k, n in parts.items() if n)
    return f"读取 {read} 行" + (f"：{shown}" if shown else "")


def _severity_counts(findings: list[Finding]) -> tuple[int, int]:
    errors = sum(1 for f in findings if f.severity == ERROR)
    return errors, sum(1 for f in findings if f.severity == WARNING)


def _ordered(findings: list[Finding]) -> list[Finding]:
    # Errors first (they block loading); otherwise keep the order the checks produced.
    return sorted(findings, key=lambda f: f.severity != ERROR)


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


def _write_workbook(path: Path, inp: ReportInput, grids: dict) -> None:
    # in_memory gives fixed zip timestamps; with a fixed 'created' the bytes are reproducible.
    workbook = xlsxwriter.Workbook(
        str(path), {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    workbook.set_properties({"title": "计生月报校验报告", "created": inp.received_at})
    formats = _formats(workbook)
    _write_summary(workbook.add_worksheet(SUMMARY_SHEET), inp, formats)
    marks = _marks_by_sheet(inp.findings)
    for original, copy_name in _copy_names(list(grids)).items():
        sheet = workbook.add_worksheet(copy_name)
        _write_copy(sheet, grids[original], marks.get(original, {}), formats)
    workbook.close()


def _formats(workbook: xlsxwriter.Workbook) -> dict:
    wrap = {"text_wrap": True, "valign": "top"}
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "label": workbook.add_format({"bold": True, "valign": "top"}),
        "wrap": workbook.add_format(wrap),
        "header": workbook.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7"}),
        "cell": workbook.add_format({"border": 1, **wrap}),
    }
    for status, color in STATUS_FILL.items():
        formats[f"status:{status}"] = workbook.add_format({"bold": True, "bg_color": color})
    for severity, color in SEVERITY_FILL.items():
        formats[f"mark:{severity}"] = workbook.add_format({"bg_color": color})
        formats[f"cell:{severity}"] = workbook.add_format({"border": 1, "bg_color": color, **wrap})
    return formats


# ---------------------------------------------------------------- 汇总


def _write_summary(sheet: Worksheet, inp: ReportInput, formats: dict) -> None:
    for col, (_, width) in enumerate(FINDING_COLUMNS):
        sheet.set_column(col, col, width)
    row = _write_heading(sheet, inp, formats)
    if inp.rejection is not None:
        row = _write_label_line(sheet, row, "拒收原因", inp.rejection.message_zh, formats) + 1
    row = _write_counts(sheet, row, inp, formats) + 1
    _write_findings(sheet, row, inp.findings, formats)


def _write_heading(sheet: Worksheet, inp: ReportInput, formats: dict) -> int:
    """Title and who/what/when lines; returns the next free row."""
    title = one_line(f"{inp.township_name or ''}计生月报校验报告")
    sheet.write_string(0, 0, title, formats["title"])
    village = _village_label(inp)
    if inp.village_code and inp.village_name:
        village = f"{inp.village_name}（村代码 {inp.village_code}）"
    elif not inp.village_code:
        village = "未识别（请在封面填写村代码和村名，或在文件名中写明村名）"
    lines = [
        ("村", village),
        ("报告月份", month_zh(inp.report_month)),
        ("报送文件", inp.file_name),
        ("接收时间", _received(inp)),
    ]
    row = 1
    for label, value in lines:
        row = _write_label_line(sheet, row, label, value, formats)
    status_format = formats.get(f"status:{inp.status}", formats["label"])
    sheet.write_string(row, 0, "校验结果", formats["label"])
    sheet.write_string(row, 1, _status_zh(inp.status), status_format)
    row = _write_label_line(sheet, row + 1, "说明", STATUS_ADVICE.get(inp.status, ""), formats)
    return row + 1


def _write_label_line(sheet: Worksheet, row: int, label: str, text: str, formats: dict) -> int:
    """`label | text`, the text spread over the remaining columns; returns the next row."""
    text = one_line(text)  # these lines name the file and the village: one line each
    sheet.write_string(row, 0, label, formats["label"])
    last = len(FINDING_COLUMNS) - 1
    sheet.merge_range(row, 1, row, last, "", formats["wrap"])
    sheet.write_string(row, 1, text, formats["wrap"])
    # Excel does not grow merged rows to fit wrapped text, so size them here.
    room = sum(width for _, width in FINDING_COLUMNS[1:])
    lines = max(1, math.ceil(_display_width(text) / room))
    if lines > 1:
        sheet.set_row(row, 15 * lines + 3)
    return row + 1


def _write_counts(sheet: Worksheet, row: int, inp: ReportInput, formats: dict) -> int:
    sheet.write_string(row, 0, "读取记录", formats["label"])
    if not inp.counts:
        sheet.write_string(row, 1, "无")
        row += 1
    for name, count in inp.counts.items():
        sheet.write_string(row, 1, one_line(name))
        sheet.write_string(row, 2, f"{count} 条")
        if name in inp.ledger:
            sheet.write_string(row, 3, ledger_text(inp.ledger[name]))
        row += 1
    errors, warnings = _severity_counts(inp.findings)
    for label, count, severity in (("错误", errors, ERROR), ("警告", warnings, WARNING)):
        sheet.write_string(row, 0, label, formats["label"])
        cell_format = formats[f"mark:{severity}"] if count else None
        sheet.write_string(row, 1, f"{count} 处", cell_format)
        row += 1
    return row


def _write_findings(sheet: Worksheet, row: int, findings: list[Finding], formats: dict) -> None:
    sheet.write_string(row, 0, "问题清单", formats["label"])
    row += 1
    if not findings:
        sheet.write_string(row, 0, "未发现问题。")
        return
    for col, (name, _) in enumerate(FINDING_COLUMNS):
        sheet.write_string(row, col, name, formats["header"])
    first = row
    for f in _ordered(findings):
        row += 1
        _write_finding_row(sheet, row, f, formats)
    sheet.autofilter(first, 0, row, len(FINDING_COLUMNS) - 1)


def _write_finding_row(sheet: Worksheet, row: int, f: Finding, formats: dict) -> None:
    values = [
        f.sheet or "",
        _place(f),
        _field_zh(f.field),
        "" if f.value is None else str(f.value),
        f.rule_id,
        _severity_zh(f.severity),
        f.message_zh,
        f.fix_zh,
    ]
    for col, value in enumerate(values):
        # The severity cell carries the colour; submitted text (value, sheet) is never a formula.
        is_severity = col == 5 and f.severity in SEVERITY_FILL
        cell_format = formats[f"cell:{f.severity}"] if is_severity else formats["cell"]
        sheet.write_string(row, col, one_line(value), cell_format)


# ---------------------------------------------------------------- sheet copies


def _copy_names(names: list[str]) -> dict[str, str]:
    """Submitted sheet name -> a legal, unique sheet name in the report (never 汇总)."""
    used = {SUMMARY_SHEET.casefold()}
    result = {}
    for name in names:
        base = _BAD_SHEET_CHARS.sub("_", one_line(name)).strip("'")[:31] or "Sheet"
        candidate, n = base, 2
        while candidate.casefold() in used:
            suffix = f"({n})"
            candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
        used.add(candidate.casefold())
        result[name] = candidate
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
