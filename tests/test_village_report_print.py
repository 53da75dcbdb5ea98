"""The village report as an officer opens and prints it: links from each problem to its cell,
every sheet set up for A4 landscape one page wide with its header rows repeated, no formula
anywhere; for a clean file, one with errors and warnings, a refused file and a late file. One
test prints a report through LibreOffice and reads the PDF back."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from township.model import ERROR, WARNING, Finding, Rejection
from township.reports.village import (
    ReportInput,
    VillageReport,
    plain_text_summary,
    write_village_report,
)
from township.synth.writer import Sheet, write_workbook

MONTH = "2026-03"
ON_TIME = datetime(2026, 4, 5, 23, 59, 0)  # the deadline day itself is on time
LATE = datetime(2026, 4, 9, 10, 0, 0)
HEADER = ["母亲姓名", "婴儿性别", "出生日期", "孩次", "母亲身份证号", "备注"]


def _births(path: Path, n: int = 3) -> Path:
    rows = [["出生登记"], HEADER] + [
        [f"母亲{i}", "女", datetime(2026, 3, 1 + i % 28), 1, f"1101051990{i:08d}", None]
        for i in range(n)
    ]
    return write_workbook(path, [Sheet("出生登记", rows)], created=datetime(2026, 4, 1))


def _finding(rule: str, severity: str, row: int, cell: str = "E") -> Finding:
    return Finding(
        rule_id=rule,
        severity=severity,
        message_zh=f"第{row}行的问题（{rule}）。",
        fix_zh="请改正。",
        sheet="出生登记",
        row=row,
        cell=f"{cell}{row}",
        field="mother_id",
        value=f"值{row}",
    )


def _input(path: Path, **changes) -> ReportInput:
    values = dict(
        village_code="420117104201",
        village_name="复合村",
        report_month=MONTH,
        file_name=path.name,
        file_path=path,
        received_at=ON_TIME,
        status="accepted",
        rejection=None,
        findings=[],
        counts={"出生登记": 3},
        ledger={"出生登记": {"counted": 3}},
        township_name="复合镇",
    )
    return ReportInput(**{**values, **changes})


WITH_PROBLEMS = [
    _finding("id.check_char", ERROR, 3),
    _finding("birth_date.late", WARNING, 3, "C"),
    _finding("birth_date.late", WARNING, 5, "C"),
    _finding("birth_date.late", WARNING, 4, "C"),
]


@pytest.fixture
def reports(tmp_path) -> dict[str, openpyxl.Workbook]:
    births = _births(tmp_path / "复合村.xlsx")
    broken = tmp_path / "坏文件.xlsx"
    broken.write_bytes(b"not a workbook")
    refused = Rejection("corrupt_file", "文件已损坏或不完整，无法打开。")
    inputs = {
        "clean": _input(births),
        "problems": _input(births, status="has_errors", findings=WITH_PROBLEMS),
        "refused": _input(broken, status="rejected", rejection=refused, counts={}, ledger={}),
        "late": _input(births, received_at=LATE),
    }
    return {
        key: openpyxl.load_workbook(write_village_report(tmp_path / key, inp))
        for key, inp in inputs.items()
    }


def _texts(sheet) -> list[str]:
    return [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]


@pytest.mark.parametrize("key", ["clean", "problems", "refused", "late"])
def test_every_sheet_prints_a4_landscape_one_page_wide(reports, key):
    for sheet in reports[key].worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert str(sheet.page_setup.paperSize) == "9", sheet.title  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0


@pytest.mark.parametrize("key", ["clean", "problems", "refused", "late"])
def test_the_summary_lines_spread_over_merged_cells(reports, key):
    merged = {str(r) for r in reports[key]["汇总"].merged_cells.ranges}
    assert {"B2:I2", "B3:I3", "B4:I4"} <= merged  # 村, 报告月份, 是否按时


@pytest.mark.parametrize("key", ["clean", "problems", "refused", "late"])
def test_no_cell_of_a_report_is_a_formula(reports, key):
    cells = [c for s in reports[key].worksheets for row in s.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []


def test_the_copied_sheet_repeats_its_title_and_header_rows_when_printed(reports):
    assert reports["problems"]["出生登记"].print_title_rows == "$1:$2"


def test_the_problem_list_repeats_its_header_row_when_printed(reports):
    summary = reports["problems"]["汇总"]
    first, _, last = summary.print_title_rows.partition(":")
    header = int(first.strip("$"))
    assert first == last and summary.cell(header, 1).value == "位置"


def test_each_problem_links_to_its_cell_in_the_copy(reports):
    summary = reports["problems"]["汇总"]
    links = {c.value: c.hyperlink.location for c in summary["A"] if c.hyperlink is not None}
    assert links == {"出生登记!E3": "'出生登记'!E3", "出生登记!C3": "'出生登记'!C3"}


def test_one_rule_on_many_rows_is_one_line_listing_the_rows(reports):
    rows = list(reports["problems"]["汇总"].iter_rows(values_only=True))
    late = [r for r in rows if r[-1] == "birth_date.late"]
    assert len(late) == 1
    assert late[0][:2] == ("出生登记!C3", "第 3、4、5 行")  # the first cell, and every row
    assert late[0][5] == "出生迟报"  # the rule's Chinese name; its id only at the right
    assert late[0][2] == "母亲身份证号" and late[0][3] == "值3、值4、值5"
    quoted = "第3行：第3行的问题（birth_date.late）；第4行：第4行的问题（birth_date.late）"
    assert late[0][6] == f"{quoted}；其余 1 行同类（见填报值）。"
    assert late[0][7] == "请改正。"  # the same fix once


def test_messages_are_printed_beside_the_data_not_only_in_comments(reports):
    sheet = reports["problems"]["出生登记"]
    assert sheet["G2"].value == "校验意见"
    assert "id.check_char" in sheet["G3"].value and "请改正" in sheet["G3"].value
    assert sheet["G6"].value is None  # a row without problems has no note


def test_a_refused_file_says_so_and_nothing_that_reads_as_all_well(reports, tmp_path):
    texts = _texts(reports["refused"]["汇总"])
    assert "已拒收" in texts and "文件已损坏或不完整，无法打开。" in texts
    assert not any(t in texts for t in ("未发现问题。", "0 处"))
    assert any("未逐行校验" in t for t in texts)
    broken = tmp_path / "坏文件.xlsx"
    refused = _input(broken, status="rejected", rejection=Rejection("x", "坏了"), counts={})
    text = plain_text_summary(refused)
    assert "已拒收" in text and "0 处" not in text and "未发现问题" not in text


def test_the_receipt_is_told_against_the_deadline(reports):
    on_time = " ".join(_texts(reports["clean"]["汇总"]))
    late = " ".join(_texts(reports["late"]["汇总"]))
    assert "报送截止 2026-04-05，按时" in on_time and "迟报" not in on_time
    assert "报送截止 2026-04-05，晚 4 天，计为迟报" in late
    assert "本月计为迟报" in late


def test_a_village_report_covers_every_file_of_the_month(tmp_path):
    first = _births(tmp_path / "复合村_出生.xlsx")
    second = _births(tmp_path / "复合村_补充.xlsx", 2)
    report = VillageReport(
        [
            _input(second, received_at=LATE, findings=[_finding("R", WARNING, 3)]),
            _input(first, ledger={"出生登记": {"counted": 2, "duplicates": 1}}),
        ]
    )
    path = write_village_report(tmp_path / "o", report)
    assert path.name == "420117104201_复合村_20260409-100000.xlsx"  # the latest receipt
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["汇总", "出生登记", "出生登记(2)"]
    summary = book["汇总"]
    texts = " ".join(_texts(summary))
    assert texts.index("复合村_出生.xlsx") < texts.index("复合村_补充.xlsx")
    form = next(r for r in summary.iter_rows(values_only=True) if r[0] == "出生登记")
    assert form[1] == 6 and form[2] == "计入统计 5 行，重复记录（只计一次） 1 行"
    link = next(c for c in summary["A"] if c.hyperlink is not None)
    assert link.hyperlink.location == "'出生登记(2)'!E3"  # the second file's copy
    assert link.value.startswith("出生登记(2)")  # and the place it says is where the link goes
    assert "首个有效文件 2026-04-05 23:59:00 收到，按时" in texts
    # the text summary has no copies to point at: its line names the file
    (line,) = [
        x for x in path.with_suffix(".txt").read_text("utf-8").splitlines() if "（警告）" in x
    ]
    assert line.startswith("（警告）复合村_补充.xlsx 出生登记!E3")


# ---------------------------------------------------------------- printed through LibreOffice


def _pdf_pages(pdf: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_the_summary_prints_one_page_wide_through_libreoffice(tmp_path):
    births = _births(tmp_path / "复合村.xlsx", 60)
    many = [_finding(f"rule.{n}", ERROR if n % 3 else WARNING, 3 + n) for n in range(60)]
    inp = _input(births, status="has_errors", findings=many)
    xlsx = write_village_report(tmp_path / "o", inp)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless"]
        + ["--convert-to", "pdf", "--outdir", str(tmp_path), str(xlsx)],
        capture_output=True,
        check=True,
        timeout=180,
    )
    pages = _pdf_pages(tmp_path / xlsx.with_suffix(".pdf").name)
    summary = [p for p in pages if "位置" in p or "问题说明" in p or "规则编号" in p]
    assert len(summary) >= 2  # sixty lines: more than one page tall
    for page in summary:  # every column on every page: one page wide, the header repeated
        assert "位置" in page and "修改方法" in page and "规则编号" in page
    assert all(f"rule.{n}" in "".join(summary) for n in range(60))


def test_a_refused_file_beside_a_taken_one_is_told_without_refusing_the_month(tmp_path):
    taken = _births(tmp_path / "复合村.xlsx")
    broken = tmp_path / "复合村_坏.xlsx"
    broken.write_bytes(b"not a workbook")
    refused = Rejection("corrupt_file", "文件已损坏或不完整，无法打开。")
    report = VillageReport(
        [
            _input(broken, status="rejected", rejection=refused, counts={}, ledger={}),
            _input(taken, received_at=LATE),
        ]
    )
    assert report.status == "accepted"
    book = openpyxl.load_workbook(write_village_report(tmp_path / "o", report))
    rows = list(book["汇总"].iter_rows(values_only=True))
    assert next(r[1] for r in rows if r[0] == "校验结果") == "通过"
    advice = next(r[1] for r in rows if r[0] == "说明")
    assert "另有 1 个文件被拒收" in advice
    assert next(r[1] for r in rows if r[0] == "拒收原因") == "文件已损坏或不完整，无法打开。"
    # the month counts from the first file taken in, received after the deadline
    timely = next(r[1] for r in rows if r[0] == "是否按时")
    assert "首个有效文件 2026-04-09 10:00:00 收到，本月计为迟报" in timely
    assert book.sheetnames == ["汇总", "出生登记"]


def test_a_file_a_later_one_wholly_replaced_no_longer_sets_the_result(tmp_path):
    first = _births(tmp_path / "复合村.xlsx")
    fixed = _births(tmp_path / "复合村_修改.xlsx")
    report = VillageReport(
        [
            _input(
                first,
                status="has_errors",
                findings=[_finding("id.check_char", ERROR, 3)],
                ledger={"出生登记": {"counted": 0, "superseded": 3}},
            ),
            _input(fixed, received_at=LATE),  # after the deadline, but the month was on time
        ]
    )
    assert report.status == "accepted"
    path = write_village_report(tmp_path / "o", report)
    text = path.with_suffix(".txt").read_text(encoding="utf-8")
    assert "已全部被修改时间较晚的版本替换，其中的问题不再列出" in text
    assert "错误 0 处" in text and "id.check_char" not in text
    assert "晚 4 天；通过" in text and "计为迟报" not in text
    assert openpyxl.load_workbook(path).sheetnames == ["汇总", "出生登记"]
