"""contract §5: every rule of township/rules/catalog.yaml, once broken and once kept, on real files.

Each case is a small workbook written under data/raw/<month>/. All of them go through one
ingest into one warehouse (an ingest costs about a second; seventy would not be fast). To keep
the cases apart, each has a report month of its own and its own mothers and beneficiaries, and
the stock figures are the same in every case, so no case can see another's rows. The stock
outlier needs a village history built month by month and has tests of its own at the end.

Sheets have a title row, then the header (row 2), then data from row 3: 出生登记 columns are
A 母亲姓名, B 母亲身份证号, C 婴儿性别, D 出生日期, E 孩次, F 是否符合政策, G 流动性质.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from builders import (
    BENEFICIARY_HEADER,
    BIRTH_HEADER,
    CONTRACEPTION_HEADER,
    MIGRANTS_HEADER,
    SERVICES_HEADER,
    Formula,
    birth_row,
    make_id,
    office_connection,
    township_settings,
    write_births,
    write_workbook,
)
from stdnum.cn import ric

from township.config import DEFAULT_MAX_SHEET_COLUMNS, Settings
from township.forms import load_catalogue
from township.ingest import ingest
from township.model import ERROR, WARNING, FileRead, SheetRead
from township.reports.outbox import write_month_reports
from township.rules.catalog import load_rules
from township.rules.validate import validate_batch

FUHE, TAOYUAN, LIJIAWAN = "420117104201", "420117104202", "420117104203"
BIRTHS, CONTRACEPTION, MIGRANTS, BENEFICIARIES, SERVICES = (
    "出生登记",
    "节育措施",
    "流动人口",
    "奖励扶助",
    "宣传服务",
)
MAX_SHEET_ROWS = 20
CONTRACEPTION_OK = [100, 40, 10, 10, 0, 10, 10, 0, 20]  # methods + no_method = married women
MIGRANTS_OK = [50, 20, 15, 18, 10, 4]
SERVICES_OK = [200, 5, 3, 30, 40, 38, 12, 0]
FOOTER = ["填表人：王会计", None, None, "审核人：李主任"]


# ---------------------------------------------------------------- one case's month and people


def _months() -> list[str]:
    """Report months for the cases. October and November are skipped: there the month before
    the previous one is in the previous statistical year, and a 'late in the year' birth cannot
    be built."""
    return [f"{y}-{m:02d}" for y in range(2016, 2027) for m in range(1, 13) if m not in (10, 11)]


MONTHS = _months()


@dataclass(frozen=True)
class Slot:
    """Where a case lives: its own report month, and ID numbers no other case uses."""

    index: int

    @property
    def month(self) -> str:
        return MONTHS[self.index]

    @property
    def first_day(self) -> date:
        return date.fromisoformat(f"{self.month}-01")

    @property
    def last_day(self) -> date:
        nxt = self.first_day + timedelta(days=32)
        return nxt.replace(day=1) - timedelta(days=1)

    def day(self, d: int) -> str:
        return f"{self.month}-{d:02d}"

    def mother_id(self, j: int = 0, female: bool = True, county: str = "420102") -> str:
        return make_id(date(1990, 1, 1) + timedelta(days=4 * self.index + j), 1 + j, county, female)

    def elder_id(self, born: date, female: bool = True) -> str:
        # 110105 is a county stdnum knows for any birth year (420102 is unknown before 1985).
        return make_id(born, 1 + self.index % 90, "110105", female)


def _previous_month(slot: Slot) -> date:
    """The first day of the month before the slot's report month."""
    return (slot.first_day - timedelta(days=1)).replace(day=1)


def years_before(day: date, years: int) -> date:
    return day.replace(year=day.year - years)


def birth(
    slot: Slot,
    j: int = 0,
    *,
    name: object = "default",
    mid: object = None,
    sex: object = "男",
    born: object = None,
    parity: object = 1,
    policy: object = "是",
    residence: object = None,
) -> list:
    return [
        f"母亲{slot.index}-{j}" if name == "default" else name,
        slot.mother_id(j) if mid is None else mid,
        sex,
        slot.day(5) if born is None else born,
        parity,
        policy,
        residence,
    ]


def births(*rows: list) -> dict[str, list[list]]:
    return {BIRTHS: [["出生登记表"], BIRTH_HEADER, *rows]}


def month_tab(day: date) -> str:
    return f"{day.month}月{BIRTHS}"


def births_tab(slot: Slot) -> dict[str, list[list]]:
    """The slot's birth on a tab named for its report month (3月出生登记)."""
    return {month_tab(slot.first_day): births(birth(slot))[BIRTHS]}


def beneficiary(slot: Slot, born: date, category: str, approved: object, female=True) -> list:
    return [f"对象{slot.index}", slot.elder_id(born, female), category, approved]


def beneficiaries(*rows: list) -> dict[str, list[list]]:
    return {BENEFICIARIES: [["新增奖励扶助对象"], BENEFICIARY_HEADER, *rows]}


def elder(slot: Slot, category: str = "农村奖励扶助", approved: object = None) -> list:
    approved = slot.day(10) if approved is None else approved
    return beneficiary(slot, date(1950, 6, 1) + timedelta(days=slot.index), category, approved)


def record(sheet: str, header: list[str], values: list) -> dict[str, list[list]]:
    return {sheet: [[f"{sheet}情况表"], header, values]}


def contraception(**changes: object) -> dict[str, list[list]]:
    return record(CONTRACEPTION, CONTRACEPTION_HEADER, _changed(CONTRACEPTION_OK, changes))


def contraception_by_month(*days: date) -> dict[str, list[list]]:
    """Contraception as a list with a column of figures for each month of `days` (1月 | 2月)."""
    items = [
        [label, *[value] * len(days)]
        for label, value in zip(CONTRACEPTION_HEADER, CONTRACEPTION_OK, strict=True)
    ]
    return {CONTRACEPTION: [["节育措施情况表"], ["项目", *[f"{d.month}月" for d in days]], *items]}


def migrants(**changes: object) -> dict[str, list[list]]:
    return record(MIGRANTS, MIGRANTS_HEADER, _changed(MIGRANTS_OK, changes))


def services(**changes: object) -> dict[str, list[list]]:
    return record(SERVICES, SERVICES_HEADER, _changed(SERVICES_OK, changes))


def _changed(values: list, changes: dict[str, object]) -> list:
    """Default values with some columns replaced, the columns named by their letter."""
    out = list(values)
    for letter, value in changes.items():
        out[ord(letter) - ord("A")] = value
    return out


def id_with_bad_date(slot: Slot) -> str:
    body = f"420102{1990 + slot.index % 5}0230{slot.index % 90 + 10:02d}2"  # 30 February
    return body + ric.calc_check_digit(body + "0")


def id_with_wrong_check_char(slot: Slot) -> str:
    good = slot.mother_id()
    return good[:-1] + ("1" if good[-1] != "1" else "2")


def id_ending_in_x(slot: Slot) -> str:
    born = date(1991, 1, 1) + timedelta(days=slot.index)
    return next(i for n in range(1, 100) if (i := make_id(born, n, "420102")).endswith("X"))


def statistical_year_start(day: date) -> date:
    return date(day.year if day.month >= 10 else day.year - 1, 10, 1)


# ---------------------------------------------------------------- the cases

Sheets = Callable[[Slot], dict[str, list[list]]]


@dataclass(frozen=True)
class Broken:
    """A file breaking `rule` once, at `cell` of `sheet` (None: the whole sheet)."""

    rule: str
    says: str
    severity: str  # as contract §5 sets it
    sheets: Sheets
    cell: str | None
    sheet: str | Callable[[Slot], str] = BIRTHS  # a callable: the sheet's name in the slot
    form: str = "births"
    row: int | None = None  # the record's Excel row when it differs from the cell's row
    also: tuple[str, ...] = ()  # other rules the file rightly breaks as well
    other_file: Sheets | None = None  # a second file, same month, received earlier
    other_village: str = TAOYUAN

    @property
    def whole_sheet(self) -> bool:
        """A rule about the sheet itself (its layout, or no record at all), not a record."""
        return self.rule.startswith("sheet.") or self.rule == "record.empty"

    @property
    def record_row(self) -> int | None:
        if self.whole_sheet:
            return None
        return self.row or int(re.sub(r"\D", "", self.cell))


@dataclass(frozen=True)
class Kept:
    """A file that keeps `rule`: no finding of it (`also`: findings of other rules it has)."""

    rule: str
    says: str
    sheets: Sheets
    form: str = "births"
    also: tuple[str, ...] = ()
    other_file: Sheets | None = None
    other_village: str = TAOYUAN


# contraception as a 项目 | 数量 list, every figure in its place
LISTED = [["项目", "数量"], ["已婚育龄妇女数", 100], ["上环", 40], ["未避孕", 60]]

BROKEN = [
    Broken("required", "blank mother's name", ERROR, lambda s: births(birth(s, name=None)), "A3"),
    Broken(
        "required",
        "blank mother's ID beside a filled row (the ID is the person's key)",
        ERROR,
        lambda s: births(birth(s, 1), birth(s, mid="")),
        "B4",
    ),
    Broken(
        "required",
        "blank beneficiary's ID",
        ERROR,
        lambda s: beneficiaries([*elder(s)[:1], None, *elder(s)[2:]]),
        "B3",
        BENEFICIARIES,
        "beneficiaries",
    ),
    Broken(
        "required",
        "blank married women on a record form",
        ERROR,
        lambda s: contraception(A=None),
        "A3",
        CONTRACEPTION,
        "contraception",
    ),
    Broken(
        "id.mangled",
        "ID saved by Excel as a number",
        ERROR,
        lambda s: births(birth(s, mid=4.20102199001e17)),
        "B3",
    ),
    Broken(
        "id.format",
        "17-digit ID",
        ERROR,
        lambda s: births(birth(s, mid=s.mother_id()[:17])),
        "B3",
    ),
    Broken(
        "id.date",
        "ID born on 30 February",
        ERROR,
        lambda s: births(birth(s, mid=id_with_bad_date(s))),
        "B3",
    ),
    Broken(
        "id.check_char",
        "ID with a wrong last character",
        ERROR,
        lambda s: births(birth(s, mid=id_with_wrong_check_char(s))),
        "B3",
    ),
    Broken(
        "id.check_char",
        "beneficiary ID with a wrong last character",
        ERROR,
        lambda s: beneficiaries(
            [*elder(s)[:1], id_with_wrong_check_char(s), *elder(s)[2:]],
        ),
        "B3",
        BENEFICIARIES,
        "beneficiaries",
    ),
    Broken(
        "id.county",
        "county code stdnum does not know in any year",
        WARNING,
        lambda s: births(birth(s, mid=s.mother_id(county="429999"))),
        "B3",
    ),
    Broken(
        "mother_id.sex_digit",
        "odd sex digit (a man's ID) as the mother's",
        ERROR,
        lambda s: births(birth(s, mid=s.mother_id(female=False))),
        "B3",
    ),
    Broken(
        "date.invalid",
        "birth date that does not exist",
        ERROR,
        lambda s: births(birth(s, born=s.day(32))),
        "D3",
    ),
    Broken(
        "birth_date.future",
        "born the day after the report month",
        ERROR,
        lambda s: births(birth(s, born=(s.last_day + timedelta(days=1)).isoformat())),
        "D3",
    ),
    Broken(
        "birth_date.late",
        "born the day before the month before the report month",
        WARNING,
        lambda s: births(birth(s, born=(_previous_month(s) - timedelta(days=1)).isoformat())),
        "D3",
    ),
    Broken(
        "birth_date.prior_year",
        "born the day before the statistical year",
        WARNING,
        lambda s: births(
            birth(s, born=(statistical_year_start(s.first_day) - timedelta(days=1)).isoformat())
        ),
        "D3",
    ),
    Broken("sex.vocab", "sex 未知", ERROR, lambda s: births(birth(s, sex="未知")), "C3"),
    Broken("parity.vocab", "parity 0", ERROR, lambda s: births(birth(s, parity="0")), "E3"),
    # numbers no 32-bit column holds: refused at their cell, the month's load goes on
    Broken("parity.vocab", "parity 1e300", ERROR, lambda s: births(birth(s, parity=1e300)), "E3"),
    Broken(
        "in_policy.vocab", "policy 待定", ERROR, lambda s: births(birth(s, policy="待定")), "F3"
    ),
    Broken(
        "residence.vocab",
        "residence 外地",
        ERROR,
        lambda s: births(birth(s, residence="外地")),
        "G3",
    ),
    Broken(
        "category.vocab",
        "category 低保户",
        ERROR,
        lambda s: beneficiaries(elder(s, "低保户")),
        "C3",
        BENEFICIARIES,
        "beneficiaries",
    ),
    Broken(
        "count.invalid",
        "a count written as 很多",
        ERROR,
        lambda s: services(A="很多"),
        "A3",
        SERVICES,
        "services",
    ),
    Broken(
        "count.invalid",
        "an ID number pasted into a count cell",
        ERROR,
        lambda s: services(A=420117199001011220),
        "A3",
        SERVICES,
        "services",
    ),
    Broken(
        "count.invalid",
        "a count of 3 billion typed as text",
        ERROR,
        lambda s: services(B="3000000000"),
        "B3",
        SERVICES,
        "services",
    ),
    Broken(
        "births.duplicate_in_file",
        "the same birth on two rows",
        WARNING,
        lambda s: births(birth(s), birth(s)),
        "B4",
    ),
    Broken(
        "births.reported_by_other_village",
        "an in-migrant's birth also reported by her home village",
        WARNING,
        lambda s: births(birth(s, residence="流入")),
        "B3",
        other_file=lambda s: births(birth(s, name="同一母亲")),
    ),
    Broken(
        "reward.age",
        "rural reward recipient one day short of 60",
        ERROR,
        lambda s: beneficiaries(
            beneficiary(
                s,
                years_before(s.first_day + timedelta(days=9), 60) + timedelta(days=1),
                "农村奖励扶助",
                s.day(10),
            )
        ),
        None,  # the row: the cause may be the ID, the approval date or the category
        BENEFICIARIES,
        "beneficiaries",
        row=3,
    ),
    Broken(
        "special.age",
        "woman special-assistance recipient aged 48",
        ERROR,
        lambda s: beneficiaries(
            beneficiary(s, years_before(s.first_day, 48), "特别扶助", s.day(10))
        ),
        None,  # the row: the cause may be the ID, the approval date or the category
        BENEFICIARIES,
        "beneficiaries",
        row=3,
    ),
    Broken(
        "approved_on.outside_month",
        "approved the month before",
        WARNING,
        lambda s: beneficiaries(elder(s, approved=(s.first_day - timedelta(days=1)).isoformat())),
        "D3",
        BENEFICIARIES,
        "beneficiaries",
    ),
    Broken(
        "contraception.method_exceeds",
        "more IUD users than married women",
        ERROR,
        lambda s: contraception(B=101),
        "B3",
        CONTRACEPTION,
        "contraception",
        also=("contraception.sum",),
    ),
    Broken(
        "contraception.sum",
        "methods and no method add up to 95 of 100",
        WARNING,
        lambda s: contraception(I=15),
        "A3",
        CONTRACEPTION,
        "contraception",
    ),
    Broken(
        "migrants.order",
        "more certificates than out-migrant married women",
        ERROR,
        lambda s: migrants(C=21),
        "C3",
        MIGRANTS,
        "migrants",
    ),
    Broken(
        "migrants.order",
        "more out-migrant married women than out-migrants",
        ERROR,
        lambda s: migrants(B=51),
        "B3",
        MIGRANTS,
        "migrants",
    ),
    Broken(
        "services.checkups",
        "more checkups done than due",
        ERROR,
        lambda s: services(F=41),
        "F3",
        SERVICES,
        "services",
    ),
    Broken(
        "services.checkups",
        "more checkups done than due, two-column layout",
        ERROR,
        lambda s: {
            SERVICES: [
                ["宣传服务情况"],
                ["项目", "数量"],
                ["宣传资料份数", 200],
                ["三查应查人数", 40],
                ["三查实查人数", 41],
            ]
        },
        "B5",
        SERVICES,
        "services",
        row=3,
    ),
    Broken(
        "sheet.header_not_found",
        "births sheet without its header row",
        ERROR,
        lambda s: {BIRTHS: [["出生登记表"], birth(s)]},
        None,
    ),
    Broken(
        "sheet.duplicate_column",
        "婴儿性别 and 性别 columns side by side",
        ERROR,
        lambda s: {BIRTHS: [["出生登记表"], [*BIRTH_HEADER, "性别"], [*birth(s), "男"]]},
        "H2",
    ),
    Broken(
        "sheet.too_many_rows",
        f"a sheet one footer row over {MAX_SHEET_ROWS} rows",
        ERROR,
        lambda s: {
            BIRTHS: [*births(birth(s))[BIRTHS], *[[]] * (MAX_SHEET_ROWS - 4), FOOTER, FOOTER]
        },
        None,
    ),
    Broken(
        "sheet.too_many_columns",
        f"a stray word one column past the {DEFAULT_MAX_SHEET_COLUMNS}-column limit",
        ERROR,
        lambda s: births([*birth(s), *[None] * (DEFAULT_MAX_SHEET_COLUMNS - 7), "误填"]),
        None,
    ),
    Broken(
        "cell.formula_without_value",
        "政策属性 a formula saved without its result",
        ERROR,
        lambda s: births(birth(s, policy=Formula('IF(E3<=2,"是","否")'))),
        "F3",
    ),
    Broken(
        "cell.formula_error",
        "上环 a lookup formula whose saved result is #N/A",
        ERROR,
        lambda s: contraception(B=Formula("VLOOKUP(A3,X:Y,2,0)", "#N/A")),
        "B3",
        CONTRACEPTION,
        "contraception",
        also=("contraception.sum",),
    ),
    Broken(
        "sheet.duplicate_form",
        "births on two sheets",
        WARNING,
        lambda s: {**births(birth(s)), "出生登记(2)": births(birth(s, 1))[BIRTHS]},
        None,
        sheet="出生登记(2)",
    ),
    Broken(
        "sheet.example_read",
        "births on the only tab of them, named as an example",
        WARNING,
        lambda s: {"出生登记示例": births(birth(s))[BIRTHS]},
        None,
        sheet="出生登记示例",
    ),
    Broken(
        "sheet.other_village",
        "contraception titled with another village's name (a neighbour's template)",
        WARNING,
        lambda s: {CONTRACEPTION: [["桃园村节育措施情况"], *contraception()[CONTRACEPTION]]},
        "A1",
        CONTRACEPTION,
        "contraception",
    ),
    Broken(
        "record.own_village_row",
        "contraception as the township's sheet of the villages' rows, 复合村's missing",
        ERROR,
        lambda s: {
            CONTRACEPTION: [
                ["村名", *CONTRACEPTION_HEADER],
                ["桃园村", *CONTRACEPTION_OK],
                ["李家湾村", *CONTRACEPTION_OK],
            ]
        },
        "A2",
        CONTRACEPTION,
        "contraception",
    ),
    Broken(
        "sheet.other_month",
        "births on a tab for each month: last month's tab is not read",
        WARNING,
        lambda s: {month_tab(_previous_month(s)): births(birth(s, 1))[BIRTHS], **births_tab(s)},
        None,
        sheet=lambda s: month_tab(_previous_month(s)),
    ),
    Broken(
        "record.more_value_rows",
        "contraception with a second row of figures under the first",
        WARNING,
        lambda s: {**contraception(), CONTRACEPTION: [*contraception()[CONTRACEPTION], [90, 30]]},
        "A4",
        CONTRACEPTION,
        "contraception",
        row=3,
    ),
    Broken(
        "record.example_or_cancelled",
        "the template's example row left above the birth",
        ERROR,
        lambda s: births(birth(s, 1, name="示例：王芳"), birth(s)),
        "A3",
    ),
    Broken(
        "record.empty",
        "contraception header without a value row",
        ERROR,
        lambda s: {CONTRACEPTION: [["节育措施情况表"], CONTRACEPTION_HEADER]},
        None,
        CONTRACEPTION,
        "contraception",
    ),
    Broken(
        "sheet.another_table",
        "a table of deaths below the births",
        WARNING,
        lambda s: births(
            birth(s),
            [],
            ["死亡登记"],
            ["姓名", "身份证号码", "死亡日期"],
            ["张老汉", s.elder_id(date(1940, 1, 1), female=False), s.day(9)],
        ),
        "A6",
    ),
    Broken(
        "sheet.month_column_missing",
        "contraception in columns for the two months before the report month, none for it",
        ERROR,
        lambda s: contraception_by_month(
            (_previous_month(s) - timedelta(days=1)).replace(day=1), _previous_month(s)
        ),
        "B2",
        CONTRACEPTION,
        "contraception",
    ),
    Broken(
        "sheet.figure_column_unclear",
        "contraception as a list with figures headed 户 | 人, none said to be the month's",
        ERROR,
        lambda s: {
            CONTRACEPTION: [
                ["项目", "户", "人"],
                ["已婚育龄妇女数", 100, 100],
                ["上环", 45, 40],
                ["未避孕", 55, 60],
            ]
        },
        "B1",
        CONTRACEPTION,
        "contraception",
    ),
    Broken(
        "sheet.form_not_read",
        "a migrants list beside the contraception list in a sheet named 月报",
        ERROR,
        lambda s: {
            "月报": [
                ["项目", "数量", None, "项目", "数量"],
                ["已婚育龄妇女数", 100, None, "流出人口数", 50],
                ["上环", 40, None, "流入人口数", 12],
                ["未避孕", 60, None, "流出已婚育龄妇女数", 30],
            ]
        },
        "D2",
        "月报",
        "migrants",
    ),
    Broken(
        "sheet.unknown_column",
        "a filled column headed 户籍性质, which no field reads",
        WARNING,
        lambda s: {BIRTHS: [["出生登记表"], [*BIRTH_HEADER, "户籍性质"], [*birth(s), "农业"]]},
        "H2",
    ),
    Broken(
        "sheet.missing_column",
        "the mother's ID column headed 产妇身份证, which no field reads",
        ERROR,
        lambda s: {
            BIRTHS: [["出生登记表"], ["母亲姓名", "产妇身份证", *BIRTH_HEADER[2:]], birth(s)]
        },
        "B2",
    ),
    Broken(
        "sheet.unknown_item",
        "contraception as a list with an item 取环, which no field reads",
        WARNING,
        lambda s: {
            CONTRACEPTION: [
                ["项目", "数量"],
                ["已婚育龄妇女数", 100],
                ["上环", 40],
                ["取环", 3],
                ["未避孕", 60],
            ]
        },
        "A4",
        CONTRACEPTION,
        "contraception",
    ),
    Broken(
        "record.item_twice",
        "contraception as a list giving 已婚育龄妇女数 and 上环 twice, 上环 40 then 45",
        ERROR,
        lambda s: {
            CONTRACEPTION: [
                *LISTED,
                ["已婚育龄妇女数", 100],
                ["上环", 45],
            ]
        },
        "B6",
        CONTRACEPTION,
        "contraception",
        row=2,
    ),
]

KEPT = [
    Kept("required", "every required field filled", lambda s: births(birth(s))),
    Kept(
        "id.mangled",
        "15-digit legacy ID typed as a number is upgraded",
        lambda s: births(birth(s, mid=float(s.mother_id()[:6] + s.mother_id()[8:17]))),
    ),
    Kept(
        "id.format",
        "15-digit legacy ID as text is upgraded",
        lambda s: births(birth(s, mid=s.mother_id()[:6] + s.mother_id()[8:17])),
    ),
    Kept(
        "id.date",
        "ID born on 29 February of a leap year",
        lambda s: births(birth(s, mid=make_id(date(1992, 2, 29), 1 + s.index % 90))),
    ),
    Kept(
        "id.check_char",
        "ID whose check character is X, typed in lower case",
        lambda s: births(birth(s, mid=id_ending_in_x(s).lower())),
    ),
    Kept(
        "id.county",
        "county code valid in the birth year",
        lambda s: births(birth(s, mid=s.mother_id(county="420102"))),
    ),
    Kept(
        "id.county",
        "a district created after the mother was born (新洲区 420117, 1998): a real ID",
        lambda s: births(birth(s, mid=s.mother_id(county="420117"))),
    ),
    Kept(
        "mother_id.sex_digit",
        "mother's ID with an even sex digit",
        lambda s: births(birth(s, mid=s.mother_id(female=True))),
    ),
    Kept(
        "date.invalid",
        "birth date as a real Excel date and as 2026年3月5日",
        lambda s: births(
            birth(s, born=s.first_day + timedelta(days=4)),
            birth(s, 1, born=f"{s.first_day.year}年{s.first_day.month}月6日"),
        ),
    ),
    Kept(
        "birth_date.future",
        "born on the last day of the report month",
        lambda s: births(birth(s, born=s.last_day.isoformat())),
    ),
    Kept(
        "birth_date.late",
        "born on the first day of the report month, or of the month before (registered after)",
        lambda s: births(
            birth(s, born=s.first_day.isoformat()),
            birth(s, 1, born=_previous_month(s).isoformat()),
        ),
    ),
    Kept(
        "birth_date.prior_year",
        "born on the first day of the statistical year (late, same year)",
        lambda s: births(birth(s, born=statistical_year_start(s.first_day).isoformat())),
        also=("birth_date.late",),
    ),
    Kept("sex.vocab", "sex as the GB/T 2261 code 2", lambda s: births(birth(s, sex="2"))),
    Kept("parity.vocab", "parity as 二孩", lambda s: births(birth(s, parity="二孩"))),
    # rows that only look like a units row or a blank one: a person's row all the same
    Kept("required", "a name not known, written as —", lambda s: births(birth(s, name="—"))),
    Kept(
        "required",
        "a cell starting with 单位： beside an ID and a date",
        lambda s: births(birth(s, name="单位：武汉钢铁公司")),
    ),
    Kept("in_policy.vocab", "policy as 政策外", lambda s: births(birth(s, policy="政策外"))),
    Kept(
        "residence.vocab",
        "residence 流入 and blank",
        lambda s: births(birth(s, residence="流入"), birth(s, 1)),
    ),
    Kept(
        "category.vocab",
        "category as the short form 奖扶",
        lambda s: beneficiaries(elder(s, "奖扶")),
        form="beneficiaries",
    ),
    Kept(
        "count.invalid",
        "a count in full-width digits with its unit",
        lambda s: services(A="２００份"),
        form="services",
    ),
    Kept(
        "births.duplicate_in_file",
        "twins: same mother and date, consecutive parity",
        lambda s: births(birth(s, parity=1), birth(s, sex="女", parity=2)),
    ),
    Kept(
        "births.reported_by_other_village",
        "a birth sent again by the same village is a resubmission, not another village's",
        lambda s: births(birth(s)),
        other_file=lambda s: births(birth(s, sex="女")),
        other_village=FUHE,
    ),
    Kept(
        "reward.age",
        "rural reward recipient exactly 60 on the approval date",
        lambda s: beneficiaries(
            beneficiary(
                s, years_before(s.first_day + timedelta(days=9), 60), "农村奖励扶助", s.day(10)
            )
        ),
        form="beneficiaries",
    ),
    Kept(
        "special.age",
        "woman exactly 49, and a man of 45 (the age rule is for women)",
        lambda s: beneficiaries(
            beneficiary(s, years_before(s.first_day, 49), "特别扶助", s.day(1)),
            [
                f"男对象{s.index}",
                make_id(years_before(s.first_day, 45), 7, "110105", female=False),
                "特别扶助",
                s.day(2),
            ],
        ),
        form="beneficiaries",
    ),
    Kept(
        "approved_on.outside_month",
        "approved on the last day of the report month",
        lambda s: beneficiaries(elder(s, approved=s.last_day.isoformat())),
        form="beneficiaries",
    ),
    Kept(
        "contraception.method_exceeds",
        "every married woman with an IUD",
        lambda s: contraception(B=100, C=0, D=0, E=0, F=0, G=0, H=0, I=0),
        form="contraception",
    ),
    Kept(
        "contraception.sum",
        "methods and no method add up",
        lambda s: contraception(),
        form="contraception",
    ),
    Kept(
        "migrants.order",
        "certified = contacted = out-migrant married women = out-migrants",
        lambda s: migrants(A=20, B=20, C=20, D=20),
        form="migrants",
    ),
    Kept(
        "services.checkups",
        "as many checkups done as due",
        lambda s: services(F=40),
        form="services",
    ),
    Kept(
        "sheet.header_not_found",
        "header below two title rows",
        lambda s: {BIRTHS: [["出生登记表"], ["填报单位：复合村"], BIRTH_HEADER, birth(s)]},
    ),
    Kept(
        "sheet.duplicate_column",
        "an extra column with a header no form knows",
        lambda s: {BIRTHS: [["出生登记表"], [*BIRTH_HEADER, "联系电话"], [*birth(s), "123"]]},
    ),
    Kept(
        "sheet.too_many_rows",
        f"a sheet of exactly {MAX_SHEET_ROWS} rows",
        lambda s: {BIRTHS: [*births(birth(s))[BIRTHS], *[[]] * (MAX_SHEET_ROWS - 4), FOOTER]},
    ),
    Kept(
        "sheet.too_many_columns",
        f"a word in the {DEFAULT_MAX_SHEET_COLUMNS}th column",
        lambda s: births([*birth(s), *[None] * (DEFAULT_MAX_SHEET_COLUMNS - 8), "备用"]),
    ),
    Kept(
        "cell.formula_without_value",
        "政策属性 a formula with its result saved",
        lambda s: births(birth(s, policy=Formula('IF(E3<=2,"是","否")', "是"))),
    ),
    Kept(
        "cell.formula_error",
        "上环 a formula whose saved result is a number",
        lambda s: contraception(B=Formula("SUM(40)", 40)),
        form="contraception",
    ),
    Kept(
        "sheet.duplicate_form",
        "births beside a sheet of notes",
        lambda s: {**births(birth(s)), "说明": [["本月无特殊情况。"]]},
    ),
    Kept(
        "sheet.example_read",
        "births on the template's tab (出生登记样表), which villages fill in",
        lambda s: {"出生登记样表": births(birth(s))[BIRTHS]},
    ),
    Kept(
        "sheet.other_village",
        "contraception titled with its own village's name beside another's",
        lambda s: {
            CONTRACEPTION: [
                ["复合村节育措施情况（含原桃园村三组）"],
                *contraception()[CONTRACEPTION],
            ]
        },
        form="contraception",
    ),
    Kept(
        "record.own_village_row",
        "contraception as the township's sheet of the villages' rows, 复合村's among them",
        lambda s: {
            CONTRACEPTION: [
                ["村名", *CONTRACEPTION_HEADER],
                ["桃园村", *CONTRACEPTION_OK],
                ["复 合 村", *CONTRACEPTION_OK],
                ["李家湾村", *CONTRACEPTION_OK],
            ]
        },
        form="contraception",
    ),
    Kept(
        "sheet.other_month",
        "births on the tab named for the report month, the only one",
        lambda s: births_tab(s),
    ),
    Kept(
        "record.more_value_rows",
        "contraception with a remark and the footer under its figures",
        lambda s: {CONTRACEPTION: [*contraception()[CONTRACEPTION], ["注：月末数"], FOOTER]},
        form="contraception",
    ),
    Kept(
        "record.example_or_cancelled",
        "a mother whose name has 例 in it, not alone",
        lambda s: births(birth(s, name="李例")),
    ),
    Kept(
        "record.empty",
        "contraception header with its value row",
        lambda s: contraception(),
        form="contraception",
    ),
    Kept(
        "sheet.another_table",
        "the births' header repeated between two births (a printed page's titles)",
        lambda s: births(birth(s), BIRTH_HEADER, birth(s, 1)),
    ),
    Kept(
        "sheet.month_column_missing",
        "contraception in columns for last month and the report month",
        lambda s: contraception_by_month(_previous_month(s), s.first_day),
        form="contraception",
    ),
    Kept(
        "sheet.figure_column_unclear",
        "contraception as a list with figures headed 一组 | 二组 | 合计 and a 比例 column",
        lambda s: {
            CONTRACEPTION: [
                ["项目", "一组", "二组", "合计", "比例（%）"],
                ["已婚育龄妇女数", 50, 50, 100, 100],
                ["上环", 20, 20, 40, 40],
                ["未避孕", 30, 30, 60, 60],
            ]
        },
        form="contraception",
    ),
    Kept(
        "sheet.form_not_read",
        "a contraception list with lines naming migrants' items, their figures sent elsewhere",
        lambda s: {
            CONTRACEPTION: [
                *LISTED,
                ["流出人口数", "见流动人口表"],
                ["流入人口数", "另报"],
            ]
        },
        form="contraception",
    ),
    Kept(
        "sheet.unknown_column",
        "a filled 家庭住址 column (not collected) and an empty column no field reads",
        lambda s: {
            BIRTHS: [["出生登记表"], [*BIRTH_HEADER, "家庭住址", "其他情况"], [*birth(s), "3组"]]
        },
    ),
    Kept(
        "sheet.missing_column",
        "the mother's ID column headed 产妇身份证号码 and 婴儿性别 as 孩子性别（男/女）",
        lambda s: {
            BIRTHS: [
                ["出生登记表"],
                ["母亲姓名", "产妇身份证号码", "孩子性别（男/女）", *BIRTH_HEADER[3:]],
                birth(s),
            ]
        },
    ),
    Kept(
        "sheet.unknown_item",
        "contraception as a list with items 已婚育龄妇女人数 and 其中：上环（人）",
        lambda s: {
            CONTRACEPTION: [
                ["项目", "数量"],
                ["已婚育龄妇女人数", 100],
                ["其中：上环（人）", 40],
                ["未避孕人数", 60],
            ]
        },
        form="contraception",
    ),
    Kept(
        "record.item_twice",
        "contraception as a list giving 上环 twice with the same figure",
        lambda s: {
            CONTRACEPTION: [
                *LISTED,
                ["上环", 40],
            ]
        },
        form="contraception",
    ),
]


# ---------------------------------------------------------------- one ingest for all cases


@dataclass
class Township:
    settings: Settings
    con: duckdb.DuckDBPyConnection
    slots: dict[Broken | Kept, Slot]
    submissions: dict[Broken | Kept, str]  # case -> submission id of its own file

    def slot(self, case) -> Slot:
        return self.slots[case]

    def submission(self, case) -> str:
        return self.submissions[case]

    def query(self, sql: str, *params) -> list[tuple]:
        return self.con.execute(sql, list(params)).fetchall()

    def status(self, case) -> str:
        return self.query(
            "select status from raw.submissions where submission_id = ?", self.submission(case)
        )[0][0]

    def findings(self, case) -> list[tuple]:
        return self.query(
            "select f.rule_id, f.severity, f.sheet, f.cell, f.excel_row, f.field, "
            "r.message_zh, r.fix_zh from raw.findings f "
            "join restricted.findings r using (submission_id, finding_no) "
            "where submission_id = ? order by finding_no",
            self.submission(case),
        )

    def raw_rows(self, case, form: str) -> dict[int, bool]:
        """Excel row -> has_error, for the rows of the case's file loaded into raw.<form>."""
        rows = self.query(
            f"select excel_row, has_error from raw.{form} where submission_id = ?",
            self.submission(case),
        )
        return dict(rows)

    def times_counted(self, case, form: str, excel_row: int) -> int:
        """How often the record at that row counts in the warehouse (staging, current versions)."""
        sid = self.submission(case)
        if form == "births":
            sql = (
                "select count(*) from staging.births(null) s join raw.births r "
                "using (person_key, birth_date, parity) "
                "where r.submission_id = ? and r.excel_row = ?"
            )
        elif form == "beneficiaries":
            sql = (
                "select count(*) from staging.beneficiaries(null) s join raw.beneficiaries r "
                "using (person_key, category) where r.submission_id = ? and r.excel_row = ?"
            )
        else:
            sql = f"select count(*) from staging.{form}(null) where submission_id = ? and excel_row = ?"
        return self.query(sql, sid, excel_row)[0][0]

    def counted_from_file(self, case, form: str) -> int:
        return self.query(
            f"select count(*) from staging.{form}(null) where submission_id = ?",
            self.submission(case),
        )[0][0]

    def village_value(self, case, indicator: str, village: str = FUHE) -> float | None:
        rows = self.query(
            "select value from marts.indicator_values "
            "where period = ? and org_code = ? and indicator = ?",
            self.slot(case).month,
            village,
            indicator,
        )
        return rows[0][0] if rows else None


@pytest.fixture(scope="module")
def township(tmp_path_factory) -> Iterator[Township]:
    settings = township_settings(tmp_path_factory.mktemp("township"), max_sheet_rows=MAX_SHEET_ROWS)
    slots, paths = {}, {}
    for index, case in enumerate([*BROKEN, *KEPT]):
        slot = Slot(index)
        slots[case] = slot
        folder = settings.raw_dir / slot.month
        paths[case] = write_workbook(
            folder / f"{FUHE}_{index:02d}.xlsx",
            case.sheets(slot),
            cover_code=FUHE,
            cover_month=slot.month,
            received=datetime(2030, 1, 1, 9),
        )
        if case.other_file is not None:
            write_workbook(
                folder / f"{case.other_village}_{index:02d}_other.xlsx",
                case.other_file(slot),
                cover_code=case.other_village,
                cover_month=slot.month,
                received=datetime(2029, 12, 1, 9),  # earlier than the case's own file
            )
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("TOWNSHIP_PERSON_KEY", raising=False)
        ingest(settings)
    con = office_connection(settings.warehouse)
    by_path = dict(con.execute("select file_path, submission_id from raw.submissions").fetchall())
    submissions = {
        key: by_path[str(path.relative_to(settings.raw_dir))] for key, path in paths.items()
    }
    yield Township(settings, con, slots, submissions)
    con.close()


# ---------------------------------------------------------------- the tests


def test_every_rule_in_the_catalog_is_broken_and_kept_by_some_case():
    covered = {"stock.outlier"}  # over time: its own tests below
    covered.add("cover.unknown_identity")  # a file's identity: tests/test_file_identity.py
    covered.add("population.balance")  # month against month: tests/test_population_form.py
    covered.add("submission.older_than_loaded")  # versions over time: below
    assert {c.rule for c in BROKEN} | covered == set(load_rules())
    assert {c.rule for c in KEPT} | covered == set(load_rules())


def test_the_cases_severities_are_the_catalogs():
    rules = load_rules()
    assert all(c.severity == rules[c.rule].severity for c in BROKEN)


@pytest.mark.parametrize("case", BROKEN, ids=lambda c: f"{c.rule}: {c.says}")
def test_breaking_a_rule_gives_its_finding_at_the_offending_cell(township, case):
    found = township.findings(case)
    assert {f[0] for f in found} == {case.rule, *case.also}
    (mine,) = [f for f in found if f[0] == case.rule]
    rule_id, severity, sheet, cell, excel_row, field, message, fix = mine
    expected_sheet = case.sheet(township.slot(case)) if callable(case.sheet) else case.sheet
    assert (severity, sheet, cell) == (case.severity, expected_sheet, case.cell)
    assert excel_row == case.record_row
    assert message and fix
    if not case.rule.startswith("sheet."):
        field_zh = load_catalogue().forms[case.form].field(field).name_zh if field else ""
        rule = load_rules()[case.rule]
        # the in-migrant's row already says 流入: the fix that does not ask to fill it in
        wording = rule.variants["inflow"] if case.rule.startswith("births.reported") else rule.fix
        assert fix == wording.format(field=field_zh, value="", other="")


@pytest.mark.parametrize("case", BROKEN, ids=lambda c: f"{c.rule}: {c.says}")
def test_an_error_keeps_its_record_out_and_a_warning_still_counts(township, case):
    rows = township.raw_rows(case, case.form)
    quarantined = township.village_value(case, "rows_quarantined") or 0
    if case.severity == ERROR:
        assert township.status(case) == "has_errors"
        if case.whole_sheet:
            assert rows == {}  # the sheet could not be used: nothing of it is loaded
        else:
            assert rows[case.record_row] is True
            assert township.times_counted(case, case.form, case.record_row) == 0
            assert quarantined == 1
    else:
        assert township.status(case) == "accepted_with_warnings"
        assert quarantined == 0
        assert not any(rows.values())
        if case.whole_sheet:  # the first of two sheets loads
            assert township.counted_from_file(case, case.form) == 1
        else:
            assert township.times_counted(case, case.form, case.record_row) == 1


@pytest.mark.parametrize("case", KEPT, ids=lambda c: f"{c.rule}: {c.says}")
def test_keeping_a_rule_gives_no_finding_of_it_and_every_record_counts(township, case):
    found = [f[0] for f in township.findings(case)]
    assert case.rule not in found
    assert sorted(found) == sorted(case.also)
    assert township.status(case) == ("accepted_with_warnings" if case.also else "accepted")
    rows = township.raw_rows(case, case.form)
    assert rows and not any(rows.values())
    for excel_row in rows:
        assert township.times_counted(case, case.form, excel_row) == 1


def test_id_county_warning_quotes_the_id_and_the_birth_still_counts(township):
    case = next(c for c in BROKEN if c.rule == "id.county")
    (finding,) = township.findings(case)
    assert "429999" in finding[6] and "地区码" in finding[6]
    assert township.village_value(case, "births_total") == 1


def test_birth_reported_by_another_village_counts_once_for_that_village(township):
    case = next(c for c in BROKEN if c.rule == "births.reported_by_other_village")
    (finding,) = township.findings(case)
    assert "桃园村" in finding[6]
    assert township.village_value(case, "births_total") == 0
    assert township.village_value(case, "births_total", TAOYUAN) == 1


def test_duplicate_row_points_back_at_the_first_row(township):
    case = next(c for c in BROKEN if c.rule == "births.duplicate_in_file")
    (finding,) = township.findings(case)
    assert "第3行" in finding[6]
    assert township.village_value(case, "births_total") == 1
    assert township.village_value(case, "duplicates_removed") == 1


def test_late_birth_counts_in_its_birth_month_not_the_report_month(township):
    case = next(c for c in BROKEN if c.rule == "birth_date.late")
    born_in = (_previous_month(township.slot(case)) - timedelta(days=1)).strftime("%Y-%m")
    assert township.village_value(case, "births_total") == 0
    rows = township.query(
        "select value from marts.indicator_values where period = ? and org_code = ? "
        "and indicator = 'births_late_reported'",
        born_in,
        FUHE,
    )
    assert rows and rows[0][0] >= 1


# ---------------------------------------------------------------- over time: stock.outlier


def _contraception_month(settings: Settings, month: str, married: int) -> Path:
    # iud + no_method = married women, so only the level can be unusual.
    values = [married, married - 50, 0, 0, 0, 0, 0, 0, 50]
    return write_workbook(
        settings.raw_dir / month / f"{LIJIAWAN}_{month}.xlsx",
        record(CONTRACEPTION, CONTRACEPTION_HEADER, values),
        cover_code=LIJIAWAN,
        cover_month=month,
    )


def _outlier_run(settings: Settings, april: int) -> list[tuple]:
    for month, married in (("2026-01", 200), ("2026-02", 203), ("2026-03", 198)):
        _contraception_month(settings, month, married)
    ingest(settings)  # three months of the village's own history
    _contraception_month(settings, "2026-04", april)
    ingest(settings)
    con = office_connection(settings.warehouse)
    try:
        found = con.execute(
            "select f.rule_id, f.severity, f.sheet, f.cell, f.excel_row, r.message_zh "
            "from raw.findings f join restricted.findings r using (submission_id, finding_no) "
            "join raw.submissions s using (submission_id)"
        ).fetchall()
        value = con.execute(
            "select value from marts.indicator_values where period = '2026-04' "
            "and org_code = ? and indicator = 'married_women'",
            [LIJIAWAN],
        ).fetchone()[0]
        status = con.execute(
            "select status from raw.submissions where report_month = '2026-04'"
        ).fetchone()[0]
    finally:
        con.close()
    return found, value, status


def test_stock_far_from_the_village_history_is_a_warning_at_its_cell_and_still_counts(settings):
    found, value, status = _outlier_run(settings, april=300)
    assert [f[:5] for f in found] == [("stock.outlier", WARNING, CONTRACEPTION, "A3", 3)]
    assert "300" in found[0][5] and "中位数 200" in found[0][5]
    assert (value, status) == (300, "accepted_with_warnings")


def test_stock_within_ten_percent_of_the_village_history_is_no_outlier(settings):
    found, value, status = _outlier_run(settings, april=218)
    assert found == []
    assert (value, status) == (218, "accepted")


# ---------------------------------------------------------------- a late birth the village marks


def _birth_read(note: str | None, born: date) -> FileRead:
    record = {
        "mother_name": "母亲",
        "mother_id": make_id(date(1990, 1, 1), 1),
        "child_sex": "男",
        "birth_date": born,
        "parity": 1,
        "note": note,
    }
    sheet = SheetRead("births", BIRTHS, 2, "table", [record], [3], [{"birth_date": "D3"}])
    return FileRead(
        Path("x.xlsx"), "0" * 64, 1, datetime(2026, 4, 2), "2026-03", sheets={"births": sheet}
    )


@pytest.mark.parametrize("note", ["补报", "2025年补登", "系统补录"])
def test_a_late_birth_whose_note_says_it_is_reported_late_is_not_warned(note):
    files = [_birth_read(note, date(2026, 1, 10)), _birth_read(None, date(2026, 1, 10))]
    findings = validate_batch(files).findings
    assert findings[0] == []
    assert [f.rule_id for f in findings[1]] == ["birth_date.late"]


# ---------------------------------------------------------------- a register sent again whole

FEBRUARY_LATE = birth_row(1, "2025-12-10")  # late in February's report (before January)
MARCH_LATE = birth_row(2, "2026-01-05")  # late in March's, sent for the first time


def _late_warnings(settings: Settings) -> list[tuple]:
    con = office_connection(settings.warehouse)
    rows = con.execute(
        "select s.report_month, f.excel_row, s.status, s.n_warnings from raw.findings f "
        "join raw.submissions s using (submission_id) where f.rule_id = 'birth_date.late' "
        "order by all"
    ).fetchall()
    wording = con.execute(
        "select count(*) from restricted.findings r join raw.findings f "
        "using (submission_id, finding_no) where f.rule_id = 'birth_date.late'"
    ).fetchone()[0]
    con.close()
    assert wording == len(rows)  # the wording goes with its finding
    return rows


@pytest.mark.parametrize("runs", ["one ingest", "an ingest a month"])
def test_a_late_birth_is_warned_once_not_again_each_time_the_register_is_sent(settings, runs):
    """A village sending its whole birth register every month: February's late birth is warned
    in February, not again in March, where only the newly sent late birth is."""
    feb = settings.raw_dir / "2026-02" / f"{FUHE}_2月.xlsx"
    write_births(feb, [FEBRUARY_LATE], cover_code=FUHE, cover_month="2026-02")
    if runs != "one ingest":
        ingest(settings)
    march = settings.raw_dir / "2026-03" / f"{FUHE}_3月.xlsx"
    write_births(march, [FEBRUARY_LATE, MARCH_LATE], cover_code=FUHE, cover_month="2026-03")
    ingest(settings)
    assert _late_warnings(settings) == [
        ("2026-02", 3, "accepted_with_warnings", 1),
        ("2026-03", 4, "accepted_with_warnings", 1),
    ]


def test_a_register_sent_again_with_no_new_late_birth_is_accepted_without_warnings(settings):
    for month in ("2026-02", "2026-03"):
        path = settings.raw_dir / month / f"{FUHE}_{month}.xlsx"
        write_births(path, [FEBRUARY_LATE], cover_code=FUHE, cover_month=month)
    ingest(settings)
    con = office_connection(settings.warehouse)
    statuses = con.execute(
        "select report_month, status, n_warnings from raw.submissions order by 1"
    ).fetchall()
    con.close()
    assert statuses == [("2026-02", "accepted_with_warnings", 1), ("2026-03", "accepted", 0)]


# ------------------------------------- over time: a correction saved with an older modification time


def _contraception_at(settings: Settings, name: str, married: int, saved: datetime) -> Path:
    path = write_workbook(
        settings.raw_dir / "2026-03" / f"{LIJIAWAN}_{name}.xlsx",
        record(CONTRACEPTION, CONTRACEPTION_HEADER, [married, married - 50, 0, 0, 0, 0, 0, 0, 50]),
        cover_code=LIJIAWAN,
        cover_month="2026-03",
    )
    stamp = saved.replace(tzinfo=settings.zone).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def _versions_run(settings: Settings, ingests: list[list[tuple[str, int, datetime]]]):
    for files in ingests:
        for name, married, saved in files:
            _contraception_at(settings, name, married, saved)
        ingest(settings)
    con = office_connection(settings.warehouse)
    try:
        found = con.execute(
            "select s.file_name, f.rule_id, f.severity, f.sheet, r.message_zh "
            "from raw.findings f join restricted.findings r using (submission_id, finding_no) "
            "join raw.submissions s using (submission_id)"
        ).fetchall()
        value = con.execute(
            "select value from marts.indicator_values where period = '2026-03' "
            "and org_code = ? and indicator = 'married_women'",
            [LIJIAWAN],
        ).fetchone()[0]
    finally:
        con.close()
    return found, value


EARLY, LATE = datetime(2026, 4, 2, 9, 30), datetime(2026, 4, 3, 16, 45)


def test_a_file_older_than_a_version_loaded_before_is_said_not_used(settings):
    """The corrected file arrives after the first, but its modification time is earlier (copied
    from a USB stick that kept it): the later-saved version stays current (contract §3), and the
    village is told why its correction did not count."""
    found, value = _versions_run(settings, [[("原件", 210, LATE)], [("更正", 200, EARLY)]])
    assert [f[:4] for f in found] == [
        (f"{LIJIAWAN}_更正.xlsx", "submission.older_than_loaded", WARNING, CONTRACEPTION)
    ]
    assert "2026-04-02 09:30:00" in found[0][4] and f"{LIJIAWAN}_原件.xlsx" in found[0][4]
    assert value == 210
    # the village's report lists why, though the file's other problems no longer matter
    (report,) = write_month_reports(settings, "2026-03")
    text = report.with_suffix(".txt").read_text(encoding="utf-8")
    assert f"（警告）{LIJIAWAN}_更正.xlsx 节育措施：本文件的“节育措施”没有采用" in text
    assert "修改时间早于此前已收到的版本，没有采用" in text
    # its rows are said replaced by the version saved later, not by a file sent later: it came last
    assert "节育措施：读取 2 行：计入统计 1 行，已被修改时间较晚的版本替换 1 行" in text
    assert "后来报送" not in text


@pytest.mark.parametrize(
    "ingests",
    [
        [[("原件", 200, EARLY)], [("更正", 210, LATE)]],
        [[("原件", 200, EARLY), ("更正", 210, LATE)]],
        # the older one comes with a later one, which replaces it as any later file does
        [[("原件", 205, EARLY + timedelta(hours=2))], [("旧", 200, EARLY), ("更正", 210, LATE)]],
    ],
    ids=["each-in-its-turn", "both-in-one-run", "with-a-later-one"],
)
def test_versions_loaded_in_their_own_order_are_said_nothing(settings, ingests):
    found, value = _versions_run(settings, ingests)
    assert found == [] and value == 210


def test_a_file_saved_at_the_same_second_as_one_loaded_before_is_said_decided_by_name(settings):
    # the names' order decides a tie: 乙 (U+4E59) before 甲 (U+7532), so 甲 stays current
    found, value = _versions_run(settings, [[("甲", 210, LATE)], [("乙", 200, LATE)]])
    assert [f[:2] for f in found] == [(f"{LIJIAWAN}_乙.xlsx", "submission.older_than_loaded")]
    assert "时间相同时按文件名" in found[0][4] and "2026-04-03 16:45:00" in found[0][4]
    assert value == 210
