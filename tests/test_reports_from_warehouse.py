"""contract §10: the validation reports of a month, written from the warehouse after a real ingest.

One month, six files: 复合村 and 桃园村 with planted errors and warnings (and one birth both
report), 李家湾村 with a births file carrying a warning and a clean services file (one report for
both), a file from a village not in the township, and a corrupt .xlsx. One ingest and one `write_month_reports` for
the module; every test reads the reports back with openpyxl.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from builders import (
    BENEFICIARY_HEADER,
    BIRTH_HEADER,
    CONTRACEPTION_HEADER,
    SERVICES_HEADER,
    Formula,
    make_id,
    office_connection,
    set_received,
    township_settings,
    write_workbook,
)

from township.ingest import ingest
from township.model import ERROR, WARNING
from township.reports.outbox import write_month_reports
from township.rules.catalog import load_rules

MONTH = "2026-03"
FUHE, TAOYUAN, LIJIAWAN = "420117104201", "420117104202", "420117104203"
VILLAGE_NAMES = {FUHE: "复合村", TAOYUAN: "桃园村", LIJIAWAN: "李家湾村"}
RED, YELLOW = "FFFFC7CE", "FFFFEB9C"
FILL = {ERROR: RED, WARNING: YELLOW}
HYPERLINK = '=HYPERLINK("http://x","y")'
BIRTHS_WITH_NAMES = [*BIRTH_HEADER, "婴儿姓名", "备注"]  # H 婴儿姓名, I 备注

# One mother both 复合村 (as 户籍) and 桃园村 (as 流入) report: the birth counts for 复合村.
SHARED_NAME, SHARED_ID = "赵共同", make_id(date(1991, 5, 6), 11)
FUHE_IDS = [make_id(date(1992, 1, 2), n) for n in (1, 2)]
FUHE_MAN_ID = make_id(date(1988, 7, 7), 3, female=False)
TAOYUAN_IDS = [make_id(date(1993, 3, 3), n) for n in (4, 5)]
TAOYUAN_BAD_ID = TAOYUAN_IDS[0][:-1] + ("1" if TAOYUAN_IDS[0][-1] != "1" else "2")
TAOYUAN_ELDER_ID = make_id(date(1966, 3, 11), 6, "110105", female=False)  # 59 on 2026-03-10
LIJIAWAN_ID = make_id(date(1994, 4, 4), 7)
SHARED_BIRTH = [SHARED_NAME, SHARED_ID, "男", "2026-03-05", 1, "是"]
FUHE_LATE_BIRTH = ["张复合三", FUHE_IDS[1], "女", "2026-01-20", 1, "是"]  # two months late


@dataclass(frozen=True)
class Sent:
    key: str
    file_name: str
    received: datetime
    report_name: str
    status_zh: str
    planted: tuple[tuple[str, str, str, str], ...] = ()  # (rule, severity, sheet, cell)
    people: tuple[str, ...] = ()  # names and ID numbers this file sends


FILES = {
    s.key: s
    for s in [
        Sent(
            "fuhe",
            f"{FUHE}_3月.xlsx",
            datetime(2026, 4, 3, 10, 20, 5),
            f"{FUHE}_复合村_20260403-102005.xlsx",
            "有错误",
            (
                ("sex.vocab", ERROR, "出生登记", "C4"),
                ("mother_id.sex_digit", ERROR, "出生登记", "B5"),
                ("birth_date.late", WARNING, "出生登记", "D6"),
                ("contraception.sum", WARNING, "节育措施", "A3"),
            ),
            (SHARED_NAME, SHARED_ID, "张复合一", "张复合二", "张复合三", "复合宝宝", "复合村备注")
            + (*FUHE_IDS, FUHE_MAN_ID),
        ),
        Sent(
            "taoyuan",
            "桃园村三月报表.xlsx",
            datetime(2026, 4, 4, 9, 0, 0),
            f"{TAOYUAN}_桃园村_20260404-090000.xlsx",
            "有错误",
            (
                ("births.reported_by_other_village", WARNING, "出生登记", "B3"),
                ("id.check_char", ERROR, "出生登记", "B4"),
                ("sex.vocab", ERROR, "出生登记", "C5"),
                ("reward.age", ERROR, "奖励扶助", None),  # the row: ID, date or category
                ("services.checkups", ERROR, "宣传服务", "F3"),
            ),
            (SHARED_NAME, SHARED_ID, "李桃园一", "李桃园二", "李桃园老", "桃园小宝")
            + (TAOYUAN_BAD_ID, TAOYUAN_IDS[1], TAOYUAN_ELDER_ID),
        ),
        Sent(
            "lijiawan_births",
            f"{LIJIAWAN}_出生.xlsx",
            datetime(2026, 4, 2, 8, 0, 0),
            f"{LIJIAWAN}_李家湾村_20260402-080500.xlsx",  # one report: named by the later file
            "有警告",
            (("birth_date.late", WARNING, "出生登记", "D3"),),
            ("王李家一", LIJIAWAN_ID),
        ),
        Sent(
            "lijiawan_services",
            f"{LIJIAWAN}_宣传.xlsx",
            datetime(2026, 4, 2, 8, 5, 0),
            f"{LIJIAWAN}_李家湾村_20260402-080500.xlsx",
            "通过",
        ),
        Sent(
            "unknown_village",
            "外镇村_3月.xlsx",
            datetime(2026, 4, 5, 12, 0, 0),
            "外镇村_3月_20260405-120000.xlsx",
            "已拒收",
            people=("钱外镇", make_id(date(1995, 5, 5), 8)),
        ),
        Sent(
            "corrupt",
            "3月报表.xlsx",
            datetime(2026, 4, 6, 13, 0, 0),
            "3月报表_20260406-130000.xlsx",
            "已拒收",
        ),
    ]
}
VILLAGE_OF = {
    "fuhe": FUHE,
    "taoyuan": TAOYUAN,
    "lijiawan_births": LIJIAWAN,
    "lijiawan_services": LIJIAWAN,
}
REJECTION_WORDS = {"unknown_village": "村名单", "corrupt": "损坏"}


def _write_submissions(raw: Path) -> None:
    folder = raw / MONTH
    fuhe, taoyuan = FILES["fuhe"], FILES["taoyuan"]
    write_workbook(
        folder / fuhe.file_name,
        {
            "出生登记": [
                ["复合村出生登记表"],
                BIRTHS_WITH_NAMES,
                [*SHARED_BIRTH, None, "复合宝宝", "复合村备注"],
                ["张复合一", FUHE_IDS[0], HYPERLINK, "2026-03-06", 1, "是"],  # text, not formula
                ["张复合二", FUHE_MAN_ID, "女", "2026-03-07", 2, "是"],
                [*FUHE_LATE_BIRTH, None, None, Formula(HYPERLINK, "y")],  # I6: a real formula
            ],
            "节育措施": [
                ["节育措施情况"],
                CONTRACEPTION_HEADER,
                [100, 40, 10, 10, 0, 10, 10, 0, 15],
            ],
        },
        cover_code=FUHE,
        cover_month=MONTH,
        received=fuhe.received,
    )
    write_workbook(
        folder / taoyuan.file_name,
        {
            "出生登记": [
                ["桃园村出生登记表"],
                BIRTHS_WITH_NAMES,
                [*SHARED_BIRTH, "流入", "桃园小宝"],
                ["李桃园一", TAOYUAN_BAD_ID, "女", "2026-03-10", 1, "是"],
                ["李桃园二", TAOYUAN_IDS[1], Formula(HYPERLINK, "y"), "2026-03-11", 1, "是"],
            ],
            "奖励扶助": [
                ["新增对象"],
                BENEFICIARY_HEADER,
                ["李桃园老", TAOYUAN_ELDER_ID, "农村奖励扶助", "2026-03-10"],
            ],
            "宣传服务": [["宣传服务情况"], SERVICES_HEADER, [200, 5, 3, 30, 40, 41, 12, 0]],
        },
        cover_code=TAOYUAN,
        cover_month=MONTH,
        received=taoyuan.received,
    )
    write_workbook(
        folder / FILES["lijiawan_births"].file_name,
        {
            "出生登记": [
                ["出生登记"],
                BIRTH_HEADER,
                ["王李家一", LIJIAWAN_ID, "女", "2026-01-15", 1, "是"],
            ]
        },
        received=FILES["lijiawan_births"].received,
    )
    write_workbook(
        folder / FILES["lijiawan_services"].file_name,
        {"宣传服务": [["宣传服务情况"], SERVICES_HEADER, [120, 2, 1, 10, 20, 20, 5, 0]]},
        received=FILES["lijiawan_services"].received,
    )
    unknown = FILES["unknown_village"]
    write_workbook(
        folder / unknown.file_name,
        {"出生登记": [["出生登记"], BIRTH_HEADER, [*unknown.people, "男", "2026-03-01", 1, "是"]]},
        cover_code="420117105201",
        cover_month=MONTH,
        received=unknown.received,
    )
    corrupt = folder / FILES["corrupt"].file_name
    corrupt.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)  # a zip header, then noise
    set_received(corrupt, FILES["corrupt"].received)


@dataclass
class Month:
    reports: dict[str, Path]  # file key -> report path
    findings: dict[str, list[tuple]]  # file key -> (rule, severity, sheet, cell, message, fix)
    reasons: dict[str, str]  # file key -> rejection reason (rejected files)
    written: list[Path]


@pytest.fixture(scope="module")
def month(tmp_path_factory) -> Iterator[Month]:
    settings = township_settings(tmp_path_factory.mktemp("township"))
    _write_submissions(settings.raw_dir)
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("TOWNSHIP_PERSON_KEY", raising=False)
        mp.delenv("TOWNSHIP_TIMEZONE", raising=False)
        ingest(settings)
        written = write_month_reports(settings, MONTH)
    con = office_connection(settings.warehouse)
    by_file = {s.file_name: s.key for s in FILES.values()}
    findings: dict[str, list[tuple]] = {key: [] for key in FILES}
    for file_name, *finding in con.execute(
        "select s.file_name, f.rule_id, f.severity, f.sheet, f.cell, r.message_zh, r.fix_zh "
        "from raw.findings f join restricted.findings r using (submission_id, finding_no) "
        "join raw.submissions s using (submission_id) order by all"
    ).fetchall():
        findings[by_file[file_name]].append(tuple(finding))
    reasons = {
        by_file[name]: reason
        for name, reason in con.execute(
            "select s.file_name, coalesce(r.reason_zh, s.reason_zh) from raw.submissions s "
            "left join restricted.submissions r using (submission_id) where s.status = 'rejected'"
        ).fetchall()
    }
    con.close()
    folder = settings.outbox / MONTH
    yield Month({k: folder / s.report_name for k, s in FILES.items()}, findings, reasons, written)


def _summary_rows(book) -> list[tuple]:
    return list(book["汇总"].iter_rows(values_only=True))


def _every_text(report: Path) -> str:
    """Every cell value, comment and sheet name of the report, and its .txt beside it."""
    book = openpyxl.load_workbook(report)
    parts = list(book.sheetnames)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    parts.append(str(cell.value))
                if cell.comment is not None:
                    parts.append(cell.comment.text)
    parts.append(report.with_suffix(".txt").read_text(encoding="utf-8"))
    return "\n".join(parts)


PLANTED = [
    pytest.param(key, *finding, id=f"{key} {finding[2]}!{finding[3]} {finding[0]}")
    for key, sent in FILES.items()
    for finding in sent.planted
]


# ---------------------------------------------------------------- names and places


def test_one_report_per_village_named_by_village_and_latest_receipt_time(month):
    names = sorted(p.name for p in month.written)
    assert names == sorted({s.report_name for s in FILES.values()})
    for key, path in month.reports.items():
        assert path.is_file(), key
        assert path.parent.name == MONTH and path.parent.parent.name == "outbox"
        assert path.with_suffix(".txt").is_file()


def test_the_warehouse_holds_exactly_the_planted_findings(month):
    for key, sent in FILES.items():
        found = sorted(
            (rule, sev, sheet, cell or "") for rule, sev, sheet, cell, *_ in month.findings[key]
        )
        assert found == sorted((r, v, s, c or "") for r, v, s, c in sent.planted), key


# ---------------------------------------------------------------- each finding, where it is


@pytest.mark.parametrize(("key", "rule", "severity", "sheet", "cell"), PLANTED)
def test_planted_finding_fills_its_cell_and_comments_it_with_message_and_fix(
    month, key, rule, severity, sheet, cell
):
    (message, fix) = [
        (m, f) for r, _, s, c, m, f in month.findings[key] if (r, s, c) == (rule, sheet, cell)
    ][0]
    copy = openpyxl.load_workbook(month.reports[key])[sheet]
    ref = cell or "A3"  # a finding about the row is marked at its first cell
    assert copy[ref].fill.fgColor.rgb == FILL[severity]
    assert message in copy[ref].comment.text
    assert fix in copy[ref].comment.text


@pytest.mark.parametrize(("key", "rule", "severity", "sheet", "cell"), PLANTED)
def test_summary_lists_planted_finding_with_sheet_cell_rule_and_severity(
    month, key, rule, severity, sheet, cell
):
    rows = _summary_rows(openpyxl.load_workbook(month.reports[key]))
    place = f"{sheet}!{cell}" if cell else f"{sheet} 第3行"
    line = next(r for r in rows if r[0] == place and r[-1] == rule)
    assert line[4] == {ERROR: "错误", WARNING: "警告"}[severity]
    assert line[5] == load_rules()[rule].name  # the rule named in Chinese


def test_cells_without_findings_are_neither_filled_nor_commented(month):
    copy = openpyxl.load_workbook(month.reports["fuhe"])["出生登记"]
    for ref in ("A3", "B3", "C3", "D4", "B6", "I6", "A2"):
        assert copy[ref].fill.fill_type is None, ref
        assert copy[ref].comment is None, ref


# ---------------------------------------------------------------- status and rejections


@pytest.mark.parametrize("key", list(FILES))
def test_summary_gives_the_status_of_the_village_and_of_each_file(month, key):
    rows = _summary_rows(openpyxl.load_workbook(month.reports[key]))
    status = next(r[1] for r in rows if r[0] == "校验结果")
    sharing = [s.status_zh for s in FILES.values() if s.report_name == FILES[key].report_name]
    overall = "有警告" if "有警告" in sharing else FILES[key].status_zh  # the worse of the two
    assert status == overall
    text = month.reports[key].with_suffix(".txt").read_text(encoding="utf-8")
    assert text.splitlines()[0].endswith(f"：{overall}")
    file_line = next(line for line in text.splitlines() if FILES[key].file_name in line)
    assert file_line.endswith(f"；{FILES[key].status_zh}）") or "已拒收" in file_line


@pytest.mark.parametrize("key", list(REJECTION_WORDS))
def test_rejected_file_report_gives_the_reason_and_copies_nothing(month, key):
    book = openpyxl.load_workbook(month.reports[key])
    assert book.sheetnames == ["汇总"]
    reason = next(r[1] for r in _summary_rows(book) if r[0] == "拒收原因")
    assert reason == month.reasons[key]
    assert REJECTION_WORDS[key] in reason


# ---------------------------------------------------------------- privacy


@pytest.mark.parametrize("key", list(FILES))
def test_a_report_holds_no_other_villages_people(month, key):
    report = FILES[key].report_name
    own = {p for s in FILES.values() if s.report_name == report for p in s.people}
    others = {p for k, s in FILES.items() if k != key for p in s.people} - own
    text = _every_text(month.reports[key])
    assert [p for p in others if p in text] == []
    own_village = VILLAGE_OF.get(key)
    allowed = {"复合村"} if key == "taoyuan" else set()  # the duplicate warning names it
    foreign = {name for code, name in VILLAGE_NAMES.items() if code != own_village} - allowed
    assert [name for name in foreign if name in text] == []
    foreign_files = {s.file_name for s in FILES.values() if s.report_name != report}
    assert [name for name in foreign_files if name in text] == []


def test_cross_village_warning_names_the_other_village_and_nothing_else(month):
    expected = load_rules()["births.reported_by_other_village"].message.format(
        field="", value="", other="复合村"
    )
    book = openpyxl.load_workbook(month.reports["taoyuan"])
    comment = book["出生登记"]["B3"].comment.text
    assert expected in comment
    line = next(r for r in _summary_rows(book) if r[-1] == "births.reported_by_other_village")
    assert line[3] in (None, "")  # no value of the other village's row
    assert line[6] == expected
    for fuhe_only in ("复合宝宝", "复合村备注", FILES["fuhe"].file_name, "2026-04-03"):
        assert fuhe_only not in _every_text(month.reports["taoyuan"])


# ---------------------------------------------------------------- formulas stay text


@pytest.mark.parametrize("key", list(FILES))
def test_no_report_cell_is_a_formula(month, key):
    book = openpyxl.load_workbook(month.reports[key])
    formulas = [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []


def test_formula_typed_as_text_comes_back_as_the_same_text(month):
    book = openpyxl.load_workbook(month.reports["fuhe"])
    cell = book["出生登记"]["C4"]  # the sex cell: a sex.vocab error
    assert (cell.value, cell.data_type) == (HYPERLINK, "s")
    line = next(r for r in _summary_rows(book) if r[0] == "出生登记!C4")
    assert line[3] == HYPERLINK  # the value column of 汇总: text as well


@pytest.mark.parametrize(("key", "ref"), [("fuhe", "I6"), ("taoyuan", "C5")])
def test_real_formula_comes_back_as_its_shown_value_in_a_string_cell(month, key, ref):
    cell = openpyxl.load_workbook(month.reports[key])["出生登记"][ref]
    assert cell.data_type == "s"
    assert not str(cell.value).startswith("=")


# ---------------------------------------------------------------- same second


def test_two_files_of_a_village_received_in_the_same_second_share_one_report(settings):
    same_second = datetime(2026, 4, 2, 8, 0, 0)
    folder = settings.raw_dir / MONTH
    write_workbook(
        folder / f"{LIJIAWAN}_出生.xlsx",
        {
            "出生登记": [
                ["出生登记"],
                BIRTH_HEADER,
                ["王李家一", LIJIAWAN_ID, "女", "2026-03-15", 1, "是"],
            ]
        },
        received=same_second,
    )
    write_workbook(
        folder / f"{LIJIAWAN}_宣传.xlsx",
        {"宣传服务": [["宣传服务情况"], SERVICES_HEADER, [120, 2, 1, 10, 20, 20, 5, 0]]},
        received=same_second,
    )
    ingest(settings)
    written = write_month_reports(settings, MONTH)
    assert len(written) == 1
    text = written[0].with_suffix(".txt").read_text(encoding="utf-8")
    assert f"{LIJIAWAN}_出生.xlsx" in text and f"{LIJIAWAN}_宣传.xlsx" in text
