"""Deterministic sample data: the golden sample township and bench-scale townships.

`generate_sample` writes the 复合镇 sample: 22 villages, report months 2025-10 … 2026-03, the
kinds of mess villages really send, and planted noise (cumulative registers, duplicates, twins,
births reported by two villages, resubmissions, invalid rows, late reports, an unknown village,
an outlier). Once the pipeline has dealt with the noise, statistical half-year SY2026H1 gives
exactly the seed report's figures (477 births, 403/64/10 by parity, …).

`generate_scaled` writes large, clean data sets for benchmarks.

Both return, and write as JSON, a truth dict computed from the generator's own list of true
events: no pipeline code is used apart from the form catalogue (for header aliases).
Every file is byte-identical from run to run for a given seed, and carries a deterministic
modification time: the moment the township "received" it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import xlsxwriter
from stdnum.cn import ric

from township.forms import Catalogue, load_catalogue

__all__ = ["generate_sample", "generate_scaled", "periods_of_month"]

TOWNSHIP_CODE = "420117104"
TOWNSHIP_NAME = "复合镇"
REPORT_MONTHS = ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
SY_START = date(2025, 10, 1)  # statistical year SY2026 starts here

# China has had no daylight saving time since 1991: a fixed offset is Asia/Shanghai exactly.
SHANGHAI = timezone(timedelta(hours=8))

# SY2026H1 for the township, as the seed report states it (477 births, 5000余份 leaflets …).
GOLDEN = {
    "births_total": 477,
    "births_male": 241,
    "births_female": 236,
    "births_parity_1": 403,
    "births_parity_2": 64,
    "births_parity_3plus": 10,
    "births_in_policy": 467,
    "births_out_of_policy": 10,
    "births_out_of_policy_parity_2": 7,
    "births_out_of_policy_parity_3plus": 3,
    "new_reward_recipients": 138,
    "new_special_assistance": 6,
    "new_only_daughter_bonus": 198,
    "slogans": 100,
    "posters": 100,
    "two_non_cases": 0,
}
GOLDEN_LEAFLETS = (5000, 5099)

EVENT_INDICATORS = [
    "births_total",
    "births_male",
    "births_female",
    "births_parity_1",
    "births_parity_2",
    "births_parity_3plus",
    "births_in_policy",
    "births_out_of_policy",
    "births_out_of_policy_parity_2",
    "births_out_of_policy_parity_3plus",
    "new_reward_recipients",
    "new_special_assistance",
    "new_only_daughter_bonus",
    "leaflets",
    "slogans",
    "posters",
    "consultations",
    "follow_up_visits",
    "two_non_cases",
]
SERVICE_INDICATORS = [
    "leaflets",
    "slogans",
    "posters",
    "consultations",
    "follow_up_visits",
    "two_non_cases",
]
STOCK_INDICATORS = {  # indicator -> (form, field) of the one-record form it is read from
    "married_women": ("contraception", "married_women"),
    "out_migrants": ("migrants", "out_migrants"),
}
CATEGORY_INDICATOR = {
    "农村奖励扶助": "new_reward_recipients",
    "特别扶助": "new_special_assistance",
    "独女户高考加分": "new_only_daughter_bonus",
}
CATEGORY_SHORT = {"农村奖励扶助": "奖扶", "特别扶助": "特扶", "独女户高考加分": "独女户"}

# ---------------------------------------------------------------------------------------------
# Places and people
# ---------------------------------------------------------------------------------------------

# stdnum.cn.ric accepts a county code only for people born while the code was in use, so each
# county lists its successive codes with the birth years they cover (新洲县 became 新洲区 in 1998).
COUNTY_CODES: dict[str, tuple[tuple[int, int, str], ...]] = {
    "新洲区": ((1900, 1982, "422122"), (1983, 1997, "420124"), (1998, 2100, "420117")),
    "黄陂区": ((1983, 1997, "420123"), (1998, 2100, "420116")),
    "红安县": ((1900, 1994, "422123"), (1995, 2100, "421122")),
    "麻城市": ((1986, 1994, "422101"), (1995, 2100, "421181")),
    "团风县": ((1995, 2100, "421121"),),
}
HOME_COUNTY = "新洲区"
NEIGHBOUR_COUNTIES = ["黄陂区", "红安县", "麻城市", "团风县"]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗余熊梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎潘杜戴夏钟汪田任姜范方石姚谭廖邹金陆郝孔白崔康毛邱秦江史顾侯邵孟"
)
GIVEN_CHARS = {  # characters of given names, by sex and by the generation they were born in
    "女": {
        "young": "婷静丹敏娟丽艳芳霞燕倩颖雪慧琳玲萍莉璐瑶佳欣怡悦晶蕾岚洁琴薇茜梦思雨月嘉晓紫萌",
        "old": "秀英兰桂珍凤华玉翠云梅芬琼菊春香莲娥萍爱",
        "child": "子梓一欣若诗依语思奕锦安可嘉梦涵萱诺琪彤希然瑶汐恩悦雨",
    },
    "男": {
        "young": "伟强磊军勇杰涛明超辉刚斌鹏俊浩宇峰波亮华建林志文海东成龙飞凯锋帅阳坤鑫",
        "old": "建国明华德福生林春志发平清金水山荣贵友学",
        "child": "子梓一沐浩宇奕锦安俊睿轩宸辰泽然恩博文昊铭航承",
    },
}

# The sample township: codes 420117104201 …; short names are the aliases. 复合村 is registered
# as 复合社区 instead of 复合, which would match every file name that mentions 复合镇.
GOLDEN_VILLAGES = [
    ("复合村", "复合社区"),
    ("李家湾村", "李家湾"),
    ("桃园村", "桃园"),
    ("张家畈村", "张家畈"),
    ("王家岗村", "王家岗"),
    ("陈家冲村", "陈家冲"),
    ("刘家寨村", "刘家寨"),
    ("石桥村", "石桥"),
    ("新河村", "新河"),
    ("双庙村", "双庙"),
    ("柳林村", "柳林"),
    ("杨家湾村", "杨家湾"),
    ("红星村", "红星"),
    ("周家铺村", "周家铺"),
    ("黄土岭村", "黄土岭"),
    ("枫树村", "枫树"),
    ("团山村", "团山"),
    ("胡家河村", "胡家河"),
    ("余家咀村", "余家咀|余家嘴"),
    ("白果树村", "白果树"),
    ("龙王庙村", "龙王庙"),
    ("徐家垸村", "徐家垸"),
]
EMAIL_VILLAGES = ("201", "205", "209", "214", "221")

# Roles of the golden villages (last three digits of the village code).
CUMULATIVE_VILLAGES = ("205", "211", "218")
CSV_VILLAGE = "215"
RESUBMISSION = ("207", "2026-01")
FIXED_INVALID = ("209", "2025-12")
OUTLIER = ("213", "2025-11")
MISSING_SUBMISSION = ("220", "2026-02")  # the Spring Festival month: nothing sent
DUPLICATE_ROW = ("210", "2026-02")
LATE_SENDERS = {"204": REPORT_MONTHS, "217": ["2025-12", "2026-02"]}
NO_COVER = {
    "203": "code_name",
    "210": "alias_month",
    "216": "code_name",
    "219": "alias_month",
    "222": "code_name",
}
GENERIC_SHEET_NAMES = ("217",)
CSV_GBK_MONTHS = ("2025-10", "2025-11", "2025-12")
QUARANTINE_PLAN = [
    ("202", "2025-11", "check_character"),
    ("206", "2026-02", "birth_date_after_report_month"),
    ("212", "2025-10", "child_sex_vocabulary"),
    ("214", "2026-01", "id_as_number"),
    ("219", "2025-12", "mother_id_male_sex_digit"),
    ("208", "2026-03", "reward_recipient_under_60"),
]
UNKNOWN_VILLAGE = ("420117105201", "外镇村", "2026-03")


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    aliases: tuple[str, ...]
    township_code: str
    township_name: str
    email: str = ""

    @property
    def short(self) -> str:
        return self.code[-3:]


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    birth_date: date
    sex: str  # 男 | 女


def age_on(person: Person, day: date) -> int:
    born = person.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _county_code(county: str, year: int) -> str | None:
    return next((code for lo, hi, code in COUNTY_CODES[county] if lo <= year <= hi), None)


class People:
    """Synthetic residents: plausible names, unique and valid GB 11643 ID numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def born_aged(self, on: date, youngest: int, oldest: int) -> date:
        """A birth date that makes the person youngest…oldest years old on `on`."""
        years = self.rng.randint(youngest, oldest)
        latest = _years_before(on, years)
        earliest = _years_before(on, years + 1) + timedelta(days=1)
        return earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def person(self, sex: str, born: date, county: str = HOME_COUNTY, surname: str = "") -> Person:
        return Person(self.name(sex, born, surname), self.id_number(sex, born, county), born, sex)

    def aged(
        self, sex: str, on: date, youngest: int, oldest: int, county: str = HOME_COUNTY
    ) -> Person:
        return self.person(sex, self.born_aged(on, youngest, oldest), county)

    def id_number(self, sex: str, born: date, county: str) -> str:
        code = _county_code(county, born.year) or _county_code(HOME_COUNTY, born.year)
        while True:
            # The sequence number's last digit is the sex: odd for men, even for women.
            sequence = self.rng.randrange(1, 500) * 2 - (1 if sex == "男" else 0)
            body = f"{code}{born:%Y%m%d}{sequence:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.used:
                self.used.add(number)
                return number

    def name(self, sex: str, born: date, surname: str = "") -> str:
        generation = "old" if born.year < 1975 else "young"
        return (surname or self.surname()) + self.given(sex, generation)

    def surname(self) -> str:
        # Common surnames first: weights fall off along the list.
        return self.rng.choices(SURNAMES, weights=[1 / (i + 8) for i in range(len(SURNAMES))])[0]

    def given(self, sex: str, generation: str) -> str:
        chars = GIVEN_CHARS[sex][generation]
        length = 1 if self.rng.random() < 0.3 else 2
        return "".join(self.rng.sample(chars, length))


def wrong_check_character(id_number: str) -> str:
    """The same ID with a check character that does not match (a typing slip)."""
    last = id_number[-1]
    replacement = "0" if last == "X" else str((int(last) + 7) % 10)
    return id_number[:-1] + replacement


def excel_mangled(id_number: str) -> float:
    """The number Excel keeps when an ID is typed into a number cell: 15 significant digits."""
    return float(int(id_number[:15]) * 1000)


def mask_id(id_number: str) -> str:
    return id_number[:6] + "*" * 8 + id_number[14:]


# ---------------------------------------------------------------------------------------------
# Months, periods and times
# ---------------------------------------------------------------------------------------------


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def shift_month(month: str, n: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_days(month: str) -> int:
    first = date(int(month[:4]), int(month[5:7]), 1)
    return (date.fromisoformat(shift_month(month, 1) + "-01") - first).days


def day_in(month: str, rng: random.Random, first: int = 1, last: int | None = None) -> date:
    last = min(last or 31, month_days(month))
    return date(int(month[:4]), int(month[5:7]), rng.randint(first, last))


def periods_of_month(month: str) -> list[str]:
    """Every period key a month belongs to: month, quarter, year, statistical year and half."""
    year, mon = int(month[:4]), int(month[5:7])
    stat_year = year + 1 if mon >= 10 else year  # SY2026 = 2025-10-01 … 2026-09-30
    half = 1 if mon >= 10 or mon <= 3 else 2
    return [
        month,
        f"{year}Q{(mon - 1) // 3 + 1}",
        str(year),
        f"SY{stat_year}",
        f"SY{stat_year}H{half}",
    ]


def received_time(rng: random.Random, month: str, late: bool = False) -> datetime:
    """When the township got a report: the 1st–5th of the next month in office hours, or later."""
    due_month = shift_month(month, 1)
    if late:
        day = day_in(due_month, rng, 6, 12)
    else:
        day = date.fromisoformat(due_month + "-01") + timedelta(
            days=rng.choices(range(5), weights=[3, 4, 4, 3, 2])[0]
        )
    return datetime.combine(day, office_time(rng))


def office_time(rng: random.Random) -> time:
    minutes = rng.randrange(8 * 60 + 30, 17 * 60 + 30)
    return time(minutes // 60, minutes % 60, rng.randrange(60))


def resent_time(rng: random.Random, first: datetime) -> datetime:
    """A second version, a few days after the first (the village has read its report)."""
    return datetime.combine(first.date() + timedelta(days=rng.randint(2, 6)), office_time(rng))


def epoch_seconds(moment: datetime) -> float:
    return moment.replace(tzinfo=SHANGHAI).timestamp()


# ---------------------------------------------------------------------------------------------
# True events
# ---------------------------------------------------------------------------------------------


@dataclass
class Birth:
    """One live-born child, as it truly happened, and where it is counted."""

    mother: Person
    father: Person
    child_name: str
    child_sex: str
    birth_date: date
    parity: int
    in_policy: bool
    village: str  # code of the village the birth counts for
    residence: str  # 户籍 | 流出 | 流入, as that village lists it
    report_month: str  # the first month that village lists it
    twin: bool = False
    role: str = ""  # the noise this birth carries, if any


@dataclass(frozen=True)
class Beneficiary:
    person: Person
    category: str
    approved_on: date
    village: str


@dataclass
class BirthRow:
    """A birth as one village writes it in one file; overrides are raw cells (planted errors)."""

    birth: Birth
    residence: str
    overrides: dict[str, object] = field(default_factory=dict)
    tag: str = ""


@dataclass
class BeneficiaryRow:
    beneficiary: Beneficiary
    tag: str = ""


@dataclass
class MonthRecords:
    """The one-record forms of a village-month."""

    contraception: dict[str, int]
    migrants: dict[str, int]
    services: dict[str, int]


# ---------------------------------------------------------------------------------------------
# How a village fills its workbook
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    has_cover: bool = True
    file_pattern: str = "name_month"  # code_name | alias_month | name_month | report_name
    sheet_names: str = "canonical"  # canonical | alias | generic
    title: str = "none"  # none | plain | merged
    units_row: bool = False
    blank_rows: bool = False
    totals_row: bool = False
    footer: str = "none"  # none | single | split
    headers: str = "canonical"  # canonical | alias
    alias_shift: int = 0
    shuffle_columns: bool = False
    seq_column: bool = False
    extra_columns: bool = False  # father, child name, note
    date_style: str = "excel_iso"
    parity_style: str = "int"
    sex_style: str = "zh"  # zh | code
    policy_words: tuple[str, str] = ("是", "否")
    residence_blank: bool = False  # 户籍 left blank
    count_style: str = "number"  # number | fullwidth | text
    record_layout: str = "table"  # table | list | mixed
    list_headers: tuple[str, str] = ("项目", "数量")
    category_style: str = "full"  # full | short
    pad_text: bool = False
    cover_month: str = "iso"  # 2026-03 | 2026年3月
    empty_beneficiaries: str = "header"  # header | omit
    reporter: str = ""
    phone: str = ""
    # a row right under the header of a table: a unit word per column of the one-record forms
    # (cycled), a hint of what to type per column of the person forms
    column_units: tuple[str, ...] = ()
    type_hints: bool = False


STYLE_OPTIONS: dict[str, list] = {
    "title": ["none", "plain", "merged", "merged"],
    "units_row": [False, True],
    "blank_rows": [False, False, True],
    "totals_row": [False, True],
    "footer": ["none", "single", "split"],
    "headers": ["canonical", "alias", "alias"],
    "alias_shift": [0, 1, 2, 3],
    "shuffle_columns": [False, False, False, True],
    "seq_column": [True, False],
    "extra_columns": [True, False],
    "date_style": ["excel_iso", "excel_slash", "iso", "slash", "dot", "compact", "zh", "mixed"],
    "parity_style": ["int", "int", "text", "word", "ordinal", "fullwidth"],
    "sex_style": ["zh", "zh", "code"],
    "policy_words": [("是", "否"), ("政策内", "政策外"), ("计划内", "计划外"), ("符合", "不符合")],
    "residence_blank": [True, False],
    "count_style": ["number", "number", "fullwidth", "text"],
    "record_layout": ["table", "list", "mixed"],
    "list_headers": [("项目", "数量"), ("指标", "数值")],
    "category_style": ["full", "short"],
    "pad_text": [False, False, True],
    "cover_month": ["iso", "zh"],
    "empty_beneficiaries": ["header", "omit"],
    "sheet_names": ["canonical", "canonical", "alias"],
    "file_pattern": ["name_month", "report_name"],
}

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
PARITY_WORDS = {1: "一孩", 2: "二孩", 3: "三孩", 4: "四孩"}
PARITY_ORDINALS = {1: "第一孩", 2: "第二孩", 3: "第三孩", 4: "第四孩"}
FORM_ORDER = ["births", "contraception", "migrants", "beneficiaries", "services"]
BIRTH_FIELDS = [
    "mother_name",
    "mother_id",
    "child_sex",
    "birth_date",
    "parity",
    "in_policy",
    "residence",
]
BIRTH_FIELDS_FULL = [
    "mother_name",
    "mother_id",
    "father_name",
    "father_id",
    "child_name",
    "child_sex",
    "birth_date",
    "parity",
    "in_policy",
    "residence",
    "note",
]
BENEFICIARY_FIELDS = ["name", "id_number", "category", "approved_on", "note"]
UNITS = {
    "births": "单位：人",
    "beneficiaries": "单位：人",
    "contraception": "单位：人",
    "migrants": "单位：人",
    "services": "单位：份、条、套、人次",
}
TITLES = {
    "births": "出生登记表",
    "beneficiaries": "新增奖励扶助对象花名册",
    "contraception": "已婚育龄妇女节育措施情况",
    "migrants": "流动人口管理情况",
    "services": "宣传服务情况",
}


def spread_styles(n: int, rng: random.Random) -> list[dict]:
    """Style choices for n villages: every option of every feature used, in a seeded order."""
    columns = {}
    for feature, options in STYLE_OPTIONS.items():
        values = (options * math.ceil(n / len(options)))[:n]
        rng.shuffle(values)
        columns[feature] = values
    return [{feature: columns[feature][i] for feature in columns} for i in range(n)]


def format_date(day: date, style: Style, row: int) -> object:
    kind = style.date_style
    if kind == "mixed":  # typed by hand on some rows, picked from Excel's date cells on others
        kind = "excel_iso" if row % 3 else "slash"
    if kind.startswith("excel"):
        return day
    return {
        "iso": f"{day:%Y-%m-%d}",
        "slash": f"{day.year}/{day.month}/{day.day}",
        "dot": f"{day.year}.{day.month}.{day.day}",
        "compact": f"{day:%Y%m%d}",
        "zh": f"{day.year}年{day.month}月{day.day}日",
    }[kind]


def format_parity(parity: int, style: Style) -> object:
    kind = style.parity_style
    if kind == "int":
        return parity
    if kind == "word":
        return PARITY_WORDS[parity]
    if kind == "ordinal":
        return PARITY_ORDINALS[parity]
    if kind == "fullwidth":
        return str(parity).translate(FULL_WIDTH)
    return str(parity)


def format_sex(sex: str, style: Style) -> object:
    if style.sex_style == "code":  # GB/T 2261: 1 male, 2 female
        return 1 if sex == "男" else 2
    return sex


def format_count(n: int, style: Style) -> object:
    if style.count_style == "fullwidth":
        return str(n).translate(FULL_WIDTH)
    if style.count_style == "text":
        return f" {n}"
    return n


def format_category(category: str, style: Style) -> str:
    return CATEGORY_SHORT[category] if style.category_style == "short" else category


def format_text(text: str, style: Style, row: int) -> str:
    return f"{text} " if style.pad_text and row % 4 == 1 else text


def format_residence(residence: str, style: Style) -> str | None:
    return None if residence == "户籍" and style.residence_blank else residence


def format_month(month: str, style: Style) -> str:
    return month if style.cover_month == "iso" else f"{int(month[:4])}年{int(month[5:7])}月"


def header_label(catalogue: Catalogue, form: str, field_name: str, style: Style, k: int) -> str:
    spec = catalogue.forms[form].field(field_name)
    if style.headers == "canonical":
        return spec.name_zh
    return spec.aliases[(style.alias_shift + k) % len(spec.aliases)]


def sheet_name(catalogue: Catalogue, form: str, style: Style, index: int) -> str:
    spec = catalogue.forms[form]
    if style.sheet_names == "generic" and form != "cover":
        return f"Sheet{index + 1}"
    if style.sheet_names == "alias":
        return spec.sheet_aliases[1 % len(spec.sheet_aliases)]
    return spec.name_zh


def file_stem(village: Village, month: str, style: Style) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    alias = village.aliases[0] if village.aliases else village.name
    return {
        "code_name": f"{village.code}_{village.name}_{year}年{mon}月",
        "alias_month": f"{alias}{mon}月报表",
        "name_month": f"{village.name}{year}年{mon}月计生月报",
        "report_name": f"计生月报表（{village.name}）{year}.{mon:02d}",
    }[style.file_pattern]


# ---------------------------------------------------------------------------------------------
# Grids: what goes in each sheet, cell by cell
# ---------------------------------------------------------------------------------------------


@dataclass
class SheetGrid:
    """A sheet's cells (rows[0] is Excel row 1) and the Excel rows of tagged records."""

    name: str
    rows: list[list[object]] = field(default_factory=list)
    merged_rows: set[int] = field(default_factory=set)  # title rows merged across the table
    width: int = 1
    date_format: str = "yyyy-mm-dd"
    tags: dict[str, int] = field(default_factory=dict)

    def add(self, cells: list[object], tag: str = "") -> int:
        self.rows.append(cells)
        if tag:
            self.tags[tag] = len(self.rows)
        return len(self.rows)

    def add_title(self, text: str, merged: bool) -> None:
        self.add([text] + [None] * (self.width - 1))
        if merged and self.width > 1:
            self.merged_rows.add(len(self.rows) - 1)

    def add_units(self, text: str) -> None:
        # Units sit at the right edge, above the header, as on printed forms.
        self.add([None] * (self.width - 1) + [text])


@dataclass
class Submission:
    """One file (or, for the CSV village, one set of CSV files) sent by a village."""

    village: Village
    month: str
    style: Style
    received: datetime
    file_stem: str
    births: list[BirthRow]
    beneficiaries: list[BeneficiaryRow]
    records: MonthRecords
    as_csv: bool = False
    csv_encoding: str = "utf-8-sig"


def _open_grid(name: str, width: int, form: str, sub: Submission) -> SheetGrid:
    style = sub.style
    grid = SheetGrid(name, width=width)
    grid.date_format = "yyyy/m/d" if style.date_style == "excel_slash" else "yyyy-mm-dd"
    if style.title != "none":
        year, mon = int(sub.month[:4]), int(sub.month[5:7])
        owner = sub.village.township_name if form == "births" else sub.village.name
        grid.add_title(f"{owner}{year}年{mon}月{TITLES[form]}", style.title == "merged")
    if style.units_row:
        grid.add_units(UNITS[form])
    return grid


def _close_grid(grid: SheetGrid, sub: Submission) -> None:
    style = sub.style
    if style.footer == "none":
        return
    filled = f"{sub.received.year}年{sub.received.month}月{sub.received.day}日"
    parts = [f"填表人：{style.reporter}", "审核人：胡建国", f"填报日期：{filled}"]
    if style.footer == "single":
        grid.add(["    ".join(parts)])
    elif grid.width >= 5:  # spread over the table's width, as typed under a printed form
        grid.add([parts[0], None, parts[1], None, parts[2]])
    else:
        grid.add(parts)


def birth_columns(style: Style, shuffle_seed: int) -> list[str]:
    fields = list(BIRTH_FIELDS_FULL if style.extra_columns else BIRTH_FIELDS)
    if style.shuffle_columns:
        random.Random(shuffle_seed).shuffle(fields)
    return (["_seq"] if style.seq_column else []) + fields


def birth_cells(row: BirthRow, style: Style, i: int) -> dict[str, object]:
    b = row.birth
    cells: dict[str, object] = {
        "mother_name": format_text(b.mother.name, style, i),
        "mother_id": b.mother.id_number,
        "father_name": b.father.name,
        "father_id": b.father.id_number,
        "child_name": b.child_name,
        "child_sex": format_sex(b.child_sex, style),
        "birth_date": format_date(b.birth_date, style, i),
        "parity": format_parity(b.parity, style),
        "in_policy": style.policy_words[0 if b.in_policy else 1],
        "residence": format_residence(row.residence, style),
        "note": birth_note(b),
        "_seq": i + 1,
    }
    cells.update(row.overrides)
    return cells


def birth_note(b: Birth) -> str | None:
    if b.twin:
        return "双胞胎"
    return "补报" if month_of(b.birth_date) < b.report_month else None


def births_grid(catalogue: Catalogue, sub: Submission, name: str) -> SheetGrid:
    style = sub.style
    columns = birth_columns(style, int(sub.village.code))
    grid = _open_grid(name, len(columns), "births", sub)
    grid.add(
        [
            "序号" if c == "_seq" else header_label(catalogue, "births", c, style, k)
            for k, c in enumerate(columns)
        ]
    )
    _add_type_hints(grid, catalogue, "births", columns, style)
    if style.blank_rows:
        grid.add([])
    rows = sub.births
    for i, row in enumerate(rows):
        cells = birth_cells(row, style, i)
        grid.add([cells.get(c) for c in columns], row.tag)
        if style.blank_rows and i == len(rows) // 2:
            grid.add([])  # a row left empty in the middle of the list
    _add_totals(grid, style, len(rows))
    _close_grid(grid, sub)
    return grid


TYPE_HINTS = {
    "text": "文本",
    "id": "身份证号",
    "sex": "男/女",
    "date": "年-月-日",
    "parity": "数字",
    "in_policy": "是/否",
    "residence": "户籍/流入/流出",
    "category": "奖扶/特扶/独女户",
}


def _add_type_hints(grid, catalogue: Catalogue, form: str, columns: list[str], style) -> None:
    """What to type in each column, in a row under the header, as some printed forms have."""
    if style.type_hints:
        fields = catalogue.forms[form]
        grid.add(["" if c == "_seq" else TYPE_HINTS[fields.field(c).type] for c in columns])


def _add_totals(grid: SheetGrid, style: Style, n: int) -> None:
    if style.totals_row:
        grid.add(["合计", f"{n}人"] + [None] * (grid.width - 2))


def beneficiaries_grid(catalogue: Catalogue, sub: Submission, name: str) -> SheetGrid:
    style = sub.style
    columns = (["_seq"] if style.seq_column else []) + BENEFICIARY_FIELDS
    grid = _open_grid(name, len(columns), "beneficiaries", sub)
    grid.add(
        [
            "序号" if c == "_seq" else header_label(catalogue, "beneficiaries", c, style, k)
            for k, c in enumerate(columns)
        ]
    )
    _add_type_hints(grid, catalogue, "beneficiaries", columns, style)
    for i, row in enumerate(sub.beneficiaries):
        b = row.beneficiary
        cells = {
            "_seq": i + 1,
            "name": format_text(b.person.name, style, i),
            "id_number": b.person.id_number,
            "category": format_category(b.category, style),
            "approved_on": format_date(b.approved_on, style, i),
            "note": None,
        }
        grid.add([cells[c] for c in columns], row.tag)
    _add_totals(grid, style, len(sub.beneficiaries))
    _close_grid(grid, sub)
    return grid


def record_layout(style: Style, form: str) -> str:
    if style.record_layout == "mixed":
        return "table" if form == "contraception" else "list"
    return style.record_layout


def record_grid(
    catalogue: Catalogue, sub: Submission, form: str, name: str, values: dict
) -> SheetGrid:
    style = sub.style
    fields = list(values)
    labels = [header_label(catalogue, form, f, style, k) for k, f in enumerate(fields)]
    cells = [format_count(values[f], style) for f in fields]
    if record_layout(style, form) == "list":
        grid = _open_grid(name, 2, form, sub)
        grid.add(list(style.list_headers))
        for label, cell in zip(labels, cells, strict=True):
            grid.add([label, cell])
    else:
        grid = _open_grid(name, len(fields), form, sub)
        grid.add(labels)
        if style.column_units:
            grid.add([style.column_units[k % len(style.column_units)] for k in range(len(fields))])
        grid.add(cells)
    _close_grid(grid, sub)
    return grid


def cover_grid(catalogue: Catalogue, sub: Submission) -> SheetGrid:
    style = sub.style
    filled = format_date(sub.received.date(), style, 1)
    values = {
        "village_code": sub.village.code,
        "village_name": sub.village.name,
        "report_month": format_month(sub.month, style),
        "reporter": style.reporter,
        "phone": style.phone,
        "filled_on": filled,
    }
    grid = SheetGrid("封面", width=2)
    grid.date_format = "yyyy-mm-dd"
    if style.title != "none":
        grid.add_title(f"{sub.village.township_name}村级人口计生月报", style.title == "merged")
    grid.add(["项目", "内容"])
    for k, (name, value) in enumerate(values.items()):
        grid.add([header_label(catalogue, "cover", name, style, k), value])
    return grid


def submission_grids(catalogue: Catalogue, sub: Submission) -> list[tuple[str, SheetGrid]]:
    """(form, grid) for every sheet of a submission, cover first."""
    grids: list[tuple[str, SheetGrid]] = []
    if sub.style.has_cover and not sub.as_csv:
        grids.append(("cover", cover_grid(catalogue, sub)))
    for index, form in enumerate(FORM_ORDER):
        name = sheet_name(catalogue, form, sub.style, index)
        if form == "births":  # written even when empty: "no births this month" is news too
            grids.append((form, births_grid(catalogue, sub, name)))
        elif form == "beneficiaries":
            if sub.beneficiaries or sub.style.empty_beneficiaries == "header":
                grids.append((form, beneficiaries_grid(catalogue, sub, name)))
        else:
            values = getattr(sub.records, form)
            grids.append((form, record_grid(catalogue, sub, form, name, values)))
    return grids


# ---------------------------------------------------------------------------------------------
# Writing files
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    file: str  # relative to raw_dir, with forward slashes
    sheet: str
    row: int  # Excel row number


def write_submission(
    raw_dir: Path, catalogue: Catalogue, sub: Submission
) -> tuple[list[str], dict[str, Location]]:
    """Write a submission's file(s) with their received time as mtime.

    Returns the files written (relative to raw_dir) and the Excel rows of tagged records.
    """
    folder = raw_dir / sub.month
    folder.mkdir(parents=True, exist_ok=True)
    grids = submission_grids(catalogue, sub)
    locations: dict[str, Location] = {}
    written: list[Path] = []
    if sub.as_csv:
        for form, grid in grids:
            path = folder / f"{sub.file_stem}_{catalogue.forms[form].name_zh}.csv"
            write_csv(path, grid, sub.csv_encoding)
            written.append(path)
            locations.update(_locate(raw_dir, path, path.stem, grid))
    else:
        path = folder / f"{sub.file_stem}.xlsx"
        write_workbook(path, [grid for _, grid in grids], sub.received - timedelta(minutes=17))
        written.append(path)
        for _, grid in grids:
            locations.update(_locate(raw_dir, path, grid.name, grid))
    stamp = epoch_seconds(sub.received)
    for path in written:
        os.utime(path, (stamp, stamp))
    return [p.relative_to(raw_dir).as_posix() for p in written], locations


def _locate(raw_dir: Path, path: Path, sheet: str, grid: SheetGrid) -> dict[str, Location]:
    relpath = path.relative_to(raw_dir).as_posix()
    return {tag: Location(relpath, sheet, row) for tag, row in grid.tags.items()}


def write_workbook(path: Path, grids: list[SheetGrid], created: datetime) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True})
    # A fixed creation time (instead of "now") keeps the file byte-identical from run to run.
    workbook.set_properties({"created": created, "author": "村计生专干"})
    title = workbook.add_format({"bold": True, "align": "center", "font_size": 14})
    date_formats = {
        fmt: workbook.add_format({"num_format": fmt}) for fmt in ("yyyy-mm-dd", "yyyy/m/d")
    }
    for grid in grids:
        sheet = workbook.add_worksheet(grid.name)
        sheet.set_column(0, max(grid.width - 1, 1), 14)
        date_format = date_formats[grid.date_format]
        for r, cells in enumerate(grid.rows):
            if r in grid.merged_rows:
                sheet.merge_range(r, 0, r, grid.width - 1, cells[0], title)
                continue
            for c, value in enumerate(cells):
                _write_cell(sheet, r, c, value, date_format)
    workbook.close()


def _write_cell(sheet, r: int, c: int, value: object, date_format) -> None:
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(r, c, value)  # IDs and codes stay text: Excel never sees a number
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value)
    elif isinstance(value, date):
        sheet.write_datetime(r, c, datetime.combine(value, time()), date_format)
    else:
        raise TypeError(f"cannot write {value!r}")


def write_csv(path: Path, grid: SheetGrid, encoding: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # as Excel writes CSV on Windows
    for cells in grid.rows:
        writer.writerow(["" if v is None else _csv_text(v) for v in cells])
    path.write_bytes(buffer.getvalue().encode(encoding))


def _csv_text(value: object) -> str:
    if isinstance(value, date):
        return f"{value.year}/{value.month}/{value.day}"  # Excel's own CSV date form
    return str(value)


def write_villages_csv(path: Path, villages: list[Village]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["village_code", "village_name", "aliases", "township_code", "township_name", "email"]
    )
    for v in villages:
        writer.writerow(
            [v.code, v.name, "|".join(v.aliases), v.township_code, v.township_name, v.email]
        )
    path.write_text(buffer.getvalue(), encoding="utf-8")


def write_truth(path: Path, truth: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Truth: indicators computed from the true events
# ---------------------------------------------------------------------------------------------


def birth_counts(birth: Birth) -> dict[str, int]:
    counts = {"births_total": 1, "births_male" if birth.child_sex == "男" else "births_female": 1}
    parity = "3plus" if birth.parity >= 3 else str(birth.parity)
    counts[f"births_parity_{parity}"] = 1
    if birth.in_policy:
        counts["births_in_policy"] = 1
    else:
        counts["births_out_of_policy"] = 1
        if birth.parity >= 2:
            counts[f"births_out_of_policy_parity_{parity}"] = 1
    return counts


def compute_indicators(
    villages: list[Village],
    births: Iterable[Birth],
    beneficiaries: Iterable[Beneficiary],
    records: dict[tuple[str, str], MonthRecords],
) -> dict[str, dict[str, dict[str, int]]]:
    """{period: {org_code: {indicator: value}}} for the township(s) and every village."""
    township_of = {v.code: v.township_code for v in villages}
    events: list[tuple[str, str, dict[str, int]]] = []  # (village, month, amounts)
    for b in births:
        events.append((b.village, month_of(b.birth_date), birth_counts(b)))
    for p in beneficiaries:
        events.append((p.village, month_of(p.approved_on), {CATEGORY_INDICATOR[p.category]: 1}))
    for (village, month), rec in records.items():
        events.append((village, month, {k: rec.services[k] for k in SERVICE_INDICATORS}))

    months = {m for _, m, _ in events}
    periods = sorted({p for m in months for p in periods_of_month(m)})
    orgs = sorted(set(township_of.values())) + [v.code for v in villages]
    table = {p: {org: dict.fromkeys(EVENT_INDICATORS, 0) for org in orgs} for p in periods}
    for village, month, amounts in events:
        for period in periods_of_month(month):
            for org in (village, township_of[village]):
                row = table[period][org]
                for indicator, amount in amounts.items():
                    row[indicator] += amount
    _add_stocks(table, township_of, records)
    return table


def _add_stocks(table: dict, township_of: dict[str, str], records: dict) -> None:
    """Stocks: the value of the last month in the period the village reported; township = sum."""
    latest: dict[tuple[str, str], str] = {}  # (period, village) -> last reported month
    for village, month in records:
        for period in periods_of_month(month):
            key = (period, village)
            if month > latest.get(key, ""):
                latest[key] = month
    for (period, village), month in sorted(latest.items()):
        rec = records[(village, month)]
        values = {ind: getattr(rec, form)[f] for ind, (form, f) in STOCK_INDICATORS.items()}
        township = table[period][township_of[village]]
        table[period][village].update(values)
        for indicator, value in values.items():
            township[indicator] = township.get(indicator, 0) + value


# ---------------------------------------------------------------------------------------------
# Monthly records: contraception, migrants, services
# ---------------------------------------------------------------------------------------------

METHOD_SHARES = {  # typical shares of married women of childbearing age, by method
    "iud": (0.38, 0.50),
    "implant": (0.01, 0.04),
    "female_sterilization": (0.12, 0.22),
    "male_sterilization": (0.0, 0.015),
    "pill": (0.01, 0.04),
    "condom": (0.10, 0.18),
    "other_method": (0.005, 0.02),
}


@dataclass
class VillageStock:
    """A village's population figures, drifting slowly from month to month."""

    married_women: int
    shares: dict[str, float]
    out_share: float
    out_women_share: float
    in_migrants: int

    @classmethod
    def random(cls, rng: random.Random, married_women: int) -> VillageStock:
        shares = {m: rng.uniform(lo, hi) for m, (lo, hi) in METHOD_SHARES.items()}
        return cls(
            married_women,
            shares,
            rng.uniform(0.45, 0.8),
            rng.uniform(0.28, 0.4),
            rng.randint(5, 40),
        )

    def drift(self, rng: random.Random) -> None:
        self.married_women = max(50, self.married_women + rng.randint(-3, 4))
        self.in_migrants = max(0, self.in_migrants + rng.randint(-2, 2))

    def contraception(self) -> dict[str, int]:
        women = self.married_women
        methods = {m: int(share * women) for m, share in self.shares.items()}
        # Methods plus no method add up to the married women exactly.
        return {"married_women": women, **methods, "no_method": women - sum(methods.values())}

    def migrants(self, rng: random.Random) -> dict[str, int]:
        out = int(self.married_women * self.out_share)
        out_women = int(out * self.out_women_share)
        return {
            "out_migrants": out,
            "out_married_women": out_women,
            "out_certified": out_women - rng.randint(0, max(1, out_women // 10)),
            "out_contacted": out_women - rng.randint(0, max(1, out_women // 4)),
            "in_migrants": self.in_migrants,
            "in_married_women": self.in_migrants // 3,
        }


def services_values(rng: random.Random, month: str, married_women: int) -> dict[str, int]:
    quarter_end = int(month[5:7]) % 3 == 0  # 三查 is quarterly; other months only catch-ups
    due = int(married_women * rng.uniform(0.2, 0.3)) if quarter_end else rng.randint(0, 8)
    return {
        "leaflets": rng.randint(20, 60),
        "slogans": rng.randint(0, 2),
        "posters": rng.randint(0, 2),
        "consultations": rng.randint(2, 30),
        "checkups_due": due,
        "checkups_done": due - rng.randint(0, min(due, 6)),
        "follow_up_visits": rng.randint(5, 40),
        "two_non_cases": 0,
    }


def month_records(rng: random.Random, stock: VillageStock, month: str) -> MonthRecords:
    return MonthRecords(
        stock.contraception(), stock.migrants(rng), services_values(rng, month, stock.married_women)
    )


def split_total(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to weights that add up to total exactly (largest remainder)."""
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


# ---------------------------------------------------------------------------------------------
# The golden sample
# ---------------------------------------------------------------------------------------------


@dataclass
class GoldenPlan:
    """Everything true about the sample township, before it is written down by villages."""

    villages: list[Village]
    styles: dict[str, Style]
    people: People
    births: list[Birth] = field(default_factory=list)
    beneficiaries: list[Beneficiary] = field(default_factory=list)
    records: dict[tuple[str, str], MonthRecords] = field(default_factory=dict)
    received: dict[tuple[str, str], datetime] = field(default_factory=dict)
    cross: list[tuple[Birth, str, str]] = field(default_factory=list)  # birth, other village, month

    def code(self, short: str) -> str:
        return TOWNSHIP_CODE + short

    def present(self) -> list[tuple[str, str]]:
        """Every (village, month) that sent a report."""
        missing = (self.code(MISSING_SUBMISSION[0]), MISSING_SUBMISSION[1])
        return [(v.code, m) for m in REPORT_MONTHS for v in self.villages if (v.code, m) != missing]


def golden_villages() -> list[Village]:
    villages = []
    for i, (name, aliases) in enumerate(GOLDEN_VILLAGES, start=1):
        code = f"{TOWNSHIP_CODE}{200 + i}"
        email = f"cun{i:02d}@example.cn" if code[-3:] in EMAIL_VILLAGES else ""
        villages.append(
            Village(code, name, tuple(aliases.split("|")), TOWNSHIP_CODE, TOWNSHIP_NAME, email)
        )
    return villages


BARE_TABLES = {
    "title": "none",
    "units_row": False,
    "blank_rows": False,
    "totals_row": False,
    "footer": "none",
}
TEMPLATE_STYLE = {
    **BARE_TABLES,
    "headers": "canonical",
    "shuffle_columns": False,
    "seq_column": False,
    "date_style": "excel_iso",
    "parity_style": "int",
    "sex_style": "zh",
    "policy_words": ("是", "否"),
    "count_style": "number",
    "record_layout": "table",
    "sheet_names": "canonical",
    "pad_text": False,
}


def golden_styles(villages: list[Village], rng: random.Random, people: People) -> dict[str, Style]:
    styles = {}
    for village, choices in zip(villages, spread_styles(len(villages), rng), strict=True):
        short = village.short
        choices["reporter"] = people.name("女", date(1990, 1, 1))
        choices["phone"] = "13" + "".join(str(rng.randrange(10)) for _ in range(9))
        if short in NO_COVER:
            choices.update(has_cover=False, file_pattern=NO_COVER[short])
        if short in GENERIC_SHEET_NAMES:  # sheets recognised by their header rows alone
            choices.update(sheet_names="generic", record_layout="table")
        if short == "201":  # the village that fills the township's template exactly
            choices.update(TEMPLATE_STYLE)
        if short == CSV_VILLAGE:  # CSV exports hold the table alone, dates as Excel exports them
            choices.update(BARE_TABLES, date_style="slash", record_layout="mixed", seq_column=True)
        styles[village.code] = Style(**choices)
    return styles


def plan_golden(seed: int) -> GoldenPlan:
    rng = random.Random(seed)
    people = People(rng)
    villages = golden_villages()
    plan = GoldenPlan(villages, golden_styles(villages, rng, people), people)
    sizes = {v.code: rng.randint(300, 900) for v in villages}
    plan.births = plan_half_year_births(rng, people, villages, sizes)
    shift_missing_month(plan)
    for short, month, needed in (
        (*RESUBMISSION, 3),
        (*FIXED_INVALID, 2),
        (*DUPLICATE_ROW, 2),
    ):
        ensure_births(plan, plan.code(short), month, needed, rng)
    plan.cross = choose_cross_village_births(plan, rng)
    plan.births += previous_year_late_births(plan, rng, people)
    plan.beneficiaries = plan_beneficiaries(plan, rng, people, sizes)
    plan.records = plan_records(plan, rng, sizes)
    plan.received = plan_received_times(plan, rng)
    return plan


def plan_half_year_births(
    rng: random.Random, people: People, villages: list[Village], sizes: dict[str, int]
) -> list[Birth]:
    """The 477 births of SY2026H1 with exactly the seed report's parity, policy and sex split."""
    # Deliveries: three twin pairs (first+second, first+second, second+third) and singles.
    deliveries = [(1, 2), (1, 2), (2, 3)] + [(p,) for p in [1] * 401 + [2] * 61 + [3] * 8 + [4]]
    singles_2 = [i for i, d in enumerate(deliveries) if d == (2,)]
    singles_3plus = [i for i, d in enumerate(deliveries) if len(d) == 1 and d[0] >= 3]
    out_of_policy = set(rng.sample(singles_2, 7)) | set(rng.sample(singles_3plus, 3))
    sexes = ["男"] * 241 + ["女"] * 236
    rng.shuffle(sexes)
    codes = [v.code for v in villages]
    weights = [sizes[c] for c in codes]
    births = []
    for index, parities in enumerate(deliveries):
        village = rng.choices(codes, weights)[0]
        month = rng.choices(REPORT_MONTHS, weights=[17, 16, 17, 18, 15, 17])[0]
        day = day_in(month, rng)
        residence = rng.choices(["户籍", "流出", "流入"], weights=[87, 7, 6])[0]
        county = rng.choice(NEIGHBOUR_COUNTIES) if residence == "流入" else HOME_COUNTY
        mother, father = parents(people, rng, day, max(parities), county)
        report = late_report_month(rng, month)
        for parity in parities:
            sex = sexes.pop()
            births.append(
                Birth(
                    mother=mother,
                    father=father,
                    child_name=father.name[0] + people.given(sex, "child"),
                    child_sex=sex,
                    birth_date=day,
                    parity=parity,
                    in_policy=index not in out_of_policy,
                    village=village,
                    residence=residence,
                    report_month=report,
                    twin=len(parities) > 1,
                )
            )
    return births


def parents(
    people: People, rng: random.Random, day: date, parity: int, county: str
) -> tuple[Person, Person]:
    youngest, oldest = {1: (20, 34), 2: (24, 40)}.get(parity, (28, 42))
    mother = people.aged("女", day, youngest, oldest, county)
    father_age = min(48, age_on(mother, day) + rng.randint(0, 6))
    father = people.aged("男", day, max(22, father_age - 1), max(22, father_age), county)
    return mother, father


def new_birth(
    people: People,
    rng: random.Random,
    day: date,
    parity: int,
    village: str,
    report_month: str,
    in_policy: bool = True,
    county: str = HOME_COUNTY,
) -> Birth:
    """A singleton birth to a new couple; the child takes the father's surname."""
    mother, father = parents(people, rng, day, parity, county)
    sex = rng.choice(["男", "女"])
    return Birth(
        mother=mother,
        father=father,
        child_name=father.name[0] + people.given(sex, "child"),
        child_sex=sex,
        birth_date=day,
        parity=parity,
        in_policy=in_policy,
        village=village,
        residence="户籍",
        report_month=report_month,
    )


def late_report_month(rng: random.Random, month: str) -> str:
    """Most births are reported in their own month; some a month or two late."""
    if month < REPORT_MONTHS[-1] and rng.random() < 0.08:
        late = shift_month(month, 2 if rng.random() < 0.2 else 1)
        return min(late, REPORT_MONTHS[-1])
    return month


def shift_missing_month(plan: GoldenPlan) -> None:
    """The village that sent nothing for a month reports that month's births the month after."""
    village, month = plan.code(MISSING_SUBMISSION[0]), MISSING_SUBMISSION[1]
    for b in plan.births:
        if b.village == village and b.report_month == month:
            b.report_month = shift_month(month, 1)


def plain_villages(plan: GoldenPlan) -> list[str]:
    """Villages without a role of their own, free to carry the per-row noise."""
    busy = {
        *CUMULATIVE_VILLAGES,
        CSV_VILLAGE,
        RESUBMISSION[0],
        FIXED_INVALID[0],
        MISSING_SUBMISSION[0],
    }
    return [v.code for v in plan.villages if v.short not in busy]


def is_simple(b: Birth) -> bool:
    """A single 户籍 birth reported in its own month, with no role yet."""
    return (
        not b.twin
        and not b.role
        and b.residence == "户籍"
        and b.report_month == month_of(b.birth_date)
    )


def ensure_births(
    plan: GoldenPlan, village: str, month: str, needed: int, rng: random.Random
) -> None:
    """Give a village at least `needed` simple births in `month`, moved from plain villages."""
    have = [
        b for b in plan.births if b.village == village and b.report_month == month and is_simple(b)
    ]
    donors = [
        b
        for b in plan.births
        if b.village in plain_villages(plan)
        and b.village != village
        and b.report_month == month
        and is_simple(b)
    ]
    for b in rng.sample(donors, max(0, needed - len(have))):
        b.village = village


def choose_cross_village_births(
    plan: GoldenPlan, rng: random.Random
) -> list[tuple[Birth, str, str]]:
    """Births the mother's home village lists, and that another village also lists as 流入."""
    plain = plain_villages(plan)
    candidates = [
        b
        for b in plan.births
        if b.village in plain and is_simple(b) and month_of(b.birth_date) <= "2026-01"
    ]
    chosen = rng.sample(candidates, 3)
    cross = []
    for case, b in enumerate(chosen):
        b.role = "cross_village"
        other = rng.choice([c for c in plain if c != b.village])
        month = b.report_month
        if case == 1:  # the other village reports first; the home village a month late
            b.report_month = shift_month(month, 1)
        elif case == 2:  # the other village reports a month later
            month = shift_month(month, 1)
        if case == 0:
            b.residence = "流出"  # home says she is away, the other village says she came in
        cross.append((b, other, month))
    return cross


def previous_year_late_births(plan: GoldenPlan, rng: random.Random, people: People) -> list[Birth]:
    """Births of August and September 2025 (statistical year SY2025) first reported in Oct/Nov."""
    plain = plain_villages(plan)
    births = []
    for _ in range(6):
        month = rng.choice(["2025-08", "2025-09"])
        day = day_in(month, rng)
        parity = 1 if rng.random() < 0.8 else 2
        report = "2025-10" if month == "2025-08" else rng.choice(["2025-10", "2025-11"])
        birth = new_birth(people, rng, day, parity, rng.choice(plain), report)
        birth.role = "previous_year"
        births.append(birth)
    return births


def plan_beneficiaries(
    plan: GoldenPlan, rng: random.Random, people: People, sizes: dict[str, int]
) -> list[Beneficiary]:
    """New beneficiaries approved in each village-month: 138 奖扶, 6 特扶, 198 独女户."""
    slots = plan.present()
    weights = [sizes[v] for v, _ in slots]
    out = []
    for category, count in (("农村奖励扶助", 138), ("特别扶助", 6), ("独女户高考加分", 198)):
        for i in range(count):
            village, month = rng.choices(slots, weights)[0]
            approved = day_in(month, rng, 1, 28)
            out.append(
                Beneficiary(
                    beneficiary_person(people, rng, category, approved, i),
                    category,
                    approved,
                    village,
                )
            )
    return out


def beneficiary_person(
    people: People, rng: random.Random, category: str, on: date, i: int
) -> Person:
    if category == "农村奖励扶助":  # parents of one child or two daughters, from age 60
        return people.aged(rng.choice(["男", "女"]), on, 60, 66)
    if category == "特别扶助":  # bereaved or disabled only child; mothers from 49, one father
        return people.aged("男", on, 52, 60) if i == 0 else people.aged("女", on, 49, 62)
    return people.aged(rng.choice(["男", "女"]), on, 40, 52)  # 独女户: a parent of the candidate


def plan_records(
    plan: GoldenPlan, rng: random.Random, sizes: dict[str, int]
) -> dict[tuple[str, str], MonthRecords]:
    present = set(plan.present())
    stocks = {v.code: VillageStock.random(rng, sizes[v.code]) for v in plan.villages}
    records = {}
    for month in REPORT_MONTHS:
        for v in plan.villages:
            stock = stocks[v.code]
            stock.drift(rng)
            if (v.code, month) in present:
                records[(v.code, month)] = month_records(rng, stock, month)
    fit_service_totals(rng, records)
    plant_outlier(plan, records)
    return records


def fit_service_totals(rng: random.Random, records: dict[tuple[str, str], MonthRecords]) -> None:
    """Leaflets, slogans and posters add up to the seed report's 5000余份, 100条, 100套."""
    keys = sorted(records)
    totals = {"leaflets": rng.randint(5000, 5099), "slogans": 100, "posters": 100}
    for indicator, total in totals.items():
        skew = 1 if indicator == "leaflets" else 3  # slogans and posters: most months none
        weights = [rng.random() ** skew + 0.01 for _ in keys]
        for key, value in zip(keys, split_total(total, weights), strict=True):
            records[key].services[indicator] = value


def plant_outlier(plan: GoldenPlan, records: dict[tuple[str, str], MonthRecords]) -> None:
    """One month where every contraception figure was entered three times over."""
    key = (plan.code(OUTLIER[0]), OUTLIER[1])
    records[key].contraception = {k: 3 * n for k, n in records[key].contraception.items()}


def plan_received_times(plan: GoldenPlan, rng: random.Random) -> dict[tuple[str, str], datetime]:
    times = {}
    for village, month in plan.present():
        short = village[-3:]
        late = month in LATE_SENDERS.get(short, []) or rng.random() < 0.04
        times[(village, month)] = received_time(rng, month, late)
    return times


# ---------------------------------------------------------------------------------------------
# Golden submissions: true events written down, with the noise planted
# ---------------------------------------------------------------------------------------------


@dataclass
class GoldenBuild:
    plan: GoldenPlan
    rng: random.Random
    people: People
    submissions: list[Submission] = field(default_factory=list)
    noise: dict = field(default_factory=dict)
    pending: list[Callable[[dict[str, Location]], None]] = field(default_factory=list)

    def submission(self, village: str, month: str) -> Submission:
        return next(s for s in self.submissions if s.village.code == village and s.month == month)


def golden_submissions(plan: GoldenPlan, seed: int) -> GoldenBuild:
    build = GoldenBuild(plan, random.Random(seed * 7919 + 1), plan.people)
    by_code = {v.code: v for v in plan.villages}
    for village, month in plan.present():
        build.submissions.append(plain_submission(plan, by_code[village], month))
    plant_cross_village_rows(build)
    plant_duplicate_row(build)
    plant_quarantined_rows(build)
    plant_resubmission(build)
    plant_fixed_invalid(build)
    plant_unknown_village(build)
    describe_golden_noise(build)
    return build


def plain_submission(plan: GoldenPlan, village: Village, month: str) -> Submission:
    style = plan.styles[village.code]
    cumulative = village.short in CUMULATIVE_VILLAGES
    births = [
        b
        for b in plan.births
        if b.village == village.code
        and (
            b.report_month == month
            or (cumulative and b.report_month < month and b.birth_date >= SY_START)
        )
    ]
    births.sort(key=lambda b: (b.birth_date, b.mother.name, b.parity))
    rows = [BirthRow(b, b.residence, tag=birth_tag(b, village.code, month)) for b in births]
    beneficiaries = [
        BeneficiaryRow(p)
        for p in plan.beneficiaries
        if p.village == village.code and month_of(p.approved_on) == month
    ]
    as_csv = village.short == CSV_VILLAGE
    return Submission(
        village,
        month,
        style,
        plan.received[(village.code, month)],
        village.code if as_csv else file_stem(village, month, style),
        rows,
        beneficiaries,
        plan.records[(village.code, month)],
        as_csv=as_csv,
        csv_encoding="gbk" if month in CSV_GBK_MONTHS else "utf-8-sig",
    )


def birth_tag(b: Birth, village: str, month: str) -> str:
    return f"birth:{b.mother.id_number}:{b.birth_date}:{b.parity}@{village}/{month}"


def plant_cross_village_rows(build: GoldenBuild) -> None:
    for b, other, month in build.plan.cross:
        sub = build.submission(other, month)
        sub.births.append(BirthRow(b, "流入", tag=birth_tag(b, other, month)))
        sub.births.sort(key=lambda r: (r.birth.birth_date, r.birth.mother.name, r.birth.parity))


def plant_duplicate_row(build: GoldenBuild) -> None:
    """The same child typed twice in one file (pasted again at the end of the list)."""
    sub = build.submission(build.plan.code(DUPLICATE_ROW[0]), DUPLICATE_ROW[1])
    original = next(r for r in sub.births if is_simple(r.birth))
    original.birth.role = "duplicate_row"
    original.tag = "duplicate:first"
    sub.births.append(BirthRow(original.birth, original.residence, tag="duplicate:second"))


def extra_birth(build: GoldenBuild, village: str, month: str, day: date | None = None) -> Birth:
    """A birth that never gets counted: it only exists in a row the pipeline must quarantine."""
    day = day or day_in(month, build.rng)
    return new_birth(build.people, build.rng, day, 1, village, month)


def plant_quarantined_rows(build: GoldenBuild) -> None:
    plan, quarantined = build.plan, []
    for short, month, reason in QUARANTINE_PLAN:
        village = plan.code(short)
        sub = build.submission(village, month)
        tag = f"quarantined:{reason}"
        if reason == "reward_recipient_under_60":
            on = day_in(month, build.rng, 1, 28)
            person = build.people.aged("男", on, 58, 59)
            sub.beneficiaries.append(
                BeneficiaryRow(Beneficiary(person, "农村奖励扶助", on, village), tag)
            )
            quarantined.append((tag, "id_number", reason, mask_id(person.id_number)))
            continue
        row, field_name, value = quarantined_birth_row(build, village, month, reason)
        row.tag = tag
        sub.births.append(row)
        quarantined.append((tag, field_name, reason, value))

    def record(locations: dict[str, Location]) -> None:
        build.noise["quarantined"] = [
            {**location_dict(locations[tag]), "field": f, "reason": reason, "value": value}
            for tag, f, reason, value in quarantined
        ]

    build.pending.append(record)


def quarantined_birth_row(
    build: GoldenBuild, village: str, month: str, reason: str
) -> tuple[BirthRow, str, str]:
    if reason == "birth_date_after_report_month":
        b = extra_birth(build, village, month, day_in(shift_month(month, 1), build.rng, 10, 20))
        return BirthRow(b, "户籍"), "birth_date", str(b.birth_date)
    b = extra_birth(build, village, month)
    if reason == "check_character":
        wrong = wrong_check_character(b.mother.id_number)
        return BirthRow(b, "户籍", {"mother_id": wrong}), "mother_id", mask_id(wrong)
    if reason == "child_sex_vocabulary":
        return BirthRow(b, "户籍", {"child_sex": "未知"}), "child_sex", "未知"
    if reason == "id_as_number":
        number = excel_mangled(b.mother.id_number)
        return BirthRow(b, "户籍", {"mother_id": number}), "mother_id", f"{number:.5E}"
    if reason == "mother_id_male_sex_digit":  # the husband's ID typed in the mother's column
        b.mother = replace(b.mother, id_number=b.father.id_number)
        return BirthRow(b, "户籍"), "mother_id", mask_id(b.father.id_number)
    raise ValueError(reason)


def untagged(row: BirthRow) -> BirthRow:
    """A row of a superseded version: its locations are not the ones the truth points to."""
    return BirthRow(row.birth, row.residence, dict(row.overrides))


def plant_resubmission(build: GoldenBuild) -> None:
    """A month sent twice: the first version has one child's sex wrong and misses one birth."""
    plan = build.plan
    village, month = plan.code(RESUBMISSION[0]), RESUBMISSION[1]
    second = build.submission(village, month)
    simple = [r for r in second.births if is_simple(r.birth)]
    corrected, added = simple[0], simple[1]
    corrected.birth.role, added.birth.role = "sex_corrected", "added_in_resubmission"
    wrong_sex = replace(
        corrected.birth, child_sex="女" if corrected.birth.child_sex == "男" else "男"
    )
    first_rows = [
        BirthRow(wrong_sex, r.residence, tag="resubmission:first_sex")
        if r is corrected
        else untagged(r)
        for r in second.births
        if r is not added
    ]
    first = replace(second, births=first_rows, received=second.received)
    second.received = resent_time(build.rng, first.received)
    second.file_stem += "_更正"
    build.submissions.append(first)

    def record(locations: dict[str, Location]) -> None:
        build.noise["resubmission"] = {
            "village": village,
            "month": month,
            "first": locations["resubmission:first_sex"].file,
            "second": locations[corrected.tag].file,
            "first_received": first.received.isoformat(),
            "second_received": second.received.isoformat(),
            "sex_corrected": {
                "mother_id_masked": mask_id(corrected.birth.mother.id_number),
                "first_row": locations["resubmission:first_sex"].row,
                "second_row": locations[corrected.tag].row,
                "first_sex": wrong_sex.child_sex,
                "second_sex": corrected.birth.child_sex,
            },
            "added": {
                "mother_id_masked": mask_id(added.birth.mother.id_number),
                "second_row": locations[added.tag].row,
            },
        }

    build.pending.append(record)


def plant_fixed_invalid(build: GoldenBuild) -> None:
    """A row with a wrong ID check character, fixed by a second version of the same month."""
    plan = build.plan
    village, month = plan.code(FIXED_INVALID[0]), FIXED_INVALID[1]
    second = build.submission(village, month)
    target = next(r for r in second.births if is_simple(r.birth))
    target.birth.role = "fixed_invalid"
    wrong = wrong_check_character(target.birth.mother.id_number)
    first_rows = [
        BirthRow(r.birth, r.residence, {"mother_id": wrong}, tag="fixed_invalid:first")
        if r is target
        else untagged(r)
        for r in second.births
    ]
    first = replace(second, births=first_rows)
    second.received = resent_time(build.rng, first.received)
    second.file_stem += "_修改"
    build.submissions.append(first)

    def record(locations: dict[str, Location]) -> None:
        bad = locations["fixed_invalid:first"]
        build.noise["fixed_invalid"] = {
            "village": village,
            "month": month,
            "first": bad.file,
            "second": locations[target.tag].file,
            "first_received": first.received.isoformat(),
            "second_received": second.received.isoformat(),
            "sheet": bad.sheet,
            "row": bad.row,
            "second_row": locations[target.tag].row,
            "field": "mother_id",
            "reason": "check_character",
            "value": mask_id(wrong),
        }

    build.pending.append(record)


def plant_unknown_village(build: GoldenBuild) -> None:
    """A neighbouring township's village sends its report here: rejected whole."""
    code, name, month = UNKNOWN_VILLAGE
    stranger = Village(code, name, (), code[:9], "外镇", "")
    style = Style(reporter=build.people.name("女", date(1990, 1, 1)), phone="13900000000")
    births = [BirthRow(extra_birth(build, code, month), "户籍") for _ in range(2)]
    records = month_records(build.rng, VillageStock.random(build.rng, 420), month)
    stem = file_stem(stranger, month, Style(file_pattern="code_name"))
    received = received_time(build.rng, month)
    build.submissions.append(
        Submission(stranger, month, style, received, stem, births, [], records)
    )
    build.noise["rejected_files"] = [f"{month}/{stem}.xlsx"]


def location_dict(location: Location) -> dict:
    return {"file": location.file, "sheet": location.sheet, "row": location.row}


def describe_golden_noise(build: GoldenBuild) -> None:
    """The noise that needs no Excel rows; the rest is filled in once files are written."""
    plan = build.plan
    noise = build.noise
    noise["cumulative_villages"] = [plan.code(s) for s in CUMULATIVE_VILLAGES]
    twins = [b for b in plan.births if b.twin]
    noise["twins"] = len(twins) // 2
    noise["twin_pairs"] = [
        {
            "village": b.village,
            "mother_id_masked": mask_id(b.mother.id_number),
            "birth_date": str(b.birth_date),
            "parities": [b.parity, b.parity + 1],
        }
        for b in twins
        if any(o.mother is b.mother and o.parity == b.parity + 1 for o in twins)
    ]
    outlier_key = (plan.code(OUTLIER[0]), OUTLIER[1])
    previous = shift_month(OUTLIER[1], -1)
    noise["outlier"] = {
        "village": outlier_key[0],
        "month": outlier_key[1],
        "field": "married_women",
        "value": plan.records[outlier_key].contraception["married_women"],
        "previous_month_value": plan.records[(outlier_key[0], previous)].contraception[
            "married_women"
        ],
        "factor": 3,
    }
    noise["missing_submissions"] = [
        {"village": plan.code(MISSING_SUBMISSION[0]), "month": MISSING_SUBMISSION[1]}
    ]
    noise["csv_village"] = {
        "village": plan.code(CSV_VILLAGE),
        "encodings": {m: ("gbk" if m in CSV_GBK_MONTHS else "utf-8-sig") for m in REPORT_MONTHS},
    }
    noise["no_cover_villages"] = [plan.code(s) for s in NO_COVER]
    noise["late_senders"] = sorted(
        f"{v}/{m}"
        for (v, m), t in plan.received.items()
        if t.date() > date.fromisoformat(shift_month(m, 1) + "-05")
    )

    def record(locations: dict[str, Location]) -> None:
        noise["exact_duplicates"] = [
            {
                "file": locations["duplicate:first"].file,
                "sheet": locations["duplicate:first"].sheet,
                "rows": [locations["duplicate:first"].row, locations["duplicate:second"].row],
            }
        ]
        noise["cross_village_births"] = [
            {
                "home": b.village,
                "other": other,
                "mother_id_masked": mask_id(b.mother.id_number),
                "birth_date": str(b.birth_date),
                "parity": b.parity,
                "home_residence": b.residence,
                "home_at": location_dict(locations[birth_tag(b, b.village, b.report_month)]),
                "other_at": location_dict(locations[birth_tag(b, other, month)]),
            }
            for b, other, month in plan.cross
        ]
        noise["late_reports"] = [
            {
                **location_dict(locations[birth_tag(b, b.village, b.report_month)]),
                "birth_date": str(b.birth_date),
                "previous_statistical_year": b.birth_date < SY_START,
            }
            for b in plan.births
            if month_of(b.birth_date) < b.report_month
        ]

    build.pending.append(record)


def file_entry(relpath: str, sub: Submission) -> dict:
    """Who sent a file, for which month, and when it was received (naive Asia/Shanghai time)."""
    return {
        "file": relpath,
        "village_code": sub.village.code,
        "month": sub.month,
        "received": sub.received.isoformat(),
    }


def check_golden(indicators: dict) -> None:
    """The sample must reproduce the seed report; a generator bug must not pass silently."""
    township = indicators["SY2026H1"][TOWNSHIP_CODE]
    wrong = {k: (township.get(k), v) for k, v in GOLDEN.items() if township.get(k) != v}
    lo, hi = GOLDEN_LEAFLETS
    if not lo <= township["leaflets"] <= hi:
        wrong["leaflets"] = (township["leaflets"], GOLDEN_LEAFLETS)
    if wrong:
        raise AssertionError(f"golden sample off target (got, want): {wrong}")


def generate_sample(raw_dir: Path, villages_csv: Path, truth_path: Path, seed: int = 2026) -> dict:
    """The golden sample township: 22 villages, report months 2025-10 .. 2026-03.

    Returns the truth dict (also written as JSON to truth_path).
    """
    raw_dir, catalogue = Path(raw_dir), load_catalogue()
    plan = plan_golden(seed)
    build = golden_submissions(plan, seed)
    write_villages_csv(Path(villages_csv), plan.villages)
    locations: dict[str, Location] = {}
    files = []
    for sub in build.submissions:
        written, found = write_submission(raw_dir, catalogue, sub)
        locations.update(found)
        files += [file_entry(f, sub) for f in written]
    for fill_in in build.pending:
        fill_in(locations)
    indicators = compute_indicators(plan.villages, plan.births, plan.beneficiaries, plan.records)
    check_golden(indicators)
    truth = {
        "seed": seed,
        "township": {"code": TOWNSHIP_CODE, "name": TOWNSHIP_NAME},
        "villages": [{"village_code": v.code, "village_name": v.name} for v in plan.villages],
        "months": list(REPORT_MONTHS),
        "files": sorted(files, key=lambda f: f["file"]),
        "indicators": indicators,
        "noise": dict(sorted(build.noise.items())),
    }
    write_truth(Path(truth_path), truth)
    return truth


# ---------------------------------------------------------------------------------------------
# Bench scale
# ---------------------------------------------------------------------------------------------

VILLAGES_PER_TOWNSHIP = 25
PLACE_PREFIXES = ["", "大", "小", "新", "老", "东", "西"]
PLACE_SUFFIXES = "湾冲岗畈咀垸铺寨岭店桥河坝台墩港湖塘坳集庄楼园山坡洼埠庙圈"
TOWNSHIP_CHARS = "仓汪徐邾辛潘凤阳柳涨双道龙旧三李孔阳逻花山金台永安淘"


def scaled_villages(n: int, rng: random.Random) -> list[Village]:
    """n villages in townships of 25, codes 420117101001 …, names unique across the set."""
    names = [
        f"{prefix}{surname}{middle}{suffix}"
        for prefix in PLACE_PREFIXES
        for surname in SURNAMES
        for middle in ("家", "")
        for suffix in PLACE_SUFFIXES
    ]
    rng.shuffle(names)
    townships = math.ceil(n / VILLAGES_PER_TOWNSHIP)
    if townships > 899 or n > len(names):
        raise ValueError(f"at most {899 * VILLAGES_PER_TOWNSHIP} villages")
    township_names = list(
        dict.fromkeys(f"{a}{b}镇" for a in TOWNSHIP_CHARS for b in TOWNSHIP_CHARS if a != b)
    )
    villages = []
    for i in range(n):
        t, k = divmod(i, VILLAGES_PER_TOWNSHIP)
        township_code = f"420117{101 + t:03d}"
        short = names[i]
        villages.append(
            Village(
                f"{township_code}{k + 1:03d}",
                short + "村",
                (short,),
                township_code,
                township_names[t],
            )
        )
    return villages


def scaled_style(rng: random.Random, people: People) -> Style:
    """A random but clean way of filling the workbook: every village keeps a cover."""
    choices = {feature: rng.choice(options) for feature, options in STYLE_OPTIONS.items()}
    choices.update(
        has_cover=True,
        file_pattern="code_name",
        sheet_names="canonical",
        reporter=people.name("女", date(1990, 1, 1)),
        phone="13" + "".join(str(rng.randrange(10)) for _ in range(9)),
    )
    return Style(**choices)


def scaled_month(
    rng: random.Random, people: People, village: Village, month: str, stock: VillageStock
) -> tuple[list[Birth], list[Beneficiary], MonthRecords]:
    births = []
    for _ in range(rng.choices(range(8), weights=[10, 18, 20, 18, 13, 9, 6, 6])[0]):
        day = day_in(month, rng)
        parity = rng.choices([1, 2, 3], weights=[84, 14, 2])[0]
        in_policy = parity == 1 or rng.random() < 0.9
        births.append(new_birth(people, rng, day, parity, village.code, month, in_policy))
    beneficiaries = []
    for category, weights in (
        ("农村奖励扶助", [60, 30, 10]),
        ("特别扶助", [97, 3, 0]),
        ("独女户高考加分", [50, 35, 15]),
    ):
        for i in range(rng.choices(range(3), weights)[0]):
            approved = day_in(month, rng, 1, 28)
            person = beneficiary_person(people, rng, category, approved, i + 1)
            beneficiaries.append(Beneficiary(person, category, approved, village.code))
    stock.drift(rng)
    return births, beneficiaries, month_records(rng, stock, month)


def generate_scaled(
    raw_dir: Path,
    villages_csv: Path,
    truth_path: Path,
    n_villages: int,
    months: list[str],
    seed: int = 1,
    styles: list[dict] | None = None,
) -> dict:
    """Bench-scale random realistic data (e.g. 400 villages x 12 months), clean, with truth.
    `styles`: Style fields to set, one dict per village (cycled), over the random choices."""
    raw_dir, catalogue = Path(raw_dir), load_catalogue()
    rng = random.Random(seed)
    people = People(rng)
    villages = scaled_villages(n_villages, rng)
    chosen = {v.code: scaled_style(rng, people) for v in villages}
    if styles:
        chosen = {
            code: replace(style, **styles[k % len(styles)])
            for k, (code, style) in enumerate(chosen.items())
        }
    stocks = {v.code: VillageStock.random(rng, rng.randint(300, 900)) for v in villages}
    write_villages_csv(Path(villages_csv), villages)
    births: list[Birth] = []
    beneficiaries: list[Beneficiary] = []
    records: dict[tuple[str, str], MonthRecords] = {}
    files: list[dict] = []
    for month in sorted(months):
        for village in villages:
            month_births, month_beneficiaries, records_of_month = scaled_month(
                rng, people, village, month, stocks[village.code]
            )
            births += month_births
            beneficiaries += month_beneficiaries
            records[(village.code, month)] = records_of_month
            style = chosen[village.code]
            sub = Submission(
                village,
                month,
                style,
                received_time(rng, month),
                file_stem(village, month, style),
                [BirthRow(b, "户籍") for b in month_births],
                [BeneficiaryRow(p) for p in month_beneficiaries],
                records_of_month,
            )
            written, _ = write_submission(raw_dir, catalogue, sub)
            files += [file_entry(f, sub) for f in written]
    indicators = compute_indicators(villages, births, beneficiaries, records)
    townships = sorted({(v.township_code, v.township_name) for v in villages})
    truth = {
        "seed": seed,
        "township": {"code": townships[0][0], "name": townships[0][1]},
        "townships": [{"code": c, "name": n} for c, n in townships],
        "villages": [{"village_code": v.code, "village_name": v.name} for v in villages],
        "months": sorted(months),
        "files": files,
        "indicators": indicators,
        "noise": {},
    }
    write_truth(Path(truth_path), truth)
    return truth
