"""Small real files for tests: village workbooks written with xlsxwriter, valid ID numbers."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import xlsxwriter
from stdnum.cn import ric

from township.config import Settings
from township.store import restricted_path

BIRTH_HEADER = [
    "母亲姓名",
    "母亲身份证号",
    "婴儿性别",
    "出生日期",
    "孩次",
    "是否符合政策",
    "流动性质",
]
VILLAGES_CSV = """village_code,village_name,aliases,township_code,township_name,email
420117104201,复合村,复合,420117104,复合镇,cun01@example.cn
420117104202,桃园村,桃园,420117104,复合镇,
420117104203,李家湾村,李家湾,420117104,复合镇,cun03@example.cn
"""


def make_id(born: date, seq: int, county: str = "420102", female: bool = True) -> str:
    """A valid 18-character ID: the sequence digit parity gives the sex."""
    sequence = f"{seq:02d}{(seq % 5) * 2 + (0 if female else 1)}"
    body = f"{county}{born:%Y%m%d}{sequence}"
    return body + ric.calc_check_digit(body + "0")


def mother(n: int) -> tuple[str, str]:
    return f"母亲{n}", make_id(date(1990, 1, 1 + n % 28), n)


def birth_row(
    n: int, born: str, parity: int = 1, sex: str = "男", policy: str = "是", residence: str = ""
) -> list:
    name, mid = mother(n)
    return [name, mid, sex, born, parity, policy, residence]


def write_births(
    path: Path,
    rows: list[list],
    cover_code: str | None = None,
    cover_month: str | None = None,
    received: datetime | None = None,
    title: bool = True,
) -> Path:
    """A village workbook holding a 出生登记 sheet (title row, header, rows) and optionally a 封面."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": datetime(2026, 1, 1)})
    if cover_code or cover_month:
        cover = wb.add_worksheet("封面")
        cover.write_row(0, 0, ["项目", "内容"])
        cover.write_row(1, 0, ["村代码", cover_code or ""])
        cover.write_row(2, 0, ["报告期", cover_month or ""])
    sheet = wb.add_worksheet("出生登记")
    top = 0
    if title:
        sheet.merge_range(0, 0, 0, 6, "出生登记表")
        top = 1
    sheet.write_row(top, 0, BIRTH_HEADER)
    for i, row in enumerate(rows, start=top + 1):
        for j, value in enumerate(row):
            if isinstance(value, float):
                sheet.write_number(i, j, value)
            else:
                sheet.write_string(i, j, "" if value is None else str(value))
    wb.close()
    if received is not None:
        stamp = received.replace(tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
        os.utime(path, (stamp, stamp))
    return path


# ---------------------------------------------------------------- any form, any layout

CONTRACEPTION_HEADER = [
    "已婚育龄妇女数",
    "上环",
    "皮埋",
    "女扎",
    "男扎",
    "口服药",
    "避孕套",
    "其他",
    "未避孕",
]
MIGRANTS_HEADER = [
    "流出人口数",
    "流出已婚育龄妇女数",
    "已办婚育证明数",
    "定期联系数",
    "流入人口数",
    "流入已婚育龄妇女数",
]
SERVICES_HEADER = [
    "宣传资料份数",
    "标语条数",
    "宣传挂图",
    "咨询人次",
    "三查应查人数",
    "三查实查人数",
    "随访人次",
    "两非案件数",
]
BENEFICIARY_HEADER = ["姓名", "身份证号", "类别", "认定日期"]


@dataclass(frozen=True)
class Formula:
    """A real formula cell (xlsxwriter write_formula) with the cached result Excel would show."""

    text: str
    value: object = ""


def write_workbook(
    path: Path,
    sheets: dict[str, list[list]],
    cover_code: str | None = None,
    cover_month: str | None = None,
    received: datetime | None = None,
) -> Path:
    """A workbook whose sheets are given cell by cell: rows[0] is Excel row 1, column A first.

    None leaves a cell empty; str is written as text (never as a formula), int/float as a
    number, date/datetime as an Excel date, Formula as a formula. An optional 封面 goes first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": datetime(2026, 1, 1)})
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    if cover_code or cover_month:
        sheets = {
            "封面": [["项目", "内容"], ["村代码", cover_code], ["报告期", cover_month]],
            **sheets,
        }
    for name, rows in sheets.items():
        sheet = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, Formula):
                    sheet.write_formula(r, c, value.text, None, value.value)
                elif isinstance(value, datetime | date):
                    day = value if isinstance(value, datetime) else datetime(*value.timetuple()[:3])
                    sheet.write_datetime(r, c, day, date_format)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
    wb.close()
    return path if received is None else set_received(path, received)


def set_received(path: Path, received: datetime) -> Path:
    """Give a file the modification time the township reads as its receipt (Asia/Shanghai)."""
    stamp = received.replace(tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def township_settings(root: Path, **overrides) -> Settings:
    """Settings for a township under root (the three villages above), without touching the
    working directory or the environment: for module-scoped fixtures."""
    villages = root / "data" / "reference" / "villages.csv"
    villages.parent.mkdir(parents=True, exist_ok=True)
    villages.write_text(VILLAGES_CSV, encoding="utf-8")
    (root / "data" / "raw").mkdir(parents=True, exist_ok=True)
    paths = {
        "raw_dir": root / "data" / "raw",
        "villages": villages,
        "warehouse": root / "data" / "warehouse" / "township.duckdb",
        "outbox": root / "data" / "outbox",
        "key_file": root / "data" / "secrets" / "person_key",
        "max_file_bytes": 20 * 1024 * 1024,
        "max_sheet_rows": 20000,
    }
    return Settings(**{**paths, **overrides})


def office_connection(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse as the office reads it: the file, read-only, with the file of names and ID
    numbers beside it attached as `restricted` (township.warehouse)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute(f"attach '{restricted_path(warehouse)}' as restricted (read_only)")
    return con
