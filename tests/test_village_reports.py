"""The validation report a village gets back about its own submission."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from township.model import ERROR, WARNING, Finding, Rejection
from township.reports.village import (
    ReportInput,
    plain_text_summary,
    report_path,
    write_village_report,
)
from township.synth.writer import Sheet, write_workbook

RECEIVED = datetime(2026, 4, 3, 10, 20, 5)
CREATED = datetime(2026, 4, 3, 9, 0)  # when the village saved its workbook
EVIL = '=HYPERLINK("http://evil","x")'
RED = "FFFFC7CE"
YELLOW = "FFFFEB9C"

ID_ERROR = Finding(
    rule_id="ID_CHECKSUM",
    severity=ERROR,
    message_zh="母亲身份证号校验码错误。",
    fix_zh="请对照身份证原件核对最后一位。",
    sheet="出生登记",
    row=3,
    cell="E3",
    field="mother_id",
    value="110105199001010012",
)
LATE_WARNING = Finding(
    rule_id="BIRTH_LATE",
    severity=WARNING,
    message_zh="出生日期早于本报告月，属于迟报。",
    fix_zh="请核实出生日期；如无误可不修改。",
    sheet="出生登记",
    row=4,
    cell="C4",
    field="birth_date",
    value="2026-01-20",
)


def _submission(path: Path) -> Path:
    """A village workbook: title row, header, three births, one cell holding a formula string."""
    rows = [
        ["桃园村2026年3月出生登记"],
        ["母亲姓名", "婴儿性别", "出生日期", "孩次", "母亲身份证号", "备注"],
        ["张三", "男", datetime(2026, 3, 5), 1, "110105199001010012", None],
        ["李四", "女", datetime(2026, 1, 20), 2, "110105199202020028", "+86 123"],
        ["王五", "女", datetime(2026, 3, 9), 1, "110105199303030020", EVIL],
    ]
    return write_workbook(path, [Sheet("出生登记", rows)], created=CREATED)


def _input(file_path: Path, **changes) -> ReportInput:
    values = dict(
        village_code="110105001001",
        village_name="桃园村",
        report_month="2026-03",
        file_name=file_path.name,
        file_path=file_path,
        received_at=RECEIVED,
        status="has_errors",
        rejection=None,
        findings=[ID_ERROR, LATE_WARNING],
        counts={"出生登记": 2},
        township_name="复合镇",
    )
    values.update(changes)
    return ReportInput(**values)


@pytest.fixture
def submitted(tmp_path: Path) -> Path:
    return _submission(tmp_path / "桃园村3月.xlsx")


@pytest.fixture
def report(tmp_path: Path, submitted: Path) -> openpyxl.Workbook:
    path = write_village_report(tmp_path / "outbox", _input(submitted))
    return openpyxl.load_workbook(path)


def _texts(sheet) -> list[str]:
    return [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]


def test_summary_sheet_comes_first_with_status_and_finding_cells(report):
    assert report.sheetnames[0] == "汇总"
    texts = _texts(report["汇总"])
    assert "有错误" in texts
    assert "出生登记!E3" in texts
    assert "出生登记!C4" in texts
    assert "母亲身份证号" in texts  # the field in Chinese, not mother_id
    assert "错误" in texts and "警告" in texts


def test_summary_lists_finding_columns_in_order_the_rule_id_last(report):
    rows = list(report["汇总"].iter_rows(values_only=True))
    header = next(r for r in rows if r[0] == "位置")
    assert list(header[:9]) == [
        "位置",
        "行",
        "字段",
        "填报值",
        "严重程度",
        "问题",
        "问题说明",
        "修改方法",
        "规则编号",
    ]
    error_line = next(r for r in rows if r[0] == "出生登记!E3")
    assert error_line[1] == "第 3 行"
    assert error_line[4:9] == (
        "错误",
        "ID_CHECKSUM",  # a rule the catalog does not know is named by its id
        ID_ERROR.message_zh,
        ID_ERROR.fix_zh,
        "ID_CHECKSUM",
    )


def test_error_cell_is_red_with_message_and_fix_in_its_comment(report):
    cell = report["出生登记"]["E3"]
    assert cell.fill.fgColor.rgb == RED
    assert ID_ERROR.message_zh in cell.comment.text
    assert ID_ERROR.fix_zh in cell.comment.text


def test_warning_cell_is_yellow_with_its_comment(report):
    cell = report["出生登记"]["C4"]
    assert cell.fill.fgColor.rgb == YELLOW
    assert LATE_WARNING.message_zh in cell.comment.text
    assert LATE_WARNING.fix_zh in cell.comment.text


def test_untouched_cells_have_no_fill_and_no_comment(report):
    sheet = report["出生登记"]
    for ref in ("A3", "E4", "C3", "B2"):
        assert sheet[ref].fill.fill_type is None
        assert sheet[ref].comment is None


def test_copied_sheet_keeps_submitted_values(report):
    sheet = report["出生登记"]
    assert sheet["A1"].value == "桃园村2026年3月出生登记"
    assert sheet["E2"].value == "母亲身份证号"
    assert sheet["E3"].value == "110105199001010012"
    assert sheet["D4"].value == 2


def test_formula_text_from_a_submission_stays_text(report):
    cell = report["出生登记"]["F5"]
    assert isinstance(cell.value, str)
    assert cell.value.startswith("=")
    assert cell.value == EVIL
    assert cell.data_type == "s"
    plus = report["出生登记"]["F4"]
    assert plus.value == "+86 123" and plus.data_type == "s"


def test_submitted_dates_are_copied_as_iso_text(report):
    cell = report["出生登记"]["C3"]
    assert cell.value == "2026-03-05"
    assert cell.data_type == "s"


def test_error_wins_when_a_cell_has_both_error_and_warning(tmp_path, submitted):
    warning_on_e3 = Finding(
        "ID_COUNTY", WARNING, "县级代码不认识。", "请核实。", "出生登记", 3, "E3"
    )
    inp = _input(submitted, findings=[warning_on_e3, ID_ERROR])
    cell = openpyxl.load_workbook(write_village_report(tmp_path / "o", inp))["出生登记"]["E3"]
    assert cell.fill.fgColor.rgb == RED
    assert "县级代码不认识" in cell.comment.text
    assert ID_ERROR.message_zh in cell.comment.text


def test_row_finding_without_a_cell_is_commented_on_column_a(tmp_path, submitted):
    duplicate = Finding("BIRTH_DUP", WARNING, "本行与第3行重复。", "请删除重复行。", "出生登记", 5)
    inp = _input(submitted, findings=[duplicate])
    workbook = openpyxl.load_workbook(write_village_report(tmp_path / "o", inp))
    assert "本行与第3行重复" in workbook["出生登记"]["A5"].comment.text
    assert "出生登记 第5行" in _texts(workbook["汇总"])


def test_findings_without_a_sheet_appear_only_in_the_summary(tmp_path, submitted):
    file_level = Finding("NO_COVER", WARNING, "没有封面。", "请填写封面。")
    inp = _input(submitted, findings=[file_level], status="accepted_with_warnings")
    workbook = openpyxl.load_workbook(write_village_report(tmp_path / "o", inp))
    assert "没有封面。" in _texts(workbook["汇总"])
    assert "有警告" in _texts(workbook["汇总"])
    assert all(c.comment is None for row in workbook["出生登记"].iter_rows() for c in row)


def test_report_path_names_village_month_and_received_time(tmp_path, submitted):
    path = report_path(tmp_path, _input(submitted))
    assert path == tmp_path / "2026-03" / "110105001001_桃园村_20260403-102005.xlsx"


def test_report_path_of_an_unresolved_village_uses_the_file_name(tmp_path, submitted):
    inp = _input(submitted, village_code=None, village_name=None)
    assert report_path(tmp_path, inp) == tmp_path / "2026-03" / "桃园村3月_20260403-102005.xlsx"


def test_written_report_lands_at_its_path_with_a_text_summary_beside_it(tmp_path, submitted):
    inp = _input(submitted)
    path = write_village_report(tmp_path / "outbox", inp)
    assert path == report_path(tmp_path / "outbox", inp)
    text = path.with_suffix(".txt").read_text(encoding="utf-8")
    assert "有错误" in text
    assert text.startswith("【复合镇计生月报校验】桃园村 2026年3月：有错误")


def test_rejected_file_report_has_status_and_reason_and_no_copies(tmp_path):
    broken = tmp_path / "桃园村.xlsx"
    broken.write_bytes(b"not a workbook")
    reason = "文件已损坏或不完整，无法打开。请在 Excel/WPS 中打开确认后重新保存并报送。"
    inp = _input(
        broken,
        status="rejected",
        rejection=Rejection("corrupt_file", reason),
        findings=[],
        counts={},
    )
    path = write_village_report(tmp_path / "outbox", inp)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["汇总"]
    texts = _texts(workbook["汇总"])
    assert "已拒收" in texts
    assert reason in texts
    summary = path.with_suffix(".txt").read_text(encoding="utf-8")
    assert "已拒收" in summary and reason in summary


def test_unreadable_file_still_gets_a_summary_only_report(tmp_path):
    missing = tmp_path / "gone.xlsx"
    inp = _input(missing, status="has_errors")
    workbook = openpyxl.load_workbook(write_village_report(tmp_path / "outbox", inp))
    assert workbook.sheetnames == ["汇总"]
    assert "出生登记!E3" in _texts(workbook["汇总"])


def test_csv_submission_is_copied_under_its_file_stem(tmp_path):
    csv_path = tmp_path / "桃园村出生.csv"
    csv_path.write_text("母亲姓名,母亲身份证号\n张三,11010519900101001X\n", encoding="utf-8-sig")
    finding = Finding("ID_CHECKSUM", ERROR, "校验码错误。", "请核对。", "桃园村出生", 2, "B2")
    inp = _input(csv_path, findings=[finding])
    workbook = openpyxl.load_workbook(write_village_report(tmp_path / "outbox", inp))
    assert workbook.sheetnames == ["汇总", "桃园村出生"]
    assert workbook["桃园村出生"]["B2"].fill.fgColor.rgb == RED


def test_a_submitted_sheet_named_like_the_summary_does_not_clash(tmp_path):
    path = tmp_path / "x.xlsx"
    write_workbook(path, [Sheet("汇总", [["村里自己的汇总"]])], created=CREATED)
    inp = _input(path, findings=[], status="accepted", counts={})
    report = openpyxl.load_workbook(write_village_report(tmp_path / "outbox", inp))
    assert report.sheetnames == ["汇总", "汇总(2)"]
    assert report["汇总(2)"]["A1"].value == "村里自己的汇总"


def test_same_input_gives_byte_identical_reports(tmp_path, submitted):
    first = write_village_report(tmp_path / "a", _input(submitted))
    second = write_village_report(tmp_path / "b", _input(submitted))
    assert first.read_bytes() == second.read_bytes()


def test_text_summary_lists_findings_errors_first_and_points_to_the_attachment(submitted):
    text = plain_text_summary(_input(submitted, findings=[LATE_WARNING, ID_ERROR]))
    lines = text.splitlines()
    assert "出生登记 2 条" in text
    assert "错误 1 处，警告 1 处" in text
    error_at = next(i for i, line in enumerate(lines) if "出生登记!E3 母亲身份证号：" in line)
    warning_at = next(i for i, line in enumerate(lines) if "出生登记!C4" in line)
    assert error_at < warning_at
    assert ID_ERROR.fix_zh in lines[error_at]
    assert lines[-1] == "完整报告见附件。"


def test_text_summary_stops_listing_after_twenty_findings(submitted):
    many = [replace(ID_ERROR, rule_id=f"RULE_{n}") for n in range(25)]
    text = plain_text_summary(_input(submitted, findings=many))
    assert text.count("出生登记!E3") == 20
    assert "另有 5 条问题未列出" in text


def test_unresolved_village_is_named_plainly_in_the_summary(submitted):
    text = plain_text_summary(_input(submitted, village_code=None, village_name=None))
    assert "未识别的村" in text.splitlines()[0]
