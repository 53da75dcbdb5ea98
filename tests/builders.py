"""Small real files for tests: village workbooks written with xlsxwriter, valid ID numbers."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import xlsxwriter
from stdnum.cn import ric

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
